from django.utils.functional import SimpleLazyObject

from social.selectors import unanswered_count


def invitations(request):
    """The header's count of invitations awaiting the user's answer (one query, only for
    signed-in users, only when a template reads it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unanswered_invitations": SimpleLazyObject(lambda: unanswered_count(user=user))}
