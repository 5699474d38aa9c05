"""Receivers of signals from below (profiles' domain signals, allauth's login)."""

from allauth.account.signals import user_logged_in
from django.contrib import messages
from django.dispatch import receiver

from profiles.signals import account_suspended, claim_approved, claim_revoked
from social.services import (
    SocialError,
    follow,
    invitations_close_for_revoked_claim,
    invitations_close_for_suspended_account,
    unfollow,
)
from works.models import Researcher

# The researcher a visitor asked to follow before logging in (social.views.follow_researcher).
PENDING_FOLLOW_KEY = "social:pending_follow"


@receiver(user_logged_in)
def complete_pending_follow(sender, request, user, **kwargs):
    """Finish the follow a visitor asked for before they logged in or signed up."""
    researcher_id = request.session.pop(PENDING_FOLLOW_KEY, None)
    if researcher_id is None:
        return
    researcher = Researcher.objects.filter(pk=researcher_id).first()
    if researcher is None:
        return
    try:
        follow(user=user, researcher=researcher)
    except SocialError:
        return
    messages.success(request, f"You now follow {researcher.display_name}.")


@receiver(claim_approved)
def drop_holders_follow_of_own_record(sender, claim, **kwargs):
    """A user who followed a record and then claimed it is its holder, not one of its
    followers: the follow goes and followers_count drops with it (follow() refuses a new one)."""
    unfollow(user=claim.user, researcher=claim.researcher)


@receiver(claim_revoked)
def close_invitations_of_revoked_claim(sender, claim, **kwargs):
    """profiles knows nothing of invitations; a revoked claim closes its open ones here."""
    invitations_close_for_revoked_claim(claim=claim)


@receiver(account_suspended)
def close_invitations_of_suspended_account(sender, user, **kwargs):
    """A suspended account neither sends nor answers: its open invitations close here."""
    invitations_close_for_suspended_account(user_id=user.pk)
