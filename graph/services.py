"""Writes to the collaboration graph."""

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef
from django.utils import timezone

from bzpeer.db import bulk_update, insert_values
from graph.models import Collaboration
from graph.selectors import slice_cache_key
from works.models import Authorship, HiddenWork

# A shared work loses half its weight every this many years (docs/graph.md).
STRENGTH_HALF_LIFE_YEARS = 5
UNKNOWN_YEAR_AGE = 10


@dataclass
class CollaborationChanges:
    created: int = 0
    updated: int = 0
    deleted: int = 0


def recency_weight(year: int | None, *, this_year: int) -> float:
    age = UNKNOWN_YEAR_AGE if year is None else max(this_year - year, 0)
    return 0.5 ** (age / STRENGTH_HALF_LIFE_YEARS)


@transaction.atomic
def collaborations_refresh(*, researcher_ids: Collection[int]) -> CollaborationChanges:
    """Recompute every Collaboration between the given researchers from their authorships.

    Callers pass all authors of the works they changed (before and after the change); a pair's
    row can only change when both ends are among them. Works with more than
    GRAPH_MAX_AUTHORS_FOR_EDGES authors make no pairs.
    """
    ids = sorted(set(researcher_ids))
    slice_cache_invalidate(researcher_ids=ids)
    changes = CollaborationChanges()
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

    existing = {
        (row.researcher_a_id, row.researcher_b_id): row
        for row in Collaboration.objects.filter(researcher_a_id__in=ids, researcher_b_id__in=ids)
    }
    fields = ["shared_works", "first_year", "last_year", "strength"]
    to_create, to_update = [], []
    for (a, b), values in wanted.items():
        row = existing.get((a, b))
        if row is None:
            to_create.append([a, b, *(values[field] for field in fields)])
        elif any(getattr(row, field) != values[field] for field in fields):
            for field in fields:
                setattr(row, field, values[field])
            to_update.append(row)
    stale = [row.pk for pair, row in existing.items() if pair not in wanted]
    now = timezone.now()
    insert_values(
        Collaboration,
        ["researcher_a_id", "researcher_b_id", *fields, "updated_at"],
        [[*row, now] for row in to_create],
    )
    for row in to_update:
        row.updated_at = now
    bulk_update(Collaboration, to_update, fields + ["updated_at"])
    if stale:
        Collaboration.objects.filter(pk__in=stale).delete()
    changes.created, changes.updated, changes.deleted = len(to_create), len(to_update), len(stale)
    return changes


def slice_cache_invalidate(*, researcher_ids: Collection[int]) -> None:
    """Forget the cached graph slices of researchers whose neighbourhood may have changed."""
    transaction.on_commit(lambda: cache.delete_many([slice_cache_key(pk) for pk in researcher_ids]))
