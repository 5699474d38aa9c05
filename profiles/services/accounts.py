"""Suspending an account: it stops holding records, its open cases close, and it cannot log in.

A suspended account's claims are revoked rather than kept dormant, so no path that asks who
holds a record (Claim.objects.holding) needs to ask whether the holder is still active, and the
record's flags stay copies of its claims. Reinstating an account does not give claims back: the
person claims again, as anyone would.
"""

from django.db import transaction

from profiles.models import Claim, ClaimDispute, ClaimEvent, User
from profiles.services.claims import ClaimError, claim_close
from profiles.services.disputes import claim_disputes_close_by, claim_revoke
from profiles.services.moderation import decision_refusal
from profiles.signals import account_suspended


def account_suspend(*, user: User, actor: User | None, reason: str) -> User:
    """Deactivate the account, revoke the claims it holds (their records are unclaimed),
    reject its pending claims, close the disputes it opened, and send account_suspended once
    this commits. Safe to run twice."""
    if refusal := decision_refusal(actor=actor, subject_user_ids=[user.pk]):
        raise ClaimError(refusal)
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        for claim in Claim.objects.held_by(user).select_for_update().order_by("pk"):
            claim_revoke(claim=claim, kind=ClaimEvent.Kind.SUSPENDED, actor=actor, reason=reason)
        for claim in Claim.objects.pending().filter(user=user).select_for_update().order_by("pk"):
            claim_close(
                claim=claim,
                state=Claim.State.REJECTED,
                kind=ClaimEvent.Kind.REJECTED,
                actor=actor,
                reason=reason,
            )
        claim_disputes_close_by(
            user=user, actor=actor, reason="The account that opened this dispute was suspended."
        )
        transaction.on_commit(lambda: account_suspended.send(sender=User, user=user))
    return user


def account_holds_claims(*, user: User) -> bool:
    """Whether deleting the account would leave records it holds marked claimed, or disputes
    it opened counted: the admin refuses to delete it; suspend it first."""
    return (
        Claim.objects.held_by(user).exists()
        or ClaimDispute.objects.open().filter(user=user).exists()
    )


def account_reinstate(*, user: User, actor: User | None) -> User:
    """Let a suspended account log in again. Its revoked claims stay revoked."""
    if refusal := decision_refusal(actor=actor, subject_user_ids=[user.pk]):
        raise ClaimError(refusal)
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True
    return user
