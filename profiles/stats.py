"""Cached counts and trust scores of researcher records: recomputed for the researchers a change
touched (researcher_stats_refresh, which imports also run), by the debounced task
(researcher_trust_refresh) and for every record by the nightly batch (trust_batch_recompute).

The worker runs these (profiles.tasks), so nothing here imports profiles.services, whose
services enqueue those tasks: the dependency runs services → tasks → stats, never back.
"""

import json
from collections.abc import Collection

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from bzpeer.db import bulk_insert, bulk_update
from graph.selectors import collaborator_counts
from profiles import trust
from profiles.models import TrustAssessment
from profiles.trust import TrustFacts, compute_trust
from works.models import Authorship, Researcher, VerificationLevel, WorkTopic

# Researchers per statement (and transaction) of the nightly batch: short enough that a row
# lock held by the batch never keeps a claim or an import waiting long.
TRUST_BATCH_SIZE = 50_000


def authority_level(researcher: Researcher) -> int:
    """The level an unclaimed record earns from the external authorities that list it."""
    if researcher.openalex_id or researcher.orcid or researcher.arxiv_name_forms:
        return VerificationLevel.L1
    return VerificationLevel.L0


def trust_facts(researcher: Researcher) -> TrustFacts:
    return TrustFacts(
        verification_level=researcher.verification_level,
        works_count=researcher.works_count,
        has_orcid=bool(researcher.orcid),
        has_openalex_id=bool(researcher.openalex_id),
        verified_collaborators=researcher.verified_collaborators_count,
        followers=researcher.followers_count,
        open_disputes=researcher.open_disputes_count,
    )


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

    now = timezone.now()
    changed, assessments = [], []
    fields = [
        "works_count",
        "topics_count",
        "close_collaborators_count",
        "verified_collaborators_count",
        "verification_level",
    ]
    for researcher in Researcher.objects.filter(pk__in=ids).select_for_update():
        before = {field: getattr(researcher, field) for field in fields}
        researcher.works_count = works.get(researcher.pk, 0)
        researcher.topics_count = topics.get(researcher.pk, 0)
        researcher.close_collaborators_count = close.get(researcher.pk, 0)
        researcher.verified_collaborators_count = verified.get(researcher.pk, 0)
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


def _plural_sql(count: str, word: str) -> str:
    """SQL for profiles.trust._plural: "1 work", "2 works"."""
    return f"{count} || ' {word}' || CASE WHEN {count} = 1 THEN '' ELSE 's' END"


def _band_sql() -> str:
    whens = " ".join(
        f"WHEN score >= {int(lowest)} THEN '{key}'" for lowest, key, _label in trust.BANDS
    )
    return f"CASE {whens} END"


