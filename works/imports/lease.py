"""Who works on a run, and how its pages commit.

Postgres holds the truth about every import: its state, the cursor after the last committed
page, counts, errors. Each page's rows and the cursor that follows it commit together, so a
crash at any point resumes at the next page. A worker holds a run through a lease (a token and
an expiry on the row) and writes only while it still holds it.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from works.models import ImportRun


class LeaseLost(Exception):
    """Another worker took the run over (our lease expired); stop without writing."""


def run_claim(*, run_id: int) -> ImportRun | None:
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


def run_settle(run: ImportRun, **changes) -> None:
    """Record the outcome, if this worker still holds the run."""
    changes.setdefault("lease_token", None)
    updated = ImportRun.objects.filter(pk=run.pk, lease_token=run.lease_token).update(**changes)
    if updated:
        run.refresh_from_db(fields=list(changes))


class Checkpoint:
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
