"""Writes to researcher records."""

import json
import secrets
from collections.abc import Collection
from datetime import timedelta

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from bzpeer.db import bulk_insert, bulk_update
from graph.models import Collaboration
from graph.selectors import collaborator_counts
from profiles import trust
from profiles.models import Claim, ClaimDispute, ClaimEvent, TrustAssessment, User
from profiles.trust import TrustFacts, compute_trust
from works.models import Authorship, HiddenWork, Researcher, VerificationLevel, Work, WorkTopic

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


# --- Live trust: a debounced task per researcher, and the nightly batch ------------------------


def trust_debounce_key(researcher_id: int) -> str:
    return f"trust-debounce:{researcher_id}"


def trust_refresh_enqueue(*, researcher_ids: Collection[int]) -> None:
    """Recompute these researchers' trust soon after the current transaction commits.

    Debounced per researcher: the first call in a window enqueues a task that runs when the
    window ends; later calls in the window find the key and do nothing, since that task will see
    their changes. The task deletes the key when it starts, so a change made while it runs
    enqueues another.
    """
    ids = sorted(set(researcher_ids))
    if not ids:
        return

    def enqueue() -> None:
        from profiles.tasks import researcher_trust_refresh_task

        window = settings.TRUST_DEBOUNCE_SECONDS
        for researcher_id in ids:
            # The key outlives the countdown so a busy queue does not collect duplicates, and
            # still expires so a lost task cannot hold refreshes back for long.
            if cache.add(trust_debounce_key(researcher_id), 1, timeout=6 * window + 60):
                researcher_trust_refresh_task.apply_async((researcher_id,), countdown=window)

    # Only after commit: a rolled-back change needs no refresh, and the task must see the rows.
    transaction.on_commit(enqueue)


def researcher_trust_refresh(*, researcher_id: int) -> int:
    """Recount one researcher's cached counts and recompute their trust (the debounced task).
    Safe to run twice: the second run finds nothing changed. Returns rows changed (0 or 1)."""
    cache.delete(trust_debounce_key(researcher_id))
    return researcher_stats_refresh(researcher_ids=[researcher_id])


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
        with transaction.atomic(), connection.cursor() as cursor:
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


# --- Claims: a user proves that a researcher record is theirs ----------------------------------

CODE_LIFETIME = timedelta(minutes=30)
CODE_MAX_ATTEMPTS = 5
EVIDENCE_MAX_LINKS = 10
ALREADY_CLAIMED = "This record has already been claimed."


class ClaimError(Exception):
    """A claim step that cannot go ahead; the message is shown to the user as it is."""


def researcher_email_domains(*, researcher: Researcher) -> set[str]:
    """Domains whose addresses count as institutional e-mail for this record: those of its
    last known institution and of every institution on its authorships."""
    domains = set()
    if researcher.institution_id:
        domains.update(researcher.institution.email_domains)
    for institution_domains in Authorship.institutions.through.objects.filter(
        authorship__researcher=researcher
    ).values_list("institution__email_domains", flat=True):
        domains.update(institution_domains or [])
    return {domain.lower().strip() for domain in domains if domain}


def _email_domain_allowed(*, email: str, domains: Collection[str]) -> bool:
    domain = email.rsplit("@", 1)[-1].lower().strip()
    return any(domain == allowed or domain.endswith("." + allowed) for allowed in domains)


def _claim_event(*, claim: Claim, kind: str, actor: User | None, message: str = "") -> None:
    ClaimEvent.objects.create(claim=claim, kind=kind, actor=actor, message=message)


def _locked_pending(claim: Claim) -> Claim:
    claim = Claim.objects.select_for_update().select_related("researcher").get(pk=claim.pk)
    if claim.state == Claim.State.APPROVED:
        raise ClaimError("This claim has already been approved.")
    if claim.state != Claim.State.PENDING:
        raise ClaimError("This claim is closed; start a new one from the profile.")
    return claim


