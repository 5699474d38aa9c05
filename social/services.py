"""Writes for following, the digest, invitations, blocks and spam reports.

Every limit here is enforced inside the transaction that writes, under a lock or a database
constraint, so concurrent requests cannot get past it.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from profiles.models import Claim, User
from profiles.services import (
    ClaimError,
    account_suspend,
    decision_refusal,
    trust_refresh_enqueue,
)
from social.models import Block, DigestSubscription, Follow, Invitation, SpamReport
from social.rules import ALREADY_OPEN, invitation_refusal
from social.selectors import invitation_facts
from works.models import Researcher


class SocialError(Exception):
    """An action that cannot go ahead; the message is shown to the user as it is."""


# --- Following ---------------------------------------------------------------------------------


def follow(*, user: User, researcher: Researcher) -> bool:
    """Follow the researcher. Idempotent: returns whether a follow was created. The unique
    constraint makes concurrent requests create one row, and only the request that created it
    counts it, so followers_count stays exact."""
    if Claim.objects.holding(researcher).filter(user=user).exists():
        raise SocialError("This is your own profile: there is nothing to follow.")
    with transaction.atomic():
        _, created = Follow.objects.get_or_create(user=user, researcher=researcher)
        if created:
            Researcher.objects.filter(pk=researcher.pk).update(
                followers_count=F("followers_count") + 1
            )
            trust_refresh_enqueue(researcher_ids=[researcher.pk])
    return created


def unfollow(*, user: User, researcher: Researcher) -> bool:
    """Stop following. Idempotent: returns whether a follow was removed."""
    with transaction.atomic():
        deleted, _ = Follow.objects.filter(user=user, researcher=researcher).delete()
        if deleted:
            Researcher.objects.filter(pk=researcher.pk, followers_count__gt=0).update(
                followers_count=F("followers_count") - 1
            )
            trust_refresh_enqueue(researcher_ids=[researcher.pk])
    return bool(deleted)


# --- The weekly digest -------------------------------------------------------------------------


def digest_subscribe(*, user: User) -> DigestSubscription:
    subscription, _ = DigestSubscription.objects.get_or_create(user=user)
    return subscription


def digest_unsubscribe(*, user: User) -> bool:
    deleted, _ = DigestSubscription.objects.filter(user=user).delete()
    return bool(deleted)


# --- Invitations -------------------------------------------------------------------------------


def invitation_send(
    *, sender: User, recipient_researcher: Researcher, subject: str, message: str
) -> Invitation:
    """Send an invitation, or raise SocialError saying why not.

    Who may invite whom is social.rules.invitation_refusal, on facts read under a lock: the
    sender's user row is locked for the transaction, so one sender's sends run one at a time
    and the daily count each reads includes all the others: 200 concurrent posts create no more
    than INVITATIONS_PER_DAY. The open-per-pair rule is also a partial unique index.
    """
    # One line: the subject becomes an e-mail header.
    subject, message = " ".join(subject.split()), message.strip()
    if not subject or not message:
        raise SocialError("An invitation needs a subject and a message.")
    with transaction.atomic():
        # FOR NO KEY UPDATE: it still serialises one sender's sends, but does not block the
        # FOR KEY SHARE lock that inserting an invitation *to* this user takes on their row, so
        # A→B and B→A at once cannot deadlock.
        User.objects.select_for_update(no_key=True).filter(pk=sender.pk).first()
        recipient_researcher.refresh_from_db(fields=["is_claimed", "open_to_collaborate"])
        facts = invitation_facts(viewer=sender, researcher=recipient_researcher)
        refusal = invitation_refusal(facts=facts)
        if refusal is not None:
            raise SocialError(refusal)
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    sender=sender,
                    recipient_id=facts.holder_id,
                    sender_researcher_id=facts.viewer_record_id,
                    recipient_researcher=recipient_researcher,
                    subject=subject,
                    message=message,
                )
        except IntegrityError as error:
            # The other person's invitation to the sender, committed a moment ago.
            raise SocialError(
                ALREADY_OPEN.format(name=recipient_researcher.display_name)
            ) from error
        _notify_on_commit(invitation, "sent")
    return invitation


def _notify_on_commit(invitation: Invitation, event: str) -> None:
    from social.tasks import invitation_notify_task

    transaction.on_commit(lambda: invitation_notify_task.delay(invitation.pk, event))


def _locked_pending(invitation: Invitation, *, user: User, role: str) -> Invitation:
    """The invitation, locked, if it is still open and the user is its `role`."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if getattr(locked, f"{role}_id") != user.pk:
        raise SocialError(
            "Only the invitation's sender can withdraw it."
            if role == "sender"
            else "Only the invitation's recipient can answer it."
        )
    if not locked.is_pending:
        raise SocialError(f"This invitation was already {locked.get_state_display().lower()}.")
    return locked


