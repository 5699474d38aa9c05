"""A snapshot import: one ImportRun for the snapshot, one SnapshotPartition row per manifest
entry. A partition is the unit of work: a worker claims it (a lease on its row, taken under
SELECT … FOR UPDATE SKIP LOCKED, so no two workers load one partition), loads it set-based
(works.ingest.bulk) and marks it done in the transaction that commits its works. A crash
leaves the partition claimed until its lease runs out; then any worker loads it again, and a
done partition is never loaded again by that run. Once every partition is done, the graph and
counts of everyone the partitions touched are rebuilt in one pass (works.signals.records_loaded).

Without a broker the command loads the partitions itself, in order (import_snapshot, the run's
importer); with workers, each partition is a task on the imports queue
(works.tasks.snapshot_partition_task) and the last one to finish runs the final pass.
"""

import time
import uuid
from datetime import timedelta
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from works.imports.lease import Checkpoint, LeaseLost
from works.ingest.bulk import BulkConflict, partition_load
from works.ingest.result import IngestResult
from works.ingest.versions import versions_regroup
from works.models import Authorship, ImportRun, SnapshotPartition, Work
from works.signals import records_loaded
from works.sources import snapshot

PARTITION_TASK = "works.tasks.snapshot_partition_task"
# Researchers per rebuild statement of the final pass.
FINAL_CHUNK = 20_000
# How often a worker with nothing left to claim looks again at partitions others hold.
WAIT_SECONDS = 0.5


def partitions_plan(run: ImportRun) -> int:
    """A row per manifest entry (once); returns how many partitions are not done."""
    manifest = snapshot.find_manifest(Path(run.request["path"]))
    SnapshotPartition.objects.bulk_create(
        [
            SnapshotPartition(run=run, index=index, path=str(path))
            for index, path in enumerate(snapshot.partitions(manifest))
        ],
        ignore_conflicts=True,
    )
    return run.partitions.exclude(state=SnapshotPartition.State.DONE).count()


def partitions_resume(run: ImportRun) -> None:
    """Make the partitions a stopped run left claimed or failed claimable again at once (the
    command resumes a run whose worker is known to be gone)."""
    run.partitions.filter(
        state__in=[SnapshotPartition.State.RUNNING, SnapshotPartition.State.FAILED]
    ).update(state=SnapshotPartition.State.QUEUED, lease_token=None, lease_expires_at=None)


def _claimable(now) -> Q:
    return Q(state=SnapshotPartition.State.QUEUED) | Q(
        state=SnapshotPartition.State.RUNNING, lease_expires_at__lt=now
    )


def partition_claim(*, run_id: int | None = None, partition_id: int | None = None):
    """Take a partition for this worker: the given one, or the run's first claimable one.
    None when it is done, failed or held by a live worker."""
    now = timezone.now()
    with transaction.atomic():
        candidates = SnapshotPartition.objects.filter(_claimable(now))
        if partition_id is not None:
            candidates = candidates.filter(pk=partition_id)
        else:
            candidates = candidates.filter(run_id=run_id)
        # Locks the partition row only (the default ordering would join and lock the run's).
        partition = (
            candidates.order_by("index").select_for_update(skip_locked=True, of=("self",)).first()
        )
        if partition is None:
            return None
        partition.state = SnapshotPartition.State.RUNNING
        partition.lease_token = uuid.uuid4()
        partition.lease_expires_at = now + timedelta(seconds=settings.IMPORT_LEASE_SECONDS)
        partition.started_at = partition.started_at or now
        partition.save()
    return partition


def _heartbeat(partition: SnapshotPartition):
    """Renew the partition's lease while it loads; and the run's while no worker holds the run
    itself (snapshot_run_distribute), so the sweep leaves a run its workers are loading alone."""

    def renew():
        expires = timezone.now() + timedelta(seconds=settings.IMPORT_LEASE_SECONDS)
        renewed = SnapshotPartition.objects.filter(
            pk=partition.pk, lease_token=partition.lease_token
        ).update(lease_expires_at=expires)
        if not renewed:
            raise LeaseLost(f"partition {partition.index} was taken over by another worker")
        ImportRun.objects.filter(
            pk=partition.run_id, state=ImportRun.State.RUNNING, lease_token__isnull=True
        ).update(lease_expires_at=expires)

    return renew


