"""Import runs as Postgres holds them (the importers issue, items 4 and 5): leases, the sweeper,
merged ids, ORCID look-ups, re-imports, the stale-researcher refresh and snapshot imports.

OpenAlex and arXiv are a local server replaying recorded answers (see test_import_faults).
"""

import datetime
import gzip
import json
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from bzpeer.celery import app as celery_app
from graph.models import Collaboration
from tests.conftest import FIXTURES
from tests.factories import ResearcherFactory
from tests.works.test_import_faults import (
    AUTHOR,
    AUTHOR_ID,
    BASIC_PAGE,
    CURSOR_2,
    FAST,
    LAST_PAGE,
    PAGE_1,
    PAGE_1_WORKS,
    Replay,
    answer,
    atom,
    cursor_page,
    execute,
    make_due,
    openalex_run,
    stored_works,
)
from works.models import Authorship, ImportRun, Institution, Researcher, Topic, Work
from works.services import (
    import_run_create,
    import_run_execute,
    import_run_for_researcher,
    import_runs_sweep,
    researchers_refresh_stale,
)
from works.sources.arxiv import ArxivClient
from works.sources.openalex import OpenAlexClient, short_id

pytestmark = pytest.mark.django_db

ORCID = "0000-0001-6187-6610"
SNAPSHOT = FIXTURES / "openalex" / "snapshot"
PARTITION_LINES = (
    (SNAPSHOT / "works_updated_date=2023-05-16_part_000.jsonl")
    .read_text(encoding="utf-8")
    .splitlines(keepends=True)
)
PARTITION_WORKS = {short_id(json.loads(line)["id"]) for line in PARTITION_LINES}


def lay_out_snapshot(root: Path, partitions: list[list[str]]) -> Path:
    """A snapshot folder as OpenAlex publishes it: data/works/manifest and gzip JSON Lines."""
    works = root / "data" / "works"
    entries = []
    for index, lines in enumerate(partitions):
        relative = f"updated_date=2023-05-16/part_{index:03d}.gz"
        (works / relative).parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(works / relative, "wt", encoding="utf-8") as packed:
            packed.writelines(lines)
        entries.append(
            {
                "url": f"s3://openalex/data/works/{relative}",
                "meta": {"content_length": 0, "record_count": len(lines)},
            }
        )
    total = sum(len(lines) for lines in partitions)
    (works / "manifest").write_text(
        json.dumps({"entries": entries, "meta": {"content_length": 0, "record_count": total}})
    )
    return root


def snapshot_run(root: Path) -> ImportRun:
    return import_run_create(
        source=ImportRun.Source.SNAPSHOT, request={"path": str(root.resolve())}, enqueue=False
    )


class Crash(Exception):
    """The worker process dies here."""


def domain_rows() -> dict:
    """Everything an import writes, with the time each work and researcher last changed."""
    return {
        "works": set(Work.objects.values_list("pk", "updated_at")),
        "researchers": set(Researcher.objects.values_list("pk", "updated_at")),
        "authorships": Authorship.objects.count(),
        "institutions": Institution.objects.count(),
        "topics": Topic.objects.count(),
        "collaborations": set(Collaboration.objects.values_list("pk", "shared_works")),
    }


@pytest.fixture
def openalex(httpserver) -> Replay:
    httpserver.expect_request(f"/authors/{AUTHOR_ID}").respond_with_json(AUTHOR)
    return Replay(httpserver, path="/works", key="cursor")


@pytest.fixture
def make_client(httpserver):
    def make() -> OpenAlexClient:
        return OpenAlexClient(base_url=httpserver.url_for("/"), policy=FAST, sleep=lambda _: None)

    return make


def in_a_minute() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=1)


def a_minute_ago() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=1)


# --- Creating and claiming runs ---------------------------------------------------------------


def test_creating_a_run_queues_its_task_once_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        run = import_run_create(source=ImportRun.Source.OPENALEX, request={"openalex": AUTHOR_ID})

    assert len(callbacks) == 1
    assert run.state == ImportRun.State.QUEUED
    assert run.lease_expires_at > timezone.now()


def test_without_a_broker_a_run_is_worked_on_once_the_transaction_commits(
    tmp_path, django_capture_on_commit_callbacks
):
    # Development without Redis runs tasks eagerly; works.imports enqueues the task by its name.
    root = lay_out_snapshot(tmp_path, [PARTITION_LINES])
    eager, celery_app.conf.task_always_eager = celery_app.conf.task_always_eager, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = import_run_create(
                source=ImportRun.Source.SNAPSHOT, request={"path": str(root.resolve())}
            )
    finally:
        celery_app.conf.task_always_eager = eager

    run.refresh_from_db()
    assert run.state == ImportRun.State.DONE
    assert stored_works() == PARTITION_WORKS


