"""Writes to works and imports."""

import contextlib
import random
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from graph.services import collaborations_refresh
from profiles.services import researcher_stats_refresh
from works import ingest
from works.models import ImportRun, Researcher
from works.sources import arxiv, demo, openalex, snapshot
from works.sources.http import BudgetExhausted, SourceError
from works.sources.records import AuthorRecord
from works.text import fold, loads_clean

DEMO_DIRECTORY = Path(__file__).resolve().parent / "demo"


def demo_data_load(*, directory: Path = DEMO_DIRECTORY) -> ImportRun:
    """Load the seed researcher and the recorded OpenAlex responses, with no network.

    Safe to run again: a second run writes no domain rows and records an ImportRun whose
    counts say so.
    """

    def read(name: str) -> dict:
        return loads_clean((directory / name).read_text(encoding="utf-8"))

    run = ImportRun.objects.create(
        source=ImportRun.Source.DEMO,
        request={"directory": directory.name},
        state=ImportRun.State.RUNNING,
        started_at=timezone.now(),
    )
    result = ingest.IngestResult()
    with transaction.atomic():
        seed = read("seed-researcher.json")
        result.add(ingest.ingest_works(demo.seed_works(seed)))

        institution = openalex.parse_institution(read("openalex/institution_I27837315.json"))
        ingest.upsert_institutions([institution])
        ingest.upsert_topics([openalex.parse_topic(read("openalex/topic_T10888.json"))])
        author = openalex.parse_author(read("openalex/author_A5023888391.json"))
        page = read("openalex/works_author_A5023888391_page1.json")
        records = [openalex.parse_work(item) for item in page["results"]]
        records.append(openalex.parse_work(read("openalex/work_W2741809807.json")))
        result.add(ingest.ingest_works(records, authors=[author]))

    run.state = ImportRun.State.DONE
    run.counts = result.counts()
    run.pages_done = 2
    run.finished_at = timezone.now()
    run.message = (
        f"{result.works_created} works created, {result.works_updated} updated, "
        f"{result.works_unchanged} unchanged."
    )
    run.save(update_fields=["state", "counts", "pages_done", "finished_at", "message"])
    return run


# --- Import runs ------------------------------------------------------------------------------
#
# Postgres holds the truth about every import: its state, the cursor after the last committed
# page, counts, errors. Each page's rows and the cursor that follows it commit together, so a
# crash at any point resumes at the next page. Celery only carries run ids.


class LeaseLost(Exception):
    """Another worker took the run over (our lease expired); stop without writing."""


def _backoff_seconds(attempts: int) -> float:
    return min(3600.0, 30.0 * 2 ** (attempts - 1)) * (0.5 + random.random() / 2)


def _enqueue(run_id: int, *, eta=None) -> None:
    from works.tasks import import_run_task  # tasks import this module

    import_run_task.apply_async((run_id,), eta=eta)


def import_run_create(
    *, source: str, request: dict, researcher: Researcher | None = None, enqueue: bool = True
) -> ImportRun:
    """Record an import and queue it once the transaction commits."""
    run = ImportRun.objects.create(
        source=source,
        request=request,
        researcher=researcher,
        lease_expires_at=timezone.now() + timedelta(seconds=settings.IMPORT_LEASE_SECONDS),
    )
    if enqueue:
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def import_request_for(*, researcher: Researcher, source: str) -> dict | None:
    """What to ask a source for this researcher, or None when the source cannot find them."""
    if source == ImportRun.Source.OPENALEX:
        if researcher.openalex_id:
            return {"openalex": researcher.openalex_id}
        return {"orcid": researcher.orcid} if researcher.orcid else None
    if source == ImportRun.Source.ARXIV:
        return {"arxiv": (researcher.arxiv_name_forms or [researcher.display_name])[0]}
    return None


def import_run_for_researcher(*, researcher: Researcher, source: str) -> ImportRun | None:
    """Queue a refresh of one researcher from one source, unless one is already active or the
    source cannot find them (import_request_for)."""
    request = import_request_for(researcher=researcher, source=source)
    if request is None:
        return None
    active = ImportRun.objects.active().filter(researcher=researcher, source=source)
    if active.exists():
        return None
    return import_run_create(source=source, request=request, researcher=researcher)


