"""Reads of works."""

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet

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


# A topic's or an institution's page summarises at most this many of its latest works or
# bylines: a topic of a million works costs what one of a few thousand costs.
SUMMARY_SAMPLE = 2_000


def topic_works(topic: Topic) -> QuerySet[Work]:
    """Works on a topic, most cited first (the work_most_cited index walks them in order)."""
    return (
        Work.objects.filter(topics=topic)
        .defer("source_payload")
        .order_by(F("citation_count").desc(nulls_last=True), "-publication_year", "title_key")
    )


def topic_latest_works(topic: Topic) -> QuerySet:
    """The ids of the SUMMARY_SAMPLE works most recently put on the topic (the worktopic_by_topic
    index, walked backwards: finding its most cited ones instead read 26,000 works of a large
    topic at 3,000,000 works)."""
    return (
        WorkTopic.objects.filter(topic=topic)
        .order_by("-work_id")
        .values("work_id")[:SUMMARY_SAMPLE]
    )


def authors_ranked(work_ids: QuerySet) -> QuerySet:
    """The authors of these works (a query of their ids) as (researcher id, works among them,
    latest work id) rows: those on the most first, then those on the latest. Counted on the
    bylines alone; people_of reads the few researchers shown. Joining every author's row to
    sort them by name (6,000 for a large topic's sample) was most of the topic page at 10^6
    researchers."""
    return (
        Authorship.objects.filter(work__in=work_ids)
        .values_list("researcher_id")
        .annotate(works_here=Count("pk"), latest=Max("work_id"))
        .order_by("-works_here", "-latest", "researcher_id")
    )


def people_of(ranked_rows) -> list[Researcher]:
    """The researchers of authors_ranked rows, in their order, each with .works_here (one
    gone since is left out)."""
    rows = list(ranked_rows)
    people = Researcher.objects.in_bulk([researcher_id for researcher_id, *_ in rows])
    found = []
    for researcher_id, works_here, _ in rows:
        if person := people.get(researcher_id):
            person.works_here = works_here
            found.append(person)
    return found


def works_in_order(ids: list[int]) -> list[Work]:
    """These works, in this order, without their source payloads (one gone since is left
    out): the rows of a page whose ids were found on keys alone."""
    rows = Work.objects.defer("source_payload").in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def _latest_bylines(institution: Institution) -> QuerySet:
    """The ids of the SUMMARY_SAMPLE latest bylines naming the institution (an index on the
    affiliations, institution then byline, walks them backwards)."""
    return (
        Authorship.institutions.through.objects.filter(institution=institution)
        .order_by("-authorship_id")
        .values("authorship_id")[:SUMMARY_SAMPLE]
    )


def institution_people(institution: Institution, *, limit: int) -> list[Researcher]:
    """Up to limit people: those on the most of its latest bylines first, each with
    .works_here (those bylines), then people whose last known institution it is, by name."""
    people = list(
        Researcher.objects.filter(authorships__in=_latest_bylines(institution))
        .annotate(works_here=Count("authorships", distinct=True))
        .order_by("-works_here", "display_name")[:limit]
    )
    if len(people) < limit:
        last_known = (
            Researcher.objects.filter(institution=institution)
            .exclude(pk__in=[person.pk for person in people])
            .order_by("display_name")[: limit - len(people)]
        )
        for person in last_known:
            person.works_here = 0
            people.append(person)
    return people


def institution_works(institution: Institution) -> QuerySet[Work]:
    """Works of its latest bylines, each paper once: OpenAlex keeps a paper's versions
    (preprint, journal article, repository copy) as works of one title, and the institution
    page lists the most cited of them."""
    one_per_title = (
        Work.objects.filter(authorships__in=_latest_bylines(institution))
        .order_by("title_key", F("citation_count").desc(nulls_last=True), "-publication_year", "pk")
        .distinct("title_key")
        .values("pk")
    )
    return (
        Work.objects.filter(pk__in=one_per_title)
        .defer("source_payload")
        .order_by("-publication_year", "title_key")
    )


def beyond_sample(rows: QuerySet) -> bool:
    """Whether rows go past SUMMARY_SAMPLE, so a page says what its summary counted."""
    return rows.values("pk")[SUMMARY_SAMPLE : SUMMARY_SAMPLE + 1].exists()


def topic_page(*, pk: int, limit: int = 30):
    """Raises Topic.DoesNotExist. The topic, its most cited works, its most prolific people,
    and whether those were counted over a sample of its works."""
    topic = Topic.objects.get(pk=pk)
    works = topic_works(topic)
    people = people_of(authors_ranked(topic_latest_works(topic))[:limit])
    return topic, list(works[:limit]), people, beyond_sample(WorkTopic.objects.filter(topic=topic))


def institution_page(*, openalex_id: str, limit: int = 30):
    """Raises Institution.DoesNotExist. People affiliated with it, recent works, and whether
    those were found among a sample of its bylines."""
    institution = Institution.objects.get(openalex_id=openalex_id)
    people = institution_people(institution, limit=limit)
    bylines = Authorship.institutions.through.objects.filter(institution=institution)
    return (
        institution,
        people,
        list(institution_works(institution)[:limit]),
        beyond_sample(bylines),
    )