def claim_start(
    *,
    user: User,
    researcher: Researcher,
    method: str,
    evidence_links: list[str] | None = None,
    note: str = "",
) -> Claim:
    """Open a claim, or reuse the user's open claim on this record with the method now chosen.
    Refuses a record that has already been claimed."""
    with transaction.atomic():
        if Claim.objects.filter(researcher=researcher, state=Claim.State.APPROVED).exists():
            raise ClaimError(ALREADY_CLAIMED)
        claim = (
            Claim.objects.select_for_update()
            .filter(user=user, researcher=researcher, state=Claim.State.PENDING)
            .first()
        )
        created = claim is None
        if created:
            claim = Claim(user=user, researcher=researcher, state=Claim.State.PENDING)
        claim.method = method
        if evidence_links is not None:
            claim.evidence_links = evidence_links
            claim.note = note
        try:
            # A savepoint, so a lost race on the one-open-claim constraint is a clear message.
            with transaction.atomic():
                claim.save()
        except IntegrityError:
            raise ClaimError("You already have an open claim on this record.") from None
        if created or evidence_links is not None:
            _claim_event(
                claim=claim,
                kind=ClaimEvent.Kind.SUBMITTED,
                actor=user,
                message=Claim.Method(method).label,
            )
        return claim


def _collaborator_ids(*, researcher_id: int) -> set[int]:
    pairs = Collaboration.objects.filter(
        Q(researcher_a_id=researcher_id) | Q(researcher_b_id=researcher_id)
    ).values_list("researcher_a_id", "researcher_b_id")
    return {pk for pair in pairs for pk in pair} - {researcher_id}


def claim_approve(*, claim: Claim, level: int, actor: User | None) -> Claim:
    """Approve a pending claim: the record becomes claimed at `level`. The database holds one
    approved claim per record, so of two racing approvals the second gets ClaimError."""
    try:
        with transaction.atomic():
            claim = _locked_pending(claim)
            now = timezone.now()
            claim.state = Claim.State.APPROVED
            claim.decided_by, claim.decided_at = actor, now
            claim.code_hash = ""
            claim.save(update_fields=["state", "decided_by", "decided_at", "code_hash"])
            Researcher.objects.filter(pk=claim.researcher_id).update(
                is_claimed=True, verification_level=level, updated_at=now
            )
            claim.researcher.is_claimed, claim.researcher.verification_level = True, level
            _claim_event(
                claim=claim,
                kind=ClaimEvent.Kind.APPROVED,
                actor=actor,
                message=f"Verification L{level}",
            )
            trust_refresh_enqueue(
                researcher_ids=[
                    claim.researcher_id,
                    *_collaborator_ids(researcher_id=claim.researcher_id),
                ]
            )
    except IntegrityError:
        raise ClaimError(ALREADY_CLAIMED) from None
    return claim


def user_orcid_ids(*, user: User) -> list[str]:
    """The ORCID iDs the user has signed in with (allauth), never ones they typed."""
    return list(
        SocialAccount.objects.filter(user=user, provider="orcid").values_list("uid", flat=True)
    )


def claim_by_orcid(*, user: User, researcher: Researcher) -> Claim:
    """Claim at L3 at once when the user's signed-in ORCID iD is the record's."""
    if not researcher.orcid:
        raise ClaimError(
            "This record has no ORCID iD, so ORCID sign-in cannot prove it is yours. "
            "Use your institutional e-mail or send evidence to a moderator."
        )
    orcid_ids = [uid.strip().upper() for uid in user_orcid_ids(user=user)]
    if not orcid_ids:
        raise ClaimError("Connect your ORCID iD first; then claim again.")
    if researcher.orcid.strip().upper() not in orcid_ids:
        raise ClaimError(
            f"Your ORCID iD ({', '.join(orcid_ids)}) is not this record's ({researcher.orcid}), "
            "so it cannot be claimed through ORCID."
        )
    with transaction.atomic():
        claim = claim_start(user=user, researcher=researcher, method=Claim.Method.ORCID)
        return claim_approve(claim=claim, level=VerificationLevel.L3, actor=user)


