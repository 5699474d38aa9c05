"""OpenAlex: JSON → plain records, and the live client that fetches them. No ORM here."""

import contextlib
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlparse

from works.mail_domains import domain_is_shared
from works.sources.http import HttpSource, PageInvalid
from works.sources.records import (
    AuthorRecord,
    AuthorshipRecord,
    InstitutionRecord,
    TopicRecord,
    WorkRecord,
    WorkTopicRecord,
)
from works.text import loads_clean

_ARXIV_URL = re.compile(
    r"arxiv\.org/(?:abs|pdf)/((?:\d{4}\.\d{4,5})|(?:[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))", re.I
)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)
_ARXIV_VERSION = re.compile(r"v\d+$")


class OpenAlexParseError(ValueError):
    """A record lacks what every OpenAlex entity of its kind has."""


def short_id(url_or_id: str | None) -> str | None:
    """'https://openalex.org/A5023888391' → 'A5023888391'."""
    if not url_or_id:
        return None
    return url_or_id.rstrip("/").rsplit("/", 1)[-1].upper()


def normalise_doi(doi: str | None) -> str | None:
    if not doi:
        return None
    doi = doi.strip().lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if doi.startswith(prefix):
            doi = doi[len(prefix) :]
    return doi or None


def normalise_orcid(orcid: str | None) -> str | None:
    if not orcid:
        return None
    value = orcid.rstrip("/").rsplit("/", 1)[-1].upper()
    return value if re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", value) else None


def normalise_arxiv_id(value: str) -> str:
    return _ARXIV_VERSION.sub("", value.strip())


def rebuild_abstract(inverted_index: dict[str, list[int]] | None) -> str:
    """OpenAlex ships abstracts as {word: [positions]}; put the words back in order."""
    if not inverted_index:
        return ""
    positions = {}
    for word, places in inverted_index.items():
        for place in places:
            positions[place] = word
    return " ".join(positions[place] for place in sorted(positions))


def _parse_date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _email_domains(homepage_url: str | None) -> tuple[str, ...]:
    """The domain of the institution's e-mail, from its homepage's host: OpenAlex gives no
    domain of its own. A homepage on a shared host (sites.google.com, a github.io page, a
    webmail provider's site) gives none, or every address there would count."""
    host = (urlparse(homepage_url).hostname or "") if homepage_url else ""
    host = host.lower().removeprefix("www.")
    return (host,) if host and "." in host and not domain_is_shared(host) else ()


def parse_institution(data: dict) -> InstitutionRecord:
    openalex_id = short_id(data.get("id"))
    if not openalex_id:
        raise OpenAlexParseError("institution without an id")
    return InstitutionRecord(
        openalex_id=openalex_id,
        name=data.get("display_name") or openalex_id,
        ror=(data.get("ror") or "").rstrip("/").rsplit("/", 1)[-1],
        country_code=(data.get("country_code") or "")[:2],
        type=data.get("type") or "",
        email_domains=_email_domains(data.get("homepage_url")),
    )


def parse_topic(data: dict) -> TopicRecord:
    external_id = short_id(data.get("id"))
    if not external_id:
        raise OpenAlexParseError("topic without an id")

    def name_of(key):
        return (data.get(key) or {}).get("display_name") or ""

    return TopicRecord(
        external_id=external_id,
        name=data.get("display_name") or external_id,
        subfield=name_of("subfield"),
        field=name_of("field"),
        domain=name_of("domain"),
    )


def parse_author(data: dict) -> AuthorRecord:
    openalex_id = short_id(data.get("id"))
    if not openalex_id or not data.get("display_name"):
        raise OpenAlexParseError("author without an id or a name")
    institutions = data.get("last_known_institutions") or []
    variants = [data["display_name"], *(data.get("display_name_alternatives") or [])]
    return AuthorRecord(
        display_name=data["display_name"],
        openalex_id=openalex_id,
        orcid=normalise_orcid(data.get("orcid") or (data.get("ids") or {}).get("orcid")),
        name_variants=tuple(dict.fromkeys(variants)),
        institution=parse_institution(institutions[0]) if institutions else None,
        summary=_summary(data.get("summary_stats")),
    )


SUMMARY_KEYS = ("h_index", "i10_index", "2yr_mean_citedness")


def _summary(stats) -> tuple[tuple[str, float], ...]:
    if not isinstance(stats, dict):
        return ()
    return tuple(
        (key, stats[key])
        for key in SUMMARY_KEYS
        if isinstance(stats.get(key), int | float) and not isinstance(stats.get(key), bool)
    )


def _citations_by_year(data: dict) -> tuple[tuple[int, int], ...] | None:
    rows = data.get("counts_by_year")
    if not isinstance(rows, list):
        return None
    years = {}
    for row in rows:
        year, count = (row or {}).get("year"), (row or {}).get("cited_by_count")
        if isinstance(year, int) and isinstance(count, int) and count >= 0:
            years[year] = count
    return tuple(sorted(years.items()))


def _oa_url(data: dict) -> str:
    best = data.get("best_oa_location") or {}
    url = best.get("pdf_url") or (data.get("open_access") or {}).get("oa_url") or ""
    return url if url.startswith(("https://", "http://")) and len(url) <= 1000 else ""


def _arxiv_id_of(data: dict, doi: str | None) -> tuple[str | None, bool]:
    """The work's arXiv id and whether the work is the arXiv version itself."""
    match = _ARXIV_DOI.match(doi or "")
    if match:
        return normalise_arxiv_id(match.group(1)), True
    primary = data.get("primary_location")
    for location in [primary, *(data.get("locations") or [])]:
        for key in ("landing_page_url", "pdf_url"):
            match = _ARXIV_URL.search((location or {}).get(key) or "")
            if match:
                return normalise_arxiv_id(match.group(1)), location is primary
    return None, False


