"""profiles.trust.compute_trust: cases worked out by hand from the constants in profiles/trust.py
(VERIFICATION_POINTS 0/5/25/35, publications round(4·log2(1+works)) capped at 20, ORCID 6,
OpenAlex 4, 4 per verified collaborator capped at 20, followers
round(15·log10(1+f)/log10(1001)) capped at 15, -15 per open dispute, score clamped to 0..100)."""

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profiles.trust import TrustFacts, band_for, compute_trust, follower_points, publication_points

COMPONENT_KEYS = [
    "verification",
    "publications",
    "identifiers",
    "verified_collaborators",
    "community",
    "disputes",
]


def facts(**overrides) -> TrustFacts:
    values = {
        "verification_level": 1,
        "works_count": 16,
        "has_orcid": False,
        "has_openalex_id": False,
        "verified_collaborators": 0,
        "followers": 0,
        "open_disputes": 0,
    }
    values.update(overrides)
    return TrustFacts(**values)


CASES = [
    # The seed page: L1, 16 works (round(4·log2 17) = 16), nothing else → 5 + 16 = 21.
    pytest.param(facts(), 21, "emerging", id="seed-L1-16-works"),
    pytest.param(facts(verification_level=0, works_count=0), 0, "emerging", id="empty-L0"),
    # 1 work: 4·log2 2 = 4.
    pytest.param(facts(works_count=1), 9, "emerging", id="L1-one-work"),
    # Jason Priem as the demo imports him: L1, 44 works (22 → capped 20), ORCID and OpenAlex.
    pytest.param(
        facts(works_count=44, has_orcid=True, has_openalex_id=True), 35, "emerging", id="priem"
    ),
    # 25 + 8 (3 works) + 6 (ORCID) + 4 (1 collaborator) + 5 (9 followers: log10 10/log10 1001).
    pytest.param(
        facts(
            verification_level=2,
            works_count=3,
            has_orcid=True,
            verified_collaborators=1,
            followers=9,
        ),
        48,
        "established",
        id="L2-small-record",
    ),
    # Every component at its maximum: 35 + 20 + 10 + 20 + 15 = 100.
    pytest.param(
        facts(
            verification_level=3,
            works_count=1000,
            has_orcid=True,
            has_openalex_id=True,
            verified_collaborators=5,
            followers=1000,
        ),
        100,
        "trusted",
        id="all-maxima",
    ),
    # Caps hold far past them: 40 collaborators and a million followers still give 20 and 15.
    pytest.param(
        facts(
            verification_level=3,
            works_count=10**6,
            has_orcid=True,
            has_openalex_id=True,
            verified_collaborators=40,
            followers=10**6,
        ),
        100,
        "trusted",
        id="caps",
    ),
    # One open dispute: 21 - 15 = 6; two: 21 - 30 → clamped to 0.
    pytest.param(facts(open_disputes=1), 6, "emerging", id="one-dispute"),
    pytest.param(facts(open_disputes=2), 0, "emerging", id="two-disputes-clamped"),
    # Band edges reached through the real formula.
    # 25 + 12 (7 works: 4·log2 8) + 2 (2 followers: round 2.385) = 39.
    pytest.param(facts(verification_level=2, works_count=7, followers=2), 39, "emerging", id="39"),
    # 25 + 12 + 3 (3 followers: round 3.010) = 40.
    pytest.param(
        facts(verification_level=2, works_count=7, followers=3), 40, "established", id="40"
    ),
    # 35 + 20 (31 works: 4·log2 32) + 10 + 4 (5 followers: round 3.890) = 69.
    pytest.param(
        facts(
            verification_level=3, works_count=31, has_orcid=True, has_openalex_id=True, followers=5
        ),
        69,
        "established",
        id="69",
    ),
    # Same with 9 followers (5 points) = 70.
    pytest.param(
        facts(
            verification_level=3, works_count=31, has_orcid=True, has_openalex_id=True, followers=9
        ),
        70,
        "trusted",
        id="70",
    ),
    # docs/trust.md: claiming through ORCID sign-in (L3 and an ORCID iD) makes the seed 57.
    pytest.param(
        facts(verification_level=3, has_orcid=True), 57, "established", id="seed-claimed-orcid"
    ),
]


@pytest.mark.parametrize(("trust_facts", "score", "band"), CASES)
def test_compute_trust_cases(trust_facts, score, band):
    result = compute_trust(trust_facts)

    assert (result.score, result.band) == (score, band)


