"""Cached counts and trust scores of researcher records: recomputed for the researchers a change
touched (researcher_stats_refresh, which imports also run), by the debounced task
(researcher_trust_refresh) and for every record by the nightly batch (trust_batch_recompute).

The worker runs these (profiles.tasks), so nothing here imports profiles.services, whose
services enqueue those tasks: the dependency runs services → tasks → stats, never back.
"""

import json
from collections.abc import Collection
from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from bzpeer.db import bulk_insert, bulk_update
from graph.selectors import collaborator_counts
from profiles.models import ClaimDispute, TrustAssessment
from profiles.trust import (
    COMPONENTS,
    TrustFacts,
    compute_trust,
    disputes_weighing,
    score_and_band,
)
from works.models import Authorship, Researcher, VerificationLevel, WorkTopic

# Researchers per statement (and transaction) of the nightly batch: short enough that a row
# lock held by the batch never keeps a claim or an import waiting long.
TRUST_BATCH_SIZE = 50_000

# Each TrustFacts field and the Researcher column it is read from; a has_… fact is whether the
# column is filled. trust_facts and the nightly batch's SQL both read the facts through this.
FACT_COLUMNS = {
    "verification_level": "verification_level",
    "works_count": "works_count",
    "has_orcid": "orcid",
    "has_openalex_id": "openalex_id",
    "verified_collaborators": "verified_collaborators_count",
    "followers": "trusted_followers_count",
    "open_disputes": "open_disputes_count",
}


def trusted_followers(researchers: QuerySet[Researcher]) -> QuerySet[Researcher]:
    """The records, each with .trusted_followers: its follows that trust counts, those from
    accounts with a verified e-mail address older than TRUST_FOLLOWER_MIN_AGE_DAYS. A new or
    unverified account costs nothing to make, so its follow is shown but not scored."""
    joined_before = timezone.now() - timedelta(days=settings.TRUST_FOLLOWER_MIN_AGE_DAYS)
    counted = Q(follows__user__date_joined__lte=joined_before) & Q(
        follows__user__emailaddress__verified=True
    )
    return researchers.annotate(
        trusted_followers=Count("follows", filter=counted, distinct=True)
    ).order_by()


def trusted_followers_recount() -> int:
    """Recount trusted_followers_count of every record that has a follow or a count: accounts
    age into counting without any change that would refresh the record, so the nightly task
    (profiles.tasks.trust_batch_task) runs this before the batch. Returns rows changed."""
    rows = trusted_followers(
        Researcher.objects.filter(
            Q(pk__in=Researcher.objects.filter(follows__isnull=False).values("pk"))
            | Q(trusted_followers_count__gt=0)
        )
    ).only("pk", "trusted_followers_count")
    changed = [row for row in rows if row.trusted_followers != row.trusted_followers_count]
    for row in changed:
        row.trusted_followers_count = row.trusted_followers
    bulk_update(Researcher, changed, ["trusted_followers_count"])
    return len(changed)


def authority_level(researcher: Researcher) -> int:
    """The level an unclaimed record earns from the external authorities that list it."""
    if researcher.openalex_id or researcher.orcid or researcher.arxiv_name_forms:
        return VerificationLevel.L1
    return VerificationLevel.L0


def trust_facts(researcher: Researcher) -> TrustFacts:
    return TrustFacts(
        **{
            fact: bool(getattr(researcher, column))
            if fact.startswith("has_")
            else getattr(researcher, column)
            for fact, column in FACT_COLUMNS.items()
        }
    )