def _parse_authorship(data: dict) -> AuthorshipRecord | None:
    author = data.get("author") or {}
    name = author.get("display_name") or data.get("raw_author_name")
    if not name:
        return None
    institutions = tuple(
        parse_institution(institution)
        for institution in data.get("institutions") or []
        if institution.get("id")
    )
    return AuthorshipRecord(
        author=AuthorRecord(
            display_name=name,
            openalex_id=short_id(author.get("id")),
            orcid=normalise_orcid(author.get("orcid")),
        ),
        raw_author_name=data.get("raw_author_name") or "",
        raw_affiliation="; ".join(data.get("raw_affiliation_strings") or []),
        institutions=institutions,
    )


def parse_work(data: dict) -> WorkRecord:
    openalex_id = short_id(data.get("id"))
    if not openalex_id:
        raise OpenAlexParseError("work without an id")
    doi = normalise_doi(data.get("doi") or (data.get("ids") or {}).get("doi"))
    source = ((data.get("primary_location") or {}).get("source")) or {}
    authorships = tuple(
        record
        for record in (_parse_authorship(item) for item in data.get("authorships") or [])
        if record is not None
    )
    topics = tuple(
        WorkTopicRecord(topic=parse_topic(topic), score=float(topic.get("score") or 0))
        for topic in data.get("topics") or []
        if topic.get("id")
    )
    arxiv_id, arxiv_id_confident = _arxiv_id_of(data, doi)
    return WorkRecord(
        title=data.get("title") or data.get("display_name") or "Untitled work",
        openalex_id=openalex_id,
        doi=doi,
        arxiv_id=arxiv_id,
        arxiv_id_confident=arxiv_id_confident,
        abstract=rebuild_abstract(data.get("abstract_inverted_index")),
        type=data.get("type") or "",
        venue=source.get("display_name") or "",
        publication_date=_parse_date(data.get("publication_date")),
        publication_year=data.get("publication_year"),
        citation_count=None if data.get("cited_by_count") is None else int(data["cited_by_count"]),
        citations_by_year=_citations_by_year(data),
        oa_url=_oa_url(data),
        source="openalex",
        is_retracted=bool(data.get("is_retracted")),
        authorships=authorships,
        topics=topics,
        payload=data,
    )


# --- The live client ---------------------------------------------------------------------------

# Only what parse_work reads: a smaller, cheaper response.
WORK_FIELDS = (
    "id,doi,title,display_name,publication_year,publication_date,ids,type,primary_location,"
    "locations,authorships,cited_by_count,is_retracted,topics,abstract_inverted_index,"
    "is_authors_truncated,counts_by_year,best_oa_location,open_access"
)
ORCID_PATTERN = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


@dataclass(frozen=True)
class WorksPage:
    records: list[WorkRecord]
    next_cursor: str | None
    total: int | None


class OpenAlexClient(HttpSource):
    def __init__(self, *, api_key: str = "", mailto: str = "", per_page: int = 100, **kwargs):
        super().__init__(**kwargs)
        self.api_key = api_key
        self.mailto = mailto
        self.per_page = per_page
        self.cost_usd = Decimal(0)

    def _json(self, path: str, params: dict | None = None) -> dict:
        params = dict(params or {})
        if self.api_key:
            params["api_key"] = self.api_key
        if self.mailto:
            params["mailto"] = self.mailto
        response = self.get(f"{self.base_url}/{path}", params=params)
        try:
            data = loads_clean(response.content)
        except ValueError:
            kind = response.headers.get("Content-Type", "unknown type")
            raise PageInvalid(
                f"OpenAlex answered 200 with a body that is not JSON ({kind})"
            ) from None
        if not isinstance(data, dict):
            raise PageInvalid("OpenAlex answered with JSON that is not an object")
        cost = (data.get("meta") or {}).get("cost_usd") if "meta" in data else None
        if cost is not None:
            with contextlib.suppress(ArithmeticError):
                self.cost_usd += Decimal(str(cost))
        return data

    def author(self, identifier: str) -> AuthorRecord:
        """An author by OpenAlex id (A…) or ORCID iD. A merged id answers with the id it was
        merged into; the record carries that one."""
        identifier = identifier.strip()
        orcid = normalise_orcid(identifier)
        if orcid and ORCID_PATTERN.match(orcid):
            path = f"authors/orcid:{orcid}"
        else:
            path = f"authors/{short_id(identifier)}"
        try:
            return parse_author(self._json(path))
        except OpenAlexParseError as error:
            raise PageInvalid(f"OpenAlex author record unusable: {error}") from error

    def works_page(self, *, author_id: str, cursor: str = "*") -> WorksPage:
        """One page of an author's works by cursor paging."""
        data = self._json(
            "works",
            {
                "filter": f"authorships.author.id:{author_id}",
                "per_page": self.per_page,
                "cursor": cursor,
                "select": WORK_FIELDS,
            },
        )
        results, meta = data.get("results"), data.get("meta")
        if not isinstance(results, list) or not isinstance(meta, dict):
            raise PageInvalid("OpenAlex page lacks 'results' or 'meta'")
        if "next_cursor" not in meta:
            raise PageInvalid("OpenAlex page lacks meta.next_cursor, so paging cannot go on")
        try:
            records = [parse_work(item) for item in results]
        except (OpenAlexParseError, AttributeError, TypeError) as error:
            raise PageInvalid(f"OpenAlex page holds an unusable work: {error}") from error
        return WorksPage(
            records=records,
            next_cursor=meta.get("next_cursor") or None,
            total=meta.get("count"),
        )
