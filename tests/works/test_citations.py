"""A citation count no source reported is unknown, shown as unknown, never as 0."""

import importlib

import pytest
from django.apps import apps

from tests.factories import WorkFactory
from works.ingest import ingest_works
from works.models import Work
from works.sources.records import WorkRecord

pytestmark = pytest.mark.django_db

unknown_migration = importlib.import_module("works.migrations.0010_work_citation_count_unknown")


def citations_shown(client, work) -> str:
    html = client.get(work.get_absolute_url()).content.decode()
    return html.split("<dt>Citations</dt><dd>", 1)[1].split("</dd>", 1)[0]


def test_an_arxiv_work_has_an_unknown_count_and_the_page_says_so(client):
    ingest_works([WorkRecord(title="A preprint", arxiv_id="2101.00009", publication_year=2021)])
    work = Work.objects.get()

    assert work.citation_count is None
    shown = citations_shown(client, work)
    assert shown.startswith("Unknown") and "0" not in shown


def test_a_count_of_0_reported_by_openalex_is_shown_as_0(client):
    ingest_works(
        [WorkRecord(title="Uncited", openalex_id="W9", citation_count=0, source="openalex")]
    )
    work = Work.objects.get()

    assert work.citation_count == 0
    date = work.citations_synced_at.date().isoformat()
    time = f'<time datetime="{date}">{date}</time>'
    assert citations_shown(client, work).strip() == (
        f'<span class="citations">cited by 0 · OpenAlex, {time}</span>'
    )


def test_the_arxiv_copy_of_a_counted_work_keeps_the_count():
    ingest_works([WorkRecord(title="Same paper", openalex_id="W9", citation_count=7)])
    ingest_works([WorkRecord(title="Same paper", arxiv_id="2101.00009")])
    assert Work.objects.get().citation_count == 7


def test_migration_turns_only_counts_no_source_reported_into_unknown():
    never_reported = WorkFactory(citation_count=0, source_payload={"id": "2101.1"})
    reported_zero = WorkFactory(citation_count=0, source_payload={"cited_by_count": 0})
    counted = WorkFactory(citation_count=5, source_payload={})

    unknown_migration.counts_never_reported_to_unknown(apps, None)

    counts = dict(Work.objects.values_list("pk", "citation_count"))
    assert counts == {never_reported.pk: None, reported_zero.pk: 0, counted.pk: 5}