def claim_email_code_send(*, claim: Claim, email: str) -> Claim:
    """Mail a six-digit code to an address at one of the record's institutions. The code is
    stored hashed and expires after CODE_LIFETIME; failed attempts count across resends."""
    email = email.strip()
    with transaction.atomic():
        claim = _locked_pending(claim)
        domains = researcher_email_domains(researcher=claim.researcher)
        if not domains:
            raise ClaimError(
                "No institutional e-mail domain is known for this record; "
                "send evidence to a moderator instead."
            )
        if not _email_domain_allowed(email=email, domains=domains):
            raise ClaimError(
                f"{email} is not at one of this record's institutions "
                f"({', '.join(sorted(domains))})."
            )
        if claim.code_attempts >= CODE_MAX_ATTEMPTS:
            raise ClaimError("Too many wrong codes; this claim cannot take more.")
        code = f"{secrets.randbelow(1_000_000):06d}"
        claim.method = Claim.Method.EMAIL
        claim.email = email
        claim.code_hash = make_password(code)
        claim.code_expires_at = timezone.now() + CODE_LIFETIME
        claim.save(update_fields=["method", "email", "code_hash", "code_expires_at"])
        _claim_event(claim=claim, kind=ClaimEvent.Kind.CODE_SENT, actor=claim.user, message=email)
        send_mail(
            subject="Your BZPEER claim code",
            message=(
                f"Your code to claim the BZPEER profile of {claim.researcher} is {code}.\n\n"
                "It expires in 30 minutes. If you did not ask for it, ignore this message."
            ),
            from_email=None,
            recipient_list=[email],
        )
        return claim


def claim_email_code_verify(*, claim: Claim, code: str) -> Claim:
    """Approve the claim at L2 when the code is right, unexpired and unused. A wrong code
    counts as an attempt; the last allowed wrong attempt rejects the claim."""
    if Claim.objects.filter(pk=claim.pk, state=Claim.State.APPROVED).exists():
        raise ClaimError("This code has already been used.")
    with transaction.atomic():
        claim = _locked_pending(claim)
        if claim.code_attempts >= CODE_MAX_ATTEMPTS:
            raise ClaimError("Too many wrong codes; this claim cannot take more.")
        if not claim.code_hash:
            raise ClaimError("No code is waiting for this claim; ask for a new one.")
        if claim.code_expires_at is None or claim.code_expires_at <= timezone.now():
            raise ClaimError("This code has expired; ask for a new one.")
        if check_password(code.strip(), claim.code_hash):
            return claim_approve(claim=claim, level=VerificationLevel.L2, actor=claim.user)
        # A wrong code is recorded before the error is raised, outside this transaction.
        claim.code_attempts += 1
        claim.save(update_fields=["code_attempts"])
        left = CODE_MAX_ATTEMPTS - claim.code_attempts
        _claim_event(
            claim=claim,
            kind=ClaimEvent.Kind.CODE_FAILED,
            actor=claim.user,
            message=f"Wrong code, {left} attempts left.",
        )
        if left:
            error = f"That code is not right. {left} attempt{'s' if left != 1 else ''} left."
        else:
            _claim_close(
                claim=claim,
                state=Claim.State.REJECTED,
                kind=ClaimEvent.Kind.REJECTED,
                actor=None,
                reason="Too many wrong codes.",
            )
            error = "That code is not right, and that was the last attempt."
    raise ClaimError(error)


def _evidence_links_clean(links: list[str]) -> list[str]:
    cleaned = [link.strip() for link in links if link.strip()]
    if not cleaned:
        raise ClaimError("Give at least one link that shows this record is yours.")
    if len(cleaned) > EVIDENCE_MAX_LINKS:
        raise ClaimError(f"Give at most {EVIDENCE_MAX_LINKS} links.")
    for link in cleaned:
        if not link.lower().startswith(("https://", "http://")) or len(link) > 500:
            raise ClaimError(f"{link[:100]} is not a web address (http:// or https://).")
    return cleaned


def claim_evidence_submit(
    *, user: User, researcher: Researcher, links: list[str], note: str
) -> Claim:
    """Send links and a note to the moderators' queue; approval gives L2."""
    if len(note) > 2000:
        raise ClaimError("Keep the note under 2,000 characters.")
    return claim_start(
        user=user,
        researcher=researcher,
        method=Claim.Method.EVIDENCE,
        evidence_links=_evidence_links_clean(links),
        note=note.strip(),
    )


