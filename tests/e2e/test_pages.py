"""Every public page a first visit reaches, in a real Chromium: no sideways scroll at 320 px,
no serious accessibility violation (axe-core), the maths typesetter only where there is maths,
and valid HTML (the Nu checker)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from works.models import Institution, Topic, Work

pytestmark = pytest.mark.browser

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
SEED = "/researchers/jascha-sohl-dickstein/"


def public_paths() -> list[str]:
    work = Work.objects.filter(authorships__researcher__slug="jascha-sohl-dickstein").first()
    topic = Topic.objects.order_by("pk").first()
    institution = Institution.objects.order_by("pk").first()
    return [
        "/",
        "/researchers/?q=sohl",
        "/search/?q=gaussian processes",
        "/researchers/?q=" + "x" * 200,
        SEED,
        SEED + "graph/",
        SEED + "coauthors/",
        # OpenAlex data: citations, the per-year chart, versions and the works filters.
        "/researchers/jason-priem/",
        "/researchers/jason-priem/?sort=citations&type=article&year_from=2012",
        Work.objects.get(openalex_id="W2038196424").get_absolute_url(),
        SEED + "claim/",
        SEED + "report/",
        "/explore/?focus=jascha-sohl-dickstein",
        work.get_absolute_url(),
        f"/topics/{topic.pk}/",
        f"/institutions/{institution.openalex_id}/",
        "/accounts/login/",
        "/accounts/signup/",
        "/no-such-page/",
    ]


def serious_violations(page) -> list[str]:
    # Evaluated rather than added as a <script>: the site's CSP rightly refuses inline scripts.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


def test_no_page_scrolls_sideways_at_320_px(site, page_at):
    page = page_at(320)
    wide = {}
    for path in public_paths():
        page.goto(site.url + path, wait_until="networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide[path[:60]] = width
    assert wide == {}


@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_no_serious_violations(site, page_at, width):
    page = page_at(width)
    found = {}
    for path in public_paths():
        page.goto(site.url + path, wait_until="networkidle")
        if path == SEED:
            # With the lazily loaded graph slice in the page too.
            page.locator("#graph").scroll_into_view_if_needed()
            page.locator("#graph-slice.graph-slice").wait_for(timeout=10_000)
        if violations := serious_violations(page):
            found[path[:60]] = violations
    assert found == {}


def test_maths_typesetter_loads_only_where_there_is_maths(site, page_at):
    page = page_at(1280)
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(site.url + "/", wait_until="networkidle")
    assert not [url for url in requested if "katex" in url]

    page.goto(site.url + SEED, wait_until="networkidle")
    page.locator("#works-list .katex").first.wait_for(timeout=10_000)
    assert [url for url in requested if "katex.min.js" in url]
    assert page.problems == []


def test_pages_are_valid_html(client, demo, tmp_path):
    assert shutil.which("java"), "the Nu HTML checker needs Java: install Debian's default-jre"
    for number, path in enumerate(public_paths()):
        response = client.get(path, follow=True)
        (tmp_path / f"{number:02d}.html").write_bytes(response.content)
    checked = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            *sorted(map(str, tmp_path.glob("*.html"))),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(checked.stderr or '{"messages": []}')["messages"]
    paths = public_paths()
    errors = [
        f"{paths[int(Path(m['url']).stem)][:50]}: {m['message']} ({m.get('extract', '')!r})"
        for m in messages
        if m["type"] == "error"
    ]
    assert errors == [], "\n".join(errors)
