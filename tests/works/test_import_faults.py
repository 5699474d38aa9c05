"""Import runs against a local server replaying recorded OpenAlex and arXiv answers, one fault
per test (the importers issue, item 6).

Every run goes through services.import_run_execute with our real `requests` code. Each test
ends with no rows from the bad page, the cursor where the last committed page left it, the
retries within their bound (counted on the server's side) and the run's state and message
saying what happened. Clients get a fast retry policy and a sleep that only records.
"""

import datetime
import json
import time
from collections.abc import Callable

import pytest
from django.utils import timezone
from werkzeug import Request, Response

from tests.conftest import FIXTURES
from tests.works.test_arxiv import XXE, keeping_entries
from works.models import Authorship, ImportRun, Work
from works.services import import_run_create, import_run_execute
from works.sources.arxiv import ArxivClient
from works.sources.http import RetryPolicy
from works.sources.openalex import OpenAlexClient, short_id

pytestmark = pytest.mark.django_db

AUTHOR_ID = "A5023888391"
FAST = RetryPolicy(max_attempts=3, backoff_base=0.001)
ARXIV_PATH = "/api/query"


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / "openalex" / name).read_text(encoding="utf-8"))


AUTHOR = recorded("author_A5023888391.json")
# Cursor paging as recorded: two works and a next_cursor, then an empty page with none.
PAGE_1 = recorded("works_cursor_page1.json")
LAST_PAGE = recorded("works_cursor_page2_last.json")
CURSOR_2 = PAGE_1["meta"]["next_cursor"]
PAGE_1_WORKS = {short_id(work["id"]) for work in PAGE_1["results"]}
# Basic paging (page=1): fifty of the author's works and, unlike a cursor page, no next_cursor.
BASIC_PAGE = recorded("works_author_A5023888391_page1.json")
ERROR_400 = recorded("error_400_invalid_filter.json")
DEL_MAESTRO = (FIXTURES / "arxiv" / "legacy_2016_search_au_del_maestro.xml").read_bytes()


def cursor_page(results: list[dict], next_cursor: str | None, *, count: int = 2) -> dict:
    """A cursor page built from recorded works: PAGE_1's meta with this count and cursor."""
    meta = {**PAGE_1["meta"], "count": count, "next_cursor": next_cursor}
    return {"meta": meta, "results": results}


Answer = Callable[[Request], Response]


def answer(
    body: dict | str | bytes,
    *,
    status: int = 200,
    content_type: str = "application/json",
    headers: dict | None = None,
) -> Answer:
    data = json.dumps(body) if isinstance(body, dict) else body
    return lambda request: Response(
        data, status=status, content_type=content_type, headers=headers or {}
    )


def atom(body: bytes) -> Answer:
    return answer(body, content_type="application/atom+xml; charset=utf-8")


class Replay:
    """One path of the local server, answered by the value of one query parameter (OpenAlex's
    cursor, arXiv's start). Each value's answers are served in order and the last one repeats,
    so [error, error, page] is a flaky page and [error] one that never recovers."""

    def __init__(self, httpserver, *, path: str, key: str):
        self.httpserver = httpserver
        self.path = path
        self.key = key
        self.answers: dict[str, list[Answer]] = {}
        httpserver.expect_request(path).respond_with_handler(self._answer)

    def serve(self, answers: dict[str, list[Answer | dict]]) -> None:
        for value, items in answers.items():
            self.answers[value] = [
                answer(item) if isinstance(item, dict) else item for item in items
            ]

    def _answer(self, request: Request) -> Response:
        queue = self.answers.get(request.args.get(self.key, ""))
        if not queue:
            return Response(f"nothing recorded for {self.key}={request.args.get(self.key)}", 404)
        return (queue.pop(0) if len(queue) > 1 else queue[0])(request)

    def requests(self, value: str | None = None) -> int:
        return sum(
            1
            for request, _ in self.httpserver.log
            if request.path == self.path and value in (None, request.args.get(self.key))
        )


def author_requests(httpserver) -> int:
    return sum(1 for request, _ in httpserver.log if request.path.startswith("/authors/"))


def stored_works() -> set[str]:
    return {
        openalex_id or arxiv_id
        for openalex_id, arxiv_id in Work.objects.values_list("openalex_id", "arxiv_id")
    }


