"""manage.py import_author and import_snapshot (the importers issue, item 5), against a local
server replaying recorded answers, with the default clients built from settings."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import FIXTURES
from tests.works.test_import_faults import (
    AUTHOR,
    AUTHOR_ID,
    BASIC_PAGE,
    ERROR_400,
    Replay,
    answer,
    atom,
    cursor_page,
    stored_works,
)
from tests.works.test_import_services import (
    PARTITION_LINES,
    PARTITION_WORKS,
    Crash,
    lay_out_snapshot,
)
from works.models import ImportRun, Work
from works.services import import_run_create, import_run_execute
from works.sources.openalex import WORK_FIELDS, short_id

pytestmark = pytest.mark.django_db

ORCID = "0000-0001-6187-6610"
AUTHOR_WORKS = {short_id(work["id"]) for work in BASIC_PAGE["results"]}


def run_command(*args) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(*args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def openalex(httpserver, settings) -> Replay:
    """The recorded author and their fifty recorded works as two cursor pages."""
    settings.OPENALEX_BASE_URL = httpserver.url_for("/")
    settings.OPENALEX_API_KEY = "test-key"
    httpserver.expect_request(f"/authors/{AUTHOR_ID}").respond_with_json(AUTHOR)
    httpserver.expect_request(f"/authors/orcid:{ORCID}").respond_with_json(AUTHOR)
    works = Replay(httpserver, path="/works", key="cursor")
    works.serve(
        {
            "*": [cursor_page(BASIC_PAGE["results"], "C2", count=50)],
            "C2": [cursor_page([], None, count=50)],
        }
    )
    return works


@pytest.fixture
def arxiv(httpserver, settings) -> Replay:
    settings.ARXIV_BASE_URL = httpserver.url_for("/api/query")
    settings.ARXIV_MIN_INTERVAL = 0
    feed = Replay(httpserver, path="/api/query", key="start")
    feed.serve({"0": [atom((FIXTURES / "arxiv" / "id_list_1605.08386.xml").read_bytes())]})
    return feed


# --- import_author ----------------------------------------------------------------------------


@pytest.mark.smoke
def test_import_author_openalex_sync_imports_with_a_progress_bar(openalex, httpserver, settings):
    out, progress = run_command("import_author", "--openalex", AUTHOR_ID, "--sync")

    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.DONE
    assert out.strip() == (
        f"Import #{run.pk}: Done: 50 works created, 0 updated, 0 unchanged in 2 page(s)."
    )
    assert "[##############################] 50/50 works, 2 page(s)" in progress
    assert stored_works() == AUTHOR_WORKS
    assert run.researcher.openalex_synced_at is not None
    [first_page, _] = [request for request, _ in httpserver.log if request.path == "/works"]
    assert first_page.args.to_dict() == {
        "filter": f"authorships.author.id:{AUTHOR_ID}",
        "per_page": str(settings.OPENALEX_PER_PAGE),
        "cursor": "*",
        "select": WORK_FIELDS,
        "api_key": "test-key",
    }


def test_import_author_orcid_after_openalex_adds_nothing(openalex, httpserver):
    run_command("import_author", "--openalex", AUTHOR_ID, "--sync")
    works = Work.objects.count()

    out, _ = run_command("import_author", "--orcid", ORCID, "--sync")

    assert "Done: 0 works created, 0 updated, 50 unchanged" in out
    assert Work.objects.count() == works == 50
    assert any(request.path == f"/authors/orcid:{ORCID}" for request, _ in httpserver.log)
    assert ImportRun.objects.filter(state=ImportRun.State.DONE).count() == 2


def test_import_author_arxiv_sync_searches_the_name(arxiv, httpserver):
    out, _ = run_command("import_author", "--arxiv", "Caprice Stanley", "--sync")

    run = ImportRun.objects.get()
    assert (
        out.strip()
        == f"Import #{run.pk}: Done: 1 works created, 0 updated, 0 unchanged in 1 page(s)."
    )
    assert run.researcher.display_name == "Caprice Stanley"
    assert run.researcher.arxiv_synced_at is not None
    assert stored_works() == {"1605.08386"}
    [(request, _)] = httpserver.log
    assert request.args["search_query"] == 'au:"Caprice Stanley"'


def test_import_author_without_sync_only_queues(httpserver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        out, _ = run_command("import_author", "--openalex", AUTHOR_ID)

    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.QUEUED
    assert out.strip() == f"Queued import #{run.pk} (openalex {AUTHOR_ID})."
    assert len(callbacks) == 1
    assert httpserver.log == []


def test_import_author_sync_stops_with_the_reason_when_openalex_refuses(openalex):
    openalex.serve({"C2": [answer(ERROR_400, status=400)]})

    with pytest.raises(CommandError, match=r"rejected with 400: .*Invalid query parameters"):
        run_command("import_author", "--openalex", AUTHOR_ID, "--sync")

    run = ImportRun.objects.get()
    assert (run.state, run.cursor) == (ImportRun.State.FAILED, "C2")
    assert stored_works() == AUTHOR_WORKS


def test_import_author_sync_reports_a_pause_without_failing(openalex):
    spent = answer("", status=429, headers={"X-RateLimit-Remaining": "0"})
    openalex.serve({"C2": [spent]})

    out, _ = run_command("import_author", "--openalex", AUTHOR_ID, "--sync")

    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.PAUSED
    assert "Paused: request budget spent (429)" in out
    assert run.resume_at is not None


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--arxiv", "  "], "--arxiv needs a name"),
        (["--openalex", AUTHOR_ID, "--orcid", ORCID], "not allowed with argument"),
        ([], "one of the arguments --openalex --orcid --arxiv is required"),
    ],
)
def test_import_author_refuses_unclear_requests(args, error):
    with pytest.raises(CommandError, match=error):
        run_command("import_author", *args)

    assert not ImportRun.objects.exists()


# --- import_snapshot --------------------------------------------------------------------------


# Not a smoke test: snapshot loaders keep temporary staging tables across transactions, so
# they connect to Postgres directly, not through PgBouncer (docs/scaling.md).
def test_import_snapshot_twice_adds_each_record_once(tmp_path):
    root = lay_out_snapshot(tmp_path / "openalex-snapshot", [PARTITION_LINES])

    first, _ = run_command("import_snapshot", str(root))
    second, _ = run_command("import_snapshot", str(root))

    assert "Done: 27 works created, 0 updated, 0 unchanged in 1 page(s)." in first
    assert "Done: 0 works created, 0 updated, 27 unchanged in 1 page(s)." in second
    assert stored_works() == PARTITION_WORKS
    assert ImportRun.objects.filter(state=ImportRun.State.DONE).count() == 2


def test_import_snapshot_resumes_an_interrupted_import(tmp_path):
    root = lay_out_snapshot(tmp_path, [PARTITION_LINES[:13], PARTITION_LINES[13:]])
    run = import_run_create(
        source=ImportRun.Source.SNAPSHOT, request={"path": str(root.resolve())}, enqueue=False
    )

    def crash(progress_run):
        raise Crash

    with pytest.raises(Crash):
        import_run_execute(run_id=run.pk, progress=crash)

    # Spelled another way, the path still names the same import.
    out, _ = run_command("import_snapshot", str(root / "data" / ".."))

    assert f"Resuming import #{run.pk}: 1 partition(s) done." in out
    assert "Done: 27 works created, 0 updated, 0 unchanged in 2 page(s)." in out
    assert stored_works() == PARTITION_WORKS
    assert ImportRun.objects.get().state == ImportRun.State.DONE


def test_import_snapshot_of_a_folder_without_a_manifest_says_so(tmp_path):
    with pytest.raises(CommandError, match="no works manifest under"):
        run_command("import_snapshot", str(tmp_path))

    assert ImportRun.objects.get().state == ImportRun.State.FAILED
