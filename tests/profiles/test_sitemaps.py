"""sitemap.xml: an index of files of at most SITEMAP_URLS_PER_FILE URLs, each file and the
index valid against the sitemaps.org schemas (tests/fixtures/schemas, checked with lxml), built
by keyset walks, served from the cache, and without the records taken out of search engines."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from lxml import etree

from profiles import sitemaps
from profiles.services.visibility import researcher_visibility_moderate
from profiles.tasks import sitemaps_rebuild_task
from tests.conftest import FIXTURES
from tests.factories import ResearcherFactory, UserFactory, WorkFactory

pytestmark = pytest.mark.django_db

NS = {"s": sitemaps.NAMESPACE}
URLSET = etree.XMLSchema(etree.parse(str(FIXTURES / "schemas" / "sitemap.xsd")))
INDEX = etree.XMLSchema(etree.parse(str(FIXTURES / "schemas" / "siteindex.xsd")))


def valid(schema, body: bytes):
    document = etree.fromstring(body)
    schema.assertValid(document)
    return document


def locs(document) -> list[str]:
    return [loc.text for loc in document.iterfind(".//s:loc", NS)]


@pytest.fixture
def records():
    return [ResearcherFactory() for _ in range(5)]


@override_settings(SITE_URL="https://bzpeer.example", SITEMAP_URLS_PER_FILE=2)
def test_the_index_lists_files_of_at_most_n_urls_each_valid(client, records):
    WorkFactory()
    index = valid(INDEX, client.get("/sitemap.xml").content)
    files = locs(index)

    assert files == [f"https://bzpeer.example/sitemaps/researchers/{n}.xml" for n in (1, 2, 3)] + [
        "https://bzpeer.example/sitemaps/works/1.xml"
    ]
    listed = []
    for url in files:
        response = client.get(url.removeprefix("https://bzpeer.example"))
        assert response["Content-Type"] == "application/xml; charset=utf-8"
        document = valid(URLSET, response.content)
        assert len(locs(document)) <= 2
        listed += locs(document)
    assert listed[:5] == [f"https://bzpeer.example{r.get_absolute_url()}" for r in records]
    assert client.get("/sitemaps/researchers/4.xml").status_code == 404
    assert client.get("/sitemaps/nothing/1.xml").status_code == 404


@override_settings(SITEMAP_URLS_PER_FILE=2)
def test_files_are_built_by_keyset_and_served_from_the_cache(
    client, records, django_assert_num_queries
):
    # The index walks ids only: a query per file of researchers (3) and one finding the end of
    # each of the four sections (works, topics and institutions are empty).
    with django_assert_num_queries(3 + 4):
        client.get("/sitemap.xml")
    with django_assert_num_queries(1):
        first = client.get("/sitemaps/researchers/2.xml").content
    with django_assert_num_queries(0):
        assert client.get("/sitemaps/researchers/2.xml").content == first
        client.get("/sitemap.xml")


@override_settings(SITEMAP_URLS_PER_FILE=2)
def test_the_beat_task_builds_every_file_into_the_cache(client, records, django_assert_num_queries):
    sitemaps_rebuild_task()
    with django_assert_num_queries(0):
        for number in (1, 2, 3):
            valid(URLSET, client.get(f"/sitemaps/researchers/{number}.xml").content)


@override_settings(SITEMAP_URLS_PER_FILE=2)
def test_a_record_out_of_search_engines_leaves_its_file_at_once(
    client, records, django_capture_on_commit_callbacks
):
    sitemaps_rebuild_task()
    hidden = records[2]
    assert hidden.get_absolute_url() in client.get("/sitemaps/researchers/2.xml").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        researcher_visibility_moderate(
            researcher=hidden, moderator=UserFactory(), hidden=True, reason="Should not be public."
        )

    body = client.get("/sitemaps/researchers/2.xml").content
    valid(URLSET, body)
    assert hidden.get_absolute_url() not in body.decode()
    assert records[3].get_absolute_url() in body.decode()


def test_the_schemas_refuse_a_file_of_the_wrong_kind(client, records):
    cache.clear()
    with pytest.raises(etree.DocumentInvalid):
        valid(URLSET, client.get("/sitemap.xml").content)


def test_a_new_file_size_takes_effect_at_once(client, records):
    """The cached index and files name their size: a deploy that changes it serves files cut
    at the new size, not the old numbering, without waiting for the nightly rebuild."""
    with override_settings(SITEMAP_URLS_PER_FILE=2):
        sitemaps_rebuild_task()
        assert len(locs(valid(URLSET, client.get("/sitemaps/researchers/1.xml").content))) == 2
    with override_settings(SITEMAP_URLS_PER_FILE=3):
        index = locs(valid(INDEX, client.get("/sitemap.xml").content))
        first = locs(valid(URLSET, client.get("/sitemaps/researchers/1.xml").content))
    assert [url.rsplit("/sitemaps/", 1)[-1] for url in index] == [
        "researchers/1.xml",
        "researchers/2.xml",
    ]
    assert len(first) == 3
