"""Writes to the collaboration graph."""

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.utils import timezone

from bzpeer.db import bulk_update, insert_values
from graph.models import Collaboration, ResearcherInstitution, ResearcherTopic
from graph.selectors import slice_cache_key
from works.models import Authorship, HiddenWork, Work, WorkTopic

# A shared work loses half its weight every this many years (docs/graph.md).
STRENGTH_HALF_LIFE_YEARS = 5
UNKNOWN_YEAR_AGE = 10


@dataclass
class RowChanges:
    created: int = 0
    updated: int = 0
    deleted: int = 0

    def __add__(self, other: "RowChanges") -> "RowChanges":
        return RowChanges(
            self.created + other.created, self.updated + other.updated, self.deleted + other.deleted
        )


def recency_weight(year: int | None, *, this_year: int) -> float:
    age = UNKNOWN_YEAR_AGE if year is None else max(this_year - year, 0)
    return 0.5 ** (age / STRENGTH_HALF_LIFE_YEARS)


@transaction.atomic
def collaborations_refresh(*, researcher_ids: Collection[int]) -> RowChanges:
    """Recompute every Collaboration between the given researchers from their authorships.

    Callers pass all authors of the works they changed (before and after the change); a pair's
    row can only change when both ends are among them. Works with more than
    GRAPH_MAX_AUTHORS_FOR_EDGES authors make no pairs.
    """
    ids = sorted(set(researcher_ids))
    slice_cache_invalidate(researcher_ids=ids)
    changes = RowChanges()
    if len(ids) < 2:
        return changes
    cap = settings.GRAPH_MAX_AUTHORS_FOR_EDGES
    this_year = datetime.date.today().year
    # Shown bylines only: a work either author hid as "not mine" makes no pair between them.
    rows = (
        Authorship.objects.filter(
            ~Exists(
                HiddenWork.objects.filter(
                    researcher_id=OuterRef("work__authorships__researcher_id"),
                    work_id=OuterRef("work_id"),
                )
            ),
            researcher_id__in=ids,
            work__authors_count__lte=cap,
            work__authorships__researcher_id__in=ids,
            work__authorships__researcher_id__gt=F("researcher_id"),
        )
        .shown()
        .values_list("researcher_id", "work__authorships__researcher_id", "work__publication_year")
        .annotate(shared=Count("work_id"))
        .order_by()
    )
    wanted: dict[tuple[int, int], dict] = defaultdict(
        lambda: {"shared_works": 0, "first_year": None, "last_year": None, "strength": 0.0}
    )
    for a, b, year, shared in rows:
        pair = wanted[(a, b)]
        pair["shared_works"] += shared
        pair["strength"] += shared * recency_weight(year, this_year=this_year)
        if year is not None:
            pair["first_year"] = min(filter(None, [pair["first_year"], year]))
            pair["last_year"] = max(filter(None, [pair["last_year"], year]))
    for pair in wanted.values():
        pair["strength"] = round(pair["strength"], 4)

    return _rows_sync(
        Collaboration.objects.filter(researcher_a_id__in=ids, researcher_b_id__in=ids),
        ["researcher_a_id", "researcher_b_id"],
        wanted,
        stamp="updated_at",
    )