class Commits:
    """The progress callback: what the database held after each committed page."""

    def __init__(self):
        self.seen: list[tuple[str, set[str]]] = []

    def __call__(self, run: ImportRun) -> None:
        self.seen.append((run.cursor, stored_works()))


def assert_stopped_at_last_commit(run: ImportRun, commits: Commits) -> None:
    """Nothing from the bad page was written and the cursor did not move past the good ones."""
    cursor, works = commits.seen[-1]
    assert run.cursor == cursor
    assert stored_works() == works


def openalex_run(**request) -> ImportRun:
    return import_run_create(
        source=ImportRun.Source.OPENALEX, request=request or {"openalex": AUTHOR_ID}, enqueue=False
    )


def arxiv_run(name: str = "Adrian Del Maestro") -> ImportRun:
    return import_run_create(source=ImportRun.Source.ARXIV, request={"arxiv": name}, enqueue=False)


def execute(run: ImportRun, client, progress=None) -> ImportRun:
    import_run_execute(run_id=run.pk, client=client, progress=progress)
    run.refresh_from_db()
    return run


def make_due(run: ImportRun) -> None:
    """Let the clock pass the run's resume_at."""
    ImportRun.objects.filter(pk=run.pk).update(
        resume_at=timezone.now() - datetime.timedelta(seconds=1)
    )


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def openalex(httpserver) -> Replay:
    httpserver.expect_request(f"/authors/{AUTHOR_ID}").respond_with_json(AUTHOR)
    return Replay(httpserver, path="/works", key="cursor")


@pytest.fixture
def make_client(httpserver, sleeps):
    def make(policy: RetryPolicy = FAST) -> OpenAlexClient:
        return OpenAlexClient(base_url=httpserver.url_for("/"), policy=policy, sleep=sleeps.append)

    return make


@pytest.fixture
def arxiv(httpserver) -> Replay:
    return Replay(httpserver, path=ARXIV_PATH, key="start")


@pytest.fixture
def arxiv_client(httpserver, sleeps) -> ArxivClient:
    return ArxivClient(
        base_url=httpserver.url_for(ARXIV_PATH),
        min_interval=0,
        page_size=10,
        policy=FAST,
        sleep=sleeps.append,
    )


# --- The clean run every fault is measured against ---------------------------------------------


def test_clean_run_pages_by_cursor_and_counts_its_requests(openalex, make_client, httpserver):
    openalex.serve({"*": [PAGE_1], CURSOR_2: [LAST_PAGE]})
    commits = Commits()

    run = execute(openalex_run(), make_client(), commits)

    assert run.state == ImportRun.State.DONE
    assert run.message == "Done: 2 works created, 0 updated, 0 unchanged in 2 page(s)."
    assert commits.seen == [("*", set()), (CURSOR_2, PAGE_1_WORKS), ("", PAGE_1_WORKS)]
    assert (run.pages_done, run.attempts, run.errors) == (2, 0, [])
    assert run.requests_made == len(httpserver.log) == 3
    [first, _] = [request for request, _ in httpserver.log if request.path == "/works"]
    assert first.args["filter"] == f"authorships.author.id:{AUTHOR_ID}"
    assert first.args["cursor"] == "*"


# --- Faults the client rides out -------------------------------------------------------------


@pytest.mark.parametrize(
    ("retry_after", "slept"), [("7", 7.0), ("86400", 300.0)], ids=["honoured", "capped"]
)
def test_429_with_retry_after_waits_that_long_then_goes_on(
    openalex, make_client, sleeps, retry_after, slept
):
    limited = answer("Too Many Requests", status=429, headers={"Retry-After": retry_after})
    openalex.serve({"*": [PAGE_1], CURSOR_2: [limited, LAST_PAGE]})
    commits = Commits()

    run = execute(openalex_run(), make_client(), commits)

    assert sleeps == [slept]
    assert openalex.requests(CURSOR_2) == 2
    assert commits.seen[1:] == [(CURSOR_2, PAGE_1_WORKS), ("", PAGE_1_WORKS)]
    assert (run.state, run.attempts, run.errors) == (ImportRun.State.DONE, 0, [])
    assert run.requests_made == 4


