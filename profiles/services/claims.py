"""Claims: a user proves that a researcher record is theirs, by ORCID sign-in (L3), a code
mailed to an institutional address that names them (L2, profiles.services.claim_email) or
evidence a moderator approves (L2).

A proof the user makes themselves approves only when it proves the person: a revoked claimant
may not use it on the record again, and a proof that shows less (an address that does not name
the researcher, an account that already holds an unrelated record) sends the claim to a
moderator instead (claim_referral_reason, claim_refer)."""

from allauth.socialaccount.models import SocialAccount
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from graph.models import Collaboration
from profiles.identity import address_names_researcher, names_same_person
from profiles.models import Claim, ClaimEvent, User
from profiles.services.moderation import decision_refusal
from profiles.services.trust import trust_refresh_enqueue
from profiles.signals import claim_approved
from profiles.tasks import claim_event_mail_task
from works.models import Researcher, VerificationLevel

EVIDENCE_MAX_LINKS = 10
EVIDENCE_NOTE_MAX_LENGTH = 2000
ALREADY_CLAIMED = "This record has already been claimed."
ADDRESS_HOLDS_A_CLAIM = (
    "{email} already holds the claim of another record, and one address proves one person. "
    "If that record is also you, send evidence to a moderator for this one."
)
REVOKED_BEFORE = (
    "A moderator revoked your earlier claim on this record, so ORCID sign-in and e-mail codes "
    "cannot claim it again: send evidence, and a moderator will decide."
)

# The verification level an approved claim gives its record, by how it was proven.
LEVEL_BY_METHOD = {
    Claim.Method.ORCID: VerificationLevel.L3,
    Claim.Method.EMAIL: VerificationLevel.L2,
    Claim.Method.EVIDENCE: VerificationLevel.L2,
}


class ClaimError(Exception):
    """A claim step that cannot go ahead; the message is shown to the user as it is."""


class ClaimReferred(ClaimError):
    """The proof went through but does not approve the claim by itself: the claim, with what
    was proven, has been committed to the moderators' queue. The message tells the user why."""

    def __init__(self, message: str, *, claim: Claim):
        super().__init__(message)
        self.claim = claim


def claim_event_add(
    *, claim: Claim, kind: str, actor: User | None, message: str = "", mail: bool = False
) -> ClaimEvent:
    """Add a step to the claim's audit trail; with `mail`, e-mail it once the transaction
    commits (profiles.notifications says to whom)."""
    event = ClaimEvent.objects.create(claim=claim, kind=kind, actor=actor, message=message)
    if mail:
        transaction.on_commit(lambda: claim_event_mail_task.delay(event.pk))
    return event


def claim_close(
    *, claim: Claim, state: str, kind: str, actor: User | None, reason: str, mail: bool = False
) -> None:
    """Decide a claim against its user (rejected, revoked); any waiting code dies with it."""
    claim.state, claim.decided_by, claim.decided_at = state, actor, timezone.now()
    claim.decision_reason, claim.code_expires_at = reason, None
    claim.save(
        update_fields=["state", "decided_by", "decided_at", "decision_reason", "code_expires_at"]
    )
    claim_event_add(claim=claim, kind=kind, actor=actor, message=reason, mail=mail)


def evidence_clean(*, links: list[str], note: str) -> tuple[list[str], str]:
    """The links and note of a claim's evidence or of a dispute, checked and trimmed."""
    if len(note) > EVIDENCE_NOTE_MAX_LENGTH:
        raise ClaimError("Keep the note under 2,000 characters.")
    cleaned = [link.strip() for link in links if link.strip()]
    if not cleaned:
        raise ClaimError("Give at least one link that shows this record is yours.")
    if len(cleaned) > EVIDENCE_MAX_LINKS:
        raise ClaimError(f"Give at most {EVIDENCE_MAX_LINKS} links.")
    for link in cleaned:
        if not link.lower().startswith(("https://", "http://")) or len(link) > 500:
            raise ClaimError(f"{link[:100]} is not a web address (http:// or https://).")
    return cleaned, note.strip()


def collaborator_ids(*, researcher_id: int) -> set[int]:
    """The records that share a work with this one: their verified-collaborator counts move
    when its claim is approved or revoked."""
    pairs = Collaboration.objects.filter(
        Q(researcher_a_id=researcher_id) | Q(researcher_b_id=researcher_id)
    ).values_list("researcher_a_id", "researcher_b_id")
    return {pk for pair in pairs for pk in pair} - {researcher_id}


def locked_pending(claim: Claim) -> Claim:
    """The claim, locked (its row only: the services lock the rows their limits count on
    themselves), when it is still pending."""
    claim = (
        Claim.objects.select_for_update(of=("self",)).select_related("researcher").get(pk=claim.pk)
    )
    if claim.state == Claim.State.APPROVED:
        raise ClaimError("This claim has already been approved.")
    if claim.state != Claim.State.PENDING:
        raise ClaimError("This claim is closed; start a new one from the profile.")
    return claim