def test_seed_components_explain_the_score():
    result = compute_trust(facts())

    points = {component.key: component.points for component in result.components}
    assert points == {
        "verification": 5,
        "publications": 16,
        "identifiers": 0,
        "verified_collaborators": 0,
        "community": 0,
        "disputes": 0,
    }
    labels = [component.label for component in result.components]
    assert labels[0] == "Verification L1"
    reasons = {component.key: component.reason for component in result.components}
    assert reasons["publications"] == "16 works attributed to this record."
    assert reasons["identifiers"] == "No ORCID iD or OpenAlex author id on record."
    assert reasons["community"] == "0 followers."
    assert result.band == "emerging"


def test_component_reasons_name_identifiers_and_use_singular():
    result = compute_trust(
        facts(works_count=1, has_orcid=True, has_openalex_id=True, followers=1, open_disputes=1)
    )

    reasons = {component.key: component.reason for component in result.components}
    assert reasons["publications"] == "1 work attributed to this record."
    assert reasons["identifiers"] == "Has ORCID iD and OpenAlex author id."
    assert reasons["community"] == "1 follower."
    assert reasons["disputes"] == "1 open dispute about who holds this record."


def test_components_as_dicts_is_what_the_profile_stores():
    rows = compute_trust(facts()).components_as_dicts()

    assert [row["key"] for row in rows] == COMPONENT_KEYS
    assert rows[0] == {
        "key": "verification",
        "label": "Verification L1",
        "points": 5,
        "max_points": 35,
        "reason": "Matched to an external authority (OpenAlex, ORCID or arXiv) but not claimed.",
    }


# The tables in docs/trust.md, so the documentation and the code cannot drift apart.
@pytest.mark.parametrize(
    ("works", "points"),
    [(0, 0), (1, 4), (2, 6), (3, 8), (5, 10), (7, 12), (10, 14), (15, 16), (16, 16)]
    + [(20, 18), (22, 18), (30, 20), (5000, 20)],
)
def test_publication_points_match_the_documented_table(works, points):
    assert publication_points(works) == points


@pytest.mark.parametrize(
    ("followers", "points"),
    [(0, 0), (1, 2), (10, 5), (100, 10), (300, 12), (1000, 15), (10**6, 15)],
)
def test_follower_points_match_the_documented_table(followers, points):
    assert follower_points(followers) == points


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "emerging"),
        (39, "emerging"),
        (40, "established"),
        (69, "established"),
        (70, "trusted"),
        (100, "trusted"),
    ],
)
def test_band_edges(score, band):
    assert band_for(score) == band


any_facts = st.builds(
    TrustFacts,
    verification_level=st.integers(min_value=0, max_value=3),
    works_count=st.integers(min_value=0, max_value=10**7),
    has_orcid=st.booleans(),
    has_openalex_id=st.booleans(),
    verified_collaborators=st.integers(min_value=0, max_value=10**5),
    followers=st.integers(min_value=0, max_value=10**9),
    open_disputes=st.integers(min_value=0, max_value=20),
)


@given(any_facts)
def test_score_is_always_between_0_and_100_and_banded(trust_facts):
    result = compute_trust(trust_facts)

    assert 0 <= result.score <= 100
    assert result.band == band_for(result.score)


@given(any_facts)
def test_every_component_is_listed_and_points_explain_the_score(trust_facts):
    result = compute_trust(trust_facts)

    assert [component.key for component in result.components] == COMPONENT_KEYS
    for component in result.components:
        assert component.reason
        if component.max_points:
            assert 0 <= component.points <= component.max_points
    total = sum(component.points for component in result.components)
    assert result.score == max(0, min(100, total))


@given(any_facts, st.integers(min_value=0, max_value=2))
def test_score_never_drops_when_verification_rises(trust_facts, level):
    lower = dataclasses.replace(trust_facts, verification_level=level)
    higher = dataclasses.replace(trust_facts, verification_level=level + 1)

    assert compute_trust(higher).score >= compute_trust(lower).score


@given(any_facts)
def test_an_open_dispute_never_raises_the_score(trust_facts):
    more = dataclasses.replace(trust_facts, open_disputes=trust_facts.open_disputes + 1)

    assert compute_trust(more).score <= compute_trust(trust_facts).score
