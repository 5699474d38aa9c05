"""One work, all its versions: grouping from the recorded OpenAlex works of A5023888391."""

import json
from pathlib import Path

import pytest

from works.ingest.versions import Candidate, versions_grouped
from works.models import Researcher, Work
from works.sanitize import title_key_of
from works.sources.openalex import parse_work

PAGE = Path(__file__).parents[1] / "fixtures" / "openalex" / "works_author_A5023888391_page1.json"


def recorded() -> list[Candidate]:
    candidates = []
    for data in json.loads(PAGE.read_text())["results"]:
        record = parse_work(data)
        candidates.append(
            Candidate(
                pk=int(record.openalex_id[1:]),
                title_key=title_key_of(record.title),
                type=record.type,
                author_ids=frozenset(a.author.openalex_id for a in record.authorships),
                doi=record.doi,
                arxiv_id=record.arxiv_id,
                year=record.publication_year,
                citation_count=record.citation_count,
            )
        )
    return candidates


def groups(grouped: dict[int, int | None]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for pk, primary in grouped.items():
        found.setdefault(primary or pk, set()).add(pk)
    return {primary: members for primary, members in found.items() if len(members) > 1}


def test_preprints_join_their_article_and_the_article_is_primary():
    found = groups(versions_grouped(recorded()))

    # The State of OA: the PeerJ article and its two PeerJ preprints.
    assert found[2741809807] == {2741809807, 4245410681, 4235038322}
    # Four versions of one paper: Scientometrics, two arXiv records, a repository copy.
    assert found[2038196424] == {2038196424, 2949258821, 4301494992, 4299872130}
    # Riding the crest: the article and two preprints.
    assert found[2109312864] == {2109312864, 2949915600, 4301303362}


@pytest.mark.parametrize(
    ("kept_apart", "its_namesake"),
    [
        (4288680697, 4229010617),  # OpenAlex paratext (Zenodo) beside the arXiv paper
        (4394076148, 2287991258),  # Impactstory dataset beside the figshare article
        (4393631545, 4393426114),  # two Zenodo datasets of the same title
    ],
)
def test_datasets_and_paratexts_stay_apart(kept_apart, its_namesake):
    grouped = versions_grouped(recorded())

    assert grouped[kept_apart] is None
    assert grouped[its_namesake] in (None, grouped[its_namesake])
    assert grouped[its_namesake] != kept_apart and grouped.get(kept_apart) != its_namesake


def test_a_split_pair_is_never_joined_even_through_a_third():
    works = recorded()
    grouped = versions_grouped(works, splits={frozenset((2038196424, 4299872130))})

    found = groups(grouped)
    assert 4299872130 not in found.get(2038196424, set())
    assert grouped[4299872130] in (None, 2949258821, 4301494992)
    assert grouped[4299872130] != 2038196424


def test_same_title_other_people_or_short_titles_are_not_versions():
    a = Candidate(
        pk=1, title_key="deep learning for cats", type="article", author_ids=frozenset({1, 2})
    )
    b = Candidate(
        pk=2, title_key="deep learning for cats", type="article", author_ids=frozenset({3, 4})
    )
    c = Candidate(pk=3, title_key="introduction", type="article", author_ids=frozenset({1}))
    d = Candidate(pk=4, title_key="introduction", type="article", author_ids=frozenset({1}))

    assert versions_grouped([a, b, c, d]) == {1: None, 2: None, 3: None, 4: None}


def test_imported_versions_count_once_on_the_profile(client, demo):
    priem = Researcher.objects.get(openalex_id="A5023888391")
    article = Work.objects.get(openalex_id="W2038196424")

    assert set(article.versions.values_list("openalex_id", flat=True)) == {
        "W2949258821",
        "W4301494992",
        "W4299872130",
    }
    shown = set(Work.objects.shown_on([priem.pk]).values_list("openalex_id", flat=True))
    assert "W2038196424" in shown and not shown & {"W2949258821", "W4301494992", "W4299872130"}
    assert Work.objects.get(openalex_id="W4288680697").version_of is None
    priem.refresh_from_db()
    assert priem.works_count == len(shown)

    body = client.get(article.get_absolute_url()).content.decode()
    assert "4 versions" in body
