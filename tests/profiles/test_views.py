"""Profile, search and work pages through Django's test client: full pages and HTMX fragments."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from graph.services import collaborations_refresh
from tests.conftest import SEED_SLUG
from tests.factories import ResearcherFactory
from works.models import Authorship, Researcher, Work
from works.services import records_import
from works.sources.records import AuthorRecord, AuthorshipRecord, WorkRecord

pytestmark = pytest.mark.django_db

SEED_URL = f"/researchers/{SEED_SLUG}/"
SEED_SECTIONS = [
    "Trust snapshot",
    "Actions",
    "Identity and collaboration",
    "Direct collaboration",
    "Research graph",
    "Citations and metrics",
    "Published work",
]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


# --- A small DOM, enough to ask what a reader of the page sees --------------------------------


class Node:
    def __init__(self, tag: str, attrs: dict, parent: "Node | None" = None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs) -> list["Node"]:
        def matches(node):
            if tag and node.tag != tag:
                return False
            for name, value in attrs.items():
                name = name.rstrip("_").replace("_", "-")
                if name == "class":
                    if value not in node.attrs.get("class", "").split():
                        return False
                elif node.attrs.get(name) != value:
                    return False
            return True

        return [node for node in self.iter() if matches(node)]

    def find(self, tag: str | None = None, **attrs) -> "Node":
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'} {attrs}> on the page"
        return found[0]

    @property
    def text(self) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag not in ("script", "style"):
                    parts.append(child.text)
            else:
                parts.append(child)
        return re.sub(r"\s+", " ", " ".join(parts)).strip()


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(response) -> Node:
    builder = TreeBuilder()
    builder.feed(response.content.decode())
    builder.close()
    return builder.root


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def work_titles(page: Node) -> list[str]:
    return [node.text for node in page.find_all("h3", class_="work__title")]


# --- Helpers that build data ------------------------------------------------------------------


def researcher_with_works(count: int, *, co_authors: int = 3) -> Researcher:
    """A researcher with `count` works, each shared with one of a few co-authors (bulk)."""
    owner = ResearcherFactory()
    others = ResearcherFactory.create_batch(co_authors)
    works = Work.objects.bulk_create(
        [
            Work(
                slug=f"{owner.slug}-work-{index}",
                title=f"Result number {index:04d} of {owner.display_name}",
                title_key=f"result number {index:04d}",
                arxiv_id=f"{owner.pk}.{index:05d}",
                publication_year=1990 + index % 35,
                type="preprint",
                venue="arXiv",
                abstract="An abstract.",
                authors_count=2,
            )
            for index in range(count)
        ]
    )
    Authorship.objects.bulk_create(
        [
            Authorship(work=work, researcher=person, position=position)
            for index, work in enumerate(works)
            for position, person in enumerate([owner, others[index % co_authors]])
        ]
    )
    Researcher.objects.filter(pk=owner.pk).update(works_count=count)
    owner.refresh_from_db()
    return owner


def ingest_one(title: str, *names: str, abstract: str = "", arxiv_id: str = "2401.00001"):
    records_import(
        records=[
            WorkRecord(
                title=title,
                abstract=abstract,
                arxiv_id=arxiv_id,
                publication_year=2024,
                authorships=tuple(
                    AuthorshipRecord(author=AuthorRecord(display_name=name)) for name in names
                ),
            )
        ]
    )
    return Work.objects.get(arxiv_id=arxiv_id)


# --- The seed profile -------------------------------------------------------------------------


def test_profile_shows_the_seed_sections_in_order(client, seed_researcher):
    response = client.get(SEED_URL)

    assert response.status_code == 200
    page = parse(response)
    assert [node.text for node in page.find_all("h2")] == SEED_SECTIONS
    assert page.find("h1").text == "Jascha Sohl-Dickstein"


def test_profile_trust_snapshot_reads_like_the_seed(client, seed_researcher):
    page = parse(client.get(SEED_URL))

    trust = page.find("section", id="trust")
    assert trust.find("span", class_="trust-badge").text == "Trust 21 - Emerging"
    assert "trust-badge--emerging" in trust.find("span", class_="trust-badge").attrs["class"]
    assert [node.text for node in trust.find_all("span", class_="trust-fact")] == [
        "Verification L1",
        "Unclaimed author",
    ]
    stats = {
        node.find(class_="stat-grid__label").text: node.find(class_="stat-grid__value").text
        for node in trust.find("ul", class_="stat-grid").find_all("li")
    }
    assert stats["works"] == "16"
    assert stats["followers"] == "0"
    assert stats["topics"] == "6"
    # "Why this score" lists every component with its points.
    rows = trust.find("details", class_="why-score").find("tbody").find_all("tr")
    assert len(rows) == 6
    assert "Publication record" in rows[1].text and rows[1].find("td").text == "16 / 20"
    assert trust.find("tfoot").find("td").text == "21 / 100"

    header = page.find("header", class_="profile-header")
    assert "Affiliation not imported" in header.text
    actions = page.find("section", id="actions")
    assert "Follow researcher" in actions.text
    follow = actions.find("form")
    assert follow.attrs["method"] == "post"
    assert follow.attrs["action"] == f"/researchers/{seed_researcher.slug}/follow/"
    assert " ".join(follow.find("button").text.split()) == "Follow researcher 0"
    assert "Log in to claim" in page.find("section", id="identity").text


@pytest.mark.smoke
def test_profile_lists_all_16_works_with_the_owner_emphasised(client, seed_researcher, seed_file):
    page = parse(client.get(SEED_URL))

    works = page.find("section", id="works")
    assert "16 published items" in works.text
    assert sorted(work_titles(works)) == sorted(item["title"] for item in seed_file["works"])
    bylines = works.find_all("p", class_="work__authors")
    assert len(bylines) == 16
    for byline in bylines:
        assert [node.text for node in byline.find_all("strong")] == ["Jascha Sohl-Dickstein"]
        linked = [node.text for node in byline.find_all("a")]
        assert "Jascha Sohl-Dickstein" not in linked
    first = works.find("li", class_="work")
    assert squash(first.find("p", class_="work__meta").text) == "preprint 2022 arXiv"
    assert "Show more" not in works.text


def test_profile_loads_the_graph_lazily(client, seed_researcher):
    page = parse(client.get(SEED_URL))

    slot = page.find(id="graph-slice")
    assert slot.attrs["data-hx-get"] == f"{SEED_URL}graph/"
    # Asked for once the page has loaded, while the slot is usually still below the fold, and
    # into a placeholder the drawing's size: nothing in view moves when it comes.
    assert slot.attrs["data-hx-trigger"] == "load"
    assert "ego__frame" in slot.find("div").attrs["class"]
    assert "Building this graph slice" in slot.text
    # Without JavaScript the slot still leads to the graph.
    assert slot.find("noscript") is not None


def test_graph_fragment_lists_co_authors_and_topics(client, seed_researcher):
    response = client.get(f"{SEED_URL}graph/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "<body" not in body
    fragment = parse(response)
    people = [squash(node.text) for node in fragment.find_all("li")]
    assert people[0] == "Roman Novak co-authored 7 papers, 2019–2022"
    assert fragment.find("a").attrs["href"] == "/researchers/roman-novak/"
    assert any(item.startswith("Neural tangent kernel 6 of 16 works (38%)") for item in people)


def test_graph_page_without_htmx_is_a_full_page(client, seed_researcher):
    response = client.get(f"{SEED_URL}graph/")

    assert response.status_code == 200
    assert b"<html" in response.content
    page = parse(response)
    assert page.find("h1").text == "Research graph"
    assert "Roman Novak" in page.find("main").text


# --- Works paging -----------------------------------------------------------------------------


@pytest.mark.smoke
def test_works_come_20_at_a_time_with_show_more(client):
    owner = researcher_with_works(45)
    url = owner.get_absolute_url()

    page = parse(client.get(url))

    works = page.find("section", id="works")
    assert "45 published items" in works.text
    assert len(works.find_all("li", class_="work")) == 20
    more = works.find("li", id="works-more").find("a")
    assert "Show more" in more.text
    assert more.attrs["href"].startswith("?after=") and more.attrs["href"].endswith("#works")
    assert more.attrs["data-hx-get"] == f"{url}{more.attrs['href'].removesuffix('#works')}"
    assert more.attrs["data-hx-target"] == "#works-more"


def next_link(page) -> str:
    return page.find("li", id="works-more").find("a").attrs["data-hx-get"]


def test_show_more_fragment_returns_only_the_next_items(client):
    owner = researcher_with_works(45)
    url = owner.get_absolute_url()
    htmx = {"HX-Request": "true", "HX-Target": "works-more"}
    first = parse(client.get(url))
    seen = work_titles(first)

    second = client.get(next_link(first), headers=htmx)
    second_page = parse(second)
    third = client.get(next_link(second_page), headers=htmx)

    assert second.status_code == third.status_code == 200
    for response in (second, third):
        body = response.content.decode()
        assert "<html" not in body and "Published work" not in body
    third_page = parse(third)
    assert len(work_titles(second_page)) == 20
    assert len(work_titles(third_page)) == 5
    assert not third_page.find_all(id="works-more")
    everything = seen + work_titles(second_page) + work_titles(third_page)
    assert len(everything) == len(set(everything)) == 45


def test_show_more_link_works_without_javascript(client):
    owner = researcher_with_works(45)
    first = parse(client.get(owner.get_absolute_url()))
    href = first.find("li", id="works-more").find("a").attrs["href"]

    page = parse(client.get(f"{owner.get_absolute_url()}{href.removesuffix('#works')}"))

    assert page.find("h2", id="works-title").text == "Published work"
    works = page.find("section", id="works")
    assert len(works.find_all("li", class_="work")) == 20
    assert not set(work_titles(page)) & set(work_titles(first))
    assert "first page" in works.text


@pytest.mark.parametrize("cursor", ["abc", "1.5", "", "%00", "W1s=", "WyJ4IiwxLDJd"])
def test_bad_cursor_shows_the_first_page(client, cursor):
    owner = researcher_with_works(25)
    first = work_titles(parse(client.get(owner.get_absolute_url())))

    response = client.get(owner.get_absolute_url(), {"after": cursor})

    assert response.status_code == 200
    assert work_titles(parse(response)) == first


def test_profile_query_count_does_not_grow_with_works(client):
    small, large = researcher_with_works(16), researcher_with_works(2000)
    client.get("/")  # warm anything loaded once per process

    counts = []
    for researcher in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(researcher.get_absolute_url())
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert "2000 published items" in parse(response).find("section", id="works").text


def test_graph_query_count_does_not_grow_with_collaborators(client):
    small, large = (
        researcher_with_works(16, co_authors=2),
        researcher_with_works(300, co_authors=30),
    )
    for researcher in (small, large):
        collaborations_refresh(
            researcher_ids=set(
                Authorship.objects.filter(work__authorships__researcher=researcher).values_list(
                    "researcher_id", flat=True
                )
            )
        )
    counts = []
    for researcher in (small, large):
        with CaptureQueriesContext(connection) as queries:
            client.get(f"{researcher.get_absolute_url()}graph/", headers={"HX-Request": "true"})
        counts.append(len(queries))

    assert counts[0] == counts[1]


# --- Addresses: OpenAlex ids, unknown slugs ---------------------------------------------------


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/researchers/A5023888391/", "/researchers/jason-priem/"),
        ("/researchers/a5023888391/", "/researchers/jason-priem/"),
        ("/researchers/A5023888391/graph/", "/researchers/jason-priem/graph/"),
    ],
)
def test_openalex_id_redirects_permanently_to_the_slug(client, demo, path, target):
    response = client.get(path)

    assert response.status_code == 301
    assert response.headers["Location"] == target
    assert "Jason Priem" in parse(client.get(target)).find("main").text


@pytest.mark.parametrize(
    "path",
    [
        "/researchers/no-such-person-xyz/",
        "/researchers/A9999999999/",
        "/researchers/no-such-person-xyz/graph/",
        "/works/no-such-work/",
        "/no-such-page/",
    ],
)
def test_unknown_address_gives_the_styled_404(client, demo, path):
    response = client.get(path)

    assert response.status_code == 404
    page = parse(response)
    assert page.find("h1").text == "We could not find that page"
    assert page.find("form", role="search").attrs["action"] == "/search/"


def test_server_error_gives_the_styled_500(client, seed_researcher, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("profiles.selectors.researcher_get", fail)
    client.raise_request_exception = False

    response = client.get(SEED_URL)

    assert response.status_code == 500
    assert parse(response).find("h1").text == "Something went wrong on our side"
    assert "the database went away" not in response.content.decode()


def test_researcher_with_a_non_latin_name_has_a_working_address(client):
    ingest_one("Graph networks", "张伟")
    researcher = Researcher.objects.get(display_name="张伟")

    response = client.get(researcher.get_absolute_url())

    assert response.status_code == 200
    assert parse(response).find("h1").text == "张伟"


# --- Search -----------------------------------------------------------------------------------


def search_results(client, query: str, **headers) -> list[str]:
    response = client.get("/researchers/", {"q": query}, headers=headers)
    assert response.status_code == 200
    page = parse(response)
    return [
        node.find("a").attrs["href"]
        for node in page.find("section", id="search-results").find_all(
            "h3", class_="researcher-card__name"
        )
    ]


@pytest.mark.parametrize("query", ["sohl-dickstein", "SOHL", "jascha", "Jascha Sohl-Dickstein"])
def test_search_finds_the_seed_whatever_the_case(client, demo, query):
    assert search_results(client, query) == [SEED_URL]


@pytest.mark.smoke
def test_search_matches_name_variants(client, demo):
    # "J. N. Sohl-Dickstein" is one of the seed's name variants, not his display name.
    assert search_results(client, "j. n. sohl") == [SEED_URL]


def test_search_folds_accents_both_ways(client):
    ingest_one("Fluids", "Zoë Müller", "Zoe Miller")
    zoe = Researcher.objects.get(display_name="Zoë Müller")

    miller = Researcher.objects.get(display_name="Zoe Miller")
    # Müller first; Miller, one letter off, after her (search forgives typos).
    for query in ("zoe muller", "ZOË MÜLLER", "müller"):
        assert search_results(client, query) == [zoe.get_absolute_url(), miller.get_absolute_url()]
    assert len(search_results(client, "zoe")) == 2


def test_search_without_match_says_so(client, demo):
    response = client.get("/researchers/", {"q": "nobody-by-this-name"})

    assert response.status_code == 200
    assert "No researcher matches nobody-by-this-name" in parse(response).find("main").text


def test_search_fragment_for_htmx(client, demo):
    response = client.get(
        "/researchers/",
        {"q": "sohl"},
        headers={"HX-Request": "true", "HX-Target": "search-results"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.strip().startswith('<section id="search-results"')
    assert SEED_URL in body


def test_hostile_query_is_shown_escaped(client, demo):
    response = client.get("/researchers/?q=%00'\"<script>")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>" not in body
    assert "&lt;script&gt;" in body
    assert '"<script' not in body


def test_search_pages_results(client):
    for index in range(25):
        ResearcherFactory(display_name=f"Common Surname {index:02d}")

    first = client.get("/researchers/", {"q": "common surname"})
    after = re.search(r'after=([^"&]+)"', first.content.decode()).group(1)
    second = client.get("/researchers/", {"q": "common surname", "after": after})

    assert "25 researchers found" in parse(first).find("main").text
    assert len(parse(first).find_all("article", class_="researcher-card")) == 20
    assert len(parse(second).find_all("article", class_="researcher-card")) == 5


def test_home_page_offers_search_and_profiles(client, demo):
    response = client.get("/")

    assert response.status_code == 200
    page = parse(response)
    assert page.find("form", role="search").attrs["action"] == "/search/"
    cards = [node.text for node in page.find_all("h3", class_="researcher-card__name")]
    assert "Jason Priem" in cards


# --- Work page --------------------------------------------------------------------------------


def test_work_page_shows_title_authors_and_arxiv_link(client, demo, seed_file):
    item = next(entry for entry in seed_file["works"] if entry["arxiv_id"] == "2206.08720")
    work = Work.objects.get(arxiv_id="2206.08720")

    response = client.get(work.get_absolute_url())

    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == item["title"] == "Fast Finite Width Neural Tangent Kernel"
    byline = page.find("ol", class_="byline")
    assert [node.text for node in byline.find_all("a")] == item["authors"]
    arxiv = [node for node in page.find_all("a") if node.text == "2206.08720"]
    assert arxiv and arxiv[0].attrs["href"] == "https://arxiv.org/abs/2206.08720"
    assert "Neural tangent kernel" in page.find("ul", class_="chips").text


def test_openalex_work_page_shows_doi_and_institutions(client, demo):
    work = Work.objects.get(openalex_id="W2741809807")

    page = parse(client.get(work.get_absolute_url()))

    dois = [node for node in page.find_all("a") if node.text == "10.7717/peerj.4375"]
    assert dois[0].attrs["href"] == "https://doi.org/10.7717/peerj.4375"
    assert "Jason Priem (Impact Technology Development (United States))" in squash(
        page.find("ol", class_="byline").text
    )
    assert page.find("div", class_="prose").text.startswith("Despite growing interest")


HOSTILE_TITLE = (
    '<script>document.title="pwned"</script><img src=x onerror="alert(1)">'
    '<svg onload="alert(2)"></svg>Hostile <i onclick="alert(3)">title</i> &lt;script&gt;x'
)


def test_hostile_title_renders_without_live_markup(client):
    work = ingest_one(
        HOSTILE_TITLE, "Mallory Example", abstract='<a href="javascript:alert(4)">see</a> $x<y$'
    )
    work_page = client.get(work.get_absolute_url())
    profile_page = client.get(Researcher.objects.get().get_absolute_url())

    for response in (work_page, profile_page):
        assert response.status_code == 200
        page = parse(response)
        for script in page.find_all("script"):
            if script.attrs.get("type") == "application/ld+json":
                # Data, never run: no markup can end or open an element inside it.
                assert "<" not in script.text and json.loads(script.text), script.text
                continue
            assert script.attrs.get("src", "").startswith("/static/"), script.attrs
            assert not script.text
        for node in page.iter():
            assert not any(name.startswith("on") for name in node.attrs), (node.tag, node.attrs)
            # The profile's own per-year chart is the one svg allowed.
            own_chart = node.attrs.get("class") == "year-chart__svg"
            assert node.tag not in {"svg", "img", "iframe", "math"} or own_chart
            assert "javascript:" not in node.attrs.get("href", "")
        body = response.content.decode()
        assert "Hostile <i>title</i> &lt;script&gt;x" in body
        assert "$x&lt;y$" in body
    # The plain-text title in <title> is escaped as well.
    assert "<title>Hostile title &lt;script&gt;x · BZPEER</title>" in work_page.content.decode()


# --- Security headers and HTMX set-up ---------------------------------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_content_security_policy_allows_only_own_scripts(client, seed_researcher):
    response = client.get(SEED_URL)

    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert not any("unsafe" in value for values in directives.values() for value in values)
    page = parse(response)
    # Every script is a file of ours, or JSON-LD: a data block, which CSP does not run.
    assert all(
        script.attrs.get("src") or script.attrs.get("type") == "application/ld+json"
        for script in page.find_all("script")
    )
    assert not any(
        name.startswith(("hx-on", "data-hx-on")) for node in page.iter() for name in node.attrs
    )


def test_body_sends_the_csrf_token_with_htmx_requests(client, seed_researcher):
    page = parse(client.get(SEED_URL))

    headers = json.loads(page.find("body").attrs["data-hx-headers"])
    assert re.fullmatch(r"[A-Za-z0-9]{64}", headers["X-CSRFToken"])


def test_pages_set_the_usual_security_headers(client, seed_researcher):
    response = client.get(SEED_URL)

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_are_read_only(client, seed_researcher):
    assert client.post(SEED_URL).status_code == 405
    assert client.post("/researchers/").status_code == 405
