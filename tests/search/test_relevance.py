"""The relevance table: what a visitor types → what must come first, on the demo data. Runs on
Postgres with the suite and on SQLite (the quick start) by itself (docs/search.md), so both
databases give the same first results."""

import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import FIXTURES
from tests.factories import ResearcherFactory
from works.models import Institution, Researcher, Topic, Work

pytestmark = pytest.mark.usefixtures("search_demo")

HREF = re.compile(r'<h3 class="(?:researcher-card__name|search-hit__title)"><a href="([^"]+)"')

PEOPLE = [
    # misspellings and missing hyphens
    ("sohldickstein", "jascha-sohl-dickstein"),
    ("yang sonng", "yang-song"),
    ("ben poul", "ben-poole"),
    ("lechao xaio", "lechao-xiao"),
    ("xaio", "lechao-xiao"),  # one word one edit off: the index of name words, not a scan
    ("heather piwowr", "heather-piwowar"),
    # initials and "Last, F."
    ("Hron, J.", "jiri-hron"),
    ("L. Metz", "luke-metz"),
    ("Metz, L.", "luke-metz"),
    ("H. Piwowar", "heather-piwowar"),
    # word order and case
    ("metz luke", "luke-metz"),
    ("PRIEM JASON", "jason-priem"),
    # accents folded both ways
    ("vincent lariviere", "vincent-lariviere"),
    ("Juan Pablo Alperín", "juan-pablo-alperin"),
    ("alperin", "juan-pablo-alperin"),
    # a name variant (OpenAlex display_name_alternatives, the seed's variants)
    ("j. n. sohl-dickstein", "jascha-sohl-dickstein"),
    ("Jascha Narain", "jascha-sohl-dickstein"),
    # typing: a prefix
    ("piwo", "heather-piwowar"),
]

WORKS = [
    ("wide bayesian posterior", "Wide Bayesian neural networks have a simple weight posterior"),
    ("taskset optimization tasks", "Using a thousand optimization tasks"),
    ('"neural tangent kernel"', "Fast Finite Width Neural Tangent Kernel"),
    ("learned optim*", "Practical tradeoffs between memory, compute, and performance"),
    ("gausian procesess", "Bayesian Deep Convolutional Networks with Many Channels are Gaussian"),
    ("altmetrics manifesto", "altmetrics: a manifesto"),
    ("interlibrary loans cancellations", "The aftermath of Big Deal cancellations"),
]


def first_links(client, path: str, **params) -> list[str]:
    response = client.get(path, params)
    assert response.status_code == 200
    return HREF.findall(response.content.decode())


@pytest.mark.parametrize(("query", "slug"), PEOPLE)
def test_people_first_result(client, query, slug):
    assert first_links(client, "/researchers/", q=query)[0] == f"/researchers/{slug}/"


@pytest.mark.parametrize(("query", "slug"), PEOPLE)
def test_people_first_on_the_search_page(client, query, slug):
    assert first_links(client, "/search/", q=query, kind="people")[0] == f"/researchers/{slug}/"


@pytest.mark.parametrize(("query", "title"), WORKS)
def test_works_first_result(client, query, title):
    href = first_links(client, "/search/", q=query, kind="works")[0]
    assert Work.objects.get(slug=href.split("/")[2]).plain_title.startswith(title)


@pytest.mark.parametrize(
    ("query", "name"),
    [("gaussian processes", "Gaussian processes"), ("neural tangent", "Neural tangent kernel")],
)
def test_topics_by_name(client, query, name):
    href = first_links(client, "/search/", q=query, kind="topics")[0]
    assert href == Topic.objects.get(name=name).get_absolute_url()


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("indiana", "Indiana University Bloomington"),
        ("universite montreal", "Université de Montréal"),
    ],
)
def test_institutions_by_name(client, query, name):
    href = first_links(client, "/search/", q=query, kind="institutions")[0]
    assert href == Institution.objects.get(name=name).get_absolute_url()


@pytest.mark.parametrize(
    ("title", "query"),
    [
        ("Нейронные сети и байесовский вывод", "байесовский вывод"),
        ("Ελληνικά νευρωνικά δίκτυα", "νευρωνικα δικτυα"),  # accents folded
        ("深度学习 研究", "深度学习"),
    ],
)
def test_works_in_other_scripts_are_found_by_their_words(client, title, query):
    work = Work.objects.create(slug="other-script", title=title, publication_year=2020)
    assert first_links(client, "/search/", q=query, kind="works")[:1] == [work.get_absolute_url()]


def test_one_search_shows_four_sections_with_counts_and_more_links(client):
    body = client.get("/search/", {"q": "neural"}).content.decode()
    for kind in ("people", "works", "topics", "institutions"):
        assert f'id="search-{kind}"' in body
    assert "?q=neural&amp;kind=works" in body  # more than five works


