"""Celery tasks: ids in, one service call. Each is safe to run twice (the services check)."""

from celery import shared_task
from django.conf import settings

from works.imports import execute, queue, snapshot
from works.models import ImportRun


@shared_task(
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.IMPORT_SLICE_SECONDS + 60,
    time_limit=settings.IMPORT_SLICE_SECONDS + 120,
)
def import_run_task(run_id: int) -> None:
    run = execute.import_run_execute(run_id=run_id)
    # More pages to go, or a retry after backoff: hand on to a fresh task.
    if run is not None and run.state == ImportRun.State.QUEUED:
        import_run_task.apply_async((run_id,), eta=run.resume_at)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def import_runs_sweep() -> None:
    queue.import_runs_sweep()


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=180)
def researchers_refresh_stale() -> None:
    queue.researchers_refresh_stale()


# A partition of the real snapshot holds up to a few hundred thousand works.
PARTITION_SECONDS = 3600


@shared_task(
    acks_late=True,
    ignore_result=True,
    soft_time_limit=PARTITION_SECONDS,
    time_limit=PARTITION_SECONDS + 60,
)
def snapshot_partition_task(partition_id: int) -> None:
    partition = snapshot.partition_work(partition_id=partition_id)
    # A database error (a deadlock with another partition): again, after a pause.
    if partition is not None:
        snapshot_partition_task.apply_async((partition_id,), countdown=5 * partition.attempts)
