"""The trust score: a pure, documented function of observable facts (docs/trust.md).

Nothing here touches the database; profiles.stats gathers the facts and stores the result.
"""

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

from works.text import plural

VERIFICATION_POINTS = {0: 0, 1: 5, 2: 25, 3: 35}
PUBLICATION_MAX = 20
ORCID_POINTS = 6
OPENALEX_POINTS = 4
POINTS_PER_VERIFIED_COLLABORATOR = 4
VERIFIED_COLLABORATORS_MAX = 20
FOLLOWERS_MAX = 15
FOLLOWERS_FOR_FULL_POINTS = 1000
POINTS_PER_OPEN_DISPUTE = -15
# Disputes from verified accounts that no moderator has accepted weigh as at most this many:
# the floor below which disputes cannot take a score without a moderator's decision.
UNDECIDED_DISPUTES_MAX = 1

# (lowest score in band, band), highest band first; works.models.TrustBand names them.
BANDS = [(70, "trusted"), (40, "established"), (0, "emerging")]
SCORE_MIN, SCORE_MAX = 0, 100

LEVEL_REASONS = {
    0: "No external authority stands behind this record yet.",
    1: "Matched to an external authority (OpenAlex, ORCID or arXiv) but not claimed.",
    2: "Claimed and verified by institutional e-mail or a moderator.",
    3: "Claimed through ORCID sign-in matching the record's ORCID iD.",
}


@dataclass(frozen=True)
class TrustFacts:
    verification_level: int
    works_count: int
    has_orcid: bool
    has_openalex_id: bool
    verified_collaborators: int
    followers: int
    open_disputes: int


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    points: int
    max_points: int
    reason: str


@dataclass(frozen=True)
class TrustResult:
    score: int
    band: str
    components: tuple[Component, ...]

    def components_as_dicts(self) -> list[dict]:
        return [asdict(component) for component in self.components]


def round_half_up(value: float) -> int:
    # Not round(), which rounds halves to even: docs/trust.md states the rule as halves up.
    return math.floor(value + 0.5)


def publication_points(works_count: int) -> int:
    # Logarithmic: the first papers say the most about whether a record is real.
    return min(PUBLICATION_MAX, round_half_up(4 * math.log2(1 + max(works_count, 0))))


def follower_points(followers: int) -> int:
    share = math.log10(1 + max(followers, 0)) / math.log10(1 + FOLLOWERS_FOR_FULL_POINTS)
    return round_half_up(FOLLOWERS_MAX * min(1.0, share))


def band_for(score: int) -> str:
    for lowest, band in BANDS:
        if score >= lowest:
            return band
    raise ValueError(score)


def verification_component(level: int) -> Component:
    return Component(
        "verification",
        f"Verification L{level}",
        VERIFICATION_POINTS[level],
        VERIFICATION_POINTS[3],
        LEVEL_REASONS[level],
    )


def publications_component(works_count: int) -> Component:
    return Component(
        "publications",
        "Publication record",
        publication_points(works_count),
        PUBLICATION_MAX,
        f"{plural(works_count, 'work')} attributed to this record.",
    )


def identifiers_component(has_orcid: bool, has_openalex_id: bool) -> Component:
    identifiers = [
        name
        for name, present in (("ORCID iD", has_orcid), ("OpenAlex author id", has_openalex_id))
        if present
    ]
    return Component(
        "identifiers",
        "Persistent identifiers",
        ORCID_POINTS * has_orcid + OPENALEX_POINTS * has_openalex_id,
        ORCID_POINTS + OPENALEX_POINTS,
        ("Has " + " and ".join(identifiers) + ".")
        if identifiers
        else "No ORCID iD or OpenAlex author id on record.",
    )


def verified_collaborators_component(verified_collaborators: int) -> Component:
    collaborators = max(verified_collaborators, 0)
    return Component(
        "verified_collaborators",
        "Verified collaborators",
        min(VERIFIED_COLLABORATORS_MAX, POINTS_PER_VERIFIED_COLLABORATOR * collaborators),
        VERIFIED_COLLABORATORS_MAX,
        f"{plural(collaborators, 'co-author')} with a verified (L2 or L3) profile.",
    )


def community_component(followers: int) -> Component:
    return Component(
        "community",
        "Community signals",
        follower_points(followers),
        FOLLOWERS_MAX,
        f"{plural(max(followers, 0), 'follower')}.",
    )


def disputes_weighing(*, undecided_from_verified: int, accepted: int) -> int:
    """How many open disputes weigh on the score (the record's open_disputes_count): every one
    a moderator accepted, and those verified accounts opened up to UNDECIDED_DISPUTES_MAX, so
    signing up accounts to dispute a record costs more than it harms. A throwaway account's
    dispute weighs only once a moderator accepts it."""
    return min(max(undecided_from_verified, 0), UNDECIDED_DISPUTES_MAX) + max(accepted, 0)


def disputes_component(open_disputes: int) -> Component:
    disputes = max(open_disputes, 0)
    return Component(
        "disputes",
        "Open disputes",
        POINTS_PER_OPEN_DISPUTE * disputes,
        0,
        f"{plural(disputes, 'open dispute')} about who holds this record.",
    )


# Each component, in the order a score lists them, with the TrustFacts it is computed from.
# The nightly batch (profiles.stats.trust_batch_recompute) calls these same functions, once per
# distinct value of their facts, so the formula is written here only.
COMPONENTS: tuple[tuple[Callable[..., Component], tuple[str, ...]], ...] = (
    (verification_component, ("verification_level",)),
    (publications_component, ("works_count",)),
    (identifiers_component, ("has_orcid", "has_openalex_id")),
    (verified_collaborators_component, ("verified_collaborators",)),
    (community_component, ("followers",)),
    (disputes_component, ("open_disputes",)),
)


def score_and_band(points: int) -> tuple[int, str]:
    """The score and band for the components' points added up."""
    score = max(SCORE_MIN, min(SCORE_MAX, points))
    return score, band_for(score)


def compute_trust(facts: TrustFacts) -> TrustResult:
    components = tuple(
        component(*(getattr(facts, fact) for fact in fact_names))
        for component, fact_names in COMPONENTS
    )
    score, band = score_and_band(sum(component.points for component in components))
    return TrustResult(score=score, band=band, components=components)


# What an owner can do about each component that is below its maximum, in plain words.
ADVICE = {
    "verification": "Link your ORCID iD: a claim through ORCID sign-in reaches verification L3.",
    "publications": "Add your missing works to ORCID or OpenAlex; the next import lists them.",
    "identifiers": "Link your ORCID iD and OpenAlex author id to this record.",
    "verified_collaborators": "Ask co-authors to claim their profiles.",
    "community": "Share your profile so colleagues can follow it.",
    "disputes": "Send a moderator evidence about the open disputes on your claim.",
}


def trust_advice(components: list[dict]) -> list[str]:
    """How to raise the score: advice for each stored component below its maximum."""
    return [
        ADVICE[component["key"]]
        for component in components
        if component["points"] < component["max_points"] and component["key"] in ADVICE
    ]
