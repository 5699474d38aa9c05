"""Reads of works."""

from django.db.models import Prefetch

from works.models import Authorship, Work, WorkTopic


def work_get(*, slug: str) -> Work:
    """Raises Work.DoesNotExist."""
    return Work.objects.prefetch_related(
        Prefetch(
            "authorships",
            queryset=Authorship.objects.select_related("researcher")
            .prefetch_related("institutions")
            .order_by("position"),
        ),
        Prefetch(
            "worktopic_set",
            queryset=WorkTopic.objects.select_related("topic").order_by("-score", "topic__name"),
        ),
    ).get(slug=slug)
