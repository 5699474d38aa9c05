"""The profile's graph slice on the demo data, and its cache."""

import html
import itertools
import re
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree
from django.core.cache import cache
from django.db import transaction

from graph.layout import text_width
from graph.selectors import (
    CLOSE_MIN_SHARED_WORKS,
    EGO_FONT_PX,
    EGO_HEIGHT,
    EGO_WIDTH,
    fitted_label,
    graph_slice,
    slice_cache_key,
)
from profiles import views as profiles_views
from works.services import records_import
from works.sources.records import AuthorRecord, AuthorshipRecord, WorkRecord


def test_slice_lists_the_seeds_closest_co_authors_with_their_reasons(seed_researcher, seed_file):
    result = graph_slice(researcher=seed_researcher)

    assert [item.label for item in result.people[:1]] == ["Roman Novak"]
    assert result.people[0].reason == "co-authored 7 papers, 2019–2022"
    assert result.people[0].url == "/researchers/roman-novak/"
    demo_co_authors = {name for work in seed_file["works"] for name in work["authors"]} - {
        "Jascha Sohl-Dickstein"
    }
    assert {item.label for item in result.people} <= demo_co_authors
    assert len(result.people) == 8


def test_slice_papers_say_which_collaborators_they_connect(seed_researcher):
    result = graph_slice(researcher=seed_researcher)

    first = result.papers[0]
    assert (
        first.label
        == "Wide Neural Networks of Any Depth Evolve as Linear Models Under Gradient Descent"
    )
    assert first.reason.startswith("with Jaehoon Lee, Samuel S. Schoenholz")
    assert first.reason.endswith("(2019)")


def test_slice_topics_carry_their_share_of_the_works(seed_researcher):
    result = graph_slice(researcher=seed_researcher)

    assert (result.topics[0].label, result.topics[0].reason) == (
        "Neural tangent kernel",
        "6 of 16 works (38%)",
    )


def test_slice_topics_and_institutions_link_to_their_pages(client, demo):
    # The demo's OpenAlex records name institutions on their bylines.
    body = client.get("/researchers/jason-priem/graph/").content.decode()

    for section in ("slice-topics", "slice-institutions"):
        listed = body[body.index(f'id="{section}"') :]
        listed = listed[: listed.index("</section>")]
        links = re.findall(r'<li><a href="(/(?:topics|institutions)/[^"]+)">', listed)
        assert links, section
        assert client.get(links[0]).status_code == 200


def drawing(client, slug: str) -> tuple[Element, list[tuple[str, str]]]:
    """The slice fragment's SVG, and the (name, address) of each link under "Nearby people"."""
    body = client.get(f"/researchers/{slug}/graph/", headers={"HX-Request": "true"}).content
    body = body.decode()
    svg = ElementTree.fromstring(body[body.index("<svg") : body.index("</svg>") + len("</svg>")])
    listed = body[body.index('id="slice-people"') : body.index('id="slice-papers"')]
    return svg, re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', listed)


def test_slice_svg_draws_every_nearby_person_on_their_own_row(client, seed_researcher):
    svg, listed = drawing(client, seed_researcher.slug)

    # A picture only: the list under it is what assistive technology reads and what links.
    assert svg.get("aria-hidden") == "true"
    assert list(svg.iter("{http://www.w3.org/2000/svg}a")) + list(svg.iter("a")) == []
    _, _, width, height = (float(number) for number in svg.get("viewBox").split())
    assert (width, height) == (EGO_WIDTH, EGO_HEIGHT)
    centre = svg.find("circle[@class='ego__node ego__node--centre']")
    cx, cy = float(centre.get("cx")), float(centre.get("cy"))
    spokes = {
        tuple(float(number) for number in re.findall(r"[\d.]+", path.get("d"))[2:])
        for path in svg.iter("path")
        if path.get("class") == "ego__edge"
    }
    drawn = []
    for person in svg.iter("g"):
        circle, label = person.find("circle"), person.find("text")
        x, y, r = (float(circle.get(name)) for name in ("cx", "cy", "r"))
        # Inside the picture, on a line from the researcher, named and explained on hover.
        assert r <= x <= width - r and r <= y <= height - r, label.text
        assert (x, y) in spokes, label.text
        assert person.find("title").text.startswith(f"{label.text}: co-authored ")
        assert float(label.get("x")) + text_width(label.text, EGO_FONT_PX) <= width
        drawn.append((label.text, y))
    assert (cx, cy) == (40, height / 2)

    # Everyone listed is drawn in the list's order, one name a row, rows a line apart.
    assert [name for name, _ in drawn] == [name for _, name in listed]
    rows = [y for _, y in drawn]
    assert all(lower - upper >= 1.5 * EGO_FONT_PX for upper, lower in itertools.pairwise(rows))


