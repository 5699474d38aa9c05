"""The ranking rules, without a database (profiles.search.rank)."""

import pytest

from profiles.search.rank import (
    best_name_match,
    edit_distance,
    highlight,
    name_match,
    name_query_words,
    one_edit,
    text_query,
    work_score,
)


def score(query: str, name: str) -> float:
    return name_match(name_query_words(query), name).score


@pytest.mark.parametrize(
    "query",
    ["Luke Metz", "metz luke", "L. Metz", "Metz, L.", "LUKE METZ", "luke-metz", "lukemetz", "luk"],
)
def test_forms_of_one_name_match_it(query):
    assert score(query, "Luke Metz") >= 0.85


def test_the_exact_name_in_order_ranks_above_reordered_and_initials():
    assert score("luke metz", "Luke Metz") > score("metz luke", "Luke Metz")
    assert score("metz luke", "Luke Metz") > score("L. Metz", "Luke Metz")


def test_accents_case_and_hyphens_fold():
    assert score("zoe muller", "Zoë Müller") == score("zoë müller", "Zoë Müller")
    assert score("sohl dickstein", "Jascha Sohl-Dickstein") >= 0.85
    assert score("sohldickstein", "Jascha Sohl-Dickstein") >= 0.85


def test_typos_match_below_exact():
    typo = name_match(name_query_words("yang sonng"), "Yang Song")
    assert typo.typo and not typo.exact
    assert 0.5 < typo.score < score("yang song", "Yang Song")
    assert score("lechao xaio", "Lechao Xiao") > score("lechao xaio", "Lechao Smith")


def test_initials_alone_match_nobody():
    assert score("l. m.", "Luke Metz") == 0


def test_unrelated_names_do_not_match():
    assert score("priem", "Luke Metz") == 0
    assert score("zzzz", "Zhang Wei") == 0


def test_the_variant_that_matched_is_named():
    match = best_name_match(
        name_query_words("j. n. sohl"), ["Jascha Sohl-Dickstein", "J. N. Sohl-Dickstein"]
    )
    assert match.name == "J. N. Sohl-Dickstein"


def test_edit_distance_counts_a_swap_as_one_and_stops_at_the_limit():
    assert edit_distance("xaio", "xiao", 2) == 1
    assert edit_distance("sonng", "song", 2) == 1
    assert edit_distance("abcdef", "uvwxyz", 2) == 3


def test_one_edit_spells_every_single_slip_and_nothing_further():
    close = one_edit("xaio")
    assert {"xaio", "xiao", "xao", "xaiol", "xbio"} <= close
    assert all(edit_distance("xaio", word, 1) <= 1 for word in close)
    assert "xiaoo" not in one_edit("xao")


def test_text_query_reads_phrases_prefixes_and_drops_stop_words():
    query = text_query('"neural tangent" optim* of the')
    assert query.tsquery() == "neural <-> tangent & optim:*"
    assert [t.stem for t in query.terms] == ["neural", "tangent", "optim"]


@pytest.mark.parametrize("typed", ["a & b | !c", "x:b <-> (y)", "'; DROP TABLE", "\\"])
def test_nothing_typed_becomes_tsquery_syntax(typed):
    assert set(text_query(typed).tsquery()) <= set("abcdefghijklmnopqrstuvwxyz0123456789 &")


def test_work_score_wants_every_word_and_weighs_the_title():
    query = text_query("bayesian posterior")
    in_title = work_score(query, "wide bayesian networks posterior", "")
    in_abstract = work_score(query, "wide networks", "a bayesian posterior")
    assert in_title > in_abstract > 0
    assert work_score(query, "bayesian networks", "nothing else") == 0


def test_work_score_stems_and_tolerates_title_typos_only_when_asked():
    assert work_score(text_query("processes"), "gaussian process", "") > 0
    assert work_score(text_query("gausian"), "gaussian process", "") == 0
    assert work_score(text_query("gausian"), "gaussian process", "", typos=True) > 0


def test_phrases_need_their_words_together():
    query = text_query('"weight posterior"')
    assert work_score(query, "a simple weight posterior", "") > 0
    assert work_score(query, "posterior weight", "") == 0


def test_highlight_escapes_and_marks_only_matching_words():
    marked = highlight("<b>Gaussian</b> processes & co", text_query("process"))
    assert marked == "&lt;b&gt;Gaussian&lt;/b&gt; <mark>processes</mark> &amp; co"


def test_highlight_windows_long_text_around_the_first_match():
    text = "filler " * 100 + "posterior " + "tail " * 100
    snippet = highlight(text, text_query("posterior"), limit=80)
    assert "<mark>posterior</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 140
