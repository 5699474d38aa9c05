"""One paper seen by two sources is one Work; arXiv bylines join known researchers carefully."""

import pytest

from works.ingest import ingest_works
from works.models import Authorship, Researcher, Work
from works.sources.records import AuthorRecord, AuthorshipRecord, WorkRecord

pytestmark = pytest.mark.django_db


def openalex_work(title="Deep learning of things", year=2021, **extra) -> WorkRecord:
    authors = [("A100", "Ada Example"), ("A200", "Grace Sample")]
    return WorkRecord(
        title=title,
        openalex_id=extra.pop("openalex_id", "W100"),
        publication_year=year,
        type="article",
        venue="Journal of Things",
        citation_count=42,
        authorships=tuple(
            AuthorshipRecord(author=AuthorRecord(display_name=name, openalex_id=author_id))
            for author_id, name in authors
        ),
        **extra,
    )


def arxiv_work(
    title="Deep learning of things",
    year=2021,
    names=("Ada Example", "Grace Sample"),
    arxiv_id="2101.00001",
    abstract="We learn things.",
) -> WorkRecord:
    return WorkRecord(
        title=title,
        arxiv_id=arxiv_id,
        publication_year=year,
        type="preprint",
        venue="arXiv",
        abstract=abstract,
        authorships=tuple(
            AuthorshipRecord(author=AuthorRecord(display_name=name, arxiv_name_forms=(name,)))
            for name in names
        ),
    )


def test_arxiv_record_matches_an_openalex_work_by_title_and_year_and_only_fills_gaps():
    ingest_works([openalex_work()])

    result = ingest_works([arxiv_work()])

    work = Work.objects.get()
    assert (work.openalex_id, work.arxiv_id) == ("W100", "2101.00001")
    assert work.abstract == "We learn things."
    assert (work.type, work.venue, work.citation_count) == ("article", "Journal of Things", 42)
    assert list(work.authorships.values_list("researcher__openalex_id", flat=True)) == [
        "A100",
        "A200",
    ]
    assert result.works_updated == 1
    assert Researcher.objects.count() == 2  # no name-only duplicates of the OpenAlex authors


def test_same_title_in_another_year_is_another_work():
    ingest_works([openalex_work(year=2019)])

    ingest_works([arxiv_work(year=2021)])

    assert Work.objects.count() == 2


def test_arxiv_record_with_the_openalex_works_arxiv_id_keeps_openalex_values():
    ingest_works([openalex_work(arxiv_id="2101.00001", title="Deep learning of things")])

    ingest_works([arxiv_work(title="Deep Learning of Things (v2)")])

    work = Work.objects.get()
    assert work.plain_title == "Deep learning of things"
    assert work.citation_count == 42


def test_reimporting_the_arxiv_record_changes_nothing():
    ingest_works([openalex_work()])
    ingest_works([arxiv_work()])
    before = list(Work.objects.values())

    result = ingest_works([arxiv_work()])

    assert list(Work.objects.values()) == before
    assert (result.works_created, result.works_updated, result.works_unchanged) == (0, 0, 1)


def test_arxiv_author_joins_the_openalex_researcher_who_shares_a_co_author():
    ingest_works([openalex_work(title="An earlier paper", openalex_id="W1")])

    ingest_works([arxiv_work(title="A new preprint", arxiv_id="2401.00002")])

    ada = Researcher.objects.get(openalex_id="A100")
    assert Researcher.objects.filter(name_key="ada example").count() == 1
    assert set(ada.authorships.values_list("work__arxiv_id", flat=True)) == {None, "2401.00002"}
    assert "Ada Example" in ada.arxiv_name_forms


def test_arxiv_author_without_a_shared_co_author_stays_a_separate_record():
    ingest_works([openalex_work(title="An earlier paper", openalex_id="W1")])

    ingest_works(
        [arxiv_work(title="Unrelated", arxiv_id="2401.00003", names=("Ada Example", "Zed Other"))]
    )

    records = Researcher.objects.filter(name_key="ada example")
    assert records.count() == 2
    name_only = records.get(openalex_id__isnull=True)
    assert list(
        Authorship.objects.filter(researcher=name_only).values_list("work__arxiv_id", flat=True)
    ) == ["2401.00003"]
