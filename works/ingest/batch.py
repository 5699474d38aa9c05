"""One batch of source records → rows, in one transaction."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from works.ingest.matching import ID_FIELDS, byline_coauthors, works_paired
from works.ingest.researchers import upsert_researchers
from works.ingest.result import IngestResult
from works.ingest.versions import versions_regroup
from works.ingest.writes import (
    bylines_sync,
    upsert_institutions,
    upsert_topics,
    work_topics_sync,
    works_stamp,
    works_supplement,
    works_write,
)
from works.models import Authorship, Work
from works.sanitize import title_key_of
from works.sources.records import AuthorRecord, WorkRecord


@transaction.atomic
def ingest_works(
    records: Iterable[WorkRecord],
    *,
    authors: Iterable[AuthorRecord] = (),
    pinned: dict[str, int] | None = None,
) -> IngestResult:
    """Upsert works with their bylines and topics. Rows only: the caller announces what
    changed (works.imports, records_changed), so the graph and counts follow.

    authors are full author records fetched on their own (an OpenAlex author lookup); they are
    merged with the bylines' records. One transaction: the whole batch (an API page) is written
    or none of it. pinned maps folded names to the researcher an import is for.
    """
    result = IngestResult()
    paired = _paired(list(records), result)
    # A record without an OpenAlex id (arXiv) that names a work OpenAlex described only fills
    # what the work lacks; OpenAlex's byline, with its author ids, stays.
    supplements = [(r, row) for r, row in paired if row and row.openalex_id and not r.openalex_id]
    paired = [(r, row) for r, row in paired if not (row and row.openalex_id and not r.openalex_id)]
    works_supplement(supplements, result)
    works_stamp(supplements)
    records = [record for record, _ in paired]
    authors = list(authors)
    if not records and not authors:
        return result

    methods: dict = {}
    identities = upsert_researchers(
        [*authors, *(item.author for record in records for item in record.authorships)],
        result=result,
        pinned=pinned,
        coauthors=byline_coauthors(records),
        methods=methods,
    )
    institution_ids = upsert_institutions(
        institution
        for record in records
        for item in record.authorships
        for institution in item.institutions
    )
    topic_ids = upsert_topics(item.topic for record in records for item in record.topics)
    if not records:
        return result

    works, written = works_write(paired, result)
    works_stamp(list(zip(records, works, strict=True)))
    bylines_sync(records, works, identities, institution_ids, result, methods)
    written |= work_topics_sync(records, works, topic_ids)
    written |= versions_regroup({work.title_key for work in works})
    _note_authors_of(written, result)
    _count_hyperauthored(records, result)
    return result


def _paired(records: list[WorkRecord], result: IngestResult) -> list:
    """Each record with the stored work it describes (matching.works_paired), read in two
    queries: by any id, and by normalised title."""
    query = Q(pk__in=[])
    for name in ID_FIELDS:
        values = {getattr(record, name) for record in records if getattr(record, name)}
        if values:
            query |= Q(**{f"{name}__in": values})
    stored = {
        (name, getattr(row, name)): row
        for row in Work.objects.filter(query)
        for name in ID_FIELDS
        if getattr(row, name)
    }
    by_title: dict[str, list[Work]] = {}
    for row in Work.objects.filter(title_key__in={title_key_of(r.title) for r in records}):
        by_title.setdefault(row.title_key, []).append(row)
    paired, skipped = works_paired(records, stored=stored, by_title=by_title)
    result.duplicates_skipped += skipped
    return paired


def _note_authors_of(work_ids: set[int], result: IngestResult) -> None:
    """The authors of works whose rows or topics changed may have new counts and trust; those
    of works small enough to make pairs, new collaborations too."""
    if not work_ids:
        return
    cap = settings.GRAPH_MAX_AUTHORS_FOR_EDGES
    for researcher_id, authors in Authorship.objects.filter(work_id__in=work_ids).values_list(
        "researcher_id", "work__authors_count"
    ):
        result.researcher_ids.add(researcher_id)
        if authors <= cap:
            result.graph_researcher_ids.add(researcher_id)


def _count_hyperauthored(records: list[WorkRecord], result: IngestResult) -> None:
    cap = settings.GRAPH_MAX_AUTHORS_FOR_EDGES
    for record in records:
        authors = len(record.authorships)
        if authors > cap:
            result.hyperauthored_works += 1
            result.edges_skipped += authors * (authors - 1) // 2
