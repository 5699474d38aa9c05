"""works.sources.openalex on the recorded real OpenAlex responses in works/demo/openalex/."""

import copy
import datetime
import json

import pytest

from tests.conftest import DEMO_DIRECTORY
from works.sources import openalex
from works.sources.openalex import OpenAlexParseError

RECORDED = DEMO_DIRECTORY / "openalex"


def load(name: str) -> dict:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def work_json() -> dict:
    return load("work_W2741809807.json")


@pytest.fixture(scope="module")
def page_results() -> dict[str, dict]:
    """The 50 works of Jason Priem's first works page, by short OpenAlex id."""
    results = load("works_author_A5023888391_page1.json")["results"]
    return {item["id"].rsplit("/", 1)[-1]: item for item in results}


def test_work_is_parsed_into_a_record(work_json):
    record = openalex.parse_work(work_json)

    assert record.openalex_id == "W2741809807"
    assert record.title == (
        "The state of OA: a large-scale analysis of the prevalence and impact of Open Access "
        "articles"
    )
    assert record.doi == "10.7717/peerj.4375"
    assert record.arxiv_id is None
    assert record.type == "article"
    assert record.venue == "PeerJ"
    assert record.publication_date == datetime.date(2018, 2, 13)
    assert record.publication_year == 2018
    assert record.citation_count == work_json["cited_by_count"] > 0
    assert record.is_retracted is False
    assert record.payload == work_json


def test_abstract_is_rebuilt_in_word_order(work_json):
    record = openalex.parse_work(work_json)

    # The published abstract of "The state of OA" (PeerJ 2018) opens with this sentence.
    assert record.abstract.startswith(
        "Despite growing interest in Open Access (OA) to scholarly literature, there is an unmet "
        "need for large-scale, up-to-date, and reproducible studies assessing the prevalence and "
        "characteristics of OA. We address this need using oaDOI,"
    )
    positions = [p for places in work_json["abstract_inverted_index"].values() for p in places]
    assert len(record.abstract.split(" ")) == len(positions) == max(positions) + 1


def test_rebuild_abstract_orders_repeated_words():
    index = {"the": [0, 3], "cat": [1], "saw": [2], "dog.": [4]}

    assert openalex.rebuild_abstract(index) == "the cat saw the dog."
    assert openalex.rebuild_abstract(None) == ""
    assert openalex.rebuild_abstract({}) == ""


def test_abstract_keeps_the_markup_openalex_sends(page_results):
    # W4393426114's inverted index holds "<strong>The" and "articles.</strong>" as words;
    # the sanitiser, not the parser, decides what markup survives.
    record = openalex.parse_work(page_results["W4393426114"])

    assert record.abstract.startswith(
        "This is the raw data behind the publication: <strong>The State of OA:"
    )


def test_authorships_keep_byline_order_ids_and_institutions(work_json):
    record = openalex.parse_work(work_json)

    names = [authorship.author.display_name for authorship in record.authorships]
    assert names[:3] == ["Heather Piwowar", "Jason Priem", "Vincent Lariviére"]
    assert len(names) == 9
    priem = record.authorships[1]
    assert priem.author.openalex_id == "A5023888391"
    assert priem.author.orcid == "0000-0001-6187-6610"
    assert priem.raw_author_name == "Jason Priem"
    assert priem.raw_affiliation == "Impactstory, Sanford, NC, USA"
    assert [institution.openalex_id for institution in priem.institutions] == ["I4210166736"]
    # The raw byline keeps the accent the publisher printed.
    assert record.authorships[2].raw_author_name == "Vincent Larivière"


def test_topics_carry_hierarchy_and_score(work_json):
    record = openalex.parse_work(work_json)

    first = record.topics[0]
    assert first.topic.external_id == "T10102"
    assert first.topic.name == "scientometrics and bibliometrics research"
    assert (first.topic.field, first.topic.domain) == ("Decision Sciences", "Social Sciences")
    assert first.score == pytest.approx(0.9969)
    assert len(record.topics) == 3


def test_whole_page_parses(page_results):
    records = [openalex.parse_work(item) for item in page_results.values()]

    assert len(records) == 50
    # PROVENANCE.md: 13 works have abstract_inverted_index = null, 11 have doi = null.
    assert sum(record.abstract == "" for record in records) == 13
    assert sum(record.doi is None for record in records) == 11
    assert all(record.title for record in records)


def test_arxiv_id_from_an_arxiv_doi(page_results):
    record = openalex.parse_work(page_results["W4229010617"])

    assert record.doi == "10.48550/arxiv.2205.01833"
    assert record.arxiv_id == "2205.01833"
    assert record.arxiv_id_confident is True


@pytest.mark.parametrize(
    ("work_id", "confident"),
    [
        ("W2949258821", True),  # the primary location is the arXiv PDF: the preprint itself
        ("W2038196424", False),  # a journal article that also lists its preprint
        ("W4299872130", False),
    ],
)
def test_arxiv_id_is_confident_only_for_the_arxiv_version(page_results, work_id, confident):
    record = openalex.parse_work(page_results[work_id])

    assert record.arxiv_id == "1304.7300"
    assert record.arxiv_id_confident is confident


@pytest.mark.parametrize(
    ("work_id", "arxiv_id"),
    [
        ("W2038196424", "1304.7300"),  # a journal DOI, an arxiv.org/abs location
        ("W2949258821", "1304.7300"),  # no DOI, an arxiv.org/pdf location
        ("W3084168212", "2009.04287"),
        ("W2109312864", "1305.3328"),  # http:// rather than https://
    ],
)
def test_arxiv_id_from_arxiv_locations(page_results, work_id, arxiv_id):
    assert openalex.parse_work(page_results[work_id]).arxiv_id == arxiv_id


