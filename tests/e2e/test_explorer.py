"""The full graph explorer in a real Chromium: opened from the profile, expanded by pointer and
keyboard, filtered, restored from its URL, readable without JavaScript."""

import re

import pytest

pytestmark = pytest.mark.browser

SEED = "jascha-sohl-dickstein"


def wait_until_idle(page):
    # A locator wait, not page.wait_for_function: the CSP forbids the eval that one relies on.
    page.locator("#explorer[data-state='idle']").wait_for(timeout=15_000)


def node_count(page) -> int:
    return int(page.locator("#explorer-canvas").get_attribute("data-node-count"))


def list_button(page, name):
    return page.locator("#explorer-list").get_by_role("button", name=name, exact=True)


def person_ids(page) -> set[str]:
    items = page.locator("#explorer-list li[data-kind='person'][data-id]")
    return set(items.evaluate_all("items => items.map(item => item.dataset.id)"))


def open_explorer(page, site, query=""):
    page.goto(f"{site.url}/explore/?focus={SEED}{query}")
    wait_until_idle(page)


@pytest.mark.parametrize("width", [1280, 390])
def test_explorer_opens_from_profile_and_expands_a_collaborator(site, page_at, screenshots, width):
    page = page_at(width)
    page.goto(f"{site.url}/researchers/{SEED}/")
    # Let the lazy slice finish, so no request of the profile's outlives the test.
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Open full explorer").click()
    page.wait_for_url(f"**/explore/?focus={SEED}")
    wait_until_idle(page)

    assert "Jascha Sohl-Dickstein" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator("#explorer-canvas canvas").count() > 0
    before = node_count(page)
    assert before > 10
    first_degree = person_ids(page)
    # The focus's neighbourhood, listed by kind, with the reason it is linked in the panel.
    assert list_button(page, "Roman Novak").is_visible()
    assert page.locator("#explorer-list li[data-kind='paper']").count() > 0
    assert "co-authored 7 papers" in page.locator("#explorer-panel").inner_text()

    list_button(page, "Roman Novak").click()
    wait_until_idle(page)

    assert node_count(page) > before
    assert "expanded=person:roman-novak" in page.url
    # Second-degree collaborators: Roman Novak's co-authors who never wrote with the seed.
    assert len(person_ids(page) - first_degree) > 0
    roman = page.locator("#explorer-list li[data-id='person:roman-novak']")
    assert roman.get_attribute("data-expanded") == "true"
    panel = page.locator("#explorer-panel")
    assert panel.get_by_role("heading", level=2).inner_text() == "Roman Novak"
    assert panel.get_by_role("link", name="Open page for Roman Novak").get_attribute("href") == (
        "/researchers/roman-novak/"
    )
    assert re.search(r"Added \d+ nodes? around Roman Novak", panel.inner_text())

    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    page.screenshot(path=screenshots / f"explorer-{width}.png", full_page=False)
    assert page.problems == []


def test_reloading_the_url_restores_expanded_nodes_and_filters(site, page_at):
    page = page_at(1280)
    open_explorer(page, site)
    list_button(page, "Roman Novak").click()
    wait_until_idle(page)
    page.get_by_role("checkbox", name="Papers").uncheck()
    wait_until_idle(page)
    visible = page.locator("#explorer-canvas").get_attribute("data-visible-count")
    shared = page.url
    assert "kinds=person,topic,institution" in shared

    page.goto(shared)
    wait_until_idle(page)

    assert page.locator("#explorer-canvas").get_attribute("data-visible-count") == visible
    roman = page.locator("#explorer-list li[data-id='person:roman-novak']")
    assert roman.get_attribute("data-expanded") == "true"
    assert not page.get_by_role("checkbox", name="Papers").is_checked()
    assert page.locator("#explorer-list li[data-kind='paper']:not([hidden])").count() == 0
    assert page.url == shared
    assert page.problems == []


def test_year_filter_hides_papers_outside_the_range(site, page_at):
    page = page_at(1280)
    open_explorer(page, site)
    papers = page.locator("#explorer-list li[data-kind='paper'][data-id]")
    years = [int(year) for year in papers.evaluate_all("items => items.map(i => i.dataset.year)")]
    assert min(years) < 2021 <= max(years)

    page.get_by_label("From").fill("2021")
    page.get_by_label("From").press("Enter")
    wait_until_idle(page)

    shown = page.locator("#explorer-list li[data-kind='paper'][data-id]:not([hidden])")
    shown_years = [
        int(year) for year in shown.evaluate_all("items => items.map(i => i.dataset.year)")
    ]
    assert shown_years and all(year >= 2021 for year in shown_years)
    assert page.locator("#explorer-list li[data-kind='paper'][hidden]").count() > 0
    canvas = page.locator("#explorer-canvas")
    assert int(canvas.get_attribute("data-visible-count")) < node_count(page)
    assert "from=2021" in page.url

    # An impossible range is explained, not applied.
    page.get_by_label("to", exact=True).fill("2019")
    page.get_by_label("to", exact=True).press("Enter")
    assert "first year is after the last year" in page.locator("#explorer-message").inner_text()
    assert "to=2019" not in page.url
    assert page.problems == []