def test_500_three_times_then_success(openalex, make_client, sleeps):
    busy = answer("Internal Server Error", status=500, content_type="text/plain")
    openalex.serve({"*": [PAGE_1], CURSOR_2: [busy, busy, busy, LAST_PAGE]})
    commits = Commits()

    run = execute(
        openalex_run(), make_client(RetryPolicy(max_attempts=4, backoff_base=0.001)), commits
    )

    assert openalex.requests(CURSOR_2) == 4
    # Exponential backoff with jitter: between half and all of 0.001·2^(n-1).
    assert len(sleeps) == 3
    for attempt, slept in enumerate(sleeps, start=1):
        assert 0.0005 * 2 ** (attempt - 1) <= slept <= 0.001 * 2 ** (attempt - 1)
    assert commits.seen[1:] == [(CURSOR_2, PAGE_1_WORKS), ("", PAGE_1_WORKS)]
    assert (run.state, run.attempts) == (ImportRun.State.DONE, 0)
    assert run.requests_made == 6


def test_the_same_work_on_two_pages_is_stored_once(openalex, make_client):
    repeated, new = PAGE_1["results"][0], BASIC_PAGE["results"][0]
    openalex.serve(
        {"*": [PAGE_1], CURSOR_2: [cursor_page([repeated, new], "C3")], "C3": [LAST_PAGE]}
    )

    run = execute(openalex_run(), make_client())

    assert run.state == ImportRun.State.DONE
    assert run.message == "Done: 3 works created, 0 updated, 1 unchanged in 3 page(s)."
    assert stored_works() == PAGE_1_WORKS | {short_id(new["id"])}
    assert Work.objects.count() == 3
    assert [openalex.requests(cursor) for cursor in ("*", CURSOR_2, "C3")] == [1, 1, 1]
    assert Authorship.objects.filter(work__openalex_id=short_id(repeated["id"])).count() == len(
        repeated["authorships"]
    )


# --- Faults that stop the run ------------------------------------------------------------------


def test_429_with_budget_spent_pauses_until_the_reset_without_retrying(
    openalex, make_client, sleeps
):
    reset = int(time.time()) + 3600
    spent = answer(
        {"error": "Rate limit exceeded"},
        status=429,
        headers={
            "X-RateLimit-Limit": "100000",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(reset),
        },
    )
    openalex.serve({"*": [PAGE_1], CURSOR_2: [spent, LAST_PAGE]})
    commits = Commits()

    run = execute(openalex_run(), make_client(), commits)

    resume_at = datetime.datetime.fromtimestamp(reset, datetime.UTC)
    assert run.state == ImportRun.State.PAUSED
    assert run.resume_at == resume_at
    assert run.message == (
        f"Paused: request budget spent (429); resuming at {resume_at:%Y-%m-%d %H:%M} UTC"
    )
    assert (openalex.requests(CURSOR_2), sleeps, run.attempts) == (1, [], 0)
    assert_stopped_at_last_commit(run, commits)

    # Not before the reset, and then straight on from page 2.
    assert import_run_execute(run_id=run.pk, client=make_client()) is None
    assert openalex.requests(CURSOR_2) == 1
    make_due(run)
    run = execute(run, make_client())
    assert run.state == ImportRun.State.DONE
    assert (openalex.requests("*"), openalex.requests(CURSOR_2)) == (1, 2)


def test_403_slows_down_and_gives_up_within_the_bound(openalex, make_client, sleeps):
    openalex.serve({"*": [PAGE_1], CURSOR_2: [answer("Forbidden", status=403)]})
    commits = Commits()

    run = execute(openalex_run(), make_client(), commits)

    assert openalex.requests(CURSOR_2) == FAST.max_attempts
    # Twice the usual backoff: all to twice 0.001·2^(n-1), where a 5xx waits half to all of it.
    assert len(sleeps) == FAST.max_attempts - 1
    for attempt, slept in enumerate(sleeps, start=1):
        assert 0.001 * 2 ** (attempt - 1) <= slept <= 0.002 * 2 ** (attempt - 1)
    assert (run.state, run.attempts) == (ImportRun.State.QUEUED, 1)
    assert run.message.startswith(
        "Attempt 1 failed: asked to slow down (403); gave up after 3 attempts. Retrying at "
    )
    assert run.resume_at > timezone.now()
    assert_stopped_at_last_commit(run, commits)
    # Requests of the failed page count too: the author, page 1 and every try at page 2.
    assert run.requests_made == openalex.requests() + 1 == 2 + FAST.max_attempts