def test_work_without_arxiv_trace_has_no_arxiv_id(page_results):
    assert openalex.parse_work(page_results["W2122130843"]).arxiv_id is None


def test_truncated_byline_is_parsed_in_full(page_results):
    data = page_results["W4230863633"]
    assert data["is_authors_truncated"] is True

    record = openalex.parse_work(data)

    assert len(record.authorships) == 100
    assert record.authorships[0].author.display_name == "Jonathan Tennant"
    assert all(authorship.author.openalex_id for authorship in record.authorships)


def test_work_without_abstract_or_doi(page_results):
    record = openalex.parse_work(page_results["W3130540911"])

    assert record.title == "altmetrics: a manifesto"
    assert record.abstract == ""
    assert record.doi is None


def test_missing_title_falls_back_to_display_name_then_placeholder(work_json):
    data = copy.deepcopy(work_json)
    data["title"] = None
    assert openalex.parse_work(data).title == work_json["display_name"]

    data["display_name"] = None
    data["abstract_inverted_index"] = None
    record = openalex.parse_work(data)
    assert record.title == "Untitled work"
    assert record.abstract == ""


def test_sparse_work_parses_with_defaults():
    record = openalex.parse_work(
        {"id": "https://openalex.org/W1", "publication_date": "2020-13-45"}
    )

    assert record.openalex_id == "W1"
    assert record.title == "Untitled work"
    assert record.publication_date is None
    assert record.authorships == ()
    assert record.topics == ()
    assert (record.doi, record.arxiv_id, record.venue, record.citation_count) == (
        None,
        None,
        "",
        None,
    )


def test_authorship_without_any_name_is_skipped(work_json):
    data = copy.deepcopy(work_json)
    data["authorships"][0]["author"]["display_name"] = None
    data["authorships"][0]["raw_author_name"] = None

    record = openalex.parse_work(data)

    assert len(record.authorships) == 8
    assert record.authorships[0].author.display_name == "Jason Priem"


@pytest.mark.parametrize("data", [{}, {"id": None, "title": "No id"}])
def test_work_without_id_is_rejected(data):
    with pytest.raises(OpenAlexParseError):
        openalex.parse_work(data)


def test_author_record():
    record = openalex.parse_author(load("author_A5023888391.json"))

    assert record.display_name == "Jason Priem"
    assert record.openalex_id == "A5023888391"
    assert record.orcid == "0000-0001-6187-6610"
    assert set(record.name_variants) == {"Jason Priem", "Priem Jason"}
    assert record.institution.openalex_id == "I4200000001"
    assert record.institution.name == "OpenAlex"
    assert record.institution.ror == "02nr0ka47"


def test_institution_record_with_email_domain_from_homepage():
    record = openalex.parse_institution(load("institution_I27837315.json"))

    assert record.openalex_id == "I27837315"
    assert record.name == "University of Michigan"
    assert record.ror == "00jmfr291"
    assert record.country_code == "US"
    # homepage_url https://www.umich.edu → the domain of institutional e-mail.
    assert record.email_domains == ("umich.edu",)


@pytest.mark.parametrize(
    ("homepage", "domains"),
    [
        ("http://WWW.Example.AC.UK/about", ("example.ac.uk",)),
        ("https://cs.stanford.edu", ("cs.stanford.edu",)),
        ("http://localhost/", ()),
        (None, ()),
        ("", ()),
    ],
)
def test_institution_email_domains(homepage, domains):
    record = openalex.parse_institution({"id": "https://openalex.org/I1", "homepage_url": homepage})

    assert record.email_domains == domains


def test_topic_record():
    record = openalex.parse_topic(load("topic_T10888.json"))

    assert record.external_id == "T10888"
    assert record.name == "Augmented Reality Applications"
    assert record.subfield == "Computer Vision and Pattern Recognition"
    assert record.field == "Computer Science"
    assert record.domain == "Physical Sciences"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://openalex.org/A5023888391", "A5023888391"),
        ("https://openalex.org/w2741809807/", "W2741809807"),
        ("A5023888391", "A5023888391"),
        ("", None),
        (None, None),
    ],
)
def test_short_id(value, expected):
    assert openalex.short_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://doi.org/10.7717/PeerJ.4375", "10.7717/peerj.4375"),
        ("http://doi.org/10.1038/495437A", "10.1038/495437a"),
        ("https://dx.doi.org/10.1/X", "10.1/x"),
        ("doi:10.48550/arXiv.2205.01833", "10.48550/arxiv.2205.01833"),
        (" 10.1/abc ", "10.1/abc"),
        ("https://doi.org/", None),
        (None, None),
    ],
)
def test_normalise_doi(value, expected):
    assert openalex.normalise_doi(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://orcid.org/0000-0001-6187-6610", "0000-0001-6187-6610"),
        ("0000-0002-1694-233x", "0000-0002-1694-233X"),
        ("https://orcid.org/0000-0001-6187-6610/", "0000-0001-6187-6610"),
        ("https://orcid.org/not-an-orcid", None),
        ("0000-0001-6187", None),
        (None, None),
    ],
)
def test_normalise_orcid(value, expected):
    assert openalex.normalise_orcid(value) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://arxiv.org/abs/2205.01833v2", "2205.01833"),
        ("https://arxiv.org/pdf/1304.7300v1", "1304.7300"),
        ("http://arxiv.org/abs/hep-th/9901001v3", "hep-th/9901001"),
        ("https://arxiv.org/abs/math.GT/0309136", "math.GT/0309136"),
    ],
)
def test_arxiv_id_forms_in_urls(url, expected):
    data = {"id": "https://openalex.org/W1", "primary_location": {"landing_page_url": url}}

    assert openalex.parse_work(data).arxiv_id == expected
