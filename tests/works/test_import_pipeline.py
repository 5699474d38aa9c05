"""The import pipeline step: an import run's pages go through ingest, and once per slice
works.signals.records_changed announces whom they touched; profiles.receivers refreshes the
collaborations, then counts and trust. OpenAlex is a local server replaying recorded pages."""

import contextlib

import pytest
from django.db.models import Count

from graph.models import Collaboration
from tests.works.test_import_faults import (
    AUTHOR,
    AUTHOR_ID,
    CURSOR_2,
    FAST,
    LAST_PAGE,
    PAGE_1,
    Replay,
    execute,
    openalex_run,
)
from tests.works.test_import_services import Crash, a_minute_ago
from works.models import Authorship, ImportRun, Researcher
from works.services import import_run_execute
from works.signals import records_changed
from works.sources.openalex import OpenAlexClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def openalex(httpserver) -> Replay:
    """An author and two cursor pages, as recorded."""
    httpserver.expect_request(f"/authors/{AUTHOR_ID}").respond_with_json(AUTHOR)
    replay = Replay(httpserver, path="/works", key="cursor")
    replay.serve({"*": [PAGE_1], CURSOR_2: [LAST_PAGE]})
    return replay


@pytest.fixture
def client(httpserver) -> OpenAlexClient:
    return OpenAlexClient(base_url=httpserver.url_for("/"), policy=FAST, sleep=lambda _: None)


@contextlib.contextmanager
def receiving(receiver):
    records_changed.connect(receiver)
    try:
        yield
    finally:
        records_changed.disconnect(receiver)


def touched(run: ImportRun) -> set[int]:
    """The researchers an import wrote: the authors of its works and the author it is for."""
    return {run.researcher_id, *Authorship.objects.values_list("researcher_id", flat=True)}


def counts_agree() -> bool:
    """Each researcher's cached works_count is the number of works on their bylines."""
    counted = dict(
        Authorship.objects.values_list("researcher_id").annotate(n=Count("work_id")).order_by()
    )
    cached = dict(Researcher.objects.values_list("pk", "works_count"))
    return all(counted.get(pk, 0) == works for pk, works in cached.items())


def test_a_slice_announces_everyone_its_pages_touched_once(openalex, client):
    heard = []

    def listen(sender, *, researcher_ids, graph_researcher_ids, **kwargs):
        heard.append((set(researcher_ids), set(graph_researcher_ids)))

    with receiving(listen):
        run = execute(openalex_run(), client)

    assert (run.state, run.pages_done) == (ImportRun.State.DONE, 2)
    [(researcher_ids, graph_researcher_ids)] = heard
    assert researcher_ids == touched(run)
    # Pairs change only where works did, none of them over GRAPH_MAX_AUTHORS_FOR_EDGES.
    assert graph_researcher_ids == set(Authorship.objects.values_list("researcher_id", flat=True))
    assert (run.pending_researcher_ids, run.pending_graph_researcher_ids) == ([], [])
    # The pipeline's next step ran: collaborations, then counts.
    assert Collaboration.objects.exists()
    assert counts_agree()


def test_a_worker_that_dies_in_the_refresh_leaves_its_researchers_pending(openalex, client):
    run = openalex_run()

    def die(sender, **kwargs):
        raise Crash

    with receiving(die), pytest.raises(Crash):
        import_run_execute(run_id=run.pk, client=client)

    run.refresh_from_db()
    # Every page committed with its researchers; the refresh rolled back whole.
    assert (run.state, run.cursor) == (ImportRun.State.RUNNING, "")
    assert set(run.pending_researcher_ids) == touched(run)
    assert not Collaboration.objects.exists()
    assert not Researcher.objects.filter(works_count__gt=0).exists()

    # Once the lease runs out another worker takes the run on and only refreshes.
    ImportRun.objects.filter(pk=run.pk).update(lease_expires_at=a_minute_ago())
    run = execute(run, client)

    assert run.state == ImportRun.State.DONE
    assert openalex.requests(CURSOR_2) == 1
    assert (run.pending_researcher_ids, run.pending_graph_researcher_ids) == ([], [])
    assert Collaboration.objects.exists()
    assert counts_agree()
