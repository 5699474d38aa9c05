"""works.ingest.matching: which stored row a record is, as plain functions. No database: rows
are plain objects with the model's attributes."""

from dataclasses import replace
from types import SimpleNamespace

import pytest

from works.ingest.matching import (
    author_identity,
    authors_merged,
    byline_coauthors,
    coauthors_compared,
    researcher_for_name,
    search_name,
    stored_work_for,
    work_keys,
    works_paired,
)
from works.sanitize import title_key_of
from works.sources.records import AuthorRecord, AuthorshipRecord, WorkRecord


def person(pk, *, openalex_id=None, orcid=None, name_key="ada example"):
    return SimpleNamespace(pk=pk, openalex_id=openalex_id, orcid=orcid, name_key=name_key)


def stored_work(pk, *, title="Deep learning of things", year=2021, **ids):
    values = {"openalex_id": None, "doi": None, "arxiv_id": None, **ids}
    return SimpleNamespace(
        pk=pk, publication_year=year, title_key=title_key_of(title), title=title, **values
    )


def byline(*names, **ids) -> tuple[AuthorshipRecord, ...]:
    return tuple(AuthorshipRecord(author=AuthorRecord(display_name=name, **ids)) for name in names)


def indexed(*rows):
    """What ingest reads for a batch: rows by (id field, value), and by normalised title."""
    stored = {
        (name, getattr(row, name)): row
        for row in rows
        for name in ("openalex_id", "doi", "arxiv_id")
        if getattr(row, name)
    }
    by_title = {}
    for row in rows:
        by_title.setdefault(row.title_key, []).append(row)
    return {"stored": stored, "by_title": by_title}


# --- Which researcher a byline is -------------------------------------------------------------


def test_identity_is_the_openalex_id_then_the_orcid_then_the_folded_name():
    assert author_identity(AuthorRecord("Ada", openalex_id="A1", orcid="X")) == ("openalex", "A1")
    assert author_identity(AuthorRecord("Ada", orcid="0000-0001")) == ("orcid", "0000-0001")
    assert author_identity(AuthorRecord("Ädá  EXAMPLE")) == ("name", "ada example")


def test_copies_of_one_author_pool_what_they_know_and_keep_the_first_name():
    merged = authors_merged(
        [
            AuthorRecord("Ada Example", openalex_id="A1", name_variants=("A. Example",)),
            AuthorRecord("A. Example", openalex_id="A1", orcid="0000-0001"),
            AuthorRecord("Grace Sample", arxiv_name_forms=("Grace Sample",)),
        ]
    )

    assert list(merged) == [("openalex", "A1"), ("name", "grace sample")]
    ada = merged[("openalex", "A1")]
    assert (ada.display_name, ada.orcid, ada.name_variants) == (
        "Ada Example",
        "0000-0001",
        ("A. Example",),
    )


def test_search_name_folds_the_name_and_its_variants_once_each():
    assert search_name("Ada Example", ["ADA EXAMPLE", "Ádá E."]) == "ada example | ada e."


def test_byline_coauthors_are_the_other_names_on_the_bylines_of_name_only_authors():
    records = [
        WorkRecord(title="One", authorships=byline("Ada Example", "Grace Sample")),
        WorkRecord(
            title="Two",
            authorships=(
                *byline("Ada Example"),
                *byline("Known Person", openalex_id="A9"),
            ),
        ),
    ]

    assert byline_coauthors(records) == {
        "ada example": {"grace sample", "known person"},
        "grace sample": {"ada example"},
    }


def test_the_record_an_import_is_for_comes_first():
    pinned, other = person(1, openalex_id="A1"), person(2)

    assert researcher_for_name([other], pinned=pinned, coauthors=set()) is pinned


def test_a_record_without_ids_comes_before_records_with_ids():
    without, with_ids = person(1), person(2, openalex_id="A2")

    assert researcher_for_name([with_ids, without], coauthors={"grace sample"}) is without
    assert coauthors_compared([with_ids, without]) == []