def test_a_running_run_with_a_live_lease_is_left_to_its_worker(make_client, httpserver):
    run = openalex_run()
    token = uuid.uuid4()
    ImportRun.objects.filter(pk=run.pk).update(
        state=ImportRun.State.RUNNING, lease_token=token, lease_expires_at=in_a_minute()
    )

    assert import_run_execute(run_id=run.pk, client=make_client()) is None

    run.refresh_from_db()
    assert (run.state, run.lease_token) == (ImportRun.State.RUNNING, token)
    assert httpserver.log == []


def test_a_run_taken_over_mid_import_writes_nothing_more(openalex, make_client):
    openalex.serve(
        {"*": [PAGE_1], CURSOR_2: [cursor_page(BASIC_PAGE["results"][:2], "C3")], "C3": [LAST_PAGE]}
    )
    run = openalex_run()
    other_worker = uuid.uuid4()

    def lose_the_lease_after_page_1(progress_run):
        if progress_run.pages_done == 1:
            ImportRun.objects.filter(pk=run.pk).update(lease_token=other_worker)

    assert (
        import_run_execute(
            run_id=run.pk, client=make_client(), progress=lose_the_lease_after_page_1
        )
        is None
    )

    run.refresh_from_db()
    # Page 2 was fetched, but its checkpoint found the lease gone and wrote nothing.
    assert openalex.requests(CURSOR_2) == 1
    assert stored_works() == PAGE_1_WORKS
    assert (run.state, run.cursor, run.pages_done) == (ImportRun.State.RUNNING, CURSOR_2, 1)
    assert run.lease_token == other_worker


def test_a_run_whose_worker_died_is_swept_and_taken_over(openalex, make_client):
    openalex.serve({"*": [PAGE_1], CURSOR_2: [LAST_PAGE]})
    dead = openalex_run()
    ImportRun.objects.filter(pk=dead.pk).update(
        state=ImportRun.State.RUNNING, lease_token=uuid.uuid4(), lease_expires_at=a_minute_ago()
    )
    alive = openalex_run()
    ImportRun.objects.filter(pk=alive.pk).update(
        state=ImportRun.State.RUNNING, lease_token=uuid.uuid4(), lease_expires_at=in_a_minute()
    )
    never_picked_up = openalex_run()
    ImportRun.objects.filter(pk=never_picked_up.pk).update(lease_expires_at=a_minute_ago())
    backing_off = openalex_run()
    ImportRun.objects.filter(pk=backing_off.pk).update(
        lease_expires_at=a_minute_ago(), resume_at=in_a_minute()
    )
    paused_due = openalex_run()
    ImportRun.objects.filter(pk=paused_due.pk).update(
        state=ImportRun.State.PAUSED, resume_at=a_minute_ago()
    )
    paused_waiting = openalex_run()
    ImportRun.objects.filter(pk=paused_waiting.pk).update(
        state=ImportRun.State.PAUSED, resume_at=in_a_minute()
    )
    just_queued = openalex_run()

    # The sweep sends its tasks to the test Redis broker; no worker there runs them.
    swept = import_runs_sweep()

    assert sorted(swept) == sorted([dead.pk, never_picked_up.pk, paused_due.pk])
    # A queued run gets a fresh deadline, so the next sweep does not queue it a second time.
    never_picked_up.refresh_from_db()
    assert never_picked_up.lease_expires_at > timezone.now()
    assert never_picked_up.pk not in import_runs_sweep()
    assert just_queued.pk not in swept

    run = execute(dead, make_client())
    assert run.state == ImportRun.State.DONE
    assert stored_works() == PAGE_1_WORKS


# --- What an OpenAlex run writes --------------------------------------------------------------


def test_a_merged_author_id_moves_the_researcher_to_the_new_id(httpserver, openalex, make_client):
    merged = "A1111111111"
    existing = ResearcherFactory(openalex_id=merged, display_name="Jason Priem")
    httpserver.expect_request(f"/authors/{merged}").respond_with_json(AUTHOR)
    openalex.serve({"*": [PAGE_1], CURSOR_2: [LAST_PAGE]})

    run = execute(openalex_run(openalex=merged), make_client())

    assert run.state == ImportRun.State.DONE
    existing.refresh_from_db()
    assert (existing.openalex_id, existing.orcid) == (AUTHOR_ID, ORCID)
    assert run.researcher_id == existing.pk
    assert Researcher.objects.filter(display_name="Jason Priem").count() == 1
    assert not Researcher.objects.filter(openalex_id=merged).exists()
    assert (run.request["author_id"], run.counts["merged_from"]) == (AUTHOR_ID, merged)
    [works_request, *_] = [request for request, _ in httpserver.log if request.path == "/works"]
    assert works_request.args["filter"] == f"authorships.author.id:{AUTHOR_ID}"


