"""The demo data: the seed researcher and recorded OpenAlex answers, with no network."""

from pathlib import Path

from django.db import transaction
from django.utils import timezone

from works.imports.pipeline import records_import
from works.ingest import IngestResult, upsert_institutions, upsert_topics
from works.models import ImportRun
from works.sources import demo, openalex
from works.text import loads_clean

DEMO_DIRECTORY = Path(__file__).resolve().parent.parent / "demo"


def demo_data_load(*, directory: Path = DEMO_DIRECTORY) -> ImportRun:
    """Load the seed researcher and the recorded OpenAlex responses, with no network, through
    the import pipeline (records_import).

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
    result = IngestResult()
    with transaction.atomic():
        seed = read("seed-researcher.json")
        result.add(records_import(records=demo.seed_works(seed)))

        upsert_institutions(
            [openalex.parse_institution(read("openalex/institution_I27837315.json"))]
        )
        upsert_topics([openalex.parse_topic(read("openalex/topic_T10888.json"))])
        author = openalex.parse_author(read("openalex/author_A5023888391.json"))
        page = read("openalex/works_author_A5023888391_page1.json")
        records = [openalex.parse_work(item) for item in page["results"]]
        records.append(openalex.parse_work(read("openalex/work_W2741809807.json")))
        result.add(records_import(records=records, authors=[author]))

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
