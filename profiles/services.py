"""Writes to researcher records."""

from collections.abc import Collection

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from bzpeer.db import bulk_insert, bulk_update
from graph.selectors import collaborator_counts
from profiles.models import Researcher, TrustAssessment, VerificationLevel
from profiles.trust import TrustFacts, compute_trust
from works.models import Authorship, WorkTopic


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
    """
    ids = list(set(researcher_ids))
    if not ids:
        return 0
    works = dict(
        Authorship.objects.filter(researcher_id__in=ids)
        .values_list("researcher_id")
        .annotate(n=Count("work_id", distinct=True))
        .order_by()
    )
    topics = dict(
        WorkTopic.objects.filter(work__authorships__researcher_id__in=ids)
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
