"""Works as bibliography files: the ORM side of works.citations (which formats, which rows)."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from works import citations
from works.citations import Reference
from works.models import Authorship, Work
from works.sanitize import to_plain_text

# Rows fetched per query when a list is streamed: the memory an export holds at once.
EXPORT_CHUNK_SIZE = 500


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    content_type: str
    extension: str
    stream: Callable[[Iterable[Reference]], Iterator[str]]


def _each(render: Callable[[Reference], str]):
    def stream(references: Iterable[Reference]) -> Iterator[str]:
        for reference in references:
            yield render(reference) + "\n"

    return stream


FORMATS = {
    "bibtex": ExportFormat(
        "bibtex",
        "BibTeX",
        "application/x-bibtex; charset=utf-8",
        "bib",
        _each(citations.bibtex_entry),
    ),
    "ris": ExportFormat(
        "ris",
        "RIS",
        "application/x-research-info-systems; charset=utf-8",
        "ris",
        _each(citations.ris_record),
    ),
    "csl-json": ExportFormat(
        "csl-json",
        "CSL-JSON",
        "application/vnd.citationstyles.csl+json; charset=utf-8",
        "json",
        citations.csl_json_stream,
    ),
}


def _byline() -> Prefetch:
    return Prefetch(
        "authorships",
        queryset=Authorship.objects.select_related("researcher")
        .only("work_id", "position", "researcher__display_name")
        .order_by("position"),
    )


def work_reference(work: Work) -> Reference:
    """The work's Reference; its byline read from authorships (prefetched when it is)."""
    return citations.reference_of(
        work,
        author_names=[a.researcher.display_name for a in work.authorships.all()],
        url=settings.SITE_URL + work.get_absolute_url(),
        plain_abstract=to_plain_text(work.abstract),
    )


def references(works: QuerySet[Work]) -> Iterator[Reference]:
    """Each work as a Reference with a key unique in the list, in id order, read in chunks of
    EXPORT_CHUNK_SIZE with their bylines (prefetched per chunk)."""
    rows = (
        works.defer("source_payload")
        .order_by("pk")
        .prefetch_related(_byline())
        .iterator(chunk_size=EXPORT_CHUNK_SIZE)
    )
    return citations.with_keys(work_reference(work) for work in rows)