# profiles.trust.compute_trust over a range of ids as one statement: the same facts (the cached
# counts on the row), the same points, labels and reasons, so a row's stored components are the
# same whichever path wrote them (tests/profiles/test_trust_live.py holds the two together).
# LN(x) / LN(2) and LOG(x) on float8 are C's log functions, as math.log2 and math.log10 are;
# FLOOR(x + 0.5) is profiles.trust.round_half_up.
TRUST_BATCH_SQL = f"""
WITH facts AS (
    SELECT id,
           verification_level AS level,
           works_count AS works,
           COALESCE(orcid, '') <> '' AS has_orcid,
           COALESCE(openalex_id, '') <> '' AS has_openalex_id,
           verified_collaborators_count AS collaborators,
           followers_count AS followers,
           open_disputes_count AS disputes
    FROM profiles_researcher
    WHERE id BETWEEN %(first)s AND %(last)s
),
points AS (
    SELECT facts.*,
           (%(verification_points)s::jsonb ->> level::text)::int AS verification,
           LEAST(
               %(publication_max)s,
               FLOOR(4 * (LN((1 + works)::float8) / LN(2::float8)) + 0.5)::int
           ) AS publications,
           %(orcid_points)s * has_orcid::int
               + %(openalex_points)s * has_openalex_id::int AS identifiers,
           LEAST(
               %(collaborators_max)s, %(points_per_collaborator)s * collaborators
           ) AS verified_collaborators,
           FLOOR(
               %(followers_max)s * LEAST(
                   1.0::float8,
                   LOG((1 + followers)::float8) / LOG((1 + %(followers_for_full)s)::float8)
               ) + 0.5
           )::int AS community,
           %(points_per_dispute)s * disputes AS dispute_points
    FROM facts
),
scored AS (
    SELECT points.*,
           GREATEST(0, LEAST(100, verification + publications + identifiers
                                  + verified_collaborators + community + dispute_points)) AS score
    FROM points
),
computed AS (
    SELECT id, score, {_band_sql()} AS band, jsonb_build_array(
        jsonb_build_object(
            'key', 'verification', 'label', 'Verification L' || level,
            'points', verification, 'max_points', %(verification_max)s,
            'reason', %(level_reasons)s::jsonb ->> level::text),
        jsonb_build_object(
            'key', 'publications', 'label', 'Publication record',
            'points', publications, 'max_points', %(publication_max)s,
            'reason', {_plural_sql("works", "work")} || ' attributed to this record.'),
        jsonb_build_object(
            'key', 'identifiers', 'label', 'Persistent identifiers',
            'points', identifiers, 'max_points', %(orcid_points)s + %(openalex_points)s,
            'reason', CASE
                WHEN has_orcid AND has_openalex_id THEN 'Has ORCID iD and OpenAlex author id.'
                WHEN has_orcid THEN 'Has ORCID iD.'
                WHEN has_openalex_id THEN 'Has OpenAlex author id.'
                ELSE 'No ORCID iD or OpenAlex author id on record.' END),
        jsonb_build_object(
            'key', 'verified_collaborators', 'label', 'Verified collaborators',
            'points', verified_collaborators, 'max_points', %(collaborators_max)s,
            'reason', {_plural_sql("collaborators", "co-author")}
                      || ' with a verified (L2 or L3) profile.'),
        jsonb_build_object(
            'key', 'community', 'label', 'Community signals',
            'points', community, 'max_points', %(followers_max)s,
            'reason', {_plural_sql("followers", "follower")} || '.'),
        jsonb_build_object(
            'key', 'disputes', 'label', 'Open disputes',
            'points', dispute_points, 'max_points', 0,
            'reason', {_plural_sql("disputes", "open dispute")} || ' about who holds this record.')
    ) AS components
    FROM scored
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
"""  # noqa: S608 - only the constants of profiles.trust are formatted in.


def _trust_batch_parameters() -> dict:
    return {
        "verification_points": json.dumps(
            {str(k): v for k, v in trust.VERIFICATION_POINTS.items()}
        ),
        "verification_max": trust.VERIFICATION_POINTS[3],
        "level_reasons": json.dumps({str(k): v for k, v in trust.LEVEL_REASONS.items()}),
        "publication_max": trust.PUBLICATION_MAX,
        "orcid_points": trust.ORCID_POINTS,
        "openalex_points": trust.OPENALEX_POINTS,
        "points_per_collaborator": trust.POINTS_PER_VERIFIED_COLLABORATOR,
        "collaborators_max": trust.VERIFIED_COLLABORATORS_MAX,
        "followers_max": trust.FOLLOWERS_MAX,
        "followers_for_full": trust.FOLLOWERS_FOR_FULL_POINTS,
        "points_per_dispute": trust.POINTS_PER_OPEN_DISPUTE,
    }


def trust_batch_recompute() -> int:
    """Recompute every researcher's trust score from their stored facts (the nightly batch),
    so a change to the formula reaches every record. Set-based SQL on Postgres, one statement
    per TRUST_BATCH_SIZE ids; writes only rows whose score, band or components changed and a
    TrustAssessment for each. Safe to run twice. Returns rows changed."""
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
    parameters = _trust_batch_parameters()
    for first in range(bounds["first"], bounds["last"] + 1, TRUST_BATCH_SIZE):
        # Durable: inside a caller's transaction the locks of every batch would add up.
        with transaction.atomic(durable=True), connection.cursor() as cursor:
            cursor.execute(
                TRUST_BATCH_SQL,
                {
                    **parameters,
                    "first": first,
                    "last": first + TRUST_BATCH_SIZE - 1,
                    "now": timezone.now(),
                },
            )
            changed += cursor.rowcount
    return changed
