"""Working on a run for one slice of time, and recording how the slice ended."""

import contextlib
import random
import time
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from works.imports.importers import IMPORTERS
from works.imports.lease import Checkpoint, LeaseLost, run_claim, run_settle
from works.imports.pipeline import run_touched_announce
from works.models import ImportRun
from works.sources.http import BudgetExhausted, SourceError


def _backoff_seconds(attempts: int) -> float:
    return min(3600.0, 30.0 * 2 ** (attempts - 1)) * (0.5 + random.random() / 2)


def import_run_execute(
    *, run_id: int, slice_seconds: float | None = None, progress=None, client=None
) -> ImportRun | None:
    """Work on one run for up to slice_seconds. Safe to call twice or concurrently: a run that
    is finished, owned by a live worker or not due yet is left alone (returns None).

    Afterwards the run is done, queued (more to do, or a retry after backoff, with resume_at),
    paused (budget spent, with resume_at) or failed (with the reason).
    """
    run = run_claim(run_id=run_id)
    if run is None:
        return None
    slice_seconds = settings.IMPORT_SLICE_SECONDS if slice_seconds is None else slice_seconds
    deadline = time.monotonic() + slice_seconds
    importer, make_client = IMPORTERS[run.source]
    checkpoint = Checkpoint(run, client or make_client())
    try:
        try:
            finished = importer(
                run, checkpoint, deadline=deadline, progress=progress or (lambda run: None)
            )
        finally:
            with contextlib.suppress(LeaseLost, DatabaseError):
                run_touched_announce(run, checkpoint)
    except LeaseLost:
        return None
    except BudgetExhausted as error:
        run_settle(
            run,
            **checkpoint.uncommitted(),
            state=ImportRun.State.PAUSED,
            resume_at=error.resume_at,
            message=f"Paused: {error.message}",
        )
    except (SourceError, DatabaseError, SoftTimeLimitExceeded) as error:
        _failed(run, checkpoint, error)
    else:
        _sliced(run, finished=finished)
    return run


def _failed(run: ImportRun, checkpoint: Checkpoint, error: Exception) -> None:
    """Queue a retry after backoff, or fail the run when the error is final or the attempts
    are spent."""
    now = timezone.now
    attempts = run.attempts + 1
    reason = getattr(error, "message", None) or str(error) or type(error).__name__
    errors = [
        *run.errors[-19:],
        {"at": now().isoformat(), "attempt": attempts, "error": reason, "cursor": run.cursor},
    ]
    if getattr(error, "retryable", True) and attempts < settings.IMPORT_MAX_ATTEMPTS:
        resume_at = now() + timedelta(seconds=_backoff_seconds(attempts))
        run_settle(
            run,
            **checkpoint.uncommitted(),
            state=ImportRun.State.QUEUED,
            attempts=attempts,
            errors=errors,
            resume_at=resume_at,
            lease_expires_at=resume_at + timedelta(seconds=settings.IMPORT_LEASE_SECONDS),
            message=f"Attempt {attempts} failed: {reason}. Retrying at {resume_at:%H:%M:%S} UTC.",
        )
    else:
        run_settle(
            run,
            **checkpoint.uncommitted(),
            state=ImportRun.State.FAILED,
            attempts=attempts,
            errors=errors,
            finished_at=now(),
            message=f"Failed after {attempts} attempt(s): {reason}",
        )


def _sliced(run: ImportRun, *, finished: bool) -> None:
    """A slice that ended without error: the run is done, or queued for the next slice."""
    now = timezone.now()
    if finished:
        counts = run.counts
        run_settle(
            run,
            state=ImportRun.State.DONE,
            finished_at=now,
            message=(
                f"Done: {counts.get('works_created', 0)} works created, "
                f"{counts.get('works_updated', 0)} updated, "
                f"{counts.get('works_unchanged', 0)} unchanged in {run.pages_done} page(s)."
            ),
        )
    else:
        run_settle(
            run,
            state=ImportRun.State.QUEUED,
            lease_expires_at=now + timedelta(seconds=settings.IMPORT_LEASE_SECONDS),
            message=f"In progress: {run.pages_done} page(s) so far.",
        )