def test_results_say_why_they_matched(client):
    assert (
        "Matched: close spelling"
        in client.get("/researchers/", {"q": "yang sonng"}).content.decode()
    )
    assert (
        "also known as J. N. Sohl-Dickstein"
        in client.get("/researchers/", {"q": "j. n. sohl-dickstein"}).content.decode()
    )
    body = client.get("/search/", {"q": "weight posterior", "kind": "works"}).content.decode()
    assert "<mark>posterior</mark>" in body


@pytest.mark.parametrize("query", ["soul dixon", "Jay Soul-Dixon", "soul dixn"])
@pytest.mark.parametrize("path", ["/researchers/", "/search/"])
def test_a_linked_record_shows_its_primary(client, query, path):
    primary = Researcher.objects.get(slug="jascha-sohl-dickstein")
    linked = ResearcherFactory(display_name="Jay Soul-Dixon", slug="linked", primary=primary)
    body = client.get(path, {"q": query, "kind": "people"}).content.decode()
    assert HREF.findall(body)[0] == primary.get_absolute_url()
    assert linked.get_absolute_url() not in body
    assert "also known as Jay Soul-Dixon" in body


def test_did_you_mean_when_no_name_matches_as_typed(client):
    body = client.get("/researchers/", {"q": "yang sonng"}).content.decode()
    assert "Did you mean" in body and "Yang Song" in body
    assert "Did you mean" not in client.get("/researchers/", {"q": "yang song"}).content.decode()


def test_filters_narrow_people_and_works(client):
    assert first_links(client, "/researchers/", q="priem", claimed="1") == []
    assert first_links(client, "/search/", q="altmetrics", kind="works", year_to="2010") == []
    by_author = first_links(client, "/search/", q="neural", kind="works", author="luke-metz")
    assert by_author and all(
        Work.objects.get(slug=href.split("/")[2]).authorships.filter(researcher__slug="luke-metz")
        for href in by_author
    )


def test_keyset_pages_follow_each_other_without_repeats(client):
    for index in range(25):
        Work.objects.create(
            slug=f"keyset-{index}", title=f"Keyset probe {index}", publication_year=2000 + index
        )
    first = client.get("/search/", {"q": "keyset probe", "kind": "works"}).content.decode()
    seen = HREF.findall(first)
    cursor = re.search(r'href="\?q=keyset\+probe&amp;kind=works&amp;after=([^"]+)"', first)
    assert len(seen) == 20 and cursor
    second = first_links(client, "/search/", q="keyset probe", kind="works", after=cursor.group(1))
    assert len(second) == 5 and not set(second) & set(seen)
    # Newest first among equals.
    assert seen[0] == "/works/keyset-24/" and second[-1] == "/works/keyset-0/"


def test_suggestions_are_options_of_each_kind(client):
    body = client.get("/search/suggest/", {"q": "metz"}).content.decode()
    assert 'role="option"' in body and "/researchers/luke-metz/" in body
    assert 'id="suggest-all"' in body
    assert client.get("/search/suggest/", {"q": "m"}).content.decode().strip() == ""


def test_the_header_box_searches_everything(client):
    body = client.get("/").content.decode()
    assert 'action="/search/"' in body and 'role="combobox"' in body


def test_queries_per_search_page_are_bounded(client):
    with CaptureQueriesContext(connection) as queries:
        client.get("/search/", {"q": "neural"})
    # One of them reads the search version the visitors' cache is keyed by (works 0022).
    assert len(queries) <= 26


ATTACKS = FIXTURES / "attack-inputs"
HOSTILE = [
    "<script>alert(1)</script>",
    "x" * 10_000,
    "\x00",
    "a\x00b",
    "\ud800",
    "' OR 1=1 --",
    '"unclosed phrase',
    "***",
    "& | ! <-> :*",
    *[
        line.decode()
        for line in (ATTACKS / "sqli-shared.txt").read_bytes().split(b"\n")[:60]
        if line
    ],
    *[
        line.decode()
        for line in (ATTACKS / "xss-shared.txt").read_bytes().split(b"\n")[:60]
        if line
    ],
]


@pytest.mark.parametrize("path", ["/search/", "/researchers/", "/search/suggest/"])
@pytest.mark.parametrize("kind", ["", "people", "works", "topics", "institutions"])
def test_hostile_queries_answer_and_execute_nothing(client, path, kind):
    before = Work.objects.count()
    for query in HOSTILE:
        params = {"q": query.encode("utf-8", "surrogatepass").decode("utf-8", "replace")}
        if kind:
            params["kind"] = kind
        response = client.get(path + "?" + urlencode(params))
        assert response.status_code in (200, 400), query
        assert "<script>alert(1)</script>" not in response.content.decode()
    for raw in ("%ED%A0%80", "a%ED%A0%80b", "%FF"):
        assert client.get(f"{path}?q={raw}&kind={kind}").status_code in (200, 400)
    assert Work.objects.count() == before
