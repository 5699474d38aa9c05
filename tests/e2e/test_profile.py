"""The seed profile in a real Chromium: lazy graph, works, math, no console errors."""

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_seed_profile_loads_graph_lazily_without_console_errors(site, page_at, screenshots, width):
    page = page_at(width)
    page.goto(f"{site.url}/researchers/jascha-sohl-dickstein/")

    assert page.get_by_role("heading", level=1).inner_text() == "Jascha Sohl-Dickstein"
    assert "Trust 21 - Emerging" in page.locator("#trust").inner_text()
    assert page.locator("#works-list > li.work").count() == 16

    page.locator("#graph").scroll_into_view_if_needed()
    slice_ = page.locator("#graph-slice")
    slice_.get_by_role("link", name="Roman Novak", exact=True).first.wait_for(timeout=10_000)
    assert "co-authored 7 papers" in slice_.inner_text()
    assert "Building this graph slice" not in page.locator("#graph").inner_text()

    # KaTeX typeset the first abstract's formula; the raw TeX stays in the page source.
    page.locator("#works-list .katex").first.wait_for(timeout=10_000)

    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots / f"profile-{width}.png", full_page=False)
    assert page.problems == []


def test_abstract_folds_and_unfolds(site, page_at):
    page = page_at(1280)
    page.goto(f"{site.url}/researchers/jascha-sohl-dickstein/")
    first = page.locator("#works-list li.work").first
    toggle = first.get_by_role("button", name="more")
    abstract = first.locator(".work__abstract")
    folded_height = abstract.bounding_box()["height"]
    toggle.click()
    assert first.get_by_role("button", name="less").get_attribute("aria-expanded") == "true"
    assert abstract.bounding_box()["height"] > folded_height
    assert page.problems == []


def test_search_from_home_reaches_profile(site, page_at):
    page = page_at(390)
    page.goto(f"{site.url}/")
    page.get_by_label("Researcher name").fill("sohl-dickstein")
    page.get_by_label("Researcher name").press("Enter")
    page.get_by_role("link", name="Jascha Sohl-Dickstein").click()
    page.wait_for_url("**/researchers/jascha-sohl-dickstein/")
    assert page.problems == []


# Every layout shift the page has made, summed (as CLS adds them up within a session).
LAYOUT_SHIFT = (
    "window.__shift = 0; new PerformanceObserver((list) => { for (const entry of list.getEntries())"
    " if (!entry.hadRecentInput) window.__shift += entry.value; })"
    ".observe({ type: 'layout-shift', buffered: true });"
)


@pytest.mark.parametrize("size", [(1280, 800), (1350, 940)])
def test_the_graph_slice_arrives_without_moving_the_page(site, browser, size):
    width, height = size
    page = browser.new_page(viewport={"width": width, "height": height})
    page.add_init_script(LAYOUT_SHIFT)
    page.goto(f"{site.url}/researchers/jascha-sohl-dickstein/")
    page.locator("#graph-slice .ego__svg").wait_for(timeout=10_000)
    page.wait_for_load_state("networkidle")

    assert page.evaluate("window.__shift") <= 0.05
    page.close()


def test_the_slice_drawing_is_a_legible_picture_beside_its_list(site, page_at):
    page = page_at(390)
    page.goto(f"{site.url}/researchers/jascha-sohl-dickstein/graph/")

    drawing = page.locator(".ego__svg")
    # Decoration only: nothing in it takes focus, and the list under it has the links.
    assert drawing.get_attribute("aria-hidden") == "true"
    assert drawing.locator("a, [tabindex]").count() == 0
    assert page.locator("#slice-people ~ ul a").count() == 8
    # Names render at 11 px or more on a 390 px phone.
    sizes = page.locator(".ego__label").evaluate_all(
        "labels => labels.map(label => parseFloat(getComputedStyle(label).fontSize)"
        " * label.ownerSVGElement.getBoundingClientRect().width"
        " / label.ownerSVGElement.viewBox.baseVal.width)"
    )
    assert len(sizes) == 8 and min(sizes) >= 11
    # Headings step down one level at a time.
    levels = page.locator("h1, h2, h3, h4").evaluate_all(
        "headings => headings.map(heading => Number(heading.tagName[1]))"
    )
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))
    assert page.problems == []