def _answer(invitation: Invitation, *, user: User, state: str, role: str = "recipient"):
    locked = _locked_pending(invitation, user=user, role=role)
    locked.state, locked.answered_at = state, timezone.now()
    locked.save(update_fields=["state", "answered_at"])
    return locked


def invitation_accept(*, invitation: Invitation, user: User) -> Invitation:
    """Accept: from now on each sees the other's contact e-mail."""
    with transaction.atomic():
        accepted = _answer(invitation, user=user, state=Invitation.State.ACCEPTED)
        _notify_on_commit(accepted, "accepted")
    return accepted


def invitation_decline(*, invitation: Invitation, user: User) -> Invitation:
    with transaction.atomic():
        return _answer(invitation, user=user, state=Invitation.State.DECLINED)


def invitation_withdraw(*, invitation: Invitation, user: User) -> Invitation:
    with transaction.atomic():
        return _answer(invitation, user=user, state=Invitation.State.WITHDRAWN, role="sender")


def block(*, blocker: User, blocked: User) -> bool:
    """Idempotent; returns whether a block was created. Open invitations between the two from
    the blocked user are declined."""
    if blocker.pk == blocked.pk:
        raise SocialError("You cannot block yourself.")
    with transaction.atomic():
        _, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
        Invitation.objects.filter(
            sender=blocked, recipient=blocker, state=Invitation.State.PENDING
        ).update(state=Invitation.State.DECLINED, answered_at=timezone.now())
    return created


def unblock(*, blocker: User, blocked_id: int) -> bool:
    deleted, _ = Block.objects.filter(blocker=blocker, blocked_id=blocked_id).delete()
    return bool(deleted)


def invitation_block_sender(*, invitation: Invitation, user: User) -> Invitation:
    """Decline and block the sender."""
    with transaction.atomic():
        declined = _answer(invitation, user=user, state=Invitation.State.DECLINED)
        block(blocker=user, blocked=declined.sender)
    return declined


def invitation_report_spam(*, invitation: Invitation, user: User) -> SpamReport:
    """Decline, block the sender and ask the moderators to look at the sender."""
    with transaction.atomic():
        declined = invitation_block_sender(invitation=invitation, user=user)
        return SpamReport.objects.create(invitation=declined)


def spam_report_resolve(
    *, report: SpamReport, actor: User | None, suspend_sender: bool, note: str = ""
) -> SpamReport:
    """A moderator's decision; nobody decides a report about themselves or one they filed.
    Suspending goes through profiles.services.account_suspend, whose signal closes the
    sender's invitations (social.receivers). The suspension commits first, so a crash between
    the two leaves the report open for a second, harmless, run."""
    invitation = report.invitation
    if refusal := decision_refusal(
        actor=actor, subject_user_ids=[invitation.sender_id, invitation.recipient_id]
    ):
        raise SocialError(refusal)
    if suspend_sender:
        try:
            account_suspend(
                user=invitation.sender, actor=actor, reason="Sent invitations reported as spam."
            )
        except ClaimError as error:
            raise SocialError(str(error)) from None
    with transaction.atomic(durable=True):
        report = SpamReport.objects.select_for_update().get(pk=report.pk)
        if report.state != SpamReport.State.OPEN:
            raise SocialError("This report has already been resolved.")
        report.state = SpamReport.State.ACTIONED if suspend_sender else SpamReport.State.DISMISSED
        report.moderator_note, report.resolved_at = note, timezone.now()
        report.save(update_fields=["state", "moderator_note", "resolved_at"])
    return report


def invitations_close_for_suspended_account(*, user_id: int) -> None:
    """A suspended account's open invitations are withdrawn, and those waiting for its answer
    declined: it cannot answer, so its senders hear no rather than wait."""
    now = timezone.now()
    pending = Invitation.objects.filter(state=Invitation.State.PENDING)
    pending.filter(sender_id=user_id).update(state=Invitation.State.WITHDRAWN, answered_at=now)
    pending.filter(recipient_id=user_id).update(state=Invitation.State.DECLINED, answered_at=now)


def invitations_close_for_revoked_claim(*, claim: Claim) -> None:
    """Invitations made as, or addressed to, a record whose claim was revoked: the person who
    held it was not that researcher, so theirs are withdrawn and those to them declined."""
    now = timezone.now()
    pending = Invitation.objects.filter(state=Invitation.State.PENDING)
    pending.filter(sender_id=claim.user_id, sender_researcher_id=claim.researcher_id).update(
        state=Invitation.State.WITHDRAWN, answered_at=now
    )
    pending.filter(recipient_id=claim.user_id, recipient_researcher_id=claim.researcher_id).update(
        state=Invitation.State.DECLINED, answered_at=now
    )
