"""E-mails about invitations, sent by Celery tasks after the change commits."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from social.models import Invitation

# event → (the field that records the e-mail went out, whom it goes to, its template)
EVENTS = {
    "sent": ("recipient_notified_at", "recipient", "social/email/invitation_sent"),
    "accepted": ("sender_notified_at", "sender", "social/email/invitation_accepted"),
}


def invitation_notify(*, invitation_id: int, event: str) -> bool:
    """E-mail the person an invitation event concerns. Safe to run twice: the first run marks
    the invitation, a second finds the mark and sends nothing. Returns whether it sent."""
    field, role, template = EVENTS[event]
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("sender", "recipient", "sender_researcher", "recipient_researcher")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or getattr(invitation, field) is not None:
            return False
        address = getattr(invitation, role).email
        if not address:
            return False
        context = {
            "invitation": invitation,
            "url": settings.SITE_URL + invitation.get_absolute_url(),
            "inbox_url": settings.SITE_URL + "/invitations/",
        }
        # Sent inside the transaction: if sending fails, the mark rolls back and the task's
        # retry sends again.
        send_mail(
            subject=render_to_string(f"{template}_subject.txt", context).strip(),
            message=render_to_string(f"{template}.txt", context),
            from_email=None,
            recipient_list=[address],
        )
        setattr(invitation, field, timezone.now())
        invitation.save(update_fields=[field])
    return True
