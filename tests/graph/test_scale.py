"""The graph at scale: a hyper-authored work makes no pairs and costs a bounded number of
queries; the profile's slice runs the same number of queries however many collaborators a
researcher has."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from bench import data
from graph.models import Collaboration
from graph.selectors import (
    SLICE_INSTITUTIONS,
    SLICE_PAPERS,
    SLICE_PEOPLE,
    SLICE_TOPICS,
    collaborations_ranked,
    graph_slice,
)
from profiles.receivers import records_changed_refresh
from tests.factories import (
    CollaborationFactory,
    InstitutionFactory,
    ResearcherFactory,
    TopicFactory,
)
from works.models import Authorship, Researcher, Work, WorkTopic
from works.services import records_import
from works.sources.records import WorkRecord
from works.text import fold

pytestmark = pytest.mark.django_db

# What importing one hyper-authored work may cost, whatever its number of authors.
HYPER_AUTHORED_MAX_QUERIES = 45


def hyper_authored(authors: int, *, number: int) -> WorkRecord:
    """One OpenAlex work with this many authors, all new people with their own OpenAlex ids."""
    return data.hyper_authored_work(number, data.new_authors(authors, batch=number))


def pairs_of(work: Work):
    """Collaboration rows with an author of this work at either end."""
    authors = Authorship.objects.filter(work=work).values("researcher_id")
    return Collaboration.objects.filter(
        Q(researcher_a_id__in=authors) | Q(researcher_b_id__in=authors)
    )


def queries_to_ingest(record: WorkRecord) -> int:
    with CaptureQueriesContext(connection) as queries:
        records_import(records=[record])
    return len(queries)


def test_a_work_with_3000_authors_makes_no_pairs_and_stores_every_author(
    settings, django_assert_max_num_queries
):
    settings.GRAPH_MAX_AUTHORS_FOR_EDGES = 50  # the default

    hyper = hyper_authored(3000, number=1)
    with django_assert_max_num_queries(HYPER_AUTHORED_MAX_QUERIES):
        result = records_import(records=[hyper])

    work = Work.objects.get(openalex_id=hyper.openalex_id)
    assert not pairs_of(work).exists()
    assert result.hyperauthored_works == 1
    assert result.edges_skipped == 3000 * 2999 // 2 == 4_498_500
    assert work.authors_count == 3000
    assert Authorship.objects.filter(work=work).count() == 3000
    assert list(
        Authorship.objects.filter(work=work).order_by("position").values_list("position", flat=True)
    ) == list(range(3000))
    assert result.researchers_created == 3000


def test_a_hyper_authored_work_adds_nothing_to_its_authors_existing_pairs():
    hyper = hyper_authored(60, number=2)
    records_import(
        records=[
            WorkRecord(
                title="A small paper by two of the same people",
                openalex_id="W7799999999",
                publication_year=2023,
                authorships=hyper.authorships[:2],
            )
        ]
    )
    pair = Collaboration.objects.get(
        researcher_a__openalex_id=hyper.authorships[0].author.openalex_id
    )

    result = records_import(records=[hyper])

    assert (result.hyperauthored_works, result.edges_skipped) == (1, 60 * 59 // 2)
    work = Work.objects.get(openalex_id=hyper.openalex_id)
    assert Authorship.objects.filter(work=work).count() == 60
    assert list(pairs_of(work)) == [pair]
    assert pairs_of(work).get().shared_works == 1


def test_importing_a_hyper_authored_work_costs_the_same_queries_for_300_and_3000_authors():
    few = queries_to_ingest(hyper_authored(300, number=3))
    many = queries_to_ingest(hyper_authored(3000, number=4))

    assert many == few <= HYPER_AUTHORED_MAX_QUERIES


# --- The slice --------------------------------------------------------------------------------

THIS_YEAR = datetime.date.today().year


def neighbourhood(name: str, collaborators: int) -> Researcher:
    """A researcher with this many collaborators: one paper with each pair of neighbours on
    the circle (so the collaborators know each other), each collaborator's own recent paper,
    topics and institutions on every work. Collaborations and counts built as ingest does."""
    people = Researcher.objects.bulk_create(
        Researcher(
            display_name=f"{name} {i:03d}",
            name_key=fold(f"{name} {i:03d}"),
            slug=f"{fold(name).replace(' ', '-')}-{i:03d}",
        )
        for i in range(collaborators + 1)
    )
    centre, around = people[0], people[1:]
    topics = [TopicFactory() for _ in range(SLICE_TOPICS + 2)]
    institutions = [InstitutionFactory() for _ in range(SLICE_INSTITUTIONS + 2)]
    bylines = [
        [centre, around[i], around[(i + 1) % collaborators]] for i in range(collaborators)
    ] + [[around[i]] for i in range(collaborators)]
    slug = fold(name).replace(" ", "-")
    works = Work.objects.bulk_create(
        Work(
            slug=f"{slug}-work-{i}",
            title=f"{name} work {i:04d}",
            title_key=fold(f"{name} work {i:04d}"),
            publication_year=THIS_YEAR - i % 20,
            authors_count=len(byline),
        )
        for i, byline in enumerate(bylines)
    )
    authorships = Authorship.objects.bulk_create(
        Authorship(work=work, researcher=person, position=position)
        for work, byline in zip(works, bylines, strict=True)
        for position, person in enumerate(byline)
    )
    through = Authorship.institutions.through
    through.objects.bulk_create(
        through(authorship=authorship, institution=institutions[i % len(institutions)])
        for i, authorship in enumerate(authorships)
    )
    WorkTopic.objects.bulk_create(
        WorkTopic(work=work, topic=topics[i % len(topics)]) for i, work in enumerate(works)
    )
    ids = [person.pk for person in people]
    records_changed_refresh(None, researcher_ids=ids, graph_researcher_ids=ids)
    centre.refresh_from_db()
    return centre


def slice_queries(researcher: Researcher) -> tuple[int, object]:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        result = graph_slice(researcher=researcher)
    return len(queries), result


def test_the_slice_runs_the_same_queries_for_200_collaborators_as_for_20():
    few = neighbourhood("Small Circle", 20)
    many = neighbourhood("Large Circle", 200)
    assert Collaboration.objects.filter(researcher_a=many).count() == 200

    few_queries, few_slice = slice_queries(few)
    many_queries, many_slice = slice_queries(many)

    assert many_queries == few_queries
    # Both slices are full, so neither count comes from an empty list skipping a query.
    for result in (few_slice, many_slice):
        assert len(result.people) == SLICE_PEOPLE
        assert len(result.papers) == len(result.recent_papers) == SLICE_PAPERS
        assert len(result.topics) == SLICE_TOPICS
        assert len(result.institutions) == SLICE_INSTITUTIONS
    assert many_slice.people[0].reason == f"co-authored 2 papers, {THIS_YEAR - 1}–{THIS_YEAR}"


def test_collaborations_rank_across_both_sides_of_each_pair():
    """A pair is stored once, lower id first, so a researcher's collaborations sit on both
    sides; each side is read from its own index and the two merged into one ranking."""
    earlier = [ResearcherFactory() for _ in range(2)]  # the centre is their pairs' b
    centre = ResearcherFactory()
    later = [ResearcherFactory() for _ in range(3)]  # the centre is their pairs' a
    # (shared works, strength) of each pair, the two sides' ranks interleaved.
    ranks = dict(
        zip(earlier + later, [(2, 1.0), (5, 1.0), (5, 3.0), (2, 2.0), (1, 9.0)], strict=True)
    )
    for partner, (shared, strength) in ranks.items():
        a, b = sorted([centre, partner], key=lambda researcher: researcher.pk)
        CollaborationFactory(researcher_a=a, researcher_b=b, shared_works=shared, strength=strength)

    def ranked(limit):
        rows = collaborations_ranked(Collaboration.objects.all(), centre.pk, limit)
        return [(row.shared_works, row.strength) for row in rows]

    assert ranked(None) == [(5, 3.0), (5, 1.0), (2, 2.0), (2, 1.0), (1, 9.0)]
    assert ranked(3) == [(5, 3.0), (5, 1.0), (2, 2.0)]
