"""The set-based snapshot load (works.ingest.bulk, works.imports.snapshot): the rows it writes
are those the record-by-record ingest writes; partitions are units of work that resume alone;
a broken line names itself and loses nothing; loading again changes nothing."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from bench.import_speed import build_works
from graph.models import Collaboration, ResearcherInstitution, ResearcherTopic
from tests.works.test_import_services import PARTITION_LINES, domain_rows, lay_out_snapshot
from works.imports import snapshot as snapshot_import
from works.ingest import bulk
from works.ingest.versions import versions_regroup
from works.models import (
    Authorship,
    HiddenWork,
    ImportRun,
    Institution,
    Researcher,
    SnapshotPartition,
    Topic,
    VersionSplit,
    Work,
    WorkTopic,
)
from works.services import records_import
from works.sources import snapshot
from works.sources.records import AuthorRecord, AuthorshipRecord, WorkRecord

pytestmark = pytest.mark.django_db

BENCH_LINES = [json.dumps(work) + "\n" for work in build_works(copies=2)]


def run_command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def dump() -> dict:
    """Every row an import writes, without database ids (the two paths number rows in
    different orders): researchers by slug, works by slug."""
    slug_of = dict(Researcher.objects.values_list("pk", "slug"))
    work_slug = dict(Work.objects.values_list("pk", "slug"))
    institution = dict(Institution.objects.values_list("pk", "openalex_id"))
    through = Authorship.institutions.through
    links: dict[int, list] = {}
    for authorship_id, institution_id in through.objects.values_list(
        "authorship_id", "institution_id"
    ):
        links.setdefault(authorship_id, []).append(institution[institution_id])
    researcher_fields = [
        "slug", "openalex_id", "orcid", "display_name", "name_key", "search_name",
        "name_needs_review", "name_variants", "works_count", "topics_count",
        "close_collaborators_count", "verified_collaborators_count", "verification_level",
        "trust_score", "trust_band",
    ]  # fmt: skip
    work_fields = [
        "slug", "openalex_id", "doi", "arxiv_id", "title", "title_key", "abstract",
        "abstract_key", "type", "venue", "publication_date", "publication_year",
        "citation_count", "citations_by_year", "citations_synced_at", "oa_url", "synced",
        "is_retracted", "authors_count", "source_payload",
    ]  # fmt: skip
    return {
        "researchers": sorted(
            (*row, repr(row[-1])) for row in Researcher.objects.values_list(*researcher_fields)
        ),
        "works": sorted(
            json.dumps([*row, work_slug.get(version_of)], sort_keys=True, default=str)
            for *row, version_of in Work.objects.values_list(*work_fields, "version_of_id")
        ),
        "authorships": sorted(
            (work_slug[row[1]], row[2], slug_of[row[3]], *row[4:], sorted(links.get(row[0], [])))
            for row in Authorship.objects.values_list(
                "pk",
                "work_id",
                "position",
                "researcher_id",
                "raw_author_name",
                "raw_affiliation",
                "match_method",
            )
        ),  # fmt: skip
        "work_topics": sorted(
            (work_slug[work_id], external_id, score)
            for work_id, external_id, score in WorkTopic.objects.values_list(
                "work_id", "topic__external_id", "score"
            )
        ),
        "institutions": sorted(
            Institution.objects.values_list(
                "openalex_id", "name", "ror", "country_code", "type", "email_domains"
            ),
            key=repr,
        ),
        "topics": sorted(
            Topic.objects.values_list("external_id", "name", "subfield", "field", "domain")
        ),
        "collaborations": sorted(
            (
                tuple(sorted([slug_of[a], slug_of[b]])),
                shared,
                first,
                last,
                round(strength, 3),
            )
            for a, b, shared, first, last, strength in Collaboration.objects.values_list(
                "researcher_a_id",
                "researcher_b_id",
                "shared_works",
                "first_year",
                "last_year",
                "strength",
            )
        ),  # fmt: skip
        "researcher_topics": sorted(
            (slug_of[researcher_id], external_id, works)
            for researcher_id, external_id, works in ResearcherTopic.objects.values_list(
                "researcher_id", "topic__external_id", "works"
            )
        ),
        "researcher_institutions": sorted(
            (slug_of[researcher_id], openalex_id, works, bylines)
            for researcher_id, openalex_id, works, bylines in (
                ResearcherInstitution.objects.values_list(
                    "researcher_id", "institution__openalex_id", "works", "bylines"
                )
            )
        ),
    }


def after(load) -> dict:
    """The rows after load(), then back to before it."""
    with transaction.atomic():
        load()
        rows = dump()
        transaction.set_rollback(True)
    return rows


def record_by_record(root: Path):
    """The existing pipeline: each partition's records through ingest_works, then the graph
    and counts (records_import), partition after partition."""

    def load():
        manifest = snapshot.find_manifest(root)
        for path in snapshot.partitions(manifest):
            records_import(records=[record for _, _, record in snapshot.read_partition(path)])

    return load


def set_based(root: Path):
    def load():
        run_command("import_snapshot", str(root))

    return load


@pytest.mark.parametrize(
    ("partitions", "collaborations", "neighbourhood"),
    [
        pytest.param([PARTITION_LINES[:13], PARTITION_LINES[13:]], 0, 0, id="recorded-snapshot"),
        pytest.param([BENCH_LINES[:50], BENCH_LINES[50:]], 1000, 100, id="generated-coauthors"),
    ],
)
def test_the_set_based_load_writes_what_record_by_record_ingest_writes(
    tmp_path, partitions, collaborations, neighbourhood
):
    root = lay_out_snapshot(tmp_path, partitions)

    expected = after(record_by_record(root))
    loaded = after(set_based(root))

    assert loaded.keys() == expected.keys()
    for table in expected:
        assert loaded[table] == expected[table], table
    assert len(expected["collaborations"]) >= collaborations
    assert len(expected["researcher_topics"]) >= neighbourhood
    assert len(expected["researcher_institutions"]) >= neighbourhood


def test_a_work_stored_from_arxiv_is_matched_as_ingest_would(tmp_path):
    """A record that may be a stored row of another source (here by its arXiv id) goes
    through ingest_works, and a record sharing an id with it goes along."""
    record = next(r for _, _, r in _records(BENCH_LINES) if r.arxiv_id and r.arxiv_id_confident)
    records_import(
        records=[
            WorkRecord(
                title=record.title,
                arxiv_id=record.arxiv_id,
                source="arxiv",
                authorships=(AuthorshipRecord(author=AuthorRecord(display_name="Ada Byron")),),
            )
        ]
    )
    root = lay_out_snapshot(tmp_path, [BENCH_LINES[:50]])

    expected = after(record_by_record(root))
    loaded = after(set_based(root))

    assert loaded == expected
    assert Work.objects.filter(arxiv_id=record.arxiv_id, openalex_id__isnull=True).exists()


def _records(lines):
    for number, line in enumerate(lines, start=1):
        yield number, line, snapshot._snapshot_record(json.loads(line))


def test_loading_again_changes_nothing(tmp_path):
    root = lay_out_snapshot(tmp_path, [BENCH_LINES[:50], BENCH_LINES[50:]])
    run_command("import_snapshot", str(root))
    before = domain_rows()

    out = run_command("import_snapshot", str(root))

    assert "Done: 0 works created, 0 updated, 100 unchanged in 2 page(s)." in out
    assert domain_rows() == before


def test_a_broken_line_names_itself_and_loses_nothing(tmp_path):
    broken = [*BENCH_LINES[40:44], "{not json\n", *BENCH_LINES[44:50]]
    root = lay_out_snapshot(tmp_path, [BENCH_LINES[:40], broken, BENCH_LINES[50:]])

    with pytest.raises(CommandError, match=r"part_001\.gz line 5: Expecting property name"):
        run_command("import_snapshot", str(root))

    run = ImportRun.objects.get(source=ImportRun.Source.SNAPSHOT)
    states = dict(run.partitions.values_list("index", "state"))
    assert states == {0: "done", 1: "failed", 2: "queued"}
    # The partition before is in; nothing of the broken one is.
    stored = set(Work.objects.values_list("openalex_id", flat=True))
    assert _ids(BENCH_LINES[:40]) <= stored
    assert not _ids(BENCH_LINES[40:50]) & stored

    # Mended, the same command resumes: the done partition is not loaded again.
    lay_out_snapshot(tmp_path, [BENCH_LINES[:40], BENCH_LINES[40:50], BENCH_LINES[50:]])
    finished = run.partitions.get(index=0).finished_at
    out = run_command("import_snapshot", str(root))

    assert f"Resuming import #{run.pk}: 1 partition(s) done." in out
    assert "Done: 100 works created, 0 updated, 0 unchanged in 3 page(s)." in out
    assert run.partitions.get(index=0).finished_at == finished


def _ids(lines) -> set[str]:
    return {json.loads(line)["id"].rsplit("/", 1)[1] for line in lines}


class Crash(Exception):
    """The worker process dies here."""


def test_a_crash_in_partition_k_redoes_partition_k_only(tmp_path, monkeypatch):
    root = lay_out_snapshot(tmp_path, [BENCH_LINES[:30], BENCH_LINES[30:60], BENCH_LINES[60:]])
    merge = bulk.works_merge
    merged = []

    def crash_in_the_second(read, result):
        merged.append(1)
        merge(read, result)
        if len(merged) == 2:
            raise Crash

    monkeypatch.setattr(bulk, "works_merge", crash_in_the_second)
    with pytest.raises(Crash):
        run_command("import_snapshot", str(root))
    monkeypatch.undo()

    run = ImportRun.objects.get(source=ImportRun.Source.SNAPSHOT)
    assert dict(run.partitions.values_list("index", "state")) == {
        0: "done",
        1: "running",
        2: "queued",
    }
    assert Work.objects.filter(openalex_id__startswith="W8").count() == 30
    first = run.partitions.get(index=0)

    out = run_command("import_snapshot", str(root))

    assert "Done: 100 works created, 0 updated, 0 unchanged in 3 page(s)." in out
    again = run.partitions.get(index=0)
    assert (again.finished_at, again.counts) == (first.finished_at, first.counts)
    assert run.partitions.get(index=1).counts["works_created"] == 30


def test_a_claimed_partition_is_not_claimed_again_until_its_lease_runs_out(tmp_path):
    root = lay_out_snapshot(tmp_path, [BENCH_LINES[:10]])
    run = ImportRun.objects.create(source=ImportRun.Source.SNAPSHOT, request={"path": str(root)})
    snapshot_import.partitions_plan(run)
    [partition] = run.partitions.all()

    claimed = snapshot_import.partition_claim(run_id=run.pk)

    assert claimed.pk == partition.pk
    assert snapshot_import.partition_claim(run_id=run.pk) is None
    assert snapshot_import.partition_claim(partition_id=partition.pk) is None
    SnapshotPartition.objects.filter(pk=partition.pk).update(
        lease_expires_at=claimed.lease_expires_at.replace(year=2000)
    )
    taken_over = snapshot_import.partition_claim(partition_id=partition.pk)
    assert taken_over.lease_token != claimed.lease_token
    # The first worker's writes no longer commit.
    with pytest.raises(snapshot_import.LeaseLost):
        snapshot_import.partition_run(claimed)
    assert not Work.objects.filter(openalex_id__startswith="W8").exists()
    assert connection.vendor == "postgresql"


def _changed(lines: list[str]) -> list[str]:
    """The works again as a later snapshot has them: counts, bylines, topics and titles
    changed on some."""
    changed = []
    for number, line in enumerate(lines):
        work = json.loads(line)
        if number % 5 == 0:
            work["cited_by_count"] = (work.get("cited_by_count") or 0) + 3
        if number % 5 == 1 and len(work["authorships"]) > 1:
            work["authorships"] = work["authorships"][:-1]
        if number % 5 == 2 and work.get("topics"):
            work["topics"][0]["score"] = 0.5
            work["topics"] = work["topics"][:1]
        if number % 5 == 3:
            work["title"] = f"{work['title']} (revised)"
        changed.append(json.dumps(work) + "\n")
    return changed


def test_a_later_snapshot_updates_as_ingest_would_and_keeps_the_owners_decisions(tmp_path):
    first = lay_out_snapshot(tmp_path / "first", [BENCH_LINES[:50]])
    record_by_record(first)()
    work = Work.objects.get(openalex_id=json.loads(BENCH_LINES[1])["id"].rsplit("/", 1)[1])
    owner = work.authorships.order_by("position").first().researcher
    HiddenWork.objects.create(researcher=owner, work=work, reason="not mine")
    grouped = Work.objects.filter(version_of__isnull=False).first()
    VersionSplit.objects.create(
        work_id=min(grouped.pk, grouped.version_of_id),
        other_id=max(grouped.pk, grouped.version_of_id),
    )
    versions_regroup([grouped.title_key])
    later = lay_out_snapshot(tmp_path / "later", [_changed(BENCH_LINES[:50])])

    expected = after(record_by_record(later))
    loaded = after(set_based(later))

    for table in expected:
        assert loaded[table] == expected[table], table
    assert HiddenWork.objects.filter(researcher=owner, work=work).exists()
    assert not Work.objects.filter(pk=grouped.pk, version_of=grouped.version_of_id).exists()