def claimant_lock(*, user: User) -> None:
    """Serialise one account's self-proven approvals and code sends, so what each counts or
    checks (the records it holds, the codes it sent) includes the others'. FOR NO KEY UPDATE:
    it does not block the key-share locks that rows referring to the user take."""
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()


def revoked_before(*, user: User, researcher: Researcher) -> bool:
    """Whether a moderator revoked this user's claim on this record: then only evidence, which
    a moderator decides, may claim it again."""
    return Claim.objects.filter(
        user=user, researcher=researcher, state=Claim.State.REVOKED
    ).exists()


def record_names(researcher: Researcher) -> list[str]:
    return [researcher.display_name, *(researcher.name_variants or [])]


def _same_person(record: Researcher, other: Researcher) -> bool:
    linked = (
        record.primary_id == other.pk
        or other.primary_id == record.pk
        or (record.primary_id is not None and record.primary_id == other.primary_id)
    )
    return linked or names_same_person(record_names(record), record_names(other))


def claim_referral_reason(
    *, user: User, researcher: Researcher, email: str | None = None
) -> str | None:
    """Why a proof the user makes themselves (ORCID sign-in; a code mailed to `email`) does
    not approve their claim on this record by itself but sends it to a moderator; None when it
    approves. An address that does not name the researcher (profiles.identity) proves only
    affiliation; an account holds approved claims only on records of one person."""
    if email is not None:
        local_part = email.rsplit("@", 1)[0]
        if not address_names_researcher(local_part, record_names(researcher)):
            return (
                f"{email} does not name {researcher.display_name}, so it shows that you have an "
                "address at the institution, not that you are this researcher"
            )
    held = Researcher.objects.filter(
        pk__in=Claim.objects.held_by(user).values("researcher_id")
    ).exclude(pk=researcher.pk)
    unrelated = sorted(
        record.display_name for record in held if not _same_person(record, researcher)
    )
    if unrelated:
        return (
            f"your account already holds {', '.join(unrelated)}, whose name does not look like "
            f"{researcher.display_name}'s"
        )
    return None


def claim_refer(*, claim: Claim, proof: str, reason: str) -> ClaimReferred:
    """Send a self-proven claim to the moderators as evidence, with what was proven (`proof`)
    and why it does not approve by itself written on its audit trail. Inside the caller's
    transaction; returns the exception to raise once it commits."""
    claim.method, claim.code_expires_at = Claim.Method.EVIDENCE, None
    claim.save(update_fields=["method", "email_verified_at", "code_expires_at"])
    claim_event_add(
        claim=claim,
        kind=ClaimEvent.Kind.SUBMITTED,
        actor=claim.user,
        message=f"{proof}, but {reason}: sent to a moderator.",
    )
    return ClaimReferred(
        f"{proof}, but {reason}. We sent your claim to a moderator with what you proved; we "
        "will e-mail you their answer.",
        claim=claim,
    )


def _claim_open(
    *, user: User, researcher: Researcher, method: str, evidence_links: list[str] | None, note: str
) -> Claim:
    """claim_start's work, inside the caller's transaction."""
    if Claim.objects.holding(researcher).exists():
        raise ClaimError(ALREADY_CLAIMED)
    if method != Claim.Method.EVIDENCE and revoked_before(user=user, researcher=researcher):
        raise ClaimError(REVOKED_BEFORE)
    claim = Claim.objects.pending().select_for_update().filter(user=user, researcher=researcher)
    claim = claim.first()
    created = claim is None
    if created:
        claim = Claim(user=user, researcher=researcher, state=Claim.State.PENDING)
    claim.method = method
    if evidence_links is not None:
        claim.evidence_links = evidence_links
        claim.note = note
    try:
        # A savepoint, so a lost race on the one-open-claim constraint is a clear message.
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise ClaimError("You already have an open claim on this record.") from None
    if created or evidence_links is not None:
        claim_event_add(
            claim=claim,
            kind=ClaimEvent.Kind.SUBMITTED,
            actor=user,
            message=Claim.Method(method).label,
        )
    return claim


def claim_start(*, user: User, researcher: Researcher, method: str) -> Claim:
    """Open a claim, or reuse the user's open claim on this record with the method now chosen.
    Refuses a record that has already been claimed, and any method but evidence to a user
    whose claim on it was revoked."""
    with transaction.atomic(durable=True):
        return _claim_open(
            user=user, researcher=researcher, method=method, evidence_links=None, note=""
        )


def _violated_constraint(error: IntegrityError) -> str:
    return getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) or ""