def _rows_sync(existing: QuerySet, keys: list[str], wanted: dict[tuple, dict], *, stamp=None):
    """Make the rows of `existing` those of `wanted` (each row's key values → its other
    values): insert the missing, update the changed, delete the rest, and no more. stamp: a
    field set to now on every row written."""
    model = existing.model
    rows = {tuple(getattr(row, key) for key in keys): row for row in existing}
    fields = list(next(iter(wanted.values()), {}))
    to_create, to_update = [], []
    for key, values in wanted.items():
        row = rows.get(key)
        if row is None:
            to_create.append([*key, *values.values()])
        elif any(getattr(row, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(row, field, value)
            to_update.append(row)
    stale = [row.pk for key, row in rows.items() if key not in wanted]
    stamped = [stamp] if stamp else []
    now = [timezone.now()] if stamp else []
    insert_values(model, [*keys, *fields, *stamped], [[*row, *now] for row in to_create])
    for row in to_update:
        for field in stamped:
            setattr(row, field, now[0])
    bulk_update(model, to_update, fields + stamped)
    if stale:
        model.objects.filter(pk__in=stale).delete()
    return RowChanges(created=len(to_create), updated=len(to_update), deleted=len(stale))


@transaction.atomic
def neighbourhood_refresh(*, researcher_ids: Collection[int]) -> RowChanges:
    """Recount the topics and institutions of these researchers' shown works
    (ResearcherTopic, ResearcherInstitution). Callers pass everyone whose bylines, works'
    topics or hidden works changed, as they do to profiles' counts. A fixed number of queries;
    writes only the rows that changed."""
    ids = sorted(set(researcher_ids))
    slice_cache_invalidate(researcher_ids=ids)
    if not ids:
        return RowChanges()
    shown = Authorship.objects.filter(researcher_id__in=ids).shown()
    topics = (
        WorkTopic.objects.filter(work__authorships__in=shown)
        .values_list("work__authorships__researcher_id", "topic_id")
        .annotate(n=Count("work_id"))
        .order_by()
    )
    affiliations = Authorship.institutions.through.objects
    on_works = (
        affiliations.filter(authorship__work__authorships__in=shown)
        .values_list("authorship__work__authorships__researcher_id", "institution_id")
        .annotate(n=Count("authorship__work_id", distinct=True))
        .order_by()
    )
    own = {
        (researcher_id, institution_id): n
        for researcher_id, institution_id, n in affiliations.filter(authorship__in=shown)
        .values_list("authorship__researcher_id", "institution_id")
        .annotate(n=Count("authorship_id"))
        .order_by()
    }
    changes = _rows_sync(
        ResearcherTopic.objects.filter(researcher_id__in=ids),
        ["researcher_id", "topic_id"],
        {(researcher_id, topic_id): {"works": n} for researcher_id, topic_id, n in topics},
    )
    institutions = _rows_sync(
        ResearcherInstitution.objects.filter(researcher_id__in=ids),
        ["researcher_id", "institution_id"],
        {
            (researcher_id, institution_id): {
                "works": n,
                "bylines": own.get((researcher_id, institution_id), 0),
            }
            for researcher_id, institution_id, n in on_works
        },
    )
    return changes + institutions


def slice_cache_invalidate(*, researcher_ids: Collection[int]) -> None:
    """Forget the cached graph slices of researchers whose neighbourhood may have changed."""
    transaction.on_commit(lambda: cache.delete_many([slice_cache_key(pk) for pk in researcher_ids]))


# Researchers per statement of collaborations_rebuild: each statement joins their bylines.
REBUILD_CHUNK = 5_000


def collaborations_rebuild(*, researcher_ids: Collection[int]) -> RowChanges:
    """collaborations_refresh for a bulk load (a snapshot import), set-based: the same pairs,
    counts, years and strengths, computed and merged by one statement per REBUILD_CHUNK
    researchers (the pair's smaller id in the chunk, the other among researcher_ids), writing
    only pairs that changed. Postgres only."""
    ids = sorted(set(researcher_ids))
    slice_cache_invalidate(researcher_ids=ids)
    changes = RowChanges()
    quote = connection.ops.quote_name
    authorship, work = quote(Authorship._meta.db_table), quote(Work._meta.db_table)
    hidden, table = quote(HiddenWork._meta.db_table), quote(Collaboration._meta.db_table)
    statement = f"""
    WITH pairs AS (
        SELECT x.researcher_id AS a, y.researcher_id AS b, w.publication_year AS year,
               count(*) AS shared
        FROM {authorship} x
        JOIN {work} w ON w.id = x.work_id AND w.authors_count <= %(cap)s
        JOIN {authorship} y ON y.work_id = x.work_id AND y.researcher_id > x.researcher_id
        WHERE x.researcher_id = ANY(%(chunk)s) AND y.researcher_id = ANY(%(all)s)
          AND NOT EXISTS (SELECT 1 FROM {hidden} h
                          WHERE h.work_id = x.work_id AND h.researcher_id = y.researcher_id)
          AND NOT EXISTS (SELECT 1 FROM {hidden} h
                          WHERE h.work_id = x.work_id AND h.researcher_id = x.researcher_id)
          -- AuthorshipQuerySet.shown(): not a version of a work the same record shows.
          AND NOT (w.version_of_id IS NOT NULL
                   AND EXISTS (SELECT 1 FROM {authorship} v WHERE v.work_id = w.version_of_id
                               AND v.researcher_id = x.researcher_id)
                   AND NOT EXISTS (SELECT 1 FROM {hidden} h WHERE h.work_id = w.version_of_id
                                   AND h.researcher_id = x.researcher_id))
        GROUP BY 1, 2, 3
    ),
    wanted AS (
        SELECT a, b, sum(shared)::int AS shared_works, min(year) AS first_year,
               max(year) AS last_year,
               round(sum(shared * power(0.5, (CASE WHEN year IS NULL THEN %(unknown)s
                   ELSE greatest(%(this_year)s - year, 0) END)::float8 / %(half_life)s
               ))::numeric, 4)::float8 AS strength
        FROM pairs GROUP BY a, b
    ),
    written AS (
        INSERT INTO {table} AS c (researcher_a_id, researcher_b_id, shared_works, first_year,
                                  last_year, strength, updated_at)
        SELECT a, b, shared_works, first_year, last_year, strength, %(now)s FROM wanted
        ORDER BY a, b
        ON CONFLICT (researcher_a_id, researcher_b_id) DO UPDATE SET
            shared_works = EXCLUDED.shared_works, first_year = EXCLUDED.first_year,
            last_year = EXCLUDED.last_year, strength = EXCLUDED.strength,
            updated_at = EXCLUDED.updated_at
        WHERE (c.shared_works, c.first_year, c.last_year, c.strength) IS DISTINCT FROM
              (EXCLUDED.shared_works, EXCLUDED.first_year, EXCLUDED.last_year, EXCLUDED.strength)
        RETURNING (xmax = 0) AS created
    ),
    deleted AS (
        DELETE FROM {table} c
        WHERE c.researcher_a_id = ANY(%(chunk)s) AND c.researcher_b_id = ANY(%(all)s)
          AND NOT EXISTS (SELECT 1 FROM wanted w
                          WHERE w.a = c.researcher_a_id AND w.b = c.researcher_b_id)
        RETURNING 1
    )
    SELECT (SELECT count(*) FILTER (WHERE created) FROM written),
           (SELECT count(*) FILTER (WHERE NOT created) FROM written),
           (SELECT count(*) FROM deleted)
    """  # noqa: S608 - table names from the models
    parameters = {
        "all": ids,
        "cap": settings.GRAPH_MAX_AUTHORS_FOR_EDGES,
        "unknown": UNKNOWN_YEAR_AGE,
        "this_year": datetime.date.today().year,
        "half_life": STRENGTH_HALF_LIFE_YEARS,
        "now": timezone.now(),
    }
    with connection.cursor() as cursor:
        for start in range(0, len(ids), REBUILD_CHUNK):
            cursor.execute(statement, {**parameters, "chunk": ids[start : start + REBUILD_CHUNK]})
            changes += RowChanges(*cursor.fetchone())
    return changes
