"""Whether a record shows in search engines and in the site's search: the holder decides from
the edit page, a moderator on a justified request for an unclaimed one. Every change is a
VisibilityEvent."""

from django.db import transaction
from django.utils import timezone

from profiles import sitemaps
from profiles.models import User, VisibilityEvent
from profiles.services.owner import researcher_owner_claim
from works.models import Researcher


def _visibility_set(
    *, researcher: Researcher, actor: User | None, noindex: bool, unlisted: bool, reason: str
) -> VisibilityEvent | None:
    if (researcher.noindex, researcher.unlisted) == (noindex, unlisted):
        return None
    with transaction.atomic():
        Researcher.objects.filter(pk=researcher.pk).update(
            noindex=noindex, unlisted=unlisted, updated_at=timezone.now()
        )
        event = VisibilityEvent.objects.create(
            researcher=researcher, actor=actor, noindex=noindex, unlisted=unlisted, reason=reason
        )
    researcher.noindex, researcher.unlisted = noindex, unlisted
    transaction.on_commit(lambda: sitemaps.researcher_forget(researcher.pk))
    return event


def researcher_visibility_set(
    *, researcher: Researcher, user: User, noindex: bool, unlisted: bool
) -> VisibilityEvent | None:
    """The holder's choice. Raises PermissionDenied for anyone else."""
    researcher_owner_claim(researcher=researcher, user=user)
    return _visibility_set(
        researcher=researcher,
        actor=user,
        noindex=noindex,
        unlisted=unlisted,
        reason="The holder's choice on the edit page.",
    )


def researcher_visibility_moderate(
    *, researcher: Researcher, moderator: User, hidden: bool, reason: str
) -> VisibilityEvent | None:
    """A moderator takes a record out of search engines and the site's search (or puts it
    back), saying why."""
    if not reason.strip():
        raise ValueError("A moderator's change of visibility needs a reason.")
    return _visibility_set(
        researcher=researcher,
        actor=moderator,
        noindex=hidden,
        unlisted=hidden,
        reason=reason.strip(),
    )
