"""Disputes: another user challenges an approved claim with evidence, and a moderator upholds
the claim, revokes it, or accepts the dispute as credible while it stays open (then it weighs on
the trust score, profiles.trust.disputes_weighing). Nobody decides a dispute about their own
claim or one they opened (profiles.services.moderation)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from profiles.models import Claim, ClaimDispute, ClaimEvent, User
from profiles.services.claims import (
    ClaimError,
    claim_close,
    claim_event_add,
    collaborator_ids,
    evidence_clean,
)
from profiles.services.moderation import decision_refusal
from profiles.services.records import records_unlink
from profiles.services.trust import trust_refresh_enqueue
from profiles.signals import claim_revoked
from profiles.stats import authority_level, disputes_weighing_counts
from works.models import Researcher


def _open_disputes_recount(*, researcher_id: int) -> None:
    Researcher.objects.filter(pk=researcher_id).update(
        open_disputes_count=disputes_weighing_counts(researcher_ids=[researcher_id])[researcher_id],
        updated_at=timezone.now(),
    )


def claim_dispute_open(
    *, user: User, researcher: Researcher, links: list[str], note: str
) -> ClaimDispute:
    """Challenge the approved claim on a record with evidence, for a moderator to decide."""
    links, note = evidence_clean(links=links, note=note)
    with transaction.atomic(durable=True):
        claim = Claim.objects.holding(researcher).select_for_update().first()
        if claim is None:
            raise ClaimError("This record has no approved claim to dispute.")
        if claim.user_id == user.pk:
            raise ClaimError("You hold this claim; you cannot dispute it.")
        try:
            with transaction.atomic():
                dispute = ClaimDispute.objects.create(
                    claim=claim, user=user, links=links, note=note
                )
        except IntegrityError:
            raise ClaimError("You already have an open dispute about this claim.") from None
        claim_event_add(claim=claim, kind=ClaimEvent.Kind.DISPUTED, actor=user, message=note)
        _open_disputes_recount(researcher_id=researcher.pk)
        trust_refresh_enqueue(researcher_ids=[researcher.pk])
    return dispute


def _locked_open_dispute(dispute: ClaimDispute, *, actor: User | None) -> ClaimDispute:
    dispute = (
        ClaimDispute.objects.select_for_update()
        .select_related("claim__researcher", "claim__user")
        .get(pk=dispute.pk)
    )
    if dispute.state != ClaimDispute.State.OPEN:
        raise ClaimError("This dispute has already been decided.")
    refusal = decision_refusal(
        actor=actor, subject_user_ids=[dispute.claim.user_id, dispute.user_id]
    )
    if refusal:
        raise ClaimError(refusal)
    return dispute


def _dispute_close(*, dispute: ClaimDispute, state: str, actor: User | None, reason: str) -> None:
    dispute.state, dispute.decided_by, dispute.decided_at = state, actor, timezone.now()
    dispute.reason = reason
    dispute.save(update_fields=["state", "decided_by", "decided_at", "reason"])


def claim_dispute_accept(*, dispute: ClaimDispute, actor: User, reason: str) -> ClaimDispute:
    """A moderator finds an open dispute credible: it stays open for a decision on the claim,
    and from now on weighs on the record's trust score whoever opened it."""
    with transaction.atomic(durable=True):
        dispute = _locked_open_dispute(dispute, actor=actor)
        if dispute.accepted_at is not None:
            raise ClaimError("This dispute has already been accepted.")
        dispute.accepted_by, dispute.accepted_at = actor, timezone.now()
        dispute.save(update_fields=["accepted_by", "accepted_at"])
        claim_event_add(
            claim=dispute.claim, kind=ClaimEvent.Kind.ACCEPTED, actor=actor, message=reason
        )
        _open_disputes_recount(researcher_id=dispute.claim.researcher_id)
        trust_refresh_enqueue(researcher_ids=[dispute.claim.researcher_id])
    return dispute


def claim_dispute_uphold(*, dispute: ClaimDispute, actor: User | None, reason: str) -> ClaimDispute:
    """Close a dispute; the claim stays approved, and its holder is e-mailed the reason."""
    with transaction.atomic(durable=True):
        dispute = _locked_open_dispute(dispute, actor=actor)
        _dispute_close(dispute=dispute, state=ClaimDispute.State.UPHELD, actor=actor, reason=reason)
        claim_event_add(
            claim=dispute.claim,
            kind=ClaimEvent.Kind.UPHELD,
            actor=actor,
            message=reason,
            mail=True,
        )
        _open_disputes_recount(researcher_id=dispute.claim.researcher_id)
        trust_refresh_enqueue(researcher_ids=[dispute.claim.researcher_id])
    return dispute


def claim_dispute_revoke(*, dispute: ClaimDispute, actor: User | None, reason: str) -> ClaimDispute:
    """Revoke the disputed claim (claim_revoke) and close the dispute with it."""
    with transaction.atomic(durable=True):
        dispute = _locked_open_dispute(dispute, actor=actor)
        claim = Claim.objects.select_for_update().get(pk=dispute.claim_id)
        if claim.state != Claim.State.APPROVED:
            raise ClaimError("This claim is no longer approved.")
        claim_revoke(claim=claim, kind=ClaimEvent.Kind.REVOKED, actor=actor, reason=reason)
    dispute.refresh_from_db()
    dispute.claim = claim
    return dispute


def claim_revoke(*, claim: Claim, kind: str, actor: User | None, reason: str) -> None:
    """Revoke an approved claim, inside the caller's transaction, the claim locked: the record
    is unclaimed again at the level its authorities give, its links to other records go, every
    open dispute about the claim closes with it, the holder is e-mailed why, and claim_revoked
    is sent once this commits. `kind` says why (a dispute decided, the account suspended)."""
    researcher = Researcher.objects.select_for_update().get(pk=claim.researcher_id)
    ClaimDispute.objects.open().filter(claim=claim).update(
        state=ClaimDispute.State.REVOKED,
        decided_by=actor,
        decided_at=timezone.now(),
        reason=reason,
    )
    claim_close(
        claim=claim, state=Claim.State.REVOKED, kind=kind, actor=actor, reason=reason, mail=True
    )
    Researcher.objects.filter(pk=researcher.pk).update(
        is_claimed=False,
        verification_level=authority_level(researcher),
        updated_at=timezone.now(),
    )
    records_unlink(researcher_id=researcher.pk)
    _open_disputes_recount(researcher_id=researcher.pk)
    trust_refresh_enqueue(
        researcher_ids=[researcher.pk, *collaborator_ids(researcher_id=researcher.pk)]
    )
    transaction.on_commit(lambda: claim_revoked.send(sender=Claim, claim=claim))


def claim_disputes_close_by(*, user: User, actor: User | None, reason: str) -> None:
    """Close the open disputes this user opened, the claims upheld (their account was
    suspended), inside the caller's transaction."""
    disputes = ClaimDispute.objects.open().filter(user=user).select_for_update()
    for dispute in disputes.select_related("claim"):
        _dispute_close(dispute=dispute, state=ClaimDispute.State.UPHELD, actor=actor, reason=reason)
        claim_event_add(
            claim=dispute.claim, kind=ClaimEvent.Kind.UPHELD, actor=actor, message=reason
        )
        _open_disputes_recount(researcher_id=dispute.claim.researcher_id)
        trust_refresh_enqueue(researcher_ids=[dispute.claim.researcher_id])
