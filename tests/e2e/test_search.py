"""The header search box as a keyboard user meets it in a real Chromium: suggestions as one
types, arrows, Enter, Escape, announcements; and the results page at 320 px."""

import pytest

pytestmark = pytest.mark.browser


def test_suggestions_by_keyboard_only(site, page_at):
    page = page_at(1280)
    page.goto(f"{site.url}/")
    box = page.get_by_role("combobox", name="Search people, works, topics and institutions")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "site-search-q"

    page.keyboard.type("metz lu", delay=30)
    listbox = page.get_by_role("listbox", name="Suggestions")
    listbox.get_by_role("option").first.wait_for(timeout=10_000)
    assert box.get_attribute("aria-expanded") == "true"
    assert "suggestion" in page.locator("#site-search-status").inner_text()

    page.keyboard.press("ArrowDown")
    first = listbox.get_by_role("option").first
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert "Luke Metz" in first.inner_text()

    page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert not box.get_attribute("aria-activedescendant")
    assert box.input_value() == "metz lu"

    page.keyboard.press("ArrowDown")  # reopens on the first option
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}/researchers/luke-metz/")
    assert page.problems == []


def test_enter_without_a_choice_submits_the_plain_search(site, page_at):
    page = page_at(1280)
    page.goto(f"{site.url}/")
    page.get_by_role("combobox").focus()
    page.keyboard.type("gaussian processes")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=gaussian+processes")
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert [h.split(" (")[0] for h in headings] == ["People", "Works", "Topics", "Institutions"]
    assert page.locator(".search-hit mark").count() > 0
    assert page.problems == []


def test_escape_twice_clears_the_box(site, page_at):
    page = page_at(1280)
    page.goto(f"{site.url}/")
    box = page.get_by_role("combobox")
    box.focus()
    page.keyboard.type("priem")
    page.get_by_role("listbox").get_by_role("option").first.wait_for(timeout=10_000)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    assert box.input_value() == ""


def test_results_fit_a_narrow_screen_with_a_long_query(site, page_at, screenshots):
    page = page_at(320)
    page.goto(f"{site.url}/search/?q=" + "x" * 200)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.goto(f"{site.url}/search/?q=neural")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.screenshot(path=screenshots / "search-320.png", full_page=False)
    assert page.problems == []