def _claim(run_id: int) -> ImportRun | None:
    """Take the run for this worker, or None when it is finished, owned or not due yet."""
    now = timezone.now()
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state in (ImportRun.State.DONE, ImportRun.State.FAILED):
            return None
        if run.state == ImportRun.State.RUNNING and (run.lease_expires_at or now) > now:
            return None
        if run.resume_at and run.resume_at > now:
            return None
        run.state = ImportRun.State.RUNNING
        run.lease_token = uuid.uuid4()
        run.lease_expires_at = now + timedelta(seconds=settings.IMPORT_LEASE_SECONDS)
        run.resume_at = None
        run.started_at = run.started_at or now
        run.save()
        return run


class _Checkpoint:
    """Commits one page: the caller's writes and the run's new cursor and counts, together,
    but only while this worker still holds the run's lease."""

    def __init__(self, run: ImportRun, client=None):
        self.run = run
        self.client = client
        self._requests_seen = 0
        self._cost_seen = Decimal(0)

    def uncommitted(self) -> dict:
        """Requests and cost since the last committed page (a failed page's), as updates."""
        if self.client is None:
            return {}
        cost = getattr(self.client, "cost_usd", Decimal(0)) - self._cost_seen
        return {
            "requests_made": F("requests_made") + (self.client.requests_made - self._requests_seen),
            "cost_usd": F("cost_usd") + cost,
        }

    def __enter__(self) -> ImportRun:
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        if connection.vendor == "postgresql":
            # A page commits without waiting for its WAL flush. A database crash can lose the
            # last pages, but each page commits with its cursor, so the run resumes before them
            # and re-imports them; import is idempotent.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        locked = ImportRun.objects.select_for_update().get(pk=self.run.pk)
        if locked.lease_token != self.run.lease_token:
            self._atomic.__exit__(LeaseLost, LeaseLost(), None)
            raise LeaseLost(f"import #{self.run.pk} was taken over by another worker")
        return self.run

    def __exit__(self, kind, error, trace):
        if kind is None:
            run = self.run
            if self.client is not None:
                run.requests_made += self.client.requests_made - self._requests_seen
                self._requests_seen = self.client.requests_made
                cost = getattr(self.client, "cost_usd", Decimal(0))
                run.cost_usd += cost - self._cost_seen
                self._cost_seen = cost
            run.lease_expires_at = timezone.now() + timedelta(seconds=settings.IMPORT_LEASE_SECONDS)
            run.save()
        return self._atomic.__exit__(kind, error, trace)


def _add_counts(run: ImportRun, result: ingest.IngestResult) -> None:
    counts = dict(run.counts)
    for name, value in result.counts().items():
        counts[name] = counts.get(name, 0) + value
    run.counts = counts
    if result.researcher_ids:
        run.pending_researcher_ids = sorted(set(run.pending_researcher_ids) | result.researcher_ids)
    if result.graph_researcher_ids:
        run.pending_graph_researcher_ids = sorted(
            set(run.pending_graph_researcher_ids) | result.graph_researcher_ids
        )


def _refresh_touched(run: ImportRun, checkpoint: "_Checkpoint") -> None:
    """Bring the graph and counts of everyone the committed pages touched up to date."""
    if not run.pending_researcher_ids and not run.pending_graph_researcher_ids:
        return
    with checkpoint:
        collaborations_refresh(researcher_ids=run.pending_graph_researcher_ids)
        researcher_stats_refresh(researcher_ids=run.pending_researcher_ids)
        run.pending_researcher_ids, run.pending_graph_researcher_ids = [], []


def openalex_client() -> openalex.OpenAlexClient:
    return openalex.OpenAlexClient(
        base_url=settings.OPENALEX_BASE_URL,
        api_key=settings.OPENALEX_API_KEY,
        mailto=settings.OPENALEX_MAILTO,
        per_page=settings.OPENALEX_PER_PAGE,
    )


def arxiv_client() -> arxiv.ArxivClient:
    return arxiv.ArxivClient(
        base_url=settings.ARXIV_BASE_URL, min_interval=settings.ARXIV_MIN_INTERVAL
    )


