from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from profiles.models import Researcher
from social.services import SocialError, follow

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
    from django.contrib import messages

    messages.success(request, f"You now follow {researcher.display_name}.")
