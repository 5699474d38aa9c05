"""graph.services.neighbourhood_refresh: each researcher's topics and institutions, counted when
their works change, as the slice and the explorer read them; and graph migration 0006, which
fills the same rows from what is already stored."""

import importlib

import pytest
from django.db import connection

from graph.models import ResearcherInstitution, ResearcherTopic
from graph.services import RowChanges, neighbourhood_refresh
from tests.factories import (
    AuthorshipFactory,
    InstitutionFactory,
    ResearcherFactory,
    TopicFactory,
    WorkFactory,
)
from works.models import Authorship, HiddenWork, Researcher, WorkTopic

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("graph.migrations.0006_researcher_topics_and_institutions")


def byline(work, *people):
    """people: researchers, or (researcher, [institutions]) pairs, in byline order."""
    work.authors_count = len(people)
    work.save()
    for position, person in enumerate(people):
        researcher, institutions = person if isinstance(person, tuple) else (person, [])
        AuthorshipFactory(work=work, researcher=researcher, position=position).institutions.set(
            institutions
        )
    return work


def topics(researcher) -> dict[str, int]:
    return dict(
        ResearcherTopic.objects.filter(researcher=researcher).values_list("topic__name", "works")
    )


def institutions(researcher) -> dict[str, tuple[int, int]]:
    return {
        name: (works, bylines)
        for name, works, bylines in ResearcherInstitution.objects.filter(
            researcher=researcher
        ).values_list("institution__name", "works", "bylines")
    }


@pytest.fixture
def world():
    """Ada (at Oxford) wrote two graph papers with Carl (at Paris); one is also on logic. A
    preprint of the first is grouped under it, and a third paper is Ada's alone."""
    ada, carl = ResearcherFactory(display_name="Ada"), ResearcherFactory(display_name="Carl")
    oxford, paris = InstitutionFactory(name="Oxford"), InstitutionFactory(name="Paris")
    graphs, logic = TopicFactory(name="Graphs"), TopicFactory(name="Logic")
    first = byline(WorkFactory(), (ada, [oxford]), (carl, [paris]))
    second = byline(WorkFactory(), (ada, [oxford]), (carl, [paris, oxford]))
    preprint = byline(WorkFactory(version_of=first), (ada, [oxford]), carl)
    alone = byline(WorkFactory(), ada)
    for work, topic in [
        (first, graphs),
        (second, graphs),
        (second, logic),
        (preprint, logic),
        (alone, logic),
    ]:
        WorkTopic.objects.create(work=work, topic=topic)
    return {
        "ada": ada,
        "carl": carl,
        "works": {"first": first, "second": second, "preprint": preprint, "alone": alone},
    }


def test_topics_and_institutions_are_counted_over_the_works_each_profile_shows(world):
    ada, carl = world["ada"], world["carl"]

    neighbourhood_refresh(researcher_ids=[ada.pk, carl.pk])

    # The preprint is shown within the article it is a version of, so its topic is not Ada's.
    assert topics(ada) == {"Graphs": 2, "Logic": 2}
    assert topics(carl) == {"Graphs": 2, "Logic": 1}
    # works: the researcher's works on which any byline names it; bylines: their own.
    assert institutions(ada) == {"Oxford": (2, 2), "Paris": (2, 0)}
    assert institutions(carl) == {"Oxford": (2, 1), "Paris": (2, 2)}


