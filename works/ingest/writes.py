"""Bulk writes of ingest: institutions, topics, works, their bylines and topics.

Each function writes only what differs from what is stored, in a fixed number of bulk
statements per batch, so writing the same records twice changes nothing. Sanitising happens
here, once, on the way in (Work.save() does it for single saves; bulk writes skip save()).
"""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from bzpeer.db import bulk_insert, bulk_update, insert_values
from works.ingest.matching import ID_FIELDS, author_identity
from works.ingest.result import IngestResult
from works.models import Authorship, Institution, MatchMethod, Topic, Work, WorkTopic
from works.sanitize import sanitize_html, search_key_of, title_key_of
from works.sources.records import InstitutionRecord, TopicRecord, WorkRecord
from works.text import make_slug

BATCH_SIZE = 1000


# --- Institutions and topics ------------------------------------------------------------------


def upsert_institutions(records: Iterable[InstitutionRecord]) -> dict[str, int]:
    """Returns {openalex_id: pk}. E-mail domains only ever grow."""
    wanted: dict[str, InstitutionRecord] = {}
    for record in records:
        wanted.setdefault(record.openalex_id, record)
    if not wanted:
        return {}
    existing = {row.openalex_id: row for row in Institution.objects.filter(openalex_id__in=wanted)}
    to_create, to_update = [], []
    for key, record in wanted.items():
        values = {
            "name": record.name[:500],
            "ror": record.ror,
            "country_code": record.country_code,
            "type": record.type,
        }
        row = existing.get(key)
        if row is None:
            to_create.append(
                Institution(openalex_id=key, email_domains=list(record.email_domains), **values)
            )
            continue
        domains = sorted(set(row.email_domains) | set(record.email_domains))
        values = {name: value for name, value in values.items() if value}
        if domains != sorted(row.email_domains) or any(
            getattr(row, name) != value for name, value in values.items()
        ):
            for name, value in values.items():
                setattr(row, name, value)
            row.email_domains = domains
            to_update.append(row)
    Institution.objects.bulk_create(to_create, ignore_conflicts=True, batch_size=BATCH_SIZE)
    Institution.objects.bulk_update(
        to_update, ["name", "ror", "country_code", "type", "email_domains"], batch_size=BATCH_SIZE
    )
    return dict(Institution.objects.filter(openalex_id__in=wanted).values_list("openalex_id", "pk"))


