"""The staff pages for imports, the admin actions that queue them and the profile's
"last synced" lines, through Django's test client: full pages and htmx fragments."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import ResearcherFactory, UserFactory
from tests.profiles.test_views import parse
from works.models import ImportRun

pytestmark = pytest.mark.django_db

HTMX_STATUS = {"HX-Request": "true", "HX-Target": "import-status"}


class ImportRunFactory(factory.django.DjangoModelFactory):
    """A running OpenAlex import two pages in, for a researcher with an OpenAlex id."""

    class Meta:
        model = ImportRun

    source = ImportRun.Source.OPENALEX
    researcher = factory.SubFactory(
        ResearcherFactory, openalex_id=factory.Sequence(lambda n: f"A9{n:09d}")
    )
    request = factory.LazyAttribute(lambda run: {"openalex": run.researcher.openalex_id})
    state = ImportRun.State.RUNNING
    message = "In progress: 2 page(s) so far."
    counts = factory.LazyFunction(
        lambda: {"works_created": 150, "works_updated": 30, "works_unchanged": 20, "total": 400}
    )
    pages_done = 2
    requests_made = 3
    cost_usd = Decimal("0.000200")
    started_at = factory.LazyFunction(timezone.now)

    class Params:
        done = factory.Trait(
            state=ImportRun.State.DONE,
            message="Done: 300 works created, 60 updated, 40 unchanged in 4 page(s).",
            counts={"works_created": 300, "works_updated": 60, "works_unchanged": 40, "total": 400},
            pages_done=4,
            finished_at=factory.LazyFunction(timezone.now),
        )


def logged_in(client, **flags):
    user = UserFactory(**flags)
    # UserFactory sets the password after saving and does not save again; reload so the
    # session's password hash matches the stored row.
    user.refresh_from_db()
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(client):
    return logged_in(client, is_staff=True)


@pytest.fixture
def admin_client_logged_in(client):
    return logged_in(client, is_staff=True, is_superuser=True)


def detail_url(run: ImportRun) -> str:
    return f"/imports/{run.pk}/"


# --- Who may look -----------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "detail"])
@pytest.mark.parametrize("who", ["anonymous", "normal user"])
def test_only_staff_see_import_pages(client, page, who):
    url = "/imports/" if page == "list" else detail_url(ImportRunFactory())
    if who == "normal user":
        logged_in(client)

    response = client.get(url)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/?next=")
    assert url in response.headers["Location"]


@pytest.mark.parametrize("page", ["list", "detail"])
def test_staff_see_import_pages(staff_client, page):
    run = ImportRunFactory()
    url = "/imports/" if page == "list" else detail_url(run)

    response = staff_client.get(url)

    assert response.status_code == 200
    assert "OpenAlex" in parse(response).find("main").text


def test_unknown_import_is_404(staff_client):
    assert staff_client.get("/imports/987654/").status_code == 404


@pytest.mark.parametrize("url", ["/imports/", "detail"])
def test_import_pages_answer_get_only(staff_client, url):
    url = detail_url(ImportRunFactory()) if url == "detail" else url

    assert staff_client.post(url).status_code == 405


# --- The list ---------------------------------------------------------------------------------


def test_list_shows_newest_first_with_state_in_words(staff_client):
    older = ImportRunFactory(done=True)
    newer = ImportRunFactory(state=ImportRun.State.FAILED, message="Failed after 5 attempt(s)")
    ImportRun.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=1))

    page = parse(staff_client.get("/imports/"))

    rows = page.find("tbody").find_all("tr")
    assert [row.find("th").text for row in rows] == [
        f"#{newer.pk} OpenAlex",
        f"#{older.pk} OpenAlex",
    ]
    assert rows[0].find("th").find("a").attrs["href"] == detail_url(newer)
    states = [row.find("span", class_="state") for row in rows]
    assert [state.text for state in states] == ["Failed", "Done"]
    assert "state--failed" in states[0].attrs["class"]
    cells = {cell.attrs["data-label"]: cell.text for cell in rows[1].find_all("td")}
    assert (
        cells["Target"]
        == f"openalex {older.researcher.openalex_id} {older.researcher.display_name}"
    )
    assert cells["Pages"] == "4"
    assert cells["Works so far"] == "400 / 400"
    assert cells["Requests"] == "3"
    assert cells["Cost (USD)"] == "0.0002"


def test_list_pages_by_50(staff_client):
    ImportRunFactory.create_batch(51, done=True)

    first = parse(staff_client.get("/imports/"))
    second = parse(staff_client.get("/imports/", {"page": 2}))

    assert len(first.find("tbody").find_all("tr")) == 50
    assert len(second.find("tbody").find_all("tr")) == 1
    assert first.find("nav", class_="pager").find("a").attrs["href"] == "?page=2"


# --- One run, live ----------------------------------------------------------------------------


def test_active_run_polls_every_two_seconds(staff_client):
    run = ImportRunFactory()

    page = parse(staff_client.get(detail_url(run)))

    status = page.find(id="import-status")
    assert status.attrs["data-hx-get"] == detail_url(run)
    assert status.attrs["data-hx-trigger"] == "every 2s"
    assert status.attrs["data-hx-swap"] == "outerHTML"
    # Without JavaScript the same page is one link away.
    refresh = [link for link in status.find_all("a") if link.text == "Refresh"]
    assert refresh and refresh[0].attrs["href"] == detail_url(run)


def test_active_run_shows_progress_against_the_total(staff_client):
    run = ImportRunFactory()

    page = parse(staff_client.get(detail_url(run)))

    status = page.find(id="import-status")
    bar = status.find("progress")
    assert (bar.attrs["value"], bar.attrs["max"]) == ("200", "400")
    assert page.find("label", for_="import-progress-bar").text == "Progress"
    assert status.find(id="import-progress-text").text == "200 of 400 works (50%) in 2 pages."
    assert status.find("span", class_="state").text == "Running"
    assert "In progress: 2 page(s) so far." in status.text
    facts = {
        node.find("dt").text: node.find("dd").text
        for node in status.find("dl", class_="stat-grid").find_all("div")
    }
    assert facts == {
        "pages done": "2",
        "works so far": "200",
        "requests made": "3",
        "cost (USD)": "0.0002",
        "failed attempts": "0",
    }
    counts = {
        row.find("th").text: row.find("td").text for row in status.find("table").find_all("tr")
    }
    assert counts["Works created"] == "150"
    assert counts["Works at the source"] == "400"
    # In reading order, whatever order Postgres keeps the JSON keys in.
    assert list(counts)[:4] == [
        "Works at the source",
        "Works created",
        "Works updated",
        "Works unchanged",
    ]
    researcher = status.find("a", href=run.researcher.get_absolute_url())
    assert researcher.text == run.researcher.display_name


def test_run_without_a_total_counts_pages(staff_client):
    run = ImportRunFactory(source=ImportRun.Source.SNAPSHOT, counts={"works_created": 7})

    status = parse(staff_client.get(detail_url(run))).find(id="import-status")

    bar = status.find("progress")
    assert "value" not in bar.attrs
    assert "2 pages done" in bar.text
    assert "7 works so far in 2 pages" in status.find(id="import-progress-text").text


def test_htmx_poll_returns_only_the_status_partial(staff_client):
    run = ImportRunFactory()

    response = staff_client.get(detail_url(run), headers=HTMX_STATUS)

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "<header" not in body
    assert body.strip().startswith('<div id="import-status"')
    assert parse(response).find(id="import-status").attrs["data-hx-trigger"] == "every 2s"


def test_finished_run_stops_polling(staff_client):
    run = ImportRunFactory(done=True)

    full = staff_client.get(detail_url(run))
    fragment = staff_client.get(detail_url(run), headers=HTMX_STATUS)

    for response in (full, fragment):
        # What <main> holds: the header's search box asks for suggestions on every page.
        body = response.content.decode().partition("<main")[2] or response.content.decode()
        assert "data-hx-trigger" not in body and "data-hx-get" not in body
        assert ">Refresh<" not in body
    status = parse(fragment).find(id="import-status")
    assert status.find("span", class_="state").text == "Done"
    assert (status.find("progress").attrs["value"], status.find("progress").attrs["max"]) == (
        "400",
        "400",
    )


def test_paused_run_says_when_it_resumes_and_lists_errors_newest_first(staff_client):
    resume_at = timezone.now() + timedelta(hours=3)
    run = ImportRunFactory(
        state=ImportRun.State.PAUSED,
        resume_at=resume_at,
        attempts=2,
        errors=[
            {"at": "2026-03-01T10:00:00+00:00", "attempt": 1, "error": "HTTP 500", "cursor": "*"},
            {
                "at": "2026-03-01T10:01:00+00:00",
                "attempt": 2,
                "error": "timed out",
                "cursor": "Ic3",
            },
        ],
    )

    status = parse(staff_client.get(detail_url(run))).find(id="import-status")

    assert status.attrs["data-hx-trigger"] == "every 2s"
    resume = status.find("p", class_="import-resume")
    assert resume.text.startswith("Paused until")
    assert datetime.fromisoformat(resume.find("time").attrs["datetime"]) == resume_at.replace(
        microsecond=0
    )  # HTML allows no microseconds
    errors = status.find("ol", class_="import-errors").find_all("li")
    assert [error.find("p", class_="import-errors__text").text for error in errors] == [
        "timed out",
        "HTTP 500",
    ]
    assert errors[0].find("time").attrs["datetime"] == "2026-03-01T10:01:00+0000"
    assert "attempt 2" in errors[0].text and "Ic3" in errors[0].text


# --- Admin ------------------------------------------------------------------------------------


def run_action(client, action: str, researchers):
    response = client.post(
        "/admin/works/researcher/",
        {"action": action, "_selected_action": [researcher.pk for researcher in researchers]},
        follow=True,
    )
    assert response.status_code == 200
    return parse(response).find("ul", class_="messagelist").find_all("li")


def test_openalex_action_queues_new_runs_and_skips_the_rest(
    admin_client_logged_in, django_capture_on_commit_callbacks
):
    by_id = ResearcherFactory(openalex_id="A5000000001")
    by_orcid = ResearcherFactory(orcid="0000-0002-1825-0097")
    unidentified = ResearcherFactory()
    busy = ImportRunFactory().researcher

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        messages = run_action(
            admin_client_logged_in, "import_from_openalex", [by_id, by_orcid, unidentified, busy]
        )

    assert len(callbacks) == 2
    queued = ImportRun.objects.filter(state=ImportRun.State.QUEUED)
    assert {run.researcher: run.request for run in queued} == {
        by_id: {"openalex": "A5000000001"},
        by_orcid: {"orcid": "0000-0002-1825-0097"},
    }
    assert ImportRun.objects.filter(researcher=busy).count() == 1
    [message] = messages
    assert message.text.startswith(
        "Queued 2 OpenAlex imports. Skipped 2: 1 already had an active OpenAlex import and "
        "1 had no OpenAlex id or ORCID. Follow progress on the imports page"
    )
    assert message.find("a").attrs["href"] == "/imports/"
    assert "success" in message.attrs["class"]


def test_arxiv_action_skips_researchers_with_an_active_arxiv_run(
    admin_client_logged_in, django_capture_on_commit_callbacks
):
    fresh = ResearcherFactory(display_name="Ada Example")
    busy = ImportRunFactory(source=ImportRun.Source.ARXIV, request={"arxiv": "Busy"}).researcher

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        messages = run_action(admin_client_logged_in, "import_from_arxiv", [fresh, busy])

    assert len(callbacks) == 1
    run = ImportRun.objects.get(researcher=fresh)
    assert (run.source, run.state, run.request) == ("arxiv", "queued", {"arxiv": "Ada Example"})
    assert messages[0].text.startswith(
        "Queued 1 arXiv import. Skipped 1: 1 already had an active arXiv import."
    )


def test_action_with_nothing_to_queue_warns(
    admin_client_logged_in, django_capture_on_commit_callbacks
):
    busy = ImportRunFactory().researcher

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        messages = run_action(admin_client_logged_in, "import_from_openalex", [busy])

    assert callbacks == []
    [message] = messages
    assert message.text == (
        "Queued 0 OpenAlex imports. Skipped 1: 1 already had an active OpenAlex import."
    )
    assert "warning" in message.attrs["class"]


def test_import_run_admin_links_to_the_staff_page_and_is_read_only(admin_client_logged_in):
    run = ImportRunFactory()

    changelist = parse(admin_client_logged_in.get("/admin/works/importrun/"))
    change_url = f"/admin/works/importrun/{run.pk}/change/"
    change = admin_client_logged_in.get(change_url)

    assert changelist.find("a", href=detail_url(run)).text == f"Follow #{run.pk}"
    assert admin_client_logged_in.get("/admin/works/importrun/add/").status_code == 403
    assert change.status_code == 200
    assert "View import run" in change.content.decode()
    assert not parse(change).find_all("input", name="_save")
    assert admin_client_logged_in.post(change_url, {"state": "done"}).status_code == 403
    run.refresh_from_db()
    assert run.state == ImportRun.State.RUNNING


# --- The profile's "last synced" lines --------------------------------------------------------


def identifiers(client, researcher) -> list[str]:
    page = parse(client.get(researcher.get_absolute_url()))
    return [item.text for item in page.find("ul", class_="identifiers").find_all("li")]


def test_profile_shows_last_synced_per_source_only_when_set(client):
    synced = ResearcherFactory(
        openalex_id="A5000000002",
        openalex_synced_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        arxiv_synced_at=datetime(2026, 2, 14, 8, 0, tzinfo=UTC),
    )
    never = ResearcherFactory(openalex_id="A5000000003")

    assert "OpenAlex last synced 2 Mar 2026" in identifiers(client, synced)
    assert "arXiv last synced 14 Feb 2026" in identifiers(client, synced)
    page = parse(client.get(synced.get_absolute_url()))
    times = page.find("ul", class_="identifiers").find_all("time")
    assert times[0].attrs["datetime"] == "2026-03-02T09:30:00+0000"
    assert not any("last synced" in line for line in identifiers(client, never))


def test_last_synced_lines_cost_no_query(client):
    synced = ResearcherFactory(openalex_synced_at=timezone.now(), arxiv_synced_at=timezone.now())
    never = ResearcherFactory()
    client.get("/")

    counts = []
    for researcher in (never, synced):
        with CaptureQueriesContext(connection) as queries:
            client.get(researcher.get_absolute_url())
        counts.append(len(queries))

    assert counts[0] == counts[1]
