"""The researcher list pages by keyset (bzpeer.keyset): most works first, then highest trust,
then by name; Next and Previous links carry cursors, never page numbers or counts."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ResearcherFactory
from works.models import Researcher

pytestmark = pytest.mark.django_db

PER_PAGE = 20


def page_of(client, path: str) -> tuple[list[str], str | None, str | None]:
    """(the names listed, the Next link, the Previous link)."""
    html = client.get(path).content.decode()
    names = re.findall(r'class="researcher-card__name"><a href="[^"]*">([^<]*)</a>', html)

    def link(rel: str) -> str | None:
        found = re.search(rf'<a href="([^"]*)" rel="{rel}">', html)
        return "/researchers/" + unescape(found.group(1)) if found else None

    return names, link("next"), link("prev")


@pytest.fixture
def listed():
    """53 records with many ties (works 0-4, trust 0-2, names shared in pairs), one unlisted;
    the names in the list's order."""
    for number in range(53):
        ResearcherFactory(
            display_name=f"Name {number // 2:02d}",
            works_count=number % 5,
            trust_score=number % 3,
        )
    ResearcherFactory(display_name="Hidden From Lists", works_count=99, unlisted=True)
    rows = Researcher.objects.filter(unlisted=False).order_by(
        "-works_count", "-trust_score", "display_name", "pk"
    )
    return [row.display_name for row in rows]


def test_next_links_walk_the_whole_list_in_order_without_repeats(client, listed):
    seen, path, pages = [], "/researchers/", 0
    while path:
        names, path, _ = page_of(client, path)
        assert len(names) == PER_PAGE or path is None
        seen.extend(names)
        pages += 1

    assert pages == 3
    assert seen == listed
    assert "Hidden From Lists" not in seen


def test_previous_links_walk_back_to_the_same_pages(client, listed):
    first, second_path, no_previous = page_of(client, "/researchers/")
    second, third_path, back_to_first = page_of(client, second_path)
    third, _, back_to_second = page_of(client, third_path)

    assert no_previous is None
    assert page_of(client, back_to_second)[0] == second
    assert page_of(client, back_to_first)[0] == first
    # The first page again, reached backwards, links to no page before it.
    assert page_of(client, back_to_first)[2] is None
    assert first + second + third == listed


def test_a_deep_page_runs_the_queries_of_the_first_and_counts_nothing(client, listed):
    _, second_path, _ = page_of(client, "/researchers/")
    _, third_path, _ = page_of(client, second_path)
    with CaptureQueriesContext(connection) as first:
        client.get("/researchers/")
    with CaptureQueriesContext(connection) as deep:
        client.get(third_path)

    assert len(deep) == len(first)
    statements = [query["sql"] for query in [*first, *deep]]
    assert not [sql for sql in statements if "COUNT(" in sql.upper() or "OFFSET" in sql.upper()]


@pytest.mark.parametrize("query", ["?page=3", "?after=junk", "?before=WzEsMl0", "?after=W10"])
def test_an_unreadable_cursor_shows_the_first_page(client, listed, query):
    assert page_of(client, "/researchers/" + query)[0] == listed[:PER_PAGE]


def test_the_list_is_read_in_the_order_of_its_index(listed):
    """The keyset's row comparison and ORDER BY are the researcher_listing index's columns."""
    from bzpeer.keyset import keyset_page
    from profiles.selectors import LISTING_KEYS, researchers_listed

    with CaptureQueriesContext(connection) as captured:
        cursor = keyset_page(researchers_listed(), LISTING_KEYS, size=PER_PAGE).next_cursor
        keyset_page(researchers_listed(), LISTING_KEYS, size=PER_PAGE, after=cursor)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + captured[-1]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "researcher_listing" in plan
    assert "Sort" not in plan.split("researcher_listing")[0].split("Limit")[-1]
