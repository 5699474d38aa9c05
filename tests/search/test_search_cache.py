"""A signed-out visitor's /search/?q= is cached under search_version (works migration 0022),
which Postgres triggers move with every change search shows: each test caches the results,
changes something through the code that really changes it, and searches again."""

import gzip

import psycopg
import pytest
from django.db import connection
from django.test import Client

from profiles import services
from profiles.search.queries import search_version
from profiles.services.visibility import researcher_visibility_set
from social import services as social_services
from tests.factories import ResearcherFactory, UserFactory
from works.services import records_import
from works.sources.records import AuthorRecord, AuthorshipRecord, WorkRecord

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="The search version is kept by Postgres triggers."
)


@pytest.fixture
def researcher(db):
    return ResearcherFactory(display_name="Ada Lovelace", slug="ada-lovelace", named=True)


def search(client, query="lovelace", **headers) -> str:
    response = client.get("/search/", {"q": query}, **headers)
    assert response.status_code == 200
    if response.get("Content-Encoding") == "gzip":
        return gzip.decompress(response.content).decode()
    return response.content.decode()


def test_a_repeated_search_costs_one_query(client, researcher, django_assert_num_queries):
    first = search(client)
    assert "/researchers/ada-lovelace/" in first
    with django_assert_num_queries(1):
        search(client)
    with django_assert_num_queries(1):
        assert "/researchers/ada-lovelace/" in search(client, HTTP_ACCEPT_ENCODING="gzip")


def test_an_unlisted_profile_leaves_the_cached_results_at_once(client, researcher):
    owner = UserFactory()
    claim = services.claim_evidence_submit(
        user=owner, researcher=researcher, links=["https://example.org/ada"], note=""
    )
    services.claim_approve(claim=claim, actor=None)
    assert "/researchers/ada-lovelace/" in search(client)
    assert "/researchers/ada-lovelace/" in search(client)
    researcher_visibility_set(researcher=researcher, user=owner, noindex=False, unlisted=True)
    assert "/researchers/ada-lovelace/" not in search(client)


def test_a_rename_shows_in_the_cached_results_at_once(client, researcher):
    assert "Ada Lovelace" in search(client, "ada")
    researcher.display_name = "Ada King"
    researcher.save()
    html = search(client, "ada")
    assert "Ada King" in html
    assert "Ada Lovelace" not in html


def test_an_imported_work_shows_in_the_cached_results_at_once(client, researcher):
    assert "of difference" not in search(client, "engines")
    author = AuthorRecord(display_name="Ada Lovelace", openalex_id="A5000000002")
    records_import(
        records=[
            WorkRecord(
                title="Engines of difference",
                arxiv_id="2611.00002",
                publication_year=2026,
                authorships=(AuthorshipRecord(author=author),),
            )
        ]
    )
    assert "of difference" in search(client, "engines")  # "Engines" is highlighted


def test_a_follow_keeps_the_cached_results(researcher):
    search(Client())
    before = search_version()
    social_services.follow(user=UserFactory(), researcher=researcher)
    assert search_version() == before


def test_a_signed_in_user_is_not_served_the_visitors_copy(client, researcher):
    assert "Log out" not in search(client)
    client.force_login(UserFactory())
    assert "Log out" in search(client)


@pytest.mark.django_db(transaction=True)
def test_nothing_is_stored_while_a_writer_has_not_committed(researcher):
    """The writer's change is numbered before it is visible: results computed in between must
    not be kept under the new number."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    with psycopg.connect(**params) as writer:
        version, settled = search_version()
        assert settled
        writer.execute(
            "UPDATE profiles_researcher SET display_name = 'Ada King' WHERE id = %s",
            [researcher.pk],
        )
        during, settled = search_version()
        assert during > version and not settled
        assert "Ada Lovelace" in search(Client(), "ada")
        writer.commit()
    assert search_version() == (during, True)
    html = search(Client(), "ada")
    assert "Ada King" in html
    assert "Ada Lovelace" not in html


def test_a_loader_deferring_page_touches_still_moves_the_search_version(researcher):
    """Under the snapshot loader's deferral (works 0023, 0024) the researcher trigger skips its
    row comparison, not the bump."""
    version, _ = search_version()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL bzpeer.defer_page_touch = 'on'")
        cursor.execute(
            "UPDATE profiles_researcher SET display_name = 'Ada King' WHERE id = %s",
            [researcher.pk],
        )
    assert search_version()[0] > version