def test_500_forever_backs_off_then_fails_after_the_attempt_limit(openalex, make_client, settings):
    openalex.serve({"*": [PAGE_1], CURSOR_2: [answer("Internal Server Error", status=500)]})
    commits = Commits()

    run = execute(openalex_run(), make_client(), commits)

    assert (run.state, run.attempts) == (ImportRun.State.QUEUED, 1)
    assert "server error 500" in run.message
    assert run.resume_at > timezone.now()
    assert_stopped_at_last_commit(run, commits)
    # The backoff holds: nobody takes the run before resume_at.
    assert import_run_execute(run_id=run.pk, client=make_client()) is None

    for attempt in range(2, settings.IMPORT_MAX_ATTEMPTS + 1):
        make_due(run)
        run = execute(run, make_client(), commits)
        assert run.attempts == attempt

    assert run.state == ImportRun.State.FAILED
    assert run.message == (
        f"Failed after {settings.IMPORT_MAX_ATTEMPTS} attempt(s): server error 500; "
        f"gave up after {FAST.max_attempts} attempts"
    )
    assert [error["cursor"] for error in run.errors] == [CURSOR_2] * settings.IMPORT_MAX_ATTEMPTS
    assert run.finished_at is not None
    assert_stopped_at_last_commit(run, commits)
    assert openalex.requests(CURSOR_2) == settings.IMPORT_MAX_ATTEMPTS * FAST.max_attempts
    assert openalex.requests("*") == 1
    # A failed run stays failed.
    make_due(run)
    assert import_run_execute(run_id=run.pk, client=make_client()) is None
    assert openalex.requests() == 1 + settings.IMPORT_MAX_ATTEMPTS * FAST.max_attempts


def test_400_is_not_retried_and_fails_with_openalexs_words(openalex, make_client, sleeps):
    openalex.serve({"*": [PAGE_1], CURSOR_2: [answer(ERROR_400, status=400)]})
    commits = Commits()

    run = execute(openalex_run(), make_client(), commits)

    assert (run.state, run.attempts) == (ImportRun.State.FAILED, 1)
    assert run.message.startswith(
        'Failed after 1 attempt(s): rejected with 400: {"error": "Invalid query parameters error."'
    )
    assert (openalex.requests(CURSOR_2), sleeps) == (1, [])
    assert_stopped_at_last_commit(run, commits)


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        pytest.param(
            json.dumps(cursor_page(BASIC_PAGE["results"][:3], "C3"))[:4000],
            "application/json",
            "OpenAlex answered 200 with a body that is not JSON (application/json)",
            id="truncated-json",
        ),
        pytest.param(
            "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
            "<body><h1>502 Bad Gateway</h1><hr><center>cloudflare</center></body></html>",
            "text/html; charset=UTF-8",
            "OpenAlex answered 200 with a body that is not JSON (text/html; charset=UTF-8)",
            id="html-with-200",
        ),
        pytest.param(
            json.dumps(BASIC_PAGE),
            "application/json",
            "OpenAlex page lacks meta.next_cursor, so paging cannot go on",
            id="missing-next-cursor",
        ),
    ],
)
def test_an_unusable_page_writes_nothing_and_is_retried_later(
    openalex, make_client, body, content_type, reason
):
    openalex.serve({"*": [PAGE_1], CURSOR_2: [answer(body, content_type=content_type), LAST_PAGE]})
    commits = Commits()

    run = execute(openalex_run(), make_client(), commits)

    assert (run.state, run.attempts) == (ImportRun.State.QUEUED, 1)
    assert run.message.startswith(f"Attempt 1 failed: {reason}. Retrying at ")
    assert run.errors[-1]["error"] == reason
    # A page that answered is not asked again inside the attempt; the run retries it later.
    assert openalex.requests(CURSOR_2) == 1
    assert_stopped_at_last_commit(run, commits)
    assert stored_works() == PAGE_1_WORKS

    make_due(run)
    run = execute(run, make_client())
    assert run.state == ImportRun.State.DONE
    assert (openalex.requests("*"), openalex.requests(CURSOR_2)) == (1, 2)