@pytest.mark.parametrize("asked", [ORCID, f"https://orcid.org/{ORCID}"])
def test_an_orcid_is_looked_up_under_authors_orcid(httpserver, openalex, make_client, asked):
    httpserver.expect_request(f"/authors/orcid:{ORCID}").respond_with_json(AUTHOR)
    openalex.serve({"*": [PAGE_1], CURSOR_2: [LAST_PAGE]})

    run = execute(openalex_run(orcid=asked), make_client())

    assert run.state == ImportRun.State.DONE
    assert (run.researcher.openalex_id, run.researcher.orcid) == (AUTHOR_ID, ORCID)
    assert run.researcher.display_name == "Jason Priem"


def test_importing_the_same_author_again_changes_nothing(openalex, make_client):
    openalex.serve(
        {"*": [PAGE_1], CURSOR_2: [cursor_page(BASIC_PAGE["results"][:5], "C3")], "C3": [LAST_PAGE]}
    )
    first = execute(openalex_run(), make_client())
    before = domain_rows()

    second = execute(openalex_run(), make_client())

    assert first.counts["works_created"] == 7
    assert domain_rows() == before
    assert second.state == ImportRun.State.DONE
    assert second.message == "Done: 0 works created, 0 updated, 7 unchanged in 3 page(s)."
    assert second.counts["authorships_written"] == 0


def test_a_run_records_its_requests_and_the_cost_openalex_reports(openalex, make_client):
    # Built from the recorded pages with the meta.cost_usd OpenAlex has reported since 2026.
    first = {**PAGE_1, "meta": {**PAGE_1["meta"], "cost_usd": 0.0001}}
    last = {**LAST_PAGE, "meta": {**LAST_PAGE["meta"], "cost_usd": 0.0001}}
    openalex.serve({"*": [first], CURSOR_2: [last]})

    run = execute(openalex_run(), make_client())

    assert (run.requests_made, run.cost_usd) == (3, Decimal("0.0002"))


def test_openalex_synced_at_is_set_when_the_run_finishes_not_before(openalex, make_client):
    failing = answer("Internal Server Error", status=500)
    openalex.serve({"*": [PAGE_1], CURSOR_2: [failing] * FAST.max_attempts + [LAST_PAGE]})

    run = execute(openalex_run(), make_client())

    assert run.state == ImportRun.State.QUEUED
    assert run.researcher.openalex_synced_at is None
    make_due(run)
    started = timezone.now()
    run = execute(run, make_client())
    assert run.state == ImportRun.State.DONE
    assert run.researcher.openalex_synced_at >= started
    assert run.researcher.arxiv_synced_at is None


def test_arxiv_synced_at_is_set_when_the_run_finishes(httpserver):
    feed = (FIXTURES / "arxiv" / "id_list_1605.08386.xml").read_bytes()
    httpserver.expect_request("/api/query").respond_with_handler(atom(feed))
    client = ArxivClient(base_url=httpserver.url_for("/api/query"), min_interval=0, policy=FAST)
    started = timezone.now()

    run = execute(
        import_run_create(
            source=ImportRun.Source.ARXIV, request={"arxiv": "Caprice Stanley"}, enqueue=False
        ),
        client,
    )

    assert run.state == ImportRun.State.DONE
    assert run.researcher.display_name == "Caprice Stanley"
    assert run.researcher.arxiv_synced_at >= started
    assert run.researcher.openalex_synced_at is None
    assert Authorship.objects.filter(
        researcher=run.researcher, work__arxiv_id="1605.08386"
    ).exists()


# --- Refreshing researchers -------------------------------------------------------------------


