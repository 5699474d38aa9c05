"""Reads of works."""

from django.db.models import Count, Prefetch, Q, QuerySet

from profiles.models import Researcher
from works.models import Authorship, ImportRun, Institution, Topic, Work, WorkTopic


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


def topic_page(*, pk: int, limit: int = 30) -> tuple[Topic, list[Work], list[Researcher]]:
    """Raises Topic.DoesNotExist. The topic's most cited works and its most prolific people."""
    topic = Topic.objects.get(pk=pk)
    works = list(
        Work.objects.filter(topics=topic)
        .defer("source_payload")
        .order_by("-citation_count", "-publication_year", "title_key")[:limit]
    )
    people = list(
        Researcher.objects.filter(authorships__work__topics=topic)
        .annotate(works_here=Count("authorships__work", distinct=True))
        .order_by("-works_here", "display_name")[:limit]
    )
    return topic, works, people


def institution_page(*, openalex_id: str, limit: int = 30):
    """Raises Institution.DoesNotExist. People affiliated with it, and recent works."""
    institution = Institution.objects.get(openalex_id=openalex_id)
    people = list(
        Researcher.objects.filter(
            Q(institution=institution) | Q(authorships__institutions=institution)
        )
        .annotate(
            works_here=Count(
                "authorships", filter=Q(authorships__institutions=institution), distinct=True
            )
        )
        .distinct()
        .order_by("-works_here", "display_name")[:limit]
    )
    works = list(
        Work.objects.filter(authorships__institutions=institution)
        .defer("source_payload")
        .distinct()
        .order_by("-publication_year", "title_key")[:limit]
    )
    return institution, people, works
