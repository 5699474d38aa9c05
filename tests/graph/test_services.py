"""graph.services.collaborations_refresh: Collaboration rows materialised from authorships."""

import datetime

import pytest

from graph.models import Collaboration
from graph.selectors import collaborator_counts
from graph.services import RowChanges, collaborations_refresh, recency_weight
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory
from works.models import HiddenWork

pytestmark = pytest.mark.django_db

THIS_YEAR = datetime.date.today().year


def coauthor(*researchers, year: int | None = THIS_YEAR, **work_fields):
    work = WorkFactory(publication_year=year, authors_count=len(researchers), **work_fields)
    for position, researcher in enumerate(researchers):
        AuthorshipFactory(work=work, researcher=researcher, position=position)
    return work


def row(first, second) -> Collaboration:
    low, high = sorted([first.pk, second.pk])
    return Collaboration.objects.get(researcher_a_id=low, researcher_b_id=high)


@pytest.fixture
def trio():
    return ResearcherFactory(), ResearcherFactory(), ResearcherFactory()


def test_recency_weight_halves_every_five_years():
    assert recency_weight(THIS_YEAR, this_year=THIS_YEAR) == 1.0
    assert recency_weight(THIS_YEAR - 5, this_year=THIS_YEAR) == 0.5
    assert recency_weight(THIS_YEAR - 10, this_year=THIS_YEAR) == 0.25
    # A year in the future counts as this year; an unknown year as ten years old.
    assert recency_weight(THIS_YEAR + 2, this_year=THIS_YEAR) == 1.0
    assert recency_weight(None, this_year=THIS_YEAR) == 0.25


def test_pair_counts_shared_works_years_and_strength(trio):
    ada, charles, _ = trio
    coauthor(ada, charles, year=THIS_YEAR)
    coauthor(ada, charles, year=THIS_YEAR - 5)
    coauthor(charles, ada, year=THIS_YEAR - 10)

    changes = collaborations_refresh(researcher_ids=[ada.pk, charles.pk])

    assert changes == RowChanges(created=1)
    pair = row(ada, charles)
    assert pair.shared_works == 3
    assert (pair.first_year, pair.last_year) == (THIS_YEAR - 10, THIS_YEAR)
    # 1 + 0.5 + 0.25
    assert pair.strength == pytest.approx(1.75)
    assert pair.researcher_a_id < pair.researcher_b_id


def test_unknown_years_count_as_shared_work_without_setting_years(trio):
    ada, charles, _ = trio
    coauthor(ada, charles, year=None)

    collaborations_refresh(researcher_ids=[ada.pk, charles.pk])

    pair = row(ada, charles)
    assert (pair.shared_works, pair.first_year, pair.last_year) == (1, None, None)
    assert pair.strength == pytest.approx(0.25)


def test_recent_collaboration_is_stronger_than_an_old_one(trio):
    ada, charles, mary = trio
    coauthor(ada, charles, year=THIS_YEAR - 1)
    coauthor(ada, mary, year=THIS_YEAR - 12)

    collaborations_refresh(researcher_ids=[ada.pk, charles.pk, mary.pk])

    recent, old = row(ada, charles), row(ada, mary)
    assert recent.shared_works == old.shared_works == 1
    assert recent.strength > old.strength
    assert Collaboration.objects.count() == 2


def test_every_pair_on_a_work_is_linked(trio):
    coauthor(*trio)

    collaborations_refresh(researcher_ids=[r.pk for r in trio])

    assert Collaboration.objects.count() == 3
    assert all(pair.researcher_a_id < pair.researcher_b_id for pair in Collaboration.objects.all())


def test_refresh_is_idempotent(trio):
    ada, charles, mary = trio
    coauthor(ada, charles, mary, year=THIS_YEAR - 3)
    coauthor(ada, charles, year=THIS_YEAR)
    ids = [ada.pk, charles.pk, mary.pk]
    collaborations_refresh(researcher_ids=ids)
    before = list(Collaboration.objects.order_by("pk").values())

    changes = collaborations_refresh(researcher_ids=ids)

    assert changes == RowChanges()
    assert list(Collaboration.objects.order_by("pk").values()) == before


def test_refresh_updates_and_deletes_when_authorships_change(trio):
    ada, charles, mary = trio
    first = coauthor(ada, charles, year=THIS_YEAR)
    coauthor(ada, charles, mary, year=THIS_YEAR)
    ids = [ada.pk, charles.pk, mary.pk]
    collaborations_refresh(researcher_ids=ids)
    assert row(ada, charles).shared_works == 2

    first.delete()
    mary.authorships.all().delete()
    changes = collaborations_refresh(researcher_ids=ids)

    assert changes == RowChanges(updated=1, deleted=2)
    assert row(ada, charles).shared_works == 1
    assert Collaboration.objects.count() == 1


@pytest.mark.parametrize("hidden_by", ["ada", "charles"])
def test_a_work_either_author_hid_makes_no_pair(trio, hidden_by):
    ada, charles, mary = trio
    hidden = coauthor(ada, charles, mary, year=THIS_YEAR - 5)
    coauthor(ada, charles, year=THIS_YEAR)
    HiddenWork.objects.create(
        researcher={"ada": ada, "charles": charles}[hidden_by], work=hidden, reason="Not mine."
    )

    collaborations_refresh(researcher_ids=[ada.pk, charles.pk, mary.pk])

    assert row(ada, charles).shared_works == 1
    assert row(ada, charles).strength == pytest.approx(1.0)
    # The hider's only link to Mary was the hidden work; the other author keeps theirs.
    others = {"ada": charles, "charles": ada}[hidden_by]
    assert row(others, mary).shared_works == 1
    assert Collaboration.objects.count() == 2


def test_only_pairs_among_the_given_researchers_change(trio):
    ada, charles, mary = trio
    coauthor(ada, charles, mary)

    collaborations_refresh(researcher_ids=[ada.pk, charles.pk])

    assert Collaboration.objects.count() == 1
    assert row(ada, charles).shared_works == 1


def test_one_researcher_alone_makes_no_pairs(trio):
    ada, charles, _ = trio
    coauthor(ada, charles)

    assert collaborations_refresh(researcher_ids=[ada.pk, ada.pk]) == RowChanges()
    assert not Collaboration.objects.exists()


def test_hyper_authored_works_make_no_pairs(trio, settings):
    settings.GRAPH_MAX_AUTHORS_FOR_EDGES = 2
    ada, charles, mary = trio
    coauthor(ada, charles, mary)
    coauthor(ada, charles)

    collaborations_refresh(researcher_ids=[ada.pk, charles.pk, mary.pk])

    assert Collaboration.objects.count() == 1
    assert row(ada, charles).shared_works == 1


def test_collaborator_counts_close_and_verified(trio):
    ada, charles, mary = trio
    mary.verification_level = 2
    mary.save()
    coauthor(ada, charles)
    coauthor(ada, charles)
    coauthor(ada, mary)
    collaborations_refresh(researcher_ids=[ada.pk, charles.pk, mary.pk])

    close = collaborator_counts(researcher_ids=[ada.pk, charles.pk, mary.pk])
    verified = collaborator_counts(
        researcher_ids=[ada.pk, charles.pk, mary.pk], min_shared_works=1, min_level=2
    )

    # Close: at least two shared works (only Ada and Charles).
    assert (close[ada.pk], close[charles.pk], close[mary.pk]) == (1, 1, 0)
    # Verified: co-authors at L2 or above (only Mary is).
    assert (verified[ada.pk], verified[charles.pk], verified[mary.pk]) == (1, 0, 0)
