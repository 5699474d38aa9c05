"""Putting runs in the queue: new runs, a researcher's refresh, the sweep for runs nobody is
working on. Celery carries only run ids."""

from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from works.models import ImportRun, Researcher

# By name, not by import: works.tasks calls these services, and an import back would make a
# cycle. WorksConfig.ready() imports works.tasks, so every process knows the task by this name.
IMPORT_RUN_TASK = "works.tasks.import_run_task"


def import_run_enqueue(*, run_id: int, eta=None) -> None:
    current_app.signature(IMPORT_RUN_TASK, args=(run_id,)).apply_async(eta=eta)


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
        transaction.on_commit(lambda: import_run_enqueue(run_id=run.pk))
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
        import_run_enqueue(run_id=run_id)
    return run_ids


def researchers_refresh_stale(*, limit: int = 500) -> int:
    """Queue refreshes for researchers whose OpenAlex data is older than the setting; each
    runs the whole import pipeline (works.imports.pipeline) like any other run."""
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