def _claim_close(*, claim: Claim, state: str, kind: str, actor: User | None, reason: str) -> None:
    claim.state, claim.decided_by, claim.decided_at = state, actor, timezone.now()
    claim.decision_reason, claim.code_hash = reason, ""
    claim.save(update_fields=["state", "decided_by", "decided_at", "decision_reason", "code_hash"])
    _claim_event(claim=claim, kind=kind, actor=actor, message=reason)


def claim_reject(*, claim: Claim, actor: User | None, reason: str) -> Claim:
    """Reject a pending claim and tell the user why."""
    with transaction.atomic():
        claim = _locked_pending(claim)
        _claim_close(
            claim=claim,
            state=Claim.State.REJECTED,
            kind=ClaimEvent.Kind.REJECTED,
            actor=actor,
            reason=reason,
        )
        if claim.user.email:
            send_mail(
                subject="Your BZPEER claim was not approved",
                message=(
                    f"Your claim of the BZPEER profile of {claim.researcher} was not approved.\n\n"
                    f"Reason: {reason}\n\nYou can claim again with another method."
                ),
                from_email=None,
                recipient_list=[claim.user.email],
            )
        return claim


# --- After the claim: the owner's edits, and disputes decided by moderators -------------------

BIO_MAX_LENGTH = 500
HIDE_REASON_MAX_LENGTH = 500
DISPUTE_NOTE_MAX_LENGTH = 2000


def researcher_owner_claim(*, researcher: Researcher, user: User) -> Claim:
    """The user's approved claim on this record. Raises PermissionDenied for anyone else."""
    if not user.is_authenticated:
        raise PermissionDenied
    claim = Claim.objects.filter(
        researcher=researcher, user=user, state=Claim.State.APPROVED
    ).first()
    if claim is None:
        raise PermissionDenied
    return claim


def researcher_update(
    *, researcher: Researcher, user: User, bio: str, open_to_collaborate: bool
) -> Researcher:
    """The owner's short plain-text bio and whether they take collaboration invitations."""
    researcher_owner_claim(researcher=researcher, user=user)
    bio = bio.strip()
    if len(bio) > BIO_MAX_LENGTH:
        raise ClaimError(f"Keep the bio under {BIO_MAX_LENGTH} characters.")
    Researcher.objects.filter(pk=researcher.pk).update(
        bio=bio, open_to_collaborate=open_to_collaborate, updated_at=timezone.now()
    )
    researcher.bio, researcher.open_to_collaborate = bio, open_to_collaborate
    return researcher


def work_hide(*, researcher: Researcher, user: User, work: Work, reason: str) -> HiddenWork:
    """Hide a misattributed work from the owner's profile and its counts."""
    researcher_owner_claim(researcher=researcher, user=user)
    reason = reason.strip()
    if not reason:
        raise ClaimError("Say why this work is not yours.")
    if len(reason) > HIDE_REASON_MAX_LENGTH:
        raise ClaimError(f"Keep the reason under {HIDE_REASON_MAX_LENGTH} characters.")
    if not Authorship.objects.filter(researcher=researcher, work=work).exists():
        raise ClaimError("This work is not listed on this profile.")
    try:
        with transaction.atomic():
            hidden = HiddenWork.objects.create(
                researcher=researcher, work=work, reason=reason, hidden_by=user
            )
    except IntegrityError:
        raise ClaimError("This work is already hidden.") from None
    trust_refresh_enqueue(researcher_ids=[researcher.pk])
    return hidden


def work_unhide(*, researcher: Researcher, user: User, work: Work) -> None:
    """Show a hidden work on the owner's profile again."""
    researcher_owner_claim(researcher=researcher, user=user)
    with transaction.atomic():
        deleted, _ = HiddenWork.objects.filter(researcher=researcher, work=work).delete()
        if deleted:
            trust_refresh_enqueue(researcher_ids=[researcher.pk])