def test_refresh_queues_only_stale_researchers_and_only_once(
    settings, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - datetime.timedelta(days=settings.IMPORT_REFRESH_AFTER_DAYS + 1)
    stale = ResearcherFactory(openalex_id="A1000000001", openalex_synced_at=long_ago)
    stale_by_orcid = ResearcherFactory(orcid="0000-0002-1825-0097", openalex_synced_at=long_ago)
    ResearcherFactory(openalex_id="A1000000002", openalex_synced_at=timezone.now())
    ResearcherFactory(openalex_synced_at=long_ago)  # known only from arXiv: nothing to ask
    busy = ResearcherFactory(openalex_id="A1000000003", openalex_synced_at=long_ago)
    import_run_create(
        source=ImportRun.Source.OPENALEX,
        request={"openalex": "A1000000003"},
        researcher=busy,
        enqueue=False,
    )

    with django_capture_on_commit_callbacks() as callbacks:
        assert researchers_refresh_stale() == 2
    with django_capture_on_commit_callbacks() as again:
        assert researchers_refresh_stale() == 0

    assert (len(callbacks), again) == (2, [])
    runs = ImportRun.objects.filter(source=ImportRun.Source.OPENALEX)
    assert sorted((run.researcher_id, json.dumps(run.request)) for run in runs) == sorted(
        [
            (stale.pk, json.dumps({"openalex": "A1000000001"})),
            (stale_by_orcid.pk, json.dumps({"orcid": "0000-0002-1825-0097"})),
            (busy.pk, json.dumps({"openalex": "A1000000003"})),
        ]
    )


@pytest.mark.parametrize(
    ("state", "queues_another"),
    [
        (ImportRun.State.QUEUED, False),
        (ImportRun.State.RUNNING, False),
        (ImportRun.State.PAUSED, False),
        (ImportRun.State.DONE, True),
        (ImportRun.State.FAILED, True),
    ],
)
def test_a_researcher_never_has_two_active_runs_from_one_source(state, queues_another):
    researcher = ResearcherFactory(openalex_id="A1000000001")
    earlier = import_run_create(
        source=ImportRun.Source.OPENALEX,
        request={"openalex": "A1000000001"},
        researcher=researcher,
        enqueue=False,
    )
    ImportRun.objects.filter(pk=earlier.pk).update(state=state)

    run = import_run_for_researcher(researcher=researcher, source=ImportRun.Source.OPENALEX)

    assert (run is not None) == queues_another
    assert (
        import_run_for_researcher(researcher=researcher, source=ImportRun.Source.OPENALEX) is None
    )
    # Another source is another queue.
    assert import_run_for_researcher(researcher=researcher, source=ImportRun.Source.ARXIV)


# --- Snapshots --------------------------------------------------------------------------------


def test_a_snapshot_imported_twice_adds_each_record_once(tmp_path):
    root = lay_out_snapshot(tmp_path, [PARTITION_LINES])

    first = execute(snapshot_run(root), None)
    second = execute(snapshot_run(root), None)

    assert first.state == second.state == ImportRun.State.DONE
    assert stored_works() == PARTITION_WORKS
    assert first.counts["works_created"] == len(PARTITION_LINES) == 27
    assert second.message == "Done: 0 works created, 0 updated, 27 unchanged in 1 page(s)."


def test_an_interrupted_snapshot_import_resumes_with_the_partitions_not_done(tmp_path):
    root = lay_out_snapshot(tmp_path, [PARTITION_LINES[:13], PARTITION_LINES[13:]])
    run = snapshot_run(root)

    def crash_after_the_first_batch(progress_run):
        raise Crash

    with pytest.raises(Crash):
        import_run_execute(run_id=run.pk, progress=crash_after_the_first_batch)

    run.refresh_from_db()
    assert (run.state, run.cursor, run.pages_done) == (ImportRun.State.RUNNING, "1/2", 1)
    assert len(stored_works()) == 13
    # The worker is gone; once its lease runs out another one takes the run on.
    assert import_run_execute(run_id=run.pk) is None
    ImportRun.objects.filter(pk=run.pk).update(lease_expires_at=a_minute_ago())
    run = execute(run, None)

    assert run.state == ImportRun.State.DONE
    assert stored_works() == PARTITION_WORKS
    assert (run.counts["works_created"], run.counts["works_unchanged"]) == (27, 0)
    assert (run.cursor, run.pages_done) == ("2/2", 2)


def test_a_snapshot_slice_that_runs_out_hands_on_after_its_partition(tmp_path):
    root = lay_out_snapshot(tmp_path, [PARTITION_LINES[:13], PARTITION_LINES[13:]])
    run = snapshot_run(root)

    import_run_execute(run_id=run.pk, slice_seconds=0)

    run.refresh_from_db()
    assert (run.state, run.cursor, run.message) == (
        ImportRun.State.QUEUED,
        "1/2",
        "In progress: 1 page(s) so far.",
    )
    run = execute(run, None)
    assert run.state == ImportRun.State.DONE
    assert stored_works() == PARTITION_WORKS


def test_a_manifest_listing_a_missing_partition_fails_after_the_present_one(tmp_path):
    # The real 2023 manifest lists 465 partitions; only the first is on disk.
    works = tmp_path / "data" / "works"
    lay_out_snapshot(tmp_path, [PARTITION_LINES])
    (works / "manifest").write_bytes((SNAPSHOT / "works_manifest.json").read_bytes())

    run = execute(snapshot_run(tmp_path), None)

    assert (run.state, run.attempts, run.cursor) == (ImportRun.State.FAILED, 1, "1/465")
    assert "updated_date=2023-07-17/part_000.gz listed in the manifest is missing" in run.message
    assert stored_works() == PARTITION_WORKS
