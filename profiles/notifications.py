"""E-mails about claims and disputes, sent by Celery tasks after the change commits.

Each e-mail is about one ClaimEvent (a code sent, a decision), whose row says when it went out.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from profiles.codes import claim_code
from profiles.models import Claim, ClaimEvent

# The events that are e-mailed, each with its templates (<name>.txt, <name>_subject.txt).
TEMPLATES = {
    ClaimEvent.Kind.CODE_SENT: "profiles/email/claim_code",
    ClaimEvent.Kind.APPROVED: "profiles/email/claim_approved",
    ClaimEvent.Kind.REJECTED: "profiles/email/claim_rejected",
    ClaimEvent.Kind.UPHELD: "profiles/email/dispute_upheld",
    ClaimEvent.Kind.REVOKED: "profiles/email/claim_revoked",
}


def _code_still_current(event: ClaimEvent) -> bool:
    """Whether the code this event announced is still the one waiting: a later send, a closed
    claim or the expiry retires it, and then the mail would only confuse."""
    claim = event.claim
    return (
        claim.state == Claim.State.PENDING
        and claim.code_expires_at is not None
        and claim.code_expires_at > timezone.now()
        and not claim.events.filter(kind=ClaimEvent.Kind.CODE_SENT, pk__gt=event.pk).exists()
    )


def claim_event_mail(*, event_id: int) -> bool:
    """E-mail the person a claim event concerns: the claimant, or for a code the address being
    verified. Safe to run twice: the first run marks the event, a second finds the mark and
    sends nothing. Returns whether it sent."""
    with transaction.atomic():
        # Only the event's row is locked while the mail goes out: the claim services write an
        # event once and never lock it, so a slow mail server keeps nobody waiting.
        event = (
            ClaimEvent.objects.select_for_update(of=("self",))
            .select_related("claim__researcher", "claim__user")
            .filter(pk=event_id)
            .first()
        )
        if event is None or event.mailed_at is not None or event.kind not in TEMPLATES:
            return False
        claim = event.claim
        context = {
            "researcher": claim.researcher,
            "reason": event.message,
            "edit_url": settings.SITE_URL
            + reverse("profiles:edit", kwargs={"slug": claim.researcher.slug}),
        }
        if event.kind == ClaimEvent.Kind.CODE_SENT:
            if not _code_still_current(event):
                return False
            address, context["code"] = claim.email, claim_code(claim)
        else:
            address = claim.user.email
        if not address:
            return False
        template = TEMPLATES[event.kind]
        # Sent inside the transaction: if sending fails, the mark rolls back and the task's
        # retry sends again.
        send_mail(
            subject=render_to_string(f"{template}_subject.txt", context).strip(),
            message=render_to_string(f"{template}.txt", context),
            from_email=None,
            recipient_list=[address],
        )
        event.mailed_at = timezone.now()
        event.save(update_fields=["mailed_at"])
    return True
