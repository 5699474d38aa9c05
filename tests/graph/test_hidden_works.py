"""A work the owner hid as "not mine" is gone from their graph slice and from the explorer, and
so is whatever only that work led to: a co-author, a topic, an institution."""

import pytest

from graph.explorer import node_neighbourhood
from graph.selectors import graph_slice
from profiles.models import Claim
from profiles.receivers import records_changed_refresh
from profiles.services import (
    claim_approve,
    claim_evidence_submit,
    work_hide,
    work_unhide,
)
from tests.factories import (
    AuthorshipFactory,
    InstitutionFactory,
    ResearcherFactory,
    TopicFactory,
    UserFactory,
    WorkFactory,
)
from works.models import WorkTopic

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada():
    """Ada, who wrote two papers with Carl and, by a byline mix-up, one with Bruno: the
    misattributed paper is the only way to Bruno, its topic and its institution."""
    ada, carl, bruno = (ResearcherFactory(display_name=name) for name in ("Ada", "Carl", "Bruno"))
    shared_topic = TopicFactory(name="Graph theory")
    for year in (2021, 2022):
        work = WorkFactory(title=f"Graphs with Carl, {year}", publication_year=year)
        _byline(work, ada, carl)
        WorkTopic.objects.create(work=work, topic=shared_topic)
    misattributed = WorkFactory(title="Marine biology with Bruno", publication_year=2023)
    for authorship in _byline(misattributed, ada, bruno):
        authorship.institutions.add(InstitutionFactory(name="Institute of Oceans"))
    WorkTopic.objects.create(work=misattributed, topic=TopicFactory(name="Marine biology"))
    ids = [ada.pk, carl.pk, bruno.pk]
    records_changed_refresh(None, researcher_ids=ids, graph_researcher_ids=ids)
    ada.misattributed = misattributed
    return ada


def _byline(work, *researchers):
    work.authors_count = len(researchers)
    work.save()
    return [
        AuthorshipFactory(work=work, researcher=researcher, position=position)
        for position, researcher in enumerate(researchers)
    ]


def hide(researcher, work, django_capture_on_commit_callbacks):
    """The owner hides the work through the service the "not mine" form calls; the refreshed
    collaborations forget the cached slices on commit."""
    with django_capture_on_commit_callbacks(execute=True):
        work_hide(researcher=researcher, user=_owner(researcher), work=work, reason="Not mine.")


def unhide(researcher, work, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        work_unhide(researcher=researcher, user=_owner(researcher), work=work)


def _owner(researcher):
    claim = Claim.objects.holding(researcher).first()
    if claim is None:
        claim = claim_approve(
            claim=claim_evidence_submit(
                user=UserFactory(), researcher=researcher, links=["https://example.org"], note=""
            ),
            actor=None,
        )
    return claim.user


def slice_labels(researcher) -> dict[str, set[str]]:
    result = graph_slice(researcher=researcher)
    return {
        "people": {item.label for item in result.people},
        "papers": {item.label for item in result.papers + result.recent_papers},
        "topics": {item.label for item in result.topics},
        "institutions": {item.label for item in result.institutions},
        "drawn": {node.label for node in result.svg.nodes},
    }


def explorer_labels(researcher) -> dict[str, set[str]]:
    data = node_neighbourhood(node_id=f"person:{researcher.slug}")
    labels: dict[str, set[str]] = {}
    for node in data["nodes"]:
        labels.setdefault(node["kind"], set()).add(node["label"])
    return labels


def test_the_slice_leaves_out_a_hidden_work_and_what_only_it_led_to(
    ada, django_capture_on_commit_callbacks
):
    before = slice_labels(ada)
    assert before["people"] == before["drawn"] == {"Carl", "Bruno"}
    assert "Marine biology with Bruno" in before["papers"]
    assert before["topics"] == {"Graph theory", "Marine biology"}
    assert before["institutions"] == {"Institute of Oceans"}

    hide(ada, ada.misattributed, django_capture_on_commit_callbacks)

    after = slice_labels(ada)
    assert after["people"] == after["drawn"] == {"Carl"}
    assert after["papers"] == {"Graphs with Carl, 2021", "Graphs with Carl, 2022"}
    assert after["topics"] == {"Graph theory"}
    assert after["institutions"] == set()


def test_unhiding_brings_the_work_back_into_the_slice(ada, django_capture_on_commit_callbacks):
    hide(ada, ada.misattributed, django_capture_on_commit_callbacks)
    assert "Bruno" not in slice_labels(ada)["people"]

    unhide(ada, ada.misattributed, django_capture_on_commit_callbacks)

    labels = slice_labels(ada)
    assert labels["people"] == {"Carl", "Bruno"}
    assert "Marine biology" in labels["topics"]


def test_the_explorer_leaves_out_a_hidden_work_and_what_only_it_led_to(
    ada, django_capture_on_commit_callbacks
):
    before = explorer_labels(ada)
    assert before["person"] == {"Carl", "Bruno"}
    assert "Marine biology with Bruno" in before["paper"]
    assert before["topic"] == {"Graph theory", "Marine biology"}
    assert before["institution"] == {"Institute of Oceans"}

    hide(ada, ada.misattributed, django_capture_on_commit_callbacks)

    after = explorer_labels(ada)
    assert after["person"] == {"Carl"}
    assert after["paper"] == {"Graphs with Carl, 2021", "Graphs with Carl, 2022"}
    assert after["topic"] == {"Graph theory"}
    assert "institution" not in after


def test_a_co_author_no_longer_sees_the_hider_through_the_hidden_work(
    ada, django_capture_on_commit_callbacks
):
    bruno = ada.misattributed.authorships.get(position=1).researcher

    hide(ada, ada.misattributed, django_capture_on_commit_callbacks)

    assert slice_labels(bruno)["people"] == set()
    assert "person" not in explorer_labels(bruno)