def test_read_timeout_retries_within_the_bound(openalex, make_client, sleeps):
    def too_slow(request):
        time.sleep(0.4)
        return Response(json.dumps(LAST_PAGE), content_type="application/json")

    openalex.serve({"*": [PAGE_1], CURSOR_2: [too_slow]})
    commits = Commits()
    client = make_client(RetryPolicy(max_attempts=3, backoff_base=0.001, timeout=(1, 0.2)))

    run = execute(openalex_run(), client, commits)

    # The one-thread server is still working through the requests the client gave up on.
    deadline = time.monotonic() + 5
    while openalex.requests(CURSOR_2) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert openalex.requests(CURSOR_2) == 3
    assert len(sleeps) == 2
    assert (run.state, run.attempts) == (ImportRun.State.QUEUED, 1)
    assert "timed out after 0.2 s; gave up after 3 attempts" in run.message
    # The late answers were complete pages, and still nothing of them was taken.
    assert_stopped_at_last_commit(run, commits)


def test_a_failed_second_page_keeps_the_first_and_the_retry_resumes_at_the_second(
    openalex, make_client, httpserver
):
    bad_gateway = answer("Bad Gateway", status=502, content_type="text/plain")
    second = cursor_page(BASIC_PAGE["results"][:2], "C3")
    openalex.serve(
        {"*": [PAGE_1], CURSOR_2: [bad_gateway] * FAST.max_attempts + [second], "C3": [LAST_PAGE]}
    )
    commits = Commits()

    run = execute(openalex_run(), make_client(), commits)

    assert (run.state, run.cursor, run.pages_done) == (ImportRun.State.QUEUED, CURSOR_2, 1)
    assert stored_works() == PAGE_1_WORKS
    assert "server error 502" in run.message

    make_due(run)
    run = execute(run, make_client(), commits)

    assert run.state == ImportRun.State.DONE
    assert run.message == "Done: 4 works created, 0 updated, 0 unchanged in 3 page(s)."
    assert stored_works() == PAGE_1_WORKS | {short_id(work["id"]) for work in second["results"]}
    assert (author_requests(httpserver), openalex.requests("*")) == (1, 1)
    assert openalex.requests(CURSOR_2) == FAST.max_attempts + 1


# --- arXiv ------------------------------------------------------------------------------------


def test_empty_arxiv_page_below_total_results_is_retried_then_requeued(arxiv, arxiv_client, sleeps):
    arxiv.serve({"0": [atom(DEL_MAESTRO)], "10": [atom(keeping_entries(DEL_MAESTRO, 0))]})
    commits = Commits()

    run = execute(arxiv_run(), arxiv_client, commits)

    assert (run.state, run.attempts) == (ImportRun.State.QUEUED, 1)
    assert (
        "arXiv returned 0 of 10 expected entries (start 10, totalResults 31); "
        "gave up after 3 attempts"
    ) in run.message
    assert (arxiv.requests("0"), arxiv.requests("10")) == (1, FAST.max_attempts)
    assert len(sleeps) == FAST.max_attempts - 1
    assert run.cursor == "10"
    assert len(stored_works()) == 10
    assert_stopped_at_last_commit(run, commits)


def test_xxe_in_an_arxiv_page_fails_the_page_without_reading_the_file(arxiv, arxiv_client):
    arxiv.serve({"0": [atom(DEL_MAESTRO)], "10": [atom(XXE)]})
    commits = Commits()

    run = execute(arxiv_run(), arxiv_client, commits)

    assert (run.state, run.attempts) == (ImportRun.State.QUEUED, 1)
    assert "arXiv answer refused: it declares a DTD or entities" in run.message
    assert arxiv.requests("10") == 1
    assert_stopped_at_last_commit(run, commits)
    assert len(stored_works()) == 10
    stored_text = json.dumps(
        [run.message, run.errors, list(Work.objects.values_list("title", "abstract"))]
    )
    assert "root:" not in stored_text
    assert not Authorship.objects.filter(raw_author_name__contains="root:").exists()
