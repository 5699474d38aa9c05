"""How a run imports from each source: pages in, each committed with its cursor."""

import time

from django.conf import settings
from django.utils import timezone

from works.imports.lease import Checkpoint
from works.imports.pipeline import run_page_ingest
from works.imports.snapshot import import_snapshot
from works.ingest import researcher_for_search
from works.models import ImportRun, Researcher
from works.sources import arxiv, openalex
from works.text import fold


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


def _openalex_author(run: ImportRun, checkpoint: Checkpoint) -> None:
    """The first step of an OpenAlex run: the author record, which names the works to page."""
    asked = run.request.get("openalex") or run.request.get("orcid")
    author = checkpoint.client.author(asked)
    with checkpoint:
        requested = openalex.short_id(run.request.get("openalex"))
        if requested and requested != author.openalex_id:
            # OpenAlex merged the asked id into another; keep our record, take the new id.
            if not Researcher.objects.filter(openalex_id=author.openalex_id).exists():
                Researcher.objects.filter(openalex_id=requested).update(
                    openalex_id=author.openalex_id
                )
            run.counts = {**run.counts, "merged_from": requested}
        run_page_ingest(run, [], authors=[author])
        run.researcher = Researcher.objects.get(openalex_id=author.openalex_id)
        run.request = {**run.request, "author_id": author.openalex_id}
        run.cursor = "*"


def import_openalex(run: ImportRun, checkpoint: Checkpoint, *, deadline: float, progress):
    if "author_id" not in run.request:
        _openalex_author(run, checkpoint)
        progress(run)
    while True:
        if not run.cursor:
            return True  # the last page is in; only the refresh and settling were left
        if time.monotonic() > deadline:
            return False
        page = checkpoint.client.works_page(author_id=run.request["author_id"], cursor=run.cursor)
        with checkpoint:
            run_page_ingest(run, page.records)
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


def import_arxiv(run: ImportRun, checkpoint: Checkpoint, *, deadline: float, progress):
    name = run.request["arxiv"].strip()
    if run.researcher_id is None:
        with checkpoint:
            run.researcher = researcher_for_search(name=name)
    forms = list(dict.fromkeys([name, *run.researcher.arxiv_name_forms]))
    pinned = {fold(form): run.researcher_id for form in forms}
    start = int(run.cursor or 0)
    while True:
        if time.monotonic() > deadline:
            return False
        feed = checkpoint.client.search_author(forms, start=start)
        with checkpoint:
            run_page_ingest(run, feed.records, pinned=pinned)
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


# Each source: how to import a run, and the client it asks (None: files on disk).
IMPORTERS = {
    ImportRun.Source.OPENALEX: (import_openalex, openalex_client),
    ImportRun.Source.ARXIV: (import_arxiv, arxiv_client),
    ImportRun.Source.SNAPSHOT: (import_snapshot, lambda: None),
}