def researcher_link_records(
    *, user: User, primary: Researcher, others: Collection[Researcher]
) -> Researcher:
    """Mark `others` as records of the same person as `primary` (a split author), so the
    primary's profile lists the works of all of them. `others` is the whole set: records
    linked to `primary` before and left out are unlinked. The user must hold the approved claim
    of every record (PermissionDenied otherwise); a record cannot be primary and linked at once.
    Each newly linked or unlinked record's claim gets a "linked" or "unlinked" audit event."""
    other_ids = {other.pk for other in others}
    if primary.pk in other_ids:
        raise ClaimError("A record cannot be linked to itself.")
    with transaction.atomic():
        locked = {
            researcher.pk: researcher
            for researcher in Researcher.objects.select_for_update()
            .filter(Q(pk__in=[primary.pk, *other_ids]) | Q(primary_id=primary.pk))
            .order_by("pk")
        }
        claims = {
            claim.researcher_id: claim
            for claim in Claim.objects.filter(
                researcher_id__in=[primary.pk, *other_ids], state=Claim.State.APPROVED
            )
        }
        if not user.is_authenticated or any(
            pk not in claims or claims[pk].user_id != user.pk for pk in [primary.pk, *other_ids]
        ):
            raise PermissionDenied
        if locked[primary.pk].primary_id is not None:
            raise ClaimError(
                f"{locked[primary.pk]} is linked to another record; manage the links there."
            )
        leaders = sorted(
            str(locked[pk])
            for pk in Researcher.objects.filter(
                primary_id__in=other_ids,
            ).values_list("primary_id", flat=True)
        )
        if leaders:
            raise ClaimError(
                f"{', '.join(dict.fromkeys(leaders))} already has records linked to it; "
                "link from that record instead."
            )
        previous = {pk for pk, record in locked.items() if record.primary_id == primary.pk}
        added, removed = other_ids - previous, previous - other_ids
        now = timezone.now()
        if added:
            Researcher.objects.filter(pk__in=added).update(primary=primary, updated_at=now)
        if removed:
            Researcher.objects.filter(pk__in=removed).update(primary=None, updated_at=now)
        removed_claims = {
            claim.researcher_id: claim
            for claim in Claim.objects.filter(researcher_id__in=removed, state=Claim.State.APPROVED)
        }
        for pk in sorted(added):
            _claim_event(
                claim=claims[pk],
                kind=ClaimEvent.Kind.LINKED,
                actor=user,
                message=f"Linked to {primary} ({primary.slug}).",
            )
        for pk in sorted(removed):
            if pk in removed_claims:
                _claim_event(
                    claim=removed_claims[pk],
                    kind=ClaimEvent.Kind.UNLINKED,
                    actor=user,
                    message=f"Unlinked from {primary} ({primary.slug}).",
                )
    return primary


def _records_unlink(*, researcher_id: int) -> None:
    """A record whose claim is revoked is no longer known to be the same person as the others:
    its links go, both ways."""
    Researcher.objects.filter(Q(pk=researcher_id) | Q(primary_id=researcher_id)).exclude(
        primary=None
    ).update(primary=None, updated_at=timezone.now())


def _open_disputes_recount(*, researcher_id: int) -> None:
    Researcher.objects.filter(pk=researcher_id).update(
        open_disputes_count=ClaimDispute.objects.filter(
            claim__researcher_id=researcher_id, state=ClaimDispute.State.OPEN
        ).count(),
        updated_at=timezone.now(),
    )


def claim_dispute_open(
    *, user: User, researcher: Researcher, links: list[str], note: str
) -> ClaimDispute:
    """Challenge the approved claim on a record with evidence, for a moderator to decide."""
    if len(note) > DISPUTE_NOTE_MAX_LENGTH:
        raise ClaimError("Keep the note under 2,000 characters.")
    links = _evidence_links_clean(links)
    with transaction.atomic():
        claim = (
            Claim.objects.select_for_update()
            .filter(researcher=researcher, state=Claim.State.APPROVED)
            .first()
        )
        if claim is None:
            raise ClaimError("This record has no approved claim to dispute.")
        if claim.user_id == user.pk:
            raise ClaimError("You hold this claim; you cannot dispute it.")
        try:
            with transaction.atomic():
                dispute = ClaimDispute.objects.create(
                    claim=claim, user=user, links=links, note=note.strip()
                )
        except IntegrityError:
            raise ClaimError("You already have an open dispute about this claim.") from None
        _claim_event(claim=claim, kind=ClaimEvent.Kind.DISPUTED, actor=user, message=note.strip())
        _open_disputes_recount(researcher_id=researcher.pk)
        trust_refresh_enqueue(researcher_ids=[researcher.pk])
        return dispute