class _PartitionCheckpoint:
    """Commits a partition's works with its completion, while this worker holds it."""

    def __init__(self, partition: SnapshotPartition, result: IngestResult):
        self.partition, self.result = partition, result

    def __enter__(self):
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        with connection.cursor() as cursor:
            # As the run checkpoints: a database crash may lose the last partitions marked
            # done, which then load again; loading is idempotent.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")

    def __exit__(self, kind, error, trace):
        if kind is None:
            result = self.result
            done = SnapshotPartition.objects.filter(
                pk=self.partition.pk, lease_token=self.partition.lease_token
            ).update(
                state=SnapshotPartition.State.DONE,
                lease_token=None,
                counts=result.counts(),
                researcher_ids=sorted(result.researcher_ids),
                graph_researcher_ids=sorted(result.graph_researcher_ids),
                message="",
                finished_at=timezone.now(),
            )
            if not done:
                error = LeaseLost(f"partition {self.partition.index} was taken over")
                self._atomic.__exit__(LeaseLost, error, None)
                raise error
        return self._atomic.__exit__(kind, error, trace)


def partition_run(partition: SnapshotPartition) -> IngestResult:
    """Load a claimed partition. A broken partition (SnapshotError) fails for good with the
    reason; a database error (a deadlock, a key another worker took) puts it back in the queue
    until IMPORT_MAX_ATTEMPTS; both re-raise."""
    result = IngestResult()
    try:
        partition_load(
            lambda: snapshot.read_partition(Path(partition.path)),
            result=result,
            checkpoint=_PartitionCheckpoint(partition, result),
            heartbeat=_heartbeat(partition),
        )
    except snapshot.SnapshotError as error:
        _partition_settle(partition, state=SnapshotPartition.State.FAILED, message=error.message)
        raise
    except (DatabaseError, BulkConflict) as error:
        attempts = partition.attempts + 1
        final = attempts >= settings.IMPORT_MAX_ATTEMPTS
        _partition_settle(
            partition,
            state=SnapshotPartition.State.FAILED if final else SnapshotPartition.State.QUEUED,
            attempts=attempts,
            message=f"Attempt {attempts} failed: {error}",
        )
        raise
    return result


def _partition_settle(partition: SnapshotPartition, **changes) -> None:
    SnapshotPartition.objects.filter(pk=partition.pk, lease_token=partition.lease_token).update(
        lease_token=None, lease_expires_at=None, **changes
    )


def run_progress(run: ImportRun) -> None:
    """The run's counts and pages (partitions) done, summed from its partitions."""
    counts: dict[str, int] = {}
    done = 0
    for partition_counts in run.partitions.filter(state=SnapshotPartition.State.DONE).values_list(
        "counts", flat=True
    ):
        done += 1
        for name, value in partition_counts.items():
            counts[name] = counts.get(name, 0) + value
    run.counts = {**run.counts, **counts}
    run.pages_done = done
    run.cursor = f"{done}/{run.partitions.count()}"


def _failed_partition(run: ImportRun) -> SnapshotPartition | None:
    return run.partitions.filter(state=SnapshotPartition.State.FAILED).order_by("index").first()