def _import_openalex(run: ImportRun, checkpoint: "_Checkpoint", *, deadline: float, progress):
    client = checkpoint.client
    if "author_id" not in run.request:
        asked = run.request.get("openalex") or run.request.get("orcid")
        author = client.author(asked)
        with checkpoint:
            requested = openalex.short_id(run.request.get("openalex"))
            if requested and requested != author.openalex_id:
                # OpenAlex merged the asked id into another; keep our record, take the new id.
                if not Researcher.objects.filter(openalex_id=author.openalex_id).exists():
                    Researcher.objects.filter(openalex_id=requested).update(
                        openalex_id=author.openalex_id
                    )
                run.counts = {**run.counts, "merged_from": requested}
            result = ingest.ingest_works([], authors=[author], refresh=False)
            _add_counts(run, result)
            run.researcher = Researcher.objects.get(openalex_id=author.openalex_id)
            run.request = {**run.request, "author_id": author.openalex_id}
            run.cursor = "*"
        progress(run)
    while True:
        if not run.cursor:
            return True  # the last page is in; only the refresh and settling were left
        if time.monotonic() > deadline:
            return False
        page = client.works_page(author_id=run.request["author_id"], cursor=run.cursor)
        with checkpoint:
            result = ingest.ingest_works(page.records, refresh=False)
            _add_counts(run, result)
            run.pages_done += 1
            run.cursor = page.next_cursor or ""
            if page.total is not None:
                run.counts = {**run.counts, "total": page.total}
            if page.next_cursor is None:
                Researcher.objects.filter(pk=run.researcher_id).update(
                    openalex_synced_at=timezone.now()
                )
        progress(run)
        if page.next_cursor is None:
            return True


def _import_arxiv(run: ImportRun, checkpoint: "_Checkpoint", *, deadline: float, progress):
    client = checkpoint.client
    name = run.request["arxiv"].strip()
    if run.researcher_id is None:
        with checkpoint:
            run.researcher = _arxiv_target(name)
    forms = list(dict.fromkeys([name, *run.researcher.arxiv_name_forms]))
    pinned = {fold(form): run.researcher_id for form in forms}
    start = int(run.cursor or 0)
    while True:
        if time.monotonic() > deadline:
            return False
        feed = client.search_author(forms, start=start)
        with checkpoint:
            result = ingest.ingest_works(feed.records, pinned=pinned, refresh=False)
            _add_counts(run, result)
            run.pages_done += 1
            start += len(feed.records)
            run.cursor = str(start)
            run.counts = {**run.counts, "total": feed.total_results}
            finished = start >= feed.total_results or not feed.records
            if finished:
                Researcher.objects.filter(pk=run.researcher_id).update(
                    arxiv_synced_at=timezone.now()
                )
        progress(run)
        if finished:
            return True


def _arxiv_target(name: str) -> Researcher:
    """The researcher an arXiv author search is for: the one record with that name or arXiv
    name form, else a new record."""
    key = fold(name)
    matches = list(Researcher.objects.filter(name_key=key)[:2])
    if len(matches) == 1:
        return matches[0]
    result = ingest.IngestResult()
    identities = ingest.upsert_researchers(
        [AuthorRecord(display_name=name, arxiv_name_forms=(name,))], result=result
    )
    return Researcher.objects.get(pk=identities[("name", key)])


def _import_snapshot(run: ImportRun, checkpoint: "_Checkpoint", *, deadline: float, progress):
    manifest = snapshot.find_manifest(Path(run.request["path"]))
    start = snapshot.Position.parse(run.cursor)
    batches = snapshot.read_batches(
        manifest, start=start, batch_size=settings.IMPORT_SNAPSHOT_BATCH_SIZE
    )
    for records, position in batches:
        with checkpoint:
            result = ingest.ingest_works(records, refresh=False)
            _add_counts(run, result)
            run.pages_done += 1
            run.cursor = str(position)
        progress(run)
        if time.monotonic() > deadline:
            return False
    return True


# Each source: how to import a run, and the client it asks (None: files on disk).
IMPORTERS = {
    ImportRun.Source.OPENALEX: (_import_openalex, openalex_client),
    ImportRun.Source.ARXIV: (_import_arxiv, arxiv_client),
    ImportRun.Source.SNAPSHOT: (_import_snapshot, lambda: None),
}


def _settle(run: ImportRun, **changes) -> None:
    """Record the outcome, if this worker still holds the run."""
    changes.setdefault("lease_token", None)
    updated = ImportRun.objects.filter(pk=run.pk, lease_token=run.lease_token).update(**changes)
    if updated:
        run.refresh_from_db(fields=list(changes))