def _locked_open_dispute(dispute: ClaimDispute) -> ClaimDispute:
    dispute = (
        ClaimDispute.objects.select_for_update()
        .select_related("claim__researcher", "claim__user")
        .get(pk=dispute.pk)
    )
    if dispute.state != ClaimDispute.State.OPEN:
        raise ClaimError("This dispute has already been decided.")
    return dispute


def _dispute_close(*, dispute: ClaimDispute, state: str, actor: User | None, reason: str) -> None:
    dispute.state, dispute.decided_by, dispute.decided_at = state, actor, timezone.now()
    dispute.reason = reason
    dispute.save(update_fields=["state", "decided_by", "decided_at", "reason"])


def claim_dispute_uphold(*, dispute: ClaimDispute, actor: User | None, reason: str) -> ClaimDispute:
    """Close a dispute; the claim stays approved."""
    with transaction.atomic():
        dispute = _locked_open_dispute(dispute)
        _dispute_close(dispute=dispute, state=ClaimDispute.State.UPHELD, actor=actor, reason=reason)
        _claim_event(claim=dispute.claim, kind=ClaimEvent.Kind.UPHELD, actor=actor, message=reason)
        _open_disputes_recount(researcher_id=dispute.claim.researcher_id)
        trust_refresh_enqueue(researcher_ids=[dispute.claim.researcher_id])
        holder = dispute.claim.user
        if holder.email:
            send_mail(
                subject="A dispute about your BZPEER claim was decided in your favour",
                message=(
                    f"A moderator looked at a dispute about your claim of the BZPEER profile of "
                    f"{dispute.claim.researcher} and kept your claim.\n\nReason: {reason}"
                ),
                from_email=None,
                recipient_list=[holder.email],
            )
        return dispute


def claim_dispute_revoke(*, dispute: ClaimDispute, actor: User | None, reason: str) -> ClaimDispute:
    """Revoke the disputed claim: the record is unclaimed again at the level its authorities
    give, every open dispute about the claim closes with it, and the holder is told why."""
    with transaction.atomic():
        dispute = _locked_open_dispute(dispute)
        claim = Claim.objects.select_for_update().get(pk=dispute.claim_id)
        researcher = Researcher.objects.select_for_update().get(pk=claim.researcher_id)
        if claim.state != Claim.State.APPROVED:
            raise ClaimError("This claim is no longer approved.")
        _dispute_close(
            dispute=dispute, state=ClaimDispute.State.REVOKED, actor=actor, reason=reason
        )
        ClaimDispute.objects.filter(claim=claim, state=ClaimDispute.State.OPEN).update(
            state=ClaimDispute.State.REVOKED,
            decided_by=actor,
            decided_at=timezone.now(),
            reason=reason,
        )
        _claim_close(
            claim=claim,
            state=Claim.State.REVOKED,
            kind=ClaimEvent.Kind.REVOKED,
            actor=actor,
            reason=reason,
        )
        Researcher.objects.filter(pk=researcher.pk).update(
            is_claimed=False,
            verification_level=authority_level(researcher),
            updated_at=timezone.now(),
        )
        _records_unlink(researcher_id=researcher.pk)
        _open_disputes_recount(researcher_id=researcher.pk)
        trust_refresh_enqueue(
            researcher_ids=[researcher.pk, *_collaborator_ids(researcher_id=researcher.pk)]
        )
        if claim.user.email:
            send_mail(
                subject="Your BZPEER claim was revoked",
                message=(
                    f"After a dispute, a moderator revoked your claim of the BZPEER profile of "
                    f"{researcher}.\n\nReason: {reason}\n\n"
                    "If this is wrong, claim the profile again with new evidence."
                ),
                from_email=None,
                recipient_list=[claim.user.email],
            )
        dispute.claim = claim
        return dispute