def upsert_topics(records: Iterable[TopicRecord]) -> dict[str, int]:
    """Returns {external_id: pk}."""
    wanted: dict[str, TopicRecord] = {}
    for record in records:
        wanted.setdefault(record.external_id, record)
    if not wanted:
        return {}
    fields = ["name", "subfield", "field", "domain"]
    existing = {row.external_id: row for row in Topic.objects.filter(external_id__in=wanted)}
    to_create, to_update = [], []
    for key, record in wanted.items():
        values = {name: getattr(record, name)[:300] for name in fields}
        row = existing.get(key)
        if row is None:
            to_create.append(Topic(external_id=key, **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
    Topic.objects.bulk_create(to_create, ignore_conflicts=True, batch_size=BATCH_SIZE)
    Topic.objects.bulk_update(to_update, fields, batch_size=BATCH_SIZE)
    return dict(Topic.objects.filter(external_id__in=wanted).values_list("external_id", "pk"))


# --- Works ------------------------------------------------------------------------------------

WORK_FIELDS = [
    "title",
    "title_key",
    "abstract",
    "abstract_key",
    "type",
    "venue",
    "publication_date",
    "publication_year",
    "citation_count",
    "citations_by_year",
    "oa_url",
    "is_retracted",
    "authors_count",
    "source_payload",
]


def _work_values(record: WorkRecord) -> dict:
    title = sanitize_html(record.title) or "Untitled work"
    abstract = sanitize_html(record.abstract)
    values = {
        "title": title,
        "title_key": title_key_of(title),
        "abstract": abstract,
        "abstract_key": search_key_of(abstract),
        "type": record.type[:64],
        "venue": record.venue[:500],
        "publication_date": record.publication_date,
        "publication_year": record.publication_year
        or (record.publication_date.year if record.publication_date else None),
        "is_retracted": record.is_retracted,
        "authors_count": len(record.authorships),
        "source_payload": record.payload,
    }
    # A source that counts no citations (arXiv) leaves a count another source reported.
    if record.citation_count is not None:
        values["citation_count"] = max(record.citation_count, 0)
    if record.citations_by_year is not None:
        values["citations_by_year"] = [[year, count] for year, count in record.citations_by_year]
    if record.oa_url:
        values["oa_url"] = record.oa_url
    return values


def _work_slug(key: str, record: WorkRecord) -> str:
    suffix = record.arxiv_id or record.openalex_id or record.doi or key[:8]
    return make_slug(key, suffix=suffix.replace("/", "-"), max_length=80)


def _work_changed(row: Work, record: WorkRecord, values: dict) -> bool:
    """Give a stored work the record's values and the ids it lacks; True when any differed."""
    changed = False
    for name in ID_FIELDS:
        value = getattr(record, name)
        if value and not getattr(row, name):
            setattr(row, name, value)
            changed = True
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def works_write(
    paired: list[tuple[WorkRecord, Work | None]], result: IngestResult
) -> tuple[list[Work], set[int]]:
    """Create the works that are new and update the stored ones that differ from their
    record. Returns the works in record order and the ids of those written."""
    to_create, to_update, works = [], [], []
    now = timezone.now()
    for record, row in paired:
        values = _work_values(record)
        if row is None:
            row = Work(
                slug=_work_slug(values["title_key"], record),
                **{name: getattr(record, name) for name in ID_FIELDS},
                **values,
            )
            to_create.append(row)
        elif _work_changed(row, record, values):
            row.updated_at = now
            to_update.append(row)
        else:
            result.works_unchanged += 1
        works.append(row)
    bulk_insert(Work, to_create)
    if to_create:
        pks = dict(
            Work.objects.filter(slug__in=[row.slug for row in to_create]).values_list("slug", "pk")
        )
        for row in to_create:
            row.pk = pks[row.slug]
    bulk_update(Work, to_update, WORK_FIELDS + list(ID_FIELDS) + ["updated_at"])
    result.works_created += len(to_create)
    result.works_updated += len(to_update)
    result.work_ids.extend(row.pk for row in works)
    return works, {row.pk for row in to_create + to_update}


SUPPLEMENTED_FIELDS = ["abstract", "publication_date", "arxiv_id", "doi"]


def works_supplement(pairs: list[tuple[WorkRecord, Work]], result: IngestResult) -> None:
    """Fill what stored works lack from records of another source (an arXiv record of a work
    OpenAlex described): the stored values and byline stay."""
    changed = []
    for record, row in pairs:
        values = _work_values(record)
        values.update(arxiv_id=record.arxiv_id, doi=record.doi)
        filled = [name for name in SUPPLEMENTED_FIELDS if values[name] and not getattr(row, name)]
        for name in filled:
            setattr(row, name, values[name])
        if "abstract" in filled:
            row.abstract_key = values["abstract_key"]
        if filled:
            row.updated_at = timezone.now()
            changed.append(row)
    Work.objects.bulk_update(
        changed, SUPPLEMENTED_FIELDS + ["abstract_key", "updated_at"], BATCH_SIZE
    )
    result.works_updated += len(changed)
    result.works_unchanged += len(pairs) - len(changed)
    result.work_ids.extend(row.pk for _, row in pairs)


def works_stamp(pairs: list[tuple[WorkRecord, Work]]) -> None:
    """Note which source supplied each work and when, and when its citation count was current.
    Apart from works_write so that a re-import that changes nothing else counts as unchanged;
    one statement per batch."""
    now = timezone.now()
    stamped = []
    for record, row in pairs:
        if row.pk is None or not record.source:
            continue
        when = record.as_of or now
        row.synced = {**row.synced, record.source: when.isoformat()}
        if record.citation_count is not None:
            row.citations_synced_at = when
        stamped.append(row)
    Work.objects.bulk_update(stamped, ["synced", "citations_synced_at"], BATCH_SIZE)


def bylines_sync(
    records, works, identities, institution_ids, result: IngestResult, methods=None
) -> None:
    """Rewrite the byline of each work whose stored byline differs from the record's. methods:
    how each identity was matched (upsert_researchers), recorded on its authorships."""
    methods = methods or {}
    work_ids = [work.pk for work in works if work.pk]
    stored: dict[int, list[tuple]] = {work_id: [] for work_id in work_ids}
    through = Authorship.institutions.through
    stored_institutions: dict[int, set[int]] = {}
    for row in through.objects.filter(authorship__work_id__in=work_ids).values_list(
        "authorship_id", "institution_id"
    ):
        stored_institutions.setdefault(row[0], set()).add(row[1])
    for authorship in Authorship.objects.filter(work_id__in=work_ids).order_by("position"):
        stored[authorship.work_id].append(
            (
                authorship.researcher_id,
                authorship.raw_author_name,
                authorship.raw_affiliation,
                frozenset(stored_institutions.get(authorship.pk, ())),
                authorship.match_method,
            )
        )

    replace_work_ids, new_rows = [], []
    for record, work in zip(records, works, strict=True):
        if not record.authorships:
            continue
        byline, seen = [], set()
        for authorship in record.authorships:
            identity = author_identity(authorship.author)
            researcher_id = identities[identity]
            if researcher_id in seen:
                continue  # the same person listed twice on one work
            seen.add(researcher_id)
            institutions = frozenset(
                institution_ids[institution.openalex_id] for institution in authorship.institutions
            )
            byline.append(
                (
                    researcher_id,
                    authorship.raw_author_name[:500],
                    authorship.raw_affiliation,
                    institutions,
                    methods.get(identity, MatchMethod.NAME),
                )
            )
        if byline == stored[work.pk]:
            continue
        before, after = {row[0] for row in stored[work.pk]}, {row[0] for row in byline}
        result.researcher_ids |= before | after
        # A byline over the cap makes no pairs, before or after the change.
        cap = settings.GRAPH_MAX_AUTHORS_FOR_EDGES
        result.graph_researcher_ids |= (before if len(before) <= cap else set()) | (
            after if len(after) <= cap else set()
        )
        replace_work_ids.append(work.pk)
        new_rows.extend((work.pk, position, row) for position, row in enumerate(byline))

    if not replace_work_ids:
        return
    Authorship.objects.filter(work_id__in=replace_work_ids).delete()
    insert_values(
        Authorship,
        [
            "work_id",
            "position",
            "researcher_id",
            "raw_author_name",
            "raw_affiliation",
            "match_method",
        ],
        [
            [work_id, position, row[0], row[1], row[2], row[4]]
            for work_id, position, row in new_rows
        ],
    )
    pks = {
        (work_id, position): pk
        for work_id, position, pk in Authorship.objects.filter(
            work_id__in=replace_work_ids
        ).values_list("work_id", "position", "pk")
    }
    insert_values(
        through,
        ["authorship_id", "institution_id"],
        [
            [pks[(work_id, position)], institution_id]
            for work_id, position, row in new_rows
            for institution_id in row[3]
        ],
    )
    result.authorships_written += len(new_rows)


def work_topics_sync(records, works, topic_ids) -> set[int]:
    """Make each work's topics the record's; returns the ids of works whose topics changed."""
    work_ids = [work.pk for work in works]
    stored = {
        (work_id, topic_id): score
        for work_id, topic_id, score in WorkTopic.objects.filter(work_id__in=work_ids).values_list(
            "work_id", "topic_id", "score"
        )
    }
    wanted = {}
    for record, work in zip(records, works, strict=True):
        if not record.topics:
            continue
        for item in record.topics:
            wanted.setdefault((work.pk, topic_ids[item.topic.external_id]), item.score)
    touched = {work_id for work_id, _ in wanted}
    stale = [pair for pair in stored if pair[0] in touched and pair not in wanted]
    changed = [pair for pair, score in wanted.items() if stored.get(pair) != score]
    replaced = [pair for pair in stale + changed if pair in stored]
    if replaced:
        query = Q(pk__in=[])
        for work_id, topic_id in replaced:
            query |= Q(work_id=work_id, topic_id=topic_id)
        WorkTopic.objects.filter(query).delete()
    if changed:
        WorkTopic.objects.bulk_create(
            [
                WorkTopic(work_id=work_id, topic_id=topic_id, score=wanted[(work_id, topic_id)])
                for work_id, topic_id in changed
            ],
            batch_size=BATCH_SIZE,
        )
    return {work_id for work_id, _ in stale + changed}