def test_a_refresh_writes_only_what_changed_and_only_for_the_researchers_given(world):
    ada, carl = world["ada"], world["carl"]
    neighbourhood_refresh(researcher_ids=[ada.pk, carl.pk])
    before = (
        list(ResearcherTopic.objects.order_by("pk").values()),
        list(ResearcherInstitution.objects.order_by("pk").values()),
    )

    assert neighbourhood_refresh(researcher_ids=[ada.pk, carl.pk, ada.pk]) == RowChanges()
    assert before == (
        list(ResearcherTopic.objects.order_by("pk").values()),
        list(ResearcherInstitution.objects.order_by("pk").values()),
    )

    WorkTopic.objects.filter(work=world["works"]["alone"]).delete()
    Authorship.objects.filter(work=world["works"]["second"], researcher=carl).delete()
    changes = neighbourhood_refresh(researcher_ids=[ada.pk])

    # Ada's Logic falls to 1 (updated); Carl's bylines no longer name Paris or Oxford on the
    # second paper, so it counts for Ada's Paris no more (updated), Oxford still 2 (unchanged).
    assert changes == RowChanges(updated=2)
    assert topics(ada) == {"Graphs": 2, "Logic": 1}
    assert institutions(ada) == {"Oxford": (2, 2), "Paris": (1, 0)}
    # Carl was not given: his rows wait for his own refresh.
    assert topics(carl) == {"Graphs": 2, "Logic": 1}

    neighbourhood_refresh(researcher_ids=[carl.pk])
    assert topics(carl) == {"Graphs": 1}
    assert institutions(carl) == {"Oxford": (1, 0), "Paris": (1, 1)}


def test_a_hidden_work_counts_for_nobody_who_hid_it(world):
    ada, carl = world["ada"], world["carl"]
    HiddenWork.objects.create(researcher=ada, work=world["works"]["second"], reason="Not mine.")

    neighbourhood_refresh(researcher_ids=[ada.pk, carl.pk])

    assert topics(ada) == {"Graphs": 1, "Logic": 1}
    assert institutions(ada) == {"Oxford": (1, 1), "Paris": (1, 0)}
    assert topics(carl) == {"Graphs": 2, "Logic": 1}


def test_a_version_is_counted_once_its_primary_is_hidden(world):
    ada = world["ada"]
    HiddenWork.objects.create(researcher=ada, work=world["works"]["first"], reason="Not mine.")

    neighbourhood_refresh(researcher_ids=[ada.pk])

    # The preprint (Logic; Oxford on Ada's byline, none on Carl's) takes the article's place.
    assert topics(ada) == {"Graphs": 1, "Logic": 3}
    assert institutions(ada) == {"Oxford": (2, 2), "Paris": (1, 0)}


def test_no_works_leaves_no_rows(world):
    ada = world["ada"]
    neighbourhood_refresh(researcher_ids=[ada.pk])
    Authorship.objects.filter(researcher=ada).delete()

    changes = neighbourhood_refresh(researcher_ids=[ada.pk])

    assert changes == RowChanges(deleted=4)
    assert topics(ada) == {} and institutions(ada) == {}


def test_the_migration_fills_the_rows_a_refresh_writes(world):
    ada, carl = world["ada"], world["carl"]
    HiddenWork.objects.create(researcher=carl, work=world["works"]["second"], reason="Not mine.")
    neighbourhood_refresh(researcher_ids=[ada.pk, carl.pk])
    refreshed = (
        sorted(ResearcherTopic.objects.values_list("researcher", "topic", "works")),
        sorted(
            ResearcherInstitution.objects.values_list(
                "researcher", "institution", "works", "bylines"
            )
        ),
    )
    ResearcherTopic.objects.all().delete()
    ResearcherInstitution.objects.all().delete()

    with connection.cursor() as cursor:
        for statement in backfill.BACKFILL:
            cursor.execute(statement)

    assert refreshed[0] and refreshed[1]
    assert refreshed == (
        sorted(ResearcherTopic.objects.values_list("researcher", "topic", "works")),
        sorted(
            ResearcherInstitution.objects.values_list(
                "researcher", "institution", "works", "bylines"
            )
        ),
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="page versions are kept on Postgres")
def test_a_changed_row_touches_its_researchers_page(world):
    ada, carl = world["ada"], world["carl"]
    neighbourhood_refresh(researcher_ids=[ada.pk, carl.pk])
    versions = dict(Researcher.objects.values_list("pk", "page_version"))

    ResearcherTopic.objects.filter(researcher=ada).update(works=9)
    ResearcherInstitution.objects.filter(researcher=carl).delete()

    after = dict(Researcher.objects.values_list("pk", "page_version"))
    assert after[ada.pk] > versions[ada.pk]
    assert after[carl.pk] > versions[carl.pk]
