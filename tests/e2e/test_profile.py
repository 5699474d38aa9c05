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