def _dispute_counts(disputes, researcher_ids: Collection[int]) -> dict[int, int]:
    return dict(
        disputes.filter(claim__researcher_id__in=researcher_ids)
        .values_list("claim__researcher_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def disputes_weighing_counts(*, researcher_ids: Collection[int]) -> dict[int, int]:
    """The open disputes that weigh on each record's score (profiles.trust.disputes_weighing):
    its open_disputes_count. Two queries for any number of records."""
    accepted = _dispute_counts(ClaimDispute.objects.accepted(), researcher_ids)
    undecided = _dispute_counts(ClaimDispute.objects.undecided_from_verified(), researcher_ids)
    return {
        researcher_id: disputes_weighing(
            undecided_from_verified=undecided.get(researcher_id, 0),
            accepted=accepted.get(researcher_id, 0),
        )
        for researcher_id in researcher_ids
    }


@transaction.atomic
def researcher_stats_refresh(*, researcher_ids: Collection[int]) -> int:
    """Recount the cached counts of these researchers and recompute their trust scores.

    A fixed number of queries for any number of researchers. Writes only rows whose values
    changed and keeps a TrustAssessment for each score that changed. Returns rows changed.
    Runs inside the caller's transaction when there is one (an import's).
    """
    ids = list(set(researcher_ids))
    if not ids:
        return 0
    shown = Authorship.objects.filter(researcher_id__in=ids).shown()
    works = dict(
        shown.values_list("researcher_id").annotate(n=Count("work_id", distinct=True)).order_by()
    )
    topics = dict(
        WorkTopic.objects.filter(work__authorships__in=shown)
        .values_list("work__authorships__researcher_id")
        .annotate(n=Count("topic_id", distinct=True))
        .order_by()
    )
    close = collaborator_counts(researcher_ids=ids)
    verified = collaborator_counts(
        researcher_ids=ids, min_shared_works=1, min_level=VerificationLevel.L2
    )
    disputes = disputes_weighing_counts(researcher_ids=ids)
    followers = dict(
        trusted_followers(Researcher.objects.filter(pk__in=ids)).values_list(
            "pk", "trusted_followers"
        )
    )

    now = timezone.now()
    changed, assessments = [], []
    fields = [
        "works_count",
        "topics_count",
        "close_collaborators_count",
        "verified_collaborators_count",
        "verification_level",
        "open_disputes_count",
        "trusted_followers_count",
    ]
    for researcher in Researcher.objects.filter(pk__in=ids).select_for_update():
        before = {field: getattr(researcher, field) for field in fields}
        researcher.works_count = works.get(researcher.pk, 0)
        researcher.topics_count = topics.get(researcher.pk, 0)
        researcher.close_collaborators_count = close.get(researcher.pk, 0)
        researcher.verified_collaborators_count = verified.get(researcher.pk, 0)
        researcher.open_disputes_count = disputes[researcher.pk]
        researcher.trusted_followers_count = followers.get(researcher.pk, 0)
        if not researcher.is_claimed:
            researcher.verification_level = authority_level(researcher)
        result = compute_trust(trust_facts(researcher))
        components = result.components_as_dicts()
        trust_changed = (
            result.score != researcher.trust_score
            or result.band != researcher.trust_band
            or components != researcher.trust_components
            or researcher.trust_computed_at is None
        )
        if trust_changed:
            researcher.trust_score, researcher.trust_band = result.score, result.band
            researcher.trust_components, researcher.trust_computed_at = components, now
            assessments.append(
                TrustAssessment(
                    researcher=researcher,
                    score=result.score,
                    band=result.band,
                    components=components,
                )
            )
        if trust_changed or before != {field: getattr(researcher, field) for field in fields}:
            researcher.updated_at = now
            changed.append(researcher)
    bulk_update(
        Researcher,
        changed,
        fields
        + ["trust_score", "trust_band", "trust_components", "trust_computed_at", "updated_at"],
    )
    bulk_insert(TrustAssessment, assessments)
    return len(changed)


def trust_debounce_key(researcher_id: int) -> str:
    return f"trust-debounce:{researcher_id}"


def researcher_trust_refresh(*, researcher_id: int) -> int:
    """Recount one researcher's cached counts and recompute their trust (the debounced task,
    profiles.services.trust_refresh_enqueue). Safe to run twice: the second run finds nothing
    changed. Returns rows changed (0 or 1)."""
    cache.delete(trust_debounce_key(researcher_id))
    return researcher_stats_refresh(researcher_ids=[researcher_id])


# --- The nightly batch -------------------------------------------------------------------------
#
# Set-based, yet the formula is written once, in profiles.trust: each component depends on one
# or two facts, so for each batch of rows Python computes every component once per distinct
# value of its facts (with the very functions compute_trust calls) and the score and band once
# per possible total of points; the SQL only looks those up by the row's facts, adds the points
# and writes what changed.


def _fact_sql(fact: str) -> str:
    column = FACT_COLUMNS[fact]
    return f"COALESCE({column}, '') <> ''" if fact.startswith("has_") else column


# A component's lookup key: its facts' values as SQL writes them, comma-separated ("5",
# "true,false"), so that json.loads("[" + key + "]") gives them back to Python.
_KEYS_SQL = [
    "concat_ws(',', " + ", ".join(f"({_fact_sql(fact)})::text" for fact in facts) + ")"
    for _component, facts in COMPONENTS
]
_RANGE = "FROM profiles_researcher WHERE id BETWEEN %(first)s AND %(last)s"
TRUST_KEYS_SQL = (
    "SELECT " + ", ".join(f"array_agg(DISTINCT {key})" for key in _KEYS_SQL) + " " + _RANGE
)
_POINTS = " + ".join(f"(c{index} ->> 'points')::int" for index in range(len(COMPONENTS)))
TRUST_BATCH_SQL = f"""
WITH looked_up AS (
    SELECT id, {", ".join(f"%(c{i})s::jsonb -> {key} AS c{i}" for i, key in enumerate(_KEYS_SQL))}
    {_RANGE}
),
scored AS (
    SELECT id,
           jsonb_build_array({", ".join(f"c{index}" for index in range(len(COMPONENTS)))})
               AS components,
           %(scores)s::jsonb -> ({_POINTS})::text AS score_band
    FROM looked_up
),
computed AS (
    SELECT id, components, (score_band ->> 0)::int AS score, score_band ->> 1 AS band
    FROM scored
    -- A row whose facts changed after the keys were read finds no component: its own change
    -- enqueued a refresh, and the next night covers it.
    WHERE score_band IS NOT NULL
),
changed AS (
    UPDATE profiles_researcher AS researcher
    SET trust_score = computed.score,
        trust_band = computed.band,
        trust_components = computed.components,
        trust_computed_at = %(now)s,
        updated_at = %(now)s
    FROM computed
    WHERE researcher.id = computed.id
      AND (researcher.trust_score <> computed.score
           OR researcher.trust_band <> computed.band
           OR researcher.trust_components <> computed.components
           OR researcher.trust_computed_at IS NULL)
    RETURNING researcher.id, computed.score, computed.band, computed.components
)
INSERT INTO profiles_trustassessment (researcher_id, score, band, components, computed_at)
SELECT id, score, band, components, %(now)s FROM changed
"""  # noqa: S608 - only column names from FACT_COLUMNS are formatted in.


def _trust_lookups(keys_by_component: list[list[str]]) -> dict[str, str]:
    """The batch's parameters: for each component, its value for each key the rows have; and
    the score and band for each total of points those components can add up to."""
    parameters, lowest, highest = {}, 0, 0
    for index, ((component, _facts), keys) in enumerate(
        zip(COMPONENTS, keys_by_component, strict=True)
    ):
        table = {key: asdict(component(*json.loads(f"[{key}]"))) for key in keys}
        points = [value["points"] for value in table.values()]
        lowest, highest = lowest + min(points), highest + max(points)
        parameters[f"c{index}"] = json.dumps(table)
    parameters["scores"] = json.dumps(
        {total: score_and_band(total) for total in range(lowest, highest + 1)}
    )
    return parameters


def trust_batch_recompute() -> int:
    """Recompute every researcher's trust score from their stored facts (the nightly batch),
    so a change to the formula reaches every record. On Postgres two statements per
    TRUST_BATCH_SIZE ids, each batch its own transaction; writes only rows whose score, band or
    components changed and a TrustAssessment for each. Safe to run twice. Returns rows changed.
    """
    bounds = Researcher.objects.aggregate(first=Min("pk"), last=Max("pk"))
    if bounds["first"] is None:
        return 0
    changed = 0
    if connection.vendor != "postgresql":
        ids = list(Researcher.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), TRUST_BATCH_SIZE):
            changed += researcher_stats_refresh(
                researcher_ids=ids[start : start + TRUST_BATCH_SIZE]
            )
        return changed
    for first in range(bounds["first"], bounds["last"] + 1, TRUST_BATCH_SIZE):
        ids = {"first": first, "last": first + TRUST_BATCH_SIZE - 1}
        # Durable: inside a caller's transaction the locks of every batch would add up.
        with transaction.atomic(durable=True), connection.cursor() as cursor:
            cursor.execute(TRUST_KEYS_SQL, ids)
            keys = cursor.fetchone()
            if keys[0] is None:
                continue
            cursor.execute(TRUST_BATCH_SQL, {**ids, **_trust_lookups(keys), "now": timezone.now()})
            changed += cursor.rowcount
    return changed
