"""Plain records that sources produce and ingest consumes. No ORM here."""

import datetime
from dataclasses import dataclass, field

from works.text import clean_name


@dataclass(frozen=True)
class InstitutionRecord:
    openalex_id: str
    name: str
    ror: str = ""
    country_code: str = ""
    type: str = ""
    email_domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class TopicRecord:
    external_id: str
    name: str
    subfield: str = ""
    field: str = ""
    domain: str = ""


@dataclass(frozen=True)
class AuthorRecord:
    display_name: str
    openalex_id: str | None = None
    orcid: str | None = None
    name_variants: tuple[str, ...] = ()
    # Set when the author was seen on arXiv: the name forms arXiv lists them under.
    arxiv_name_forms: tuple[str, ...] = ()
    institution: InstitutionRecord | None = None
    # OpenAlex's summary_stats as (name, value) pairs: h_index, i10_index, 2yr_mean_citedness.
    summary: tuple[tuple[str, float], ...] = ()

    def __post_init__(self):
        # Every source's names are cleaned here, before ingest makes keys and slugs of them.
        clean = object.__setattr__
        clean(self, "display_name", clean_name(self.display_name))
        clean(self, "name_variants", _clean_names(self.name_variants))
        clean(self, "arxiv_name_forms", _clean_names(self.arxiv_name_forms))


def _clean_names(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for name in map(clean_name, names) if name))


@dataclass(frozen=True)
class AuthorshipRecord:
    author: AuthorRecord
    raw_author_name: str = ""
    raw_affiliation: str = ""
    institutions: tuple[InstitutionRecord, ...] = ()


@dataclass(frozen=True)
class WorkTopicRecord:
    topic: TopicRecord
    score: float = 1.0


@dataclass(frozen=True)
class WorkRecord:
    title: str
    openalex_id: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    # False when the arXiv id comes from a secondary location (a published version that also
    # lists its preprint); such a record keeps the id only if no other work claims it.
    arxiv_id_confident: bool = True
    abstract: str = ""
    type: str = ""
    venue: str = ""
    publication_date: datetime.date | None = None
    publication_year: int | None = None
    # None when the source does not count citations.
    citation_count: int | None = None
    # ((year, citations), …) as OpenAlex's counts_by_year; None when not sent.
    citations_by_year: tuple[tuple[int, int], ...] | None = None
    oa_url: str = ""
    # Which source supplied the record ("openalex", "snapshot", "arxiv", "demo") and, for a
    # snapshot, the date its record was current (else the time of ingest).
    source: str = ""
    as_of: datetime.datetime | None = None
    is_retracted: bool = False
    # In byline order.
    authorships: tuple[AuthorshipRecord, ...] = ()
    topics: tuple[WorkTopicRecord, ...] = ()
    payload: dict = field(default_factory=dict, compare=False, repr=False)
