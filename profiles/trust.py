"""The trust score: a pure, documented function of observable facts (docs/trust.md).

Nothing here touches the database; profiles.stats gathers the facts and stores the result.
"""

import math
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

# (lowest score in band, key, label), highest band first.
BANDS = [
    (70, "trusted", "Trusted"),
    (40, "established", "Established"),
    (0, "emerging", "Emerging"),
]

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
    band_label: str
    components: tuple[Component, ...]

    def components_as_dicts(self) -> list[dict]:
        return [asdict(component) for component in self.components]


def round_half_up(value: float) -> int:
    # Not round(): that rounds halves to even, and the nightly batch's SQL (FLOOR(x + 0.5),
    # profiles.stats.trust_batch_recompute) must give the same points.
    return math.floor(value + 0.5)


def publication_points(works_count: int) -> int:
    # Logarithmic: the first papers say the most about whether a record is real.
    return min(PUBLICATION_MAX, round_half_up(4 * math.log2(1 + max(works_count, 0))))


def follower_points(followers: int) -> int:
    share = math.log10(1 + max(followers, 0)) / math.log10(1 + FOLLOWERS_FOR_FULL_POINTS)
    return round_half_up(FOLLOWERS_MAX * min(1.0, share))


def band_for(score: int) -> tuple[str, str]:
    for lowest, key, label in BANDS:
        if score >= lowest:
            return key, label
    raise ValueError(score)


def compute_trust(facts: TrustFacts) -> TrustResult:
    level = facts.verification_level
    identifiers = []
    if facts.has_orcid:
        identifiers.append("ORCID iD")
    if facts.has_openalex_id:
        identifiers.append("OpenAlex author id")
    disputes = max(facts.open_disputes, 0)
    collaborators = max(facts.verified_collaborators, 0)
    components = (
        Component(
            "verification",
            f"Verification L{level}",
            VERIFICATION_POINTS[level],
            VERIFICATION_POINTS[3],
            LEVEL_REASONS[level],
        ),
        Component(
            "publications",
            "Publication record",
            publication_points(facts.works_count),
            PUBLICATION_MAX,
            f"{plural(facts.works_count, 'work')} attributed to this record.",
        ),
        Component(
            "identifiers",
            "Persistent identifiers",
            ORCID_POINTS * facts.has_orcid + OPENALEX_POINTS * facts.has_openalex_id,
            ORCID_POINTS + OPENALEX_POINTS,
            ("Has " + " and ".join(identifiers) + ".")
            if identifiers
            else "No ORCID iD or OpenAlex author id on record.",
        ),
        Component(
            "verified_collaborators",
            "Verified collaborators",
            min(VERIFIED_COLLABORATORS_MAX, POINTS_PER_VERIFIED_COLLABORATOR * collaborators),
            VERIFIED_COLLABORATORS_MAX,
            f"{plural(collaborators, 'co-author')} with a verified (L2 or L3) profile.",
        ),
        Component(
            "community",
            "Community signals",
            follower_points(facts.followers),
            FOLLOWERS_MAX,
            f"{plural(max(facts.followers, 0), 'follower')}.",
        ),
        Component(
            "disputes",
            "Open disputes",
            POINTS_PER_OPEN_DISPUTE * disputes,
            0,
            f"{plural(disputes, 'open dispute')} about who holds this record.",
        ),
    )
    score = max(0, min(100, sum(component.points for component in components)))
    band, band_label = band_for(score)
    return TrustResult(score=score, band=band, band_label=band_label, components=components)


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