def _approve(*, claim: Claim, actor: User | None) -> Claim:
    """claim_approve's work, inside the caller's transaction. The record becomes claimed at the
    level its method gives (LEVEL_BY_METHOD)."""
    try:
        # A savepoint: the database holds one approved claim per record and per verified
        # address, so of two racing approvals the second breaks a constraint, and that is a
        # clear message.
        with transaction.atomic():
            claim = locked_pending(claim)
            level = LEVEL_BY_METHOD[claim.method]
            now = timezone.now()
            claim.state = Claim.State.APPROVED
            claim.decided_by, claim.decided_at = actor, now
            claim.code_expires_at = None
            claim.save(update_fields=["state", "decided_by", "decided_at", "code_expires_at"])
            Researcher.objects.filter(pk=claim.researcher_id).update(
                is_claimed=True, verification_level=level, updated_at=now
            )
    except IntegrityError as error:
        if _violated_constraint(error) == "claim_one_approved_per_verified_email":
            raise ClaimError(ADDRESS_HOLDS_A_CLAIM.format(email=claim.email)) from None
        raise ClaimError(ALREADY_CLAIMED) from None
    claim.researcher.is_claimed, claim.researcher.verification_level = True, level
    claim_approved.send(sender=Claim, claim=claim)
    trust_refresh_enqueue(
        researcher_ids=[claim.researcher_id, *collaborator_ids(researcher_id=claim.researcher_id)]
    )
    return claim


def claim_approve(*, claim: Claim, actor: User | None) -> Claim:
    """A moderator approves a pending claim; its user is e-mailed the answer."""
    if refusal := decision_refusal(actor=actor, subject_user_ids=[claim.user_id]):
        raise ClaimError(refusal)
    with transaction.atomic(durable=True):
        claim = _approve(claim=claim, actor=actor)
        claim_event_add(
            claim=claim,
            kind=ClaimEvent.Kind.APPROVED,
            actor=actor,
            message=f"Verification L{claim.researcher.verification_level}",
            mail=True,
        )
    return claim


def approve_own(claim: Claim) -> Claim:
    """The user proved the claim themselves, on the page that says so: no e-mail. Inside the
    caller's transaction, after claim_referral_reason said it may approve."""
    claim = _approve(claim=claim, actor=claim.user)
    claim_event_add(
        claim=claim,
        kind=ClaimEvent.Kind.APPROVED,
        actor=claim.user,
        message=f"Verification L{claim.researcher.verification_level}",
    )
    return claim


def user_orcid_ids(*, user: User) -> list[str]:
    """The ORCID iDs the user has signed in with (allauth), never ones they typed."""
    return list(
        SocialAccount.objects.filter(user=user, provider="orcid").values_list("uid", flat=True)
    )


def claim_by_orcid(*, user: User, researcher: Researcher) -> Claim:
    """Claim at once when the user's signed-in ORCID iD is the record's, unless the account
    already holds an unrelated record: then the claim goes to a moderator (ClaimReferred)."""
    if not researcher.orcid:
        raise ClaimError(
            "This record has no ORCID iD, so ORCID sign-in cannot prove it is yours. "
            "Use your institutional e-mail or send evidence to a moderator."
        )
    orcid_ids = [uid.strip().upper() for uid in user_orcid_ids(user=user)]
    if not orcid_ids:
        raise ClaimError("Connect your ORCID iD first; then claim again.")
    if researcher.orcid.strip().upper() not in orcid_ids:
        raise ClaimError(
            f"Your ORCID iD ({', '.join(orcid_ids)}) is not this record's ({researcher.orcid}), "
            "so it cannot be claimed through ORCID."
        )
    with transaction.atomic(durable=True):
        claim = _claim_open(
            user=user,
            researcher=researcher,
            method=Claim.Method.ORCID,
            evidence_links=None,
            note="",
        )
        claimant_lock(user=user)
        reason = claim_referral_reason(user=user, researcher=researcher)
        if reason is None:
            return approve_own(claim)
        referred = claim_refer(
            claim=claim,
            proof=f"Your ORCID iD matches this record's ({researcher.orcid})",
            reason=reason,
        )
    raise referred


def claim_evidence_submit(
    *, user: User, researcher: Researcher, links: list[str], note: str
) -> Claim:
    """Send links and a note to the moderators' queue; approval gives L2."""
    links, note = evidence_clean(links=links, note=note)
    with transaction.atomic(durable=True):
        return _claim_open(
            user=user,
            researcher=researcher,
            method=Claim.Method.EVIDENCE,
            evidence_links=links,
            note=note,
        )


def claim_reject(*, claim: Claim, actor: User | None, reason: str) -> Claim:
    """Reject a pending claim; its user is e-mailed why."""
    if refusal := decision_refusal(actor=actor, subject_user_ids=[claim.user_id]):
        raise ClaimError(refusal)
    with transaction.atomic(durable=True):
        claim = locked_pending(claim)
        claim_close(
            claim=claim,
            state=Claim.State.REJECTED,
            kind=ClaimEvent.Kind.REJECTED,
            actor=actor,
            reason=reason,
            mail=True,
        )
    return claim


def claim_withdraw(*, claim: Claim, user: User) -> Claim:
    """The claimant takes back their pending claim (any waiting code dies with it), which frees
    them to start another on the record."""
    with transaction.atomic(durable=True):
        claim = locked_pending(claim)
        if claim.user_id != user.pk:
            raise ClaimError("Only the person who made a claim can withdraw it.")
        claim_close(
            claim=claim,
            state=Claim.State.WITHDRAWN,
            kind=ClaimEvent.Kind.WITHDRAWN,
            actor=user,
            reason="Withdrawn by the claimant.",
        )
    return claim