def test_keyboard_moves_through_the_list_and_enter_expands(site, page_at):
    page = page_at(1280)
    open_explorer(page, site)
    before = node_count(page)
    buttons = page.locator("#explorer-list button.explorer-node")
    buttons.first.focus()
    # Tab passes the focus node's "Open page" link and lands on the next node.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    second = buttons.nth(1)
    name = second.inner_text()
    node_id = second.evaluate("button => button.closest('li').dataset.id")
    assert page.evaluate("document.activeElement.textContent") == name
    # Focus alone shows the node and why it is linked, without expanding it.
    assert page.locator("#explorer-panel-title").inner_text() == name
    assert page.locator("#explorer-panel-kicker").inner_text() == "Pointing at"

    page.keyboard.press("Enter")
    wait_until_idle(page)

    item = page.locator(f"#explorer-list li[data-id='{node_id}']")
    assert item.get_attribute("data-expanded") == "true"
    assert node_count(page) > before
    assert f"expanded={node_id}" in page.url
    assert page.problems == []


def test_a_failed_expansion_is_explained_in_the_panel(site, page_at):
    page = page_at(1280)
    open_explorer(page, site)
    before = node_count(page)
    page.route(
        "**/explore/api/node/**",
        lambda route: route.fulfill(status=503, json={"error": "The graph is being rebuilt."}),
    )

    list_button(page, "Roman Novak").click()
    wait_until_idle(page)

    message = page.locator("#explorer-message")
    assert "Could not expand Roman Novak: The graph is being rebuilt." in message.inner_text()
    assert "explorer-message--error" in message.get_attribute("class")
    assert node_count(page) == before
    assert "expanded=" not in page.url
    # The browser reports the 503 itself; the explorer adds no error of its own.
    assert all("503" in problem for problem in page.problems), page.problems


def test_without_javascript_the_nodes_are_links(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site.url}/explore/?focus={SEED}")

    people = page.locator(".explorer-group[data-kind='person']")
    link = people.get_by_role("link", name="Roman Novak")
    assert link.get_attribute("href") == "/researchers/roman-novak/"
    assert page.locator(".explorer-group[data-kind='paper'] a").count() > 0
    assert page.locator("#explorer-filters").is_hidden()
    assert page.locator("#explorer-panel-open").get_attribute("href") == f"/researchers/{SEED}/"
    context.close()


# Every visible node's box with its label, as drawn, and the canvas's size. Cytoscape keeps its
# instance on the container (the page exposes no global for it).
DRAWN_BOXES = """() => {
  const canvas = document.getElementById("explorer-canvas");
  const cy = canvas._cyreg.cy;
  return {
    width: canvas.clientWidth,
    height: canvas.clientHeight,
    boxes: cy.nodes(":visible").map((node) => {
      const box = node.renderedBoundingBox({ includeLabels: true, includeOverlays: false });
      return [node.data("label"), box.x1, box.y1, box.x2, box.y2];
    }),
  };
}"""


def label_problems(page) -> list:
    drawn = page.evaluate(DRAWN_BOXES)
    boxes = drawn["boxes"]
    assert len(boxes) > 10
    problems = [
        ("outside", name)
        for name, x1, y1, x2, y2 in boxes
        if x1 < 0 or y1 < 0 or x2 > drawn["width"] or y2 > drawn["height"]
    ]
    for index, (name, x1, y1, x2, y2) in enumerate(boxes):
        for other, ox1, oy1, ox2, oy2 in boxes[index + 1 :]:
            if x1 < ox2 and ox1 < x2 and y1 < oy2 and oy1 < y2:
                problems.append(("overlap", name, other))
    return problems


@pytest.mark.parametrize("width", [1280, 390])
def test_labels_neither_overlap_nor_leave_the_canvas(site, page_at, width):
    page = page_at(width)
    open_explorer(page, site)

    assert label_problems(page) == []

    # An expansion's new nodes go round the drawing, clear of what is there.
    list_button(page, "Roman Novak").click()
    wait_until_idle(page)
    assert label_problems(page) == []
    assert page.problems == []
