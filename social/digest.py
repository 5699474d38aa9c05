"""The weekly e-mail of new works by the researchers a user follows, and its unsubscribe link."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from profiles.models import User
from social.models import DigestSubscription
from social.selectors import feed_works

UNSUBSCRIBE_SALT = "social.digest.unsubscribe"
# A digest goes at most this often, so a beat run that fires late or twice sends once.
DIGEST_INTERVAL = timedelta(days=6)
DIGEST_MAX_WORKS = 50


def unsubscribe_token(user: User) -> str:
    """A signed token naming the user. It does not expire: old digests' links must work."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(user.pk))


def user_for_unsubscribe_token(token: str) -> User | None:
    try:
        user_id = int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return User.objects.filter(pk=user_id).first()


def unsubscribe_url(user: User) -> str:
    path = reverse("social:digest_unsubscribe", kwargs={"token": unsubscribe_token(user)})
    return settings.SITE_URL + path


def is_subscribed(*, user: User) -> bool:
    return DigestSubscription.objects.filter(user=user).exists()


def _import_settle_time() -> timedelta:
    """Works are inserted inside an import page's transaction and become visible only when it
    commits, with created_at already in the past. No such transaction outlives its task's hard
    time limit, so a digest covers works imported up to this long ago and leaves later ones
    to the next digest rather than miss them."""
    return timedelta(seconds=settings.IMPORT_SLICE_SECONDS + 120)


def digests_due_user_ids(*, now: datetime | None = None) -> list[int]:
    cutoff = (now or timezone.now()) - DIGEST_INTERVAL
    return list(
        DigestSubscription.objects.filter(user__is_active=True)
        .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=cutoff))
        .order_by("pk")
        .values_list("user_id", flat=True)
    )


def digest_send(*, user_id: int, now: datetime | None = None) -> bool:
    """Send the user's digest if one is due. Safe to run twice or concurrently: the
    subscription row is locked and marked in the same transaction, so a second run finds it
    not due. Returns whether an e-mail went out (none when there is nothing new)."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = (
            DigestSubscription.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(user_id=user_id)
            .first()
        )
        if subscription is None:
            return False
        if subscription.last_sent_at and subscription.last_sent_at >= now - DIGEST_INTERVAL:
            return False
        user = subscription.user
        since = subscription.last_sent_at or subscription.created_at
        until = now - _import_settle_time()
        works = feed_works(user=user, since=since).filter(created_at__lte=until)
        listed = list(works[:DIGEST_MAX_WORKS])
        sent = bool(listed) and bool(user.email) and user.is_active
        if sent:
            total = works.count() if len(listed) == DIGEST_MAX_WORKS else len(listed)
            _send(user=user, works=listed, total=total, first=subscription.last_sent_at is None)
        # Marked even when nothing went out, so the next digest starts from here. Sent inside
        # the transaction: if sending fails the mark rolls back and the task's retry sends.
        subscription.last_sent_at = max(until, since)
        subscription.save(update_fields=["last_sent_at"])
    return sent


def _send(*, user: User, works: list, total: int, first: bool) -> None:
    unsubscribe = unsubscribe_url(user)
    context = {
        "user": user,
        # One line each: a title's line breaks must not make up lines of the e-mail.
        "items": [
            {
                "title": " ".join(work.plain_title.split()),
                "authors": ", ".join(
                    " ".join(authorship.researcher.display_name.split())
                    for authorship in work.authorships.all()[:6]
                ),
                "more_authors": max(0, len(work.authorships.all()) - 6),
                "date": work.publication_date,
                "year": work.publication_year,
                "venue": " ".join(work.venue.split()),
                "url": settings.SITE_URL + work.get_absolute_url(),
            }
            for work in works
        ],
        "total": total,
        "first": first,
        "more": total - len(works),
        "feed_url": settings.SITE_URL + reverse("social:feed"),
        "manage_url": settings.SITE_URL + reverse("social:following"),
        "unsubscribe_url": unsubscribe,
    }
    message = EmailMessage(
        subject=render_to_string("social/email/digest_subject.txt", context).strip(),
        body=render_to_string("social/email/digest.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            # RFC 8058: mail clients unsubscribe with one POST, no page to visit.
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.send()