def run_finish(run: ImportRun) -> None:
    """The pass after every partition: versions of titles that partitions loaded side by side
    may have split between them, then the graph and counts of everyone the partitions touched,
    in chunks (the receivers of records_loaded). Inside the caller's transaction."""
    since = run.started_at or run.created_at
    work = connection.ops.quote_name(Work._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT DISTINCT w.title_key FROM {work} w WHERE w.created_at >= %s
            AND EXISTS (SELECT 1 FROM {work} o WHERE o.title_key = w.title_key AND o.id <> w.id)""",  # noqa: S608
            [since],
        )
        regrouped = versions_regroup(row[0] for row in cursor.fetchall())
    researcher_ids: set[int] = set()
    graph_ids: set[int] = set()
    for ids, graph in run.partitions.values_list("researcher_ids", "graph_researcher_ids"):
        researcher_ids.update(ids)
        graph_ids.update(graph)
    if regrouped:
        for researcher_id in Authorship.objects.filter(work_id__in=regrouped).values_list(
            "researcher_id", flat=True
        ):
            researcher_ids.add(researcher_id)
            graph_ids.add(researcher_id)
    if researcher_ids or graph_ids:
        records_loaded.send(
            sender=ImportRun,
            researcher_ids=sorted(researcher_ids),
            graph_researcher_ids=sorted(graph_ids),
        )
    run_progress(run)


def _done_message(run: ImportRun) -> str:
    counts = run.counts
    return (
        f"Done: {counts.get('works_created', 0)} works created, "
        f"{counts.get('works_updated', 0)} updated, "
        f"{counts.get('works_unchanged', 0)} unchanged in {run.pages_done} page(s)."
    )


def import_snapshot(run: ImportRun, checkpoint: Checkpoint, *, deadline: float, progress):
    """The run's importer (works.imports.importers): load claimable partitions in order until
    none is left or the slice ends, wait for those other workers hold, then the final pass."""
    partitions_plan(run)
    while True:
        partition = partition_claim(run_id=run.pk)
        if partition is None:
            break
        try:
            partition_run(partition)
        except BulkConflict as error:
            raise DatabaseError(str(error)) from error
        with checkpoint:
            run_progress(run)
        progress(run)
        if time.monotonic() > deadline:
            return False
    while run.partitions.filter(state=SnapshotPartition.State.RUNNING).exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(WAIT_SECONDS)
        if run.partitions.filter(_claimable(timezone.now())).exists():
            return import_snapshot(run, checkpoint, deadline=deadline, progress=progress)
    failed = _failed_partition(run)
    if failed is not None:
        raise snapshot.SnapshotError(f"partition {failed.index} failed: {failed.message}")
    with checkpoint:
        run_finish(run)
    return True


def partition_work(*, partition_id: int) -> SnapshotPartition | None:
    """A worker's task: load this partition if it is claimable; the worker that finds every
    partition of the run done afterwards runs the final pass and settles the run. Returns the
    partition when it is to be tried again (a database error), else None."""
    partition = partition_claim(partition_id=partition_id)
    if partition is None:
        return None
    try:
        partition_run(partition)
    except snapshot.SnapshotError as error:
        _run_failed(partition.run_id, f"partition {partition.index}: {error.message}")
        return None
    except LeaseLost:
        return None
    except (DatabaseError, BulkConflict) as error:
        partition.refresh_from_db()
        if partition.state == SnapshotPartition.State.FAILED:
            _run_failed(partition.run_id, f"partition {partition.index}: {error}")
            return None
        return partition
    run_finish_if_complete(run_id=partition.run_id)
    return None


def _run_failed(run_id: int, message: str) -> None:
    ImportRun.objects.filter(pk=run_id).exclude(state=ImportRun.State.DONE).update(
        state=ImportRun.State.FAILED,
        lease_token=None,
        finished_at=timezone.now(),
        message=f"Failed: {message}",
    )


def run_finish_if_complete(*, run_id: int) -> bool:
    """Settle the run once all its partitions are done: the final pass, then done. The run's
    row lock makes the workers that finish last do this once."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run_id)
        if run.state in (ImportRun.State.DONE, ImportRun.State.FAILED):
            return False
        if run.partitions.exclude(state=SnapshotPartition.State.DONE).exists():
            run_progress(run)
            run.save(update_fields=["counts", "pages_done", "cursor"])
            return False
        run_finish(run)
        run.state = ImportRun.State.DONE
        run.lease_token = None
        run.finished_at = timezone.now()
        run.message = _done_message(run)
        run.save()
    return True


def snapshot_run_resume(run: ImportRun) -> None:
    """The command resumes a stopped run in this process or on workers: its partitions left
    claimed or failed are claimable again, and the run is due now."""
    partitions_resume(run)
    ImportRun.objects.filter(pk=run.pk).update(
        state=ImportRun.State.QUEUED, lease_token=None, lease_expires_at=None, resume_at=None
    )
    run.refresh_from_db()


def _partition_enqueue(partition_id: int) -> None:
    current_app.signature(PARTITION_TASK, args=(partition_id,)).apply_async()


def snapshot_run_distribute(run: ImportRun, *, enqueue=_partition_enqueue) -> int:
    """Hand the run's partitions to the workers: one task per partition not done. The run is
    marked running under no worker's lease; if every worker stops, the sweep re-queues it once
    the lease runs out and its importer takes the partitions left. Returns tasks queued."""
    partitions_plan(run)
    now = timezone.now()
    ImportRun.objects.filter(pk=run.pk).update(
        state=ImportRun.State.RUNNING,
        lease_token=None,
        started_at=run.started_at or now,
        lease_expires_at=now + timedelta(seconds=settings.IMPORT_LEASE_SECONDS),
        resume_at=None,
    )
    pending = list(
        run.partitions.exclude(state=SnapshotPartition.State.DONE).values_list("pk", flat=True)
    )
    for partition_id in pending:
        enqueue(partition_id)
    if not pending:
        run_finish_if_complete(run_id=run.pk)
    return len(pending)