def test_a_long_name_is_cut_with_an_ellipsis_to_fit():
    name = "Maximiliana Alexandrovna Papadopoulou-Montgomery"
    label = fitted_label(name, 192, EGO_FONT_PX)

    assert label.endswith("…") and name.startswith(label[:-1])
    assert text_width(label, EGO_FONT_PX) <= 192
    assert fitted_label("Luke Metz", 192, EGO_FONT_PX) == "Luke Metz"


def test_slice_is_cached_and_an_import_touching_the_researcher_forgets_it(
    seed_researcher, django_assert_num_queries, django_capture_on_commit_callbacks
):
    graph_slice(researcher=seed_researcher)
    with django_assert_num_queries(0):
        graph_slice(researcher=seed_researcher)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        records_import(
            records=[
                WorkRecord(
                    title="A new paper with a new co-author",
                    arxiv_id="2601.00001",
                    publication_year=2026,
                    authorships=tuple(
                        AuthorshipRecord(author=AuthorRecord(display_name=name))
                        for name in ("Jascha Sohl-Dickstein", "New Person")
                    ),
                )
            ]
        )

    assert cache.get(slice_cache_key(seed_researcher.pk)) is None
    people = [item.label for item in graph_slice(researcher=seed_researcher).people]
    assert "Roman Novak" in people


def test_slice_of_a_researcher_without_co_authors_is_empty_not_broken(db):
    from tests.factories import ResearcherFactory

    loner = ResearcherFactory()

    result = graph_slice(researcher=loner)

    assert (result.people, result.papers, result.topics) == ([], [], [])
    assert result.svg.nodes == []


@pytest.mark.parametrize("hx", [True, False])
def test_slice_view_renders_svg_and_every_kind(client, seed_researcher, hx):
    headers = {"HX-Request": "true"} if hx else {}
    body = client.get("/researchers/jascha-sohl-dickstein/graph/", headers=headers).content.decode()

    assert "<svg" in body and "Co-author network of Jascha Sohl-Dickstein" in body
    for heading in ("Nearby people", "Nearby papers", "Topics", "Institutions"):
        assert heading in body
    assert ("<html" in body) is not hx


def test_the_close_collaborators_number_links_to_the_list_of_exactly_them(client, seed_researcher):
    """One definition: the profile's count and the slice page's list are the same people."""
    profile = client.get(seed_researcher.get_absolute_url()).content.decode()
    link = f'href="/researchers/{seed_researcher.slug}/coauthors/#close-collaborators"'
    assert link in profile

    page = client.get(f"/researchers/{seed_researcher.slug}/coauthors/").content.decode()
    section = page.split('id="close-collaborators"', 1)[1].split("</section>", 1)[0]
    listed = re.findall(r"co-authored (\d+) papers", section)
    seed_researcher.refresh_from_db()
    assert len(listed) == seed_researcher.close_collaborators_count > 8
    assert all(int(shared) >= CLOSE_MIN_SHARED_WORKS for shared in listed)
    assert f"Close collaborators ({len(listed)})" in section


def test_close_collaborators_come_a_page_at_a_time_in_rank_order(
    client, seed_researcher, monkeypatch
):
    monkeypatch.setattr(profiles_views, "CLOSE_PER_PAGE", 3)
    seed_researcher.refresh_from_db()
    total = seed_researcher.close_collaborators_count
    url = f"/researchers/{seed_researcher.slug}/coauthors/?page=1"
    listed = []
    while url:
        page = client.get(url).content.decode()
        section = page.split('id="close-collaborators"', 1)[1].split("</section>", 1)[0]
        assert f"Close collaborators ({total})" in section
        rows = re.findall(r"co-authored (\d+) papers", section)
        assert 0 < len(rows) <= 3
        listed += [int(shared) for shared in rows]
        after = re.search(r'href="(\?[^"]*close_page=\d+)#close-collaborators" rel="next"', section)
        url = after and f"/researchers/{seed_researcher.slug}/coauthors/" + html.unescape(after[1])
        assert not url or "page=1&" in url  # the co-authors' own page is kept
    assert len(listed) == total
    assert listed == sorted(listed, reverse=True)
