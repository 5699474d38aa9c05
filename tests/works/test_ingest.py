"""works.ingest through the import pipeline (works.services.records_import) and `manage.py
load_demo`: idempotent upserts, dedup, sanitising, the graph."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Q

from graph.models import Collaboration
from profiles.models import TrustAssessment
from tests.conftest import DEMO_DIRECTORY, SEED_SLUG
from tests.factories import ResearcherFactory
from works.models import Authorship, ImportRun, Institution, Researcher, Topic, Work, WorkTopic
from works.services import records_import
from works.sources.records import (
    AuthorRecord,
    AuthorshipRecord,
    TopicRecord,
    WorkRecord,
    WorkTopicRecord,
)

pytestmark = pytest.mark.django_db

DOMAIN_MODELS = [
    Researcher,
    Work,
    Authorship,
    Authorship.institutions.through,
    WorkTopic,
    Topic,
    Institution,
    Collaboration,
    TrustAssessment,
]


# When a source last supplied a work: a re-import is a new sync, whatever else it changes.
# page_version moves with the stamps: the profile shows when each work was last synced.
SYNC_STAMPS = {"synced", "citations_synced_at", "page_version"}


def snapshot() -> dict[str, list[dict]]:
    """Every row of every domain table, every column (updated_at included) but the sync
    stamps and the page version that follows them."""
    return {
        model._meta.label: [
            {name: value for name, value in row.items() if name not in SYNC_STAMPS}
            for row in model.objects.order_by("pk").values()
        ]
        for model in DOMAIN_MODELS
    }


def byline(*names: str) -> tuple[AuthorshipRecord, ...]:
    return tuple(
        AuthorshipRecord(author=AuthorRecord(display_name=name), raw_author_name=name)
        for name in names
    )


def work(arxiv_id: str, *names: str, year: int = 2022, **fields) -> WorkRecord:
    values = {"title": f"Paper {arxiv_id}", "arxiv_id": arxiv_id, "publication_year": year}
    values.update(fields)
    return WorkRecord(authorships=byline(*names), **values)


def pairs() -> dict[frozenset[str], int]:
    """Collaboration rows as {frozenset of the two names: shared works}."""
    return {
        frozenset([row.researcher_a.display_name, row.researcher_b.display_name]): row.shared_works
        for row in Collaboration.objects.select_related("researcher_a", "researcher_b")
    }


# --- load_demo --------------------------------------------------------------------------------


def test_load_demo_creates_the_seed_researcher(demo, seed_file, seed_titles):
    seed = Researcher.objects.get(slug=SEED_SLUG)

    assert seed.display_name == "Jascha Sohl-Dickstein"
    works = Work.objects.filter(authorships__researcher=seed)
    assert works.count() == 16
    assert sorted(work.plain_title for work in works) == sorted(seed_titles)
    assert sorted(works.values_list("arxiv_id", flat=True)) == sorted(
        item["arxiv_id"] for item in seed_file["works"]
    )
    assert (seed.works_count, seed.topics_count) == (16, 6)
    assert seed.verification_level == 1
    assert not seed.is_claimed
    assert (seed.trust_score, seed.trust_band) == (21, "emerging")
    assert [component["key"] for component in seed.trust_components] == [
        "verification",
        "publications",
        "identifiers",
        "verified_collaborators",
        "community",
        "disputes",
    ]
    assert seed.trust_assessments.get().score == 21


def test_load_demo_links_the_seed_to_38_co_authors_and_6_topics(demo, seed_file):
    seed = Researcher.objects.get(slug=SEED_SLUG)

    co_authors = set(
        Researcher.objects.filter(authorships__work__authorships__researcher=seed)
        .exclude(pk=seed.pk)
        .values_list("display_name", flat=True)
    )
    expected = {name for item in seed_file["works"] for name in item["authors"]}
    expected.discard(seed.display_name)
    assert len(co_authors) == 38
    assert co_authors == expected

    topics = set(
        Topic.objects.filter(works__authorships__researcher=seed)
        .distinct()
        .values_list("name", flat=True)
    )
    assert topics == {topic["name"] for topic in seed_file["topics"]}
    assert len(topics) == 6


def test_load_demo_keeps_each_bylines_order(demo, seed_file):
    for item in seed_file["works"]:
        stored = Authorship.objects.filter(work__arxiv_id=item["arxiv_id"]).order_by("position")
        assert [a.researcher.display_name for a in stored] == item["authors"]


def test_load_demo_imports_jason_priem_from_openalex(demo):
    priem = Researcher.objects.get(openalex_id="A5023888391")

    assert priem.slug == "jason-priem"
    assert priem.display_name == "Jason Priem"
    assert priem.orcid == "0000-0001-6187-6610"
    assert priem.institution.name == "OpenAlex"
    # Versions of one paper (a preprint and its article) count once.
    versions = Authorship.objects.filter(researcher=priem, work__version_of__isnull=False)
    assert priem.works_count == Work.objects.shown_on([priem.pk]).count() > 40
    assert (
        priem.works_count == Authorship.objects.filter(researcher=priem).count() - versions.count()
    )
    # L1 (5) + 20 publications + ORCID and OpenAlex (10): still Emerging.
    assert (priem.verification_level, priem.trust_score, priem.trust_band) == (1, 35, "emerging")
    michigan = Institution.objects.get(openalex_id="I27837315")
    assert michigan.email_domains == ["umich.edu"]


def test_load_demo_stores_the_openalex_title_with_its_entity_decoded_once(demo):
    stored = Work.objects.get(openalex_id="W2154768595")

    assert stored.plain_title.startswith("Shaken and stirred: ASIS&T 2011")


def test_load_demo_skips_edges_of_the_hyper_authored_work(demo):
    run = ImportRun.objects.get()

    assert run.state == ImportRun.State.DONE
    # W4230863633 lists 100 authors: no pairs, 100·99/2 = 4950 recorded as skipped.
    assert run.counts["hyperauthored_works"] == 1
    assert run.counts["edges_skipped"] == 4950
    tennant = Researcher.objects.get(display_name="Jonathan Tennant")
    assert not Collaboration.objects.filter(
        Q(researcher_a=tennant) | Q(researcher_b=tennant)
    ).exists()


def test_load_demo_keeps_every_openalex_work_even_when_arxiv_ids_collide(demo):
    page = json.loads(
        (DEMO_DIRECTORY / "openalex" / "works_author_A5023888391_page1.json").read_text()
    )
    wanted = {item["id"].rsplit("/", 1)[-1] for item in page["results"]}

    assert set(
        Work.objects.filter(openalex_id__in=wanted).values_list("openalex_id", flat=True)
    ) == (wanted)
    # Four OpenAlex works name arXiv 1304.7300; a version on arXiv keeps it, the journal
    # version is stored with its own DOI and no arXiv id.
    assert Work.objects.get(arxiv_id="1304.7300").openalex_id in {"W2949258821", "W4301494992"}
    journal = Work.objects.get(openalex_id="W2038196424")
    assert (journal.arxiv_id, journal.doi) == (None, "10.1007/s11192-013-1221-3")


def test_load_demo_twice_changes_nothing(demo):
    before = snapshot()

    call_command("load_demo", stdout=io.StringIO())

    assert snapshot() == before
    first, second = ImportRun.objects.order_by("pk")
    assert first.counts["works_created"] > 0
    assert second.state == ImportRun.State.DONE
    for key in (
        "works_created",
        "works_updated",
        "researchers_created",
        "researchers_updated",
        "authorships_written",
    ):
        assert second.counts[key] == 0, key
    assert second.counts["works_unchanged"] == first.counts["works_created"]


# --- records_import: ingest, then the graph and counts ----------------------------------------


def test_a_record_seen_twice_in_one_batch_is_stored_once():
    record = work("2101.00001", "Ada Lovelace", "Charles Babbage")

    result = records_import(records=[record, record])

    assert Work.objects.filter(arxiv_id="2101.00001").count() == 1
    assert (result.works_created, result.duplicates_skipped) == (1, 1)
    assert Authorship.objects.count() == 2


def test_the_same_paper_from_two_sources_is_one_work():
    records_import(records=[work("2205.01833", "Ada Lovelace", title="OpenAlex: an index")])

    result = records_import(
        records=[
            work(
                "2205.01833",
                "Ada Lovelace",
                title="OpenAlex: an index",
                openalex_id="W4229010617",
                doi="10.48550/arxiv.2205.01833",
            )
        ]
    )

    stored = Work.objects.get()
    assert (stored.openalex_id, stored.doi) == ("W4229010617", "10.48550/arxiv.2205.01833")
    assert (result.works_created, result.works_updated) == (0, 1)


@pytest.mark.parametrize("journal_first", [True, False])
def test_the_arxiv_version_keeps_a_shared_arxiv_id(journal_first):
    journal = work(
        "1304.7300",
        "Ada Lovelace",
        title="Coverage of altmetrics (journal)",
        openalex_id="W2038196424",
        doi="10.1007/s11192-013-1221-3",
        arxiv_id_confident=False,
    )
    preprint = work(
        "1304.7300", "Ada Lovelace", title="Coverage of altmetrics", openalex_id="W4301494992"
    )

    records_import(records=[journal, preprint] if journal_first else [preprint, journal])

    assert Work.objects.count() == 2
    assert Work.objects.get(arxiv_id="1304.7300").openalex_id == "W4301494992"
    assert Work.objects.get(openalex_id="W2038196424").arxiv_id is None
    assert Researcher.objects.get().works_count == 2


def test_reingesting_unchanged_records_writes_nothing():
    records = [work("2101.00001", "Ada Lovelace", "Charles Babbage")]
    records_import(records=records)
    before = snapshot()

    result = records_import(records=records)

    assert snapshot() == before
    assert (result.works_unchanged, result.works_updated, result.authorships_written) == (1, 0, 0)


def test_work_over_the_author_cap_makes_no_collaboration_rows(settings):
    settings.GRAPH_MAX_AUTHORS_FOR_EDGES = 3

    result = records_import(records=[work("2101.00001", "A One", "B Two", "C Three", "D Four")])

    assert Collaboration.objects.count() == 0
    assert (result.hyperauthored_works, result.edges_skipped) == (1, 6)
    assert Authorship.objects.count() == 4


def test_work_at_the_author_cap_makes_every_pair(settings):
    settings.GRAPH_MAX_AUTHORS_FOR_EDGES = 3

    result = records_import(records=[work("2101.00001", "A One", "B Two", "C Three")])

    assert pairs() == {
        frozenset({"A One", "B Two"}): 1,
        frozenset({"A One", "C Three"}): 1,
        frozenset({"B Two", "C Three"}): 1,
    }
    assert result.edges_skipped == 0


def test_changing_a_byline_updates_the_collaborations():
    records_import(
        records=[
            work("2101.00001", "Ada Lovelace", "Charles Babbage", "Mary Somerville"),
            work("2101.00002", "Ada Lovelace", "Charles Babbage", year=2020),
        ]
    )
    assert pairs() == {
        frozenset({"Ada Lovelace", "Charles Babbage"}): 2,
        frozenset({"Ada Lovelace", "Mary Somerville"}): 1,
        frozenset({"Charles Babbage", "Mary Somerville"}): 1,
    }

    # The source corrects the first byline: Somerville was never on it, Herschel was.
    records_import(records=[work("2101.00001", "Ada Lovelace", "Caroline Herschel")])

    assert pairs() == {
        frozenset({"Ada Lovelace", "Charles Babbage"}): 1,
        frozenset({"Ada Lovelace", "Caroline Herschel"}): 1,
    }
    somerville = Researcher.objects.get(display_name="Mary Somerville")
    assert somerville.works_count == 0
    babbage = Researcher.objects.get(display_name="Charles Babbage")
    assert babbage.works_count == 1
    assert list(
        Authorship.objects.filter(work__arxiv_id="2101.00001")
        .order_by("position")
        .values_list("researcher__display_name", flat=True)
    ) == ["Ada Lovelace", "Caroline Herschel"]


def test_hostile_html_is_stored_sanitised():
    records_import(
        records=[
            work(
                "2101.00001",
                "Ada Lovelace",
                title='<script>alert("t")</script>Deep <i onclick="alert(1)">nets</i>',
                abstract='<img src=x onerror="alert(2)"><p style="x">We show $x<y$.</p>',
            )
        ]
    )

    stored = Work.objects.get()
    assert stored.title == "Deep <i>nets</i>"
    assert stored.abstract == "<p>We show $x&lt;y$.</p>"
    assert stored.plain_title == "Deep nets"


def test_topics_are_replaced_when_the_record_changes():
    neural = TopicRecord(external_id="T1", name="Neural networks")
    kernels = TopicRecord(external_id="T2", name="Kernels")
    records_import(records=[work("2101.00001", "Ada Lovelace", topics=(WorkTopicRecord(neural),))])

    records_import(
        records=[work("2101.00001", "Ada Lovelace", topics=(WorkTopicRecord(kernels, 0.5),))]
    )

    assert list(WorkTopic.objects.values_list("topic__name", "score")) == [("Kernels", 0.5)]
    assert Researcher.objects.get(display_name="Ada Lovelace").topics_count == 1


def test_author_records_match_existing_researchers_by_id_and_name():
    existing = ResearcherFactory(display_name="Grace Hopper", openalex_id="A123456")
    record = WorkRecord(
        title="Compilers",
        arxiv_id="2101.00001",
        authorships=(
            AuthorshipRecord(author=AuthorRecord(display_name="G. Hopper", openalex_id="A123456")),
            AuthorshipRecord(author=AuthorRecord(display_name="Alan Turing")),
        ),
    )

    records_import(records=[record])
    records_import(records=[work("2101.00002", "Alan Turing")])

    assert Researcher.objects.count() == 2
    assert Authorship.objects.filter(researcher=existing).count() == 1
    assert Researcher.objects.get(display_name="Alan Turing").works_count == 2


# --- database invariants ----------------------------------------------------------------------


def test_collaboration_pair_order_is_enforced_by_the_database():
    low, high = sorted([ResearcherFactory(), ResearcherFactory()], key=lambda r: r.pk)
    Collaboration.objects.create(researcher_a=low, researcher_b=high, shared_works=1, strength=1.0)

    with pytest.raises(IntegrityError), transaction.atomic():
        Collaboration.objects.create(
            researcher_a=high, researcher_b=low, shared_works=1, strength=1.0
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Collaboration.objects.create(
            researcher_a=low, researcher_b=low, shared_works=1, strength=1.0
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Collaboration.objects.create(
            researcher_a=low, researcher_b=high, shared_works=2, strength=2.0
        )
    assert Collaboration.objects.count() == 1


@pytest.mark.parametrize("field", ["arxiv_id", "doi", "openalex_id"])
def test_one_work_per_external_id_is_enforced_by_the_database(field):
    Work.objects.create(slug="first", title="First", title_key="first", **{field: "X1"})

    with pytest.raises(IntegrityError), transaction.atomic():
        Work.objects.create(slug="second", title="Second", title_key="second", **{field: "X1"})
