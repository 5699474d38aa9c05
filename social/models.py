from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least, Length
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.urls import reverse

MESSAGE_MAX_LENGTH = 2000
SUBJECT_MAX_LENGTH = 200


class Follow(models.Model):
    """A user keeps up with a researcher's new works (the feed, the digest)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    researcher = models.ForeignKey(
        "works.Researcher", on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "researcher"], name="one_follow_per_pair"),
        ]

    def __str__(self):
        return f"{self.user} follows {self.researcher}"


class DigestSubscription(models.Model):
    """A user who asked for the weekly e-mail of new works by the researchers they follow."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_subscription"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The digest covers works imported after this (or after created_at, before the first).
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Weekly digest for {self.user}"


class Invitation(models.Model):
    """A verified researcher's invitation to another to collaborate."""

    class State(models.TextChoices):
        PENDING = "pending", "Awaiting an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_sent"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_received"
    )
    # The claimed records the two people are known by, as they were when it was sent.
    sender_researcher = models.ForeignKey(
        "works.Researcher", on_delete=models.CASCADE, related_name="invitations_sent"
    )
    recipient_researcher = models.ForeignKey(
        "works.Researcher", on_delete=models.CASCADE, related_name="invitations_received"
    )
    subject = models.CharField(max_length=SUBJECT_MAX_LENGTH)
    # Plain text, shown escaped with line breaks kept.
    message = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    state = models.CharField(max_length=16, choices=State, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Set when the e-mail about it went out, so a retried task does not send it twice.
    recipient_notified_at = models.DateTimeField(null=True, blank=True)
    sender_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Either direction: while A's invitation to B is open, B answers it rather than
            # opening a second conversation.
            models.UniqueConstraint(
                Least("sender", "recipient"),
                Greatest("sender", "recipient"),
                condition=Q(state="pending"),
                name="one_open_invitation_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(sender=F("recipient")), name="invitation_not_to_self"
            ),
            models.CheckConstraint(
                condition=Q(LessThanOrEqual(Length("message"), MESSAGE_MAX_LENGTH))
                & Q(GreaterThan(Length("message"), 0))
                & Q(GreaterThan(Length("subject"), 0)),
                name="invitation_text_bounds",
            ),
        ]
        indexes = [
            # The daily limit counts a sender's recent invitations on every send.
            models.Index(fields=["sender", "-created_at"], name="invitation_sender_recent"),
            models.Index(fields=["recipient", "state"], name="invitation_inbox"),
        ]

    def __str__(self):
        return f"{self.sender_researcher} → {self.recipient_researcher}: {self.subject}"

    def get_absolute_url(self):
        return reverse("social:invitation", kwargs={"pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING


class Block(models.Model):
    """The blocker receives no more invitations from the blocked user."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="one_block_per_pair"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]

    def __str__(self):
        return f"{self.blocker} blocks {self.blocked}"


class SpamReport(models.Model):
    """A recipient's report of an invitation as spam, for the moderators."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        ACTIONED = "actioned", "Sender suspended"
        DISMISSED = "dismissed", "Dismissed"

    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="spam_report"
    )
    state = models.CharField(max_length=16, choices=State, default=State.OPEN)
    moderator_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Spam report on {self.invitation}"