def import_run_execute(
    *, run_id: int, slice_seconds: float | None = None, progress=None, client=None
) -> ImportRun | None:
    """Work on one run for up to slice_seconds. Safe to call twice or concurrently: a run that
    is finished, owned by a live worker or not due yet is left alone (returns None).

    Afterwards the run is done, queued (more to do, or a retry after backoff, with resume_at),
    paused (budget spent, with resume_at) or failed (with the reason).
    """
    run = _claim(run_id)
    if run is None:
        return None
    slice_seconds = settings.IMPORT_SLICE_SECONDS if slice_seconds is None else slice_seconds
    deadline = time.monotonic() + slice_seconds
    now = timezone.now
    importer, make_client = IMPORTERS[run.source]
    checkpoint = _Checkpoint(run, client or make_client())
    try:
        try:
            finished = importer(
                run, checkpoint, deadline=deadline, progress=progress or (lambda run: None)
            )
        finally:
            with contextlib.suppress(LeaseLost, DatabaseError):
                _refresh_touched(run, checkpoint)
    except LeaseLost:
        return None
    except BudgetExhausted as error:
        _settle(
            run,
            **checkpoint.uncommitted(),
            state=ImportRun.State.PAUSED,
            resume_at=error.resume_at,
            message=f"Paused: {error.message}",
        )
    except (SourceError, DatabaseError, SoftTimeLimitExceeded) as error:
        attempts = run.attempts + 1
        reason = getattr(error, "message", None) or str(error) or type(error).__name__
        errors = [
            *run.errors[-19:],
            {"at": now().isoformat(), "attempt": attempts, "error": reason, "cursor": run.cursor},
        ]
        retryable = getattr(error, "retryable", True)
        if retryable and attempts < settings.IMPORT_MAX_ATTEMPTS:
            resume_at = now() + timedelta(seconds=_backoff_seconds(attempts))
            _settle(
                run,
                **checkpoint.uncommitted(),
                state=ImportRun.State.QUEUED,
                attempts=attempts,
                errors=errors,
                resume_at=resume_at,
                lease_expires_at=resume_at + timedelta(seconds=settings.IMPORT_LEASE_SECONDS),
                message=f"Attempt {attempts} failed: {reason}. Retrying at "
                f"{resume_at:%H:%M:%S} UTC.",
            )
        else:
            _settle(
                run,
                **checkpoint.uncommitted(),
                state=ImportRun.State.FAILED,
                attempts=attempts,
                errors=errors,
                finished_at=now(),
                message=f"Failed after {attempts} attempt(s): {reason}",
            )
    else:
        if finished:
            result = run.counts
            _settle(
                run,
                state=ImportRun.State.DONE,
                finished_at=now(),
                message=(
                    f"Done: {result.get('works_created', 0)} works created, "
                    f"{result.get('works_updated', 0)} updated, "
                    f"{result.get('works_unchanged', 0)} unchanged in {run.pages_done} page(s)."
                ),
            )
        else:
            _settle(
                run,
                state=ImportRun.State.QUEUED,
                lease_expires_at=now() + timedelta(seconds=settings.IMPORT_LEASE_SECONDS),
                message=f"In progress: {run.pages_done} page(s) so far.",
            )
    return run


def import_runs_sweep() -> list[int]:
    """Queue the runs nobody is working on: queued ones never picked up, running ones whose
    worker died (lease expired) and paused or backed-off ones that are due."""
    now = timezone.now()
    due = ImportRun.objects.filter(
        Q(state__in=[ImportRun.State.QUEUED, ImportRun.State.RUNNING], lease_expires_at__lt=now)
        | Q(state=ImportRun.State.PAUSED, resume_at__lte=now)
    ).filter(Q(resume_at__isnull=True) | Q(resume_at__lte=now))
    run_ids = list(due.values_list("pk", flat=True))
    # Queued with a fresh lease: until it runs out, the next sweep leaves them to the worker.
    ImportRun.objects.filter(pk__in=run_ids).update(
        state=ImportRun.State.QUEUED,
        lease_token=None,
        lease_expires_at=now + timedelta(seconds=settings.IMPORT_LEASE_SECONDS),
    )
    for run_id in run_ids:
        _enqueue(run_id)
    return run_ids


def researchers_refresh_stale(*, limit: int = 500) -> int:
    """Queue refreshes for researchers whose OpenAlex data is older than the setting."""
    cutoff = timezone.now() - timedelta(days=settings.IMPORT_REFRESH_AFTER_DAYS)
    stale = Researcher.objects.filter(
        Q(openalex_id__isnull=False) | Q(orcid__isnull=False),
        openalex_synced_at__lt=cutoff,
    ).order_by("openalex_synced_at")[:limit]
    queued = 0
    for researcher in stale:
        if import_run_for_researcher(researcher=researcher, source=ImportRun.Source.OPENALEX):
            queued += 1
    return queued