def test_a_byline_joins_the_one_record_with_ids_that_shares_a_co_author():
    ada, namesake = person(1, openalex_id="A1"), person(2, orcid="0000-0002")
    known = {1: {"grace sample"}, 2: {"zed other"}}

    assert coauthors_compared([ada, namesake]) == [1, 2]
    found = researcher_for_name([ada, namesake], coauthors={"grace sample"}, known_coauthors=known)
    assert found is ada


@pytest.mark.parametrize(
    ("records", "byline_names"),
    [
        (1, {"zed other"}),  # no co-author shared
        (1, set()),  # a single-author paper gives no evidence
        (2, {"grace sample"}),  # two records of the name share it
    ],
    ids=["no-shared-co-author", "no-co-authors", "two-records-share"],
)
def test_a_byline_without_one_clear_match_is_a_new_record(records, byline_names):
    candidates = [person(pk, openalex_id=f"A{pk}") for pk in range(1, records + 1)]
    known = {row.pk: {"grace sample"} for row in candidates}

    assert researcher_for_name(candidates, coauthors=byline_names, known_coauthors=known) is None


def test_an_author_search_names_one_person_so_the_only_record_of_the_name_is_them():
    ada = person(1, openalex_id="A1")

    assert researcher_for_name([ada]) is ada
    assert researcher_for_name([ada, person(2, openalex_id="A2")]) is None
    assert researcher_for_name([]) is None


# --- Which work a record is -------------------------------------------------------------------


def test_dedup_keys_are_the_openalex_id_else_every_id_else_title_and_year():
    assert work_keys(WorkRecord(title="T", openalex_id="W1", doi="10.1/x")) == {
        ("openalex_id", "W1")
    }
    assert work_keys(WorkRecord(title="T", doi="10.1/x", arxiv_id="2101.1")) == {
        ("doi", "10.1/x"),
        ("arxiv_id", "2101.1"),
    }
    assert work_keys(WorkRecord(title="<i>Deep</i>  Nets!", publication_year=2020)) == {
        ("title", "deep nets|2020")
    }


def test_an_arxiv_record_meets_the_openalex_work_by_title_and_year():
    openalex = stored_work(1, openalex_id="W100")

    record = WorkRecord(title="Deep Learning of Things", arxiv_id="2101.1", publication_year=2021)

    assert stored_work_for(record, **indexed(openalex)) is openalex
    assert stored_work_for(replace(record, publication_year=2019), **indexed(openalex)) is None


def test_a_title_match_whose_ids_contradict_the_record_is_no_match():
    stored = stored_work(1, doi="10.1/other")

    record = WorkRecord(title="Deep learning of things", doi="10.1/mine", publication_year=2021)

    assert stored_work_for(record, **indexed(stored)) is None


def test_two_openalex_works_stay_two_even_when_one_names_the_others_arxiv_id():
    preprint = stored_work(1, openalex_id="W1", arxiv_id="1304.7300", title="Preprint")

    journal = WorkRecord(
        title="Journal version", openalex_id="W2", arxiv_id="1304.7300", publication_year=2021
    )

    assert stored_work_for(journal, **indexed(preprint)) is None
    [(record, row)], skipped = works_paired([journal], **indexed(preprint))
    assert (row, record.arxiv_id, skipped) == (None, None, 0)


def test_a_record_seen_twice_in_a_batch_is_skipped_the_second_time():
    record = WorkRecord(title="T", arxiv_id="2101.00001")

    paired, skipped = works_paired([record, record], **indexed())

    assert (paired, skipped) == ([(record, None)], 1)


def test_the_arxiv_version_keeps_an_arxiv_id_several_records_name():
    journal = WorkRecord(
        title="Coverage (journal)",
        openalex_id="W2038196424",
        doi="10.1007/s11192-013-1221-3",
        arxiv_id="1304.7300",
        arxiv_id_confident=False,
    )
    preprint = WorkRecord(title="Coverage", openalex_id="W4301494992", arxiv_id="1304.7300")

    paired, skipped = works_paired([journal, preprint], **indexed())

    assert skipped == 0
    assert [(record.openalex_id, record.arxiv_id) for record, _ in paired] == [
        ("W2038196424", None),
        ("W4301494992", "1304.7300"),
    ]
