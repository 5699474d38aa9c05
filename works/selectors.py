"""Reads of works."""

from django.db.models import Prefetch, QuerySet

from works.models import Authorship, ImportRun, Work, WorkTopic


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


def import_runs_recent() -> QuerySet[ImportRun]:
    return (
        ImportRun.objects.select_related("researcher")
        .defer("errors")
        .order_by("-created_at", "-pk")
    )


def import_run_get(*, pk: int) -> ImportRun:
    """Raises ImportRun.DoesNotExist."""
    return ImportRun.objects.select_related("researcher").get(pk=pk)
