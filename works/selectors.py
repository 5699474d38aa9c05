"""Reads of works."""

from django.db.models import Count, F, Prefetch, Q, QuerySet

from works.models import Authorship, ImportRun, Institution, Researcher, Topic, Work, WorkTopic


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


def work_versions(*, work: Work) -> list[Work]:
    """Every version of the work, its primary first, then by year; [] when it has no other."""
    primary_id = work.version_of_id or work.pk
    versions = list(
        Work.objects.filter(Q(pk=primary_id) | Q(version_of_id=primary_id))
        .defer("source_payload", "abstract")
        .order_by("publication_year", "pk")
    )
    if len(versions) < 2:
        return []
    return sorted(versions, key=lambda row: row.pk != primary_id)


def import_runs_recent() -> QuerySet[ImportRun]:
    return (
        ImportRun.objects.select_related("researcher")
        .defer("errors")
        .order_by("-created_at", "-pk")
    )


def import_run_get(*, pk: int) -> ImportRun:
    """Raises ImportRun.DoesNotExist."""
    return ImportRun.objects.select_related("researcher").get(pk=pk)


def topic_works(topic: Topic) -> QuerySet[Work]:
    """Works on a topic, most cited first."""
    return (
        Work.objects.filter(topics=topic)
        .defer("source_payload")
        .order_by(F("citation_count").desc(nulls_last=True), "-publication_year", "title_key")
    )


def people_of_works(works: QuerySet[Work]) -> QuerySet[Researcher]:
    """Authors of these works, most works among them first, each with .works_here."""
    return (
        Researcher.objects.filter(authorships__work__in=works.values("pk"))
        .annotate(works_here=Count("authorships__work", distinct=True))
        .order_by("-works_here", "display_name")
    )


def institution_people(institution: Institution) -> QuerySet[Researcher]:
    """People whose last known institution it is or who list it on a byline, each with
    .works_here (bylines that name it)."""
    return (
        Researcher.objects.filter(
            Q(institution=institution) | Q(authorships__institutions=institution)
        )
        .annotate(
            works_here=Count(
                "authorships", filter=Q(authorships__institutions=institution), distinct=True
            )
        )
        .distinct()
        .order_by("-works_here", "display_name")
    )


def institution_works(institution: Institution) -> QuerySet[Work]:
    """Works with a byline naming the institution, each paper once: OpenAlex keeps a paper's
    versions (preprint, journal article, repository copy) as works of one title, and the
    institution page lists the most cited of them."""
    one_per_title = (
        Work.objects.filter(authorships__institutions=institution)
        .order_by("title_key", F("citation_count").desc(nulls_last=True), "-publication_year", "pk")
        .distinct("title_key")
        .values("pk")
    )
    return (
        Work.objects.filter(pk__in=one_per_title)
        .defer("source_payload")
        .order_by("-publication_year", "title_key")
    )


def topic_page(*, pk: int, limit: int = 30) -> tuple[Topic, list[Work], list[Researcher]]:
    """Raises Topic.DoesNotExist. The topic's most cited works and its most prolific people."""
    topic = Topic.objects.get(pk=pk)
    works = topic_works(topic)
    return topic, list(works[:limit]), list(people_of_works(works)[:limit])


def institution_page(*, openalex_id: str, limit: int = 30):
    """Raises Institution.DoesNotExist. People affiliated with it, and recent works."""
    institution = Institution.objects.get(openalex_id=openalex_id)
    people = list(institution_people(institution)[:limit])
    return institution, people, list(institution_works(institution)[:limit])
