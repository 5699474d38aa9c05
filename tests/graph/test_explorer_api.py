"""The explorer's JSON endpoint: shape, reasons, filters and limits."""

import pytest

from profiles.receivers import records_changed_refresh
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory

API = "/explore/api/node/"


def node(client, **params):
    response = client.get(API, params)
    return response.status_code, response.json()


def test_person_node_lists_collaborators_papers_and_topics_with_reasons(client, seed_researcher):
    status, data = node(client, id="person:jascha-sohl-dickstein")

    assert status == 200
    assert data["node"] == {
        "id": "person:jascha-sohl-dickstein",
        "kind": "person",
        "label": "Jascha Sohl-Dickstein",
        "url": "/researchers/jascha-sohl-dickstein/",
        "detail": "16 works",
        "x": 0,
        "y": 0,
        "box": data["node"]["box"],
    }
    ids = {item["id"] for item in data["nodes"]}
    assert "person:roman-novak" in ids
    assert sum(item["kind"] == "paper" for item in data["nodes"]) == 16
    assert sum(item["kind"] == "topic" for item in data["nodes"]) == 6
    novak = next(edge for edge in data["edges"] if edge["target"] == "person:roman-novak")
    assert novak == {
        "source": "person:jascha-sohl-dickstein",
        "target": "person:roman-novak",
        "kind": "coauthor",
        "label": "co-authored 7 papers, 2019–2022",
        "weight": pytest.approx(novak["weight"]),
    }
    assert all(item["url"].startswith("/") for item in data["nodes"])
    assert {edge["target"] for edge in data["edges"]} == ids


def test_expanding_a_collaborator_gives_second_degree_collaborators(client, seed_researcher):
    _, data = node(client, id="person:roman-novak")

    ids = {item["id"] for item in data["nodes"] if item["kind"] == "person"}
    assert "person:jascha-sohl-dickstein" in ids
    assert len(ids) > 1


def test_kind_and_year_filters(client, seed_researcher):
    _, data = node(client, id="person:jascha-sohl-dickstein", kinds="paper", **{"from": "2022"})

    assert {item["kind"] for item in data["nodes"]} == {"paper"}
    assert {item["year"] for item in data["nodes"]} == {2022}


@pytest.mark.parametrize("limit", ["3", "25"])
def test_papers_and_topics_of_all_years_are_those_of_years_spanning_them(
    client, seed_researcher, limit
):
    """Without years the explorer reads the stored counts; with years it counts the works."""
    kinds = {"id": "person:jascha-sohl-dickstein", "kinds": "paper,topic", "limit": limit}

    _, stored = node(client, **kinds)
    _, counted = node(client, **kinds, **{"from": "1900", "to": "2100"})

    assert stored == counted
    assert sum(item["kind"] == "topic" for item in stored["nodes"]) == min(int(limit), 6)
    if limit == "3":
        assert stored["truncated"] == {"paper": 16 - 3, "topic": 6 - 3}


def test_limit_truncates_and_says_how_many_are_left(client, seed_researcher):
    _, data = node(client, id="person:jascha-sohl-dickstein", kinds="person", limit="3")

    assert len(data["nodes"]) == 3
    assert data["truncated"] == {"person": 38 - 3}


def test_limit_is_capped(client, seed_researcher):
    _, data = node(client, id="person:jascha-sohl-dickstein", kinds="paper", limit="100000")

    assert len(data["nodes"]) == 16


def test_paper_and_topic_nodes(client, seed_researcher):
    _, paper = node(client, id="paper:language-model-cascades-220710342")
    assert sum(item["kind"] == "person" for item in paper["nodes"]) == 12
    assert paper["edges"][0]["label"] == "author 1 of 12"

    topic_id = next(item["id"] for item in paper["nodes"] if item["kind"] == "topic")
    status, topic = node(client, id=topic_id)
    assert status == 200
    assert any(item["id"] == "paper:language-model-cascades-220710342" for item in topic["nodes"])
    assert client.get(topic["node"]["url"]).status_code == 200


def test_institution_node_and_page(client, demo):
    _, data = node(client, id="institution:I4200000001")
    assert data["node"]["label"] == "OpenAlex"
    assert any(item["id"] == "person:jason-priem" for item in data["nodes"])
    assert client.get(data["node"]["url"]).status_code == 200


@pytest.mark.parametrize(
    ("node_id", "status"),
    [
        ("", 400),
        ("person", 400),
        ("planet:earth", 400),
        ("topic:abc", 400),
        ("person:" + "x" * 300, 400),
        ("person:no-such-person", 404),
        ("paper:no-such-paper", 404),
        ("topic:999999", 404),
        ("institution:I0", 404),
    ],
)
def test_bad_and_unknown_ids_answer_with_a_clear_error(client, db, node_id, status):
    code, data = node(client, id=node_id)

    assert code == status
    assert data["error"]


def test_person_node_runs_a_fixed_number_of_queries(
    client, seed_researcher, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        client.get(API, {"id": "person:jascha-sohl-dickstein"})


def test_a_persons_papers_come_latest_first_and_undated_last(client, db):
    person = ResearcherFactory(slug="ada")
    for year in (2020, None, 2023, 2021):
        AuthorshipFactory(researcher=person, work=WorkFactory(publication_year=year))
    records_changed_refresh(None, researcher_ids=[person.pk], graph_researcher_ids=[person.pk])

    _, data = node(client, id="person:ada", limit=3)

    years = [item["year"] for item in data["nodes"] if item["kind"] == "paper"]
    assert years == [2023, 2021, 2020]
    assert data["truncated"]["paper"] == 1
