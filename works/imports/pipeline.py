"""The import pipeline step: ingest turns records into rows (works.ingest), then
works.signals.records_changed announces whom they touched, and its receiver
(profiles.receivers) refreshes the collaborations, then counts and trust."""

from collections.abc import Collection, Iterable

from django.db import transaction

from works.imports.lease import Checkpoint
from works.ingest import IngestResult, ingest_works
from works.models import ImportRun
from works.signals import records_changed
from works.sources.records import AuthorRecord, WorkRecord


def records_import(
    *,
    records: Iterable[WorkRecord],
    authors: Iterable[AuthorRecord] = (),
    pinned: dict[str, int] | None = None,
) -> IngestResult:
    """Records in hand (the demo data, tests) through the whole step, in one transaction."""
    with transaction.atomic():
        result = ingest_works(records, authors=authors, pinned=pinned)
        _announce(
            researcher_ids=result.researcher_ids, graph_researcher_ids=result.graph_researcher_ids
        )
    return result


def run_page_ingest(
    run: ImportRun,
    records: Iterable[WorkRecord],
    *,
    authors: Iterable[AuthorRecord] = (),
    pinned: dict[str, int] | None = None,
) -> IngestResult:
    """Ingest one page of a run, inside its checkpoint: the page's counts add to the run's,
    and the researchers it touched wait on the run, saved with the page, for
    run_touched_announce."""
    result = ingest_works(records, authors=authors, pinned=pinned)
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
    return result


def run_touched_announce(run: ImportRun, checkpoint: Checkpoint) -> None:
    """Announce, once per slice of a run, the researchers its committed pages touched. Inside
    a checkpoint: what the receivers write commits with the emptied lists, or not at all, and
    then the ids stay pending for the next slice."""
    if not run.pending_researcher_ids and not run.pending_graph_researcher_ids:
        return
    with checkpoint:
        _announce(
            researcher_ids=run.pending_researcher_ids,
            graph_researcher_ids=run.pending_graph_researcher_ids,
        )
        run.pending_researcher_ids, run.pending_graph_researcher_ids = [], []


def _announce(*, researcher_ids: Collection[int], graph_researcher_ids: Collection[int]) -> None:
    if researcher_ids or graph_researcher_ids:
        records_changed.send(
            sender=ImportRun,
            researcher_ids=researcher_ids,
            graph_researcher_ids=graph_researcher_ids,
        )
