from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from works.models import Researcher, TrustBand


class User(AbstractUser):
    """The account of a person using BZPEER (a visitor who signed up, a researcher, staff)."""

    email = models.EmailField("e-mail address", unique=True, null=True, blank=True)


class TrustAssessment(models.Model):
    """One computation of a researcher's trust score, kept so a change can be explained."""

    researcher = models.ForeignKey(
        Researcher, on_delete=models.CASCADE, related_name="trust_assessments"
    )
    score = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=16, choices=TrustBand)
    # [{"key": ..., "label": ..., "points": ..., "max_points": ..., "reason": ...}, ...]
    components = models.JSONField()
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-computed_at"]
        indexes = [
            models.Index(fields=["researcher", "-computed_at"], name="trust_latest"),
        ]

    def __str__(self):
        return f"{self.researcher} {self.score} ({self.band})"


class ClaimQuerySet(models.QuerySet):
    def approved(self) -> "ClaimQuerySet":
        return self.filter(state=Claim.State.APPROVED)

    def pending(self) -> "ClaimQuerySet":
        return self.filter(state=Claim.State.PENDING)

    def holding(self, *researchers: Researcher | int) -> "ClaimQuerySet":
        """Who holds these records: their approved claims, at most one each (a constraint).
        The one way to ask; Researcher.is_claimed is a copy that only the claim services write."""
        return self.approved().filter(researcher__in=researchers)

    def held_by(self, user: User) -> "ClaimQuerySet":
        """The approved claims of the records this user holds."""
        return self.approved().filter(user=user)


class Claim(models.Model):
    """A user's request to be recognised as the person behind a researcher record."""

    class Method(models.TextChoices):
        ORCID = "orcid", "ORCID sign-in"
        EMAIL = "email", "Institutional e-mail"
        EVIDENCE = "evidence", "Evidence for a moderator"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        REVOKED = "revoked", "Revoked"
        WITHDRAWN = "withdrawn", "Withdrawn"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="claims")
    researcher = models.ForeignKey(Researcher, on_delete=models.CASCADE, related_name="claims")
    method = models.CharField(max_length=16, choices=Method)
    state = models.CharField(max_length=16, choices=State, default=State.PENDING)
    evidence_links = models.JSONField(default=list, blank=True)
    note = models.TextField(max_length=2000, blank=True)
    email = models.EmailField("institutional e-mail address", blank=True)
    # When a mailed code proved that the user reads `email`. Written only by the claim services
    # (so not editable in the admin); cleared when a code goes to another address.
    email_verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set while a mailed code is waiting; the code itself is derived (profiles.codes), not stored.
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["researcher"],
                condition=models.Q(state="approved"),
                name="claim_one_approved_per_researcher",
            ),
            models.UniqueConstraint(
                fields=["user", "researcher"],
                condition=models.Q(state="pending"),
                name="claim_one_pending_per_user_researcher",
            ),
            # One mailbox proves one person: an address verified by a code holds at most one
            # approved claim, whether a code or a moderator approved it.
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(state="approved", email_verified_at__isnull=False),
                name="claim_one_approved_per_verified_email",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.researcher} ({self.method}, {self.state})"


class ClaimEvent(models.Model):
    """One step in a claim's history, kept as its audit trail."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        REVOKED = "revoked", "Revoked"
        CODE_SENT = "code_sent", "Code sent"
        CODE_FAILED = "code_failed", "Code failed"
        DISPUTED = "disputed", "Disputed"
        UPHELD = "upheld", "Dispute closed, claim upheld"
        LINKED = "linked", "Linked to another record of the same person"
        UNLINKED = "unlinked", "Link to another record removed"
        ACCEPTED = "accepted", "Dispute accepted: it weighs on the trust score"
        SUSPENDED = "suspended", "Holder's account suspended"
        WITHDRAWN = "withdrawn", "Withdrawn by the claimant"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the e-mail about this event went out (profiles.notifications), so a retry sends once.
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.claim_id} {self.kind}"


class ClaimDisputeQuerySet(models.QuerySet):
    def open(self) -> "ClaimDisputeQuerySet":
        return self.filter(state=ClaimDispute.State.OPEN)

    def accepted(self) -> "ClaimDisputeQuerySet":
        """Open disputes a moderator has accepted as credible: each weighs on the trust score."""
        return self.open().filter(accepted_at__isnull=False)

    def undecided_from_verified(self) -> "ClaimDisputeQuerySet":
        """Open disputes no moderator has accepted yet, opened by a verified account (one that
        holds an approved claim, or has signed in with ORCID). A throwaway account's dispute is
        not among them: it waits for a moderator without touching the score."""
        verified = models.Exists(
            Claim.objects.approved().filter(user=models.OuterRef("user"))
        ) | models.Exists(
            SocialAccount.objects.filter(user=models.OuterRef("user"), provider="orcid")
        )
        return self.open().filter(verified, accepted_at__isnull=True)


class ClaimDispute(models.Model):
    """Another user's challenge to an approved claim, decided by a moderator."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Claim upheld"
        REVOKED = "revoked", "Claim revoked"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="disputes")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="claim_disputes")
    links = models.JSONField(default=list, blank=True)
    note = models.TextField(max_length=2000, blank=True)
    state = models.CharField(max_length=16, choices=State, default=State.OPEN)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # A moderator found the dispute credible while it stays open (claim_dispute_accept): from
    # then on it weighs on the record's trust score whoever opened it.
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = ClaimDisputeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "user"],
                condition=models.Q(state="open"),
                name="dispute_one_open_per_claim_user",
            ),
        ]

    def __str__(self):
        return f"{self.user} disputes {self.claim_id} ({self.state})"


class ProblemReport(models.Model):
    """A visitor's report that a record is wrong or should not be public, for the moderators.
    Open to visitors without an account; profiles.services.problem_reports limits how many."""

    class Reason(models.TextChoices):
        NOT_THEIRS = "not_theirs", "Works on it are not this person's"
        MERGED = "merged", "Two people are merged into this record"
        SPLIT = "split", "One person is split across records"
        NOT_PUBLIC = "not_public", "It should not be public"
        OTHER = "other", "Something else"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    researcher = models.ForeignKey(
        Researcher, on_delete=models.CASCADE, related_name="problem_reports"
    )
    reason = models.CharField(max_length=16, choices=Reason)
    evidence = models.TextField(max_length=4000)
    reporter_email = models.EmailField("reporter's e-mail address", blank=True)
    reporter = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State, default=State.OPEN)
    resolved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "-created_at"], name="problemreport_queue")]

    def __str__(self):
        return f"{self.get_reason_display()} on {self.researcher} ({self.state})"


class VisibilityEvent(models.Model):
    """One change of a record's visibility (Researcher.noindex, .unlisted): its audit trail."""

    researcher = models.ForeignKey(
        Researcher, on_delete=models.CASCADE, related_name="visibility_events"
    )
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    noindex = models.BooleanField("out of search engines")
    unlisted = models.BooleanField("out of the site's search")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.researcher}: noindex={self.noindex}, unlisted={self.unlisted}"
