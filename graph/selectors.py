"""Reads from the collaboration graph."""

from collections import Counter
from collections.abc import Collection

from django.db.models import Count

from graph.models import Collaboration

# A close collaborator shares at least this many works (docs/graph.md).
CLOSE_MIN_SHARED_WORKS = 2


def collaborator_counts(
    *,
    researcher_ids: Collection[int],
    min_shared_works: int = CLOSE_MIN_SHARED_WORKS,
    min_level: int = 0,
) -> Counter:
    """How many collaborators each researcher has with at least min_shared_works shared works
    and, with min_level, at least that verification level."""
    counts: Counter = Counter()
    for own, other in (("researcher_a", "researcher_b"), ("researcher_b", "researcher_a")):
        conditions = {f"{own}_id__in": researcher_ids, "shared_works__gte": min_shared_works}
        if min_level:
            conditions[f"{other}__verification_level__gte"] = min_level
        rows = (
            Collaboration.objects.filter(**conditions)
            .values_list(f"{own}_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for researcher_id, n in rows:
            counts[researcher_id] += n
    return counts
