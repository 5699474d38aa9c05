from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse


class User(AbstractUser):
    """The account of a person using BZPEER (a visitor who signed up, a researcher, staff)."""

    email = models.EmailField("e-mail address", unique=True, null=True, blank=True)


class VerificationLevel(models.IntegerChoices):
    L0 = 0, "L0 – no external authority"
    L1 = 1, "L1 – matched to an external authority, unclaimed"
    L2 = 2, "L2 – claimed, verified by institutional e-mail or a moderator"
    L3 = 3, "L3 – claimed through ORCID sign-in"


class TrustBand(models.TextChoices):
    EMERGING = "emerging", "Emerging"
    ESTABLISHED = "established", "Established"
    TRUSTED = "trusted", "Trusted"


class Researcher(models.Model):
    """The public author record, whether or not its person has claimed it."""

    slug = models.SlugField(max_length=120, unique=True)
    openalex_id = models.CharField(max_length=32, unique=True, null=True, blank=True)
    orcid = models.CharField("ORCID iD", max_length=19, unique=True, null=True, blank=True)
    display_name = models.CharField(max_length=300)
    # Folded display name (works.text.fold): how records without ids are matched.
    name_key = models.CharField(max_length=300, db_index=True)
    name_variants = models.JSONField(default=list, blank=True)
    # Folded display name and variants (works.text.fold), what name search matches against.
    search_name = models.TextField(blank=True)
    # Name forms to search arXiv with ("au:" queries); non-empty means arXiv lists this person.
    arxiv_name_forms = models.JSONField(default=list, blank=True)
    institution = models.ForeignKey(
        "works.Institution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="researchers",
        help_text="Last known institution.",
    )
    bio = models.TextField(blank=True)
    open_to_collaborate = models.BooleanField(default=True)
    verification_level = models.PositiveSmallIntegerField(
        choices=VerificationLevel, default=VerificationLevel.L0
    )
    is_claimed = models.BooleanField(default=False)
    # Set when the person holding this record's approved claim also holds the primary's: the
    # records are one person (a split author), and the primary lists the works of both.
    primary = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_records",
    )

    # Cached counts, kept current by the services that change their inputs.
    works_count = models.PositiveIntegerField(default=0)
    followers_count = models.PositiveIntegerField(default=0)
    topics_count = models.PositiveIntegerField(default=0)
    close_collaborators_count = models.PositiveIntegerField(default=0)
    verified_collaborators_count = models.PositiveIntegerField(default=0)
    open_disputes_count = models.PositiveIntegerField(default=0)

    trust_score = models.PositiveSmallIntegerField(default=0)
    trust_band = models.CharField(max_length=16, choices=TrustBand, default=TrustBand.EMERGING)
    # The latest computation's components (profiles.trust), shown as "why this score".
    trust_components = models.JSONField(default=list, blank=True)
    trust_computed_at = models.DateTimeField(null=True, blank=True)

    openalex_synced_at = models.DateTimeField(null=True, blank=True)
    arxiv_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("profiles:detail", kwargs={"slug": self.slug})

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""

    @property
    def openalex_url(self) -> str:
        return f"https://openalex.org/{self.openalex_id}" if self.openalex_id else ""


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

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="claims")
    researcher = models.ForeignKey(Researcher, on_delete=models.CASCADE, related_name="claims")
    method = models.CharField(max_length=16, choices=Method)
    state = models.CharField(max_length=16, choices=State, default=State.PENDING)
    evidence_links = models.JSONField(default=list, blank=True)
    note = models.TextField(max_length=2000, blank=True)
    email = models.EmailField("institutional e-mail address", blank=True)
    code_hash = models.CharField(max_length=256, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

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

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.claim_id} {self.kind}"


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


class HiddenWork(models.Model):
    """A work the record's owner says is not theirs. Kept apart from the authorship row, which
    re-imports rewrite, so the hiding survives them."""

    researcher = models.ForeignKey(
        Researcher, on_delete=models.CASCADE, related_name="hidden_works"
    )
    work = models.ForeignKey(
        "works.Work", on_delete=models.CASCADE, related_name="hidden_on_profiles"
    )
    reason = models.TextField(max_length=500)
    hidden_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["researcher", "work"], name="hiddenwork_one_per_researcher_work"
            ),
        ]

    def __str__(self):
        return f"{self.researcher} hides {self.work_id}"
