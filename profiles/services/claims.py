"""Claims: a user proves that a researcher record is theirs, by ORCID sign-in (L3), a code
mailed to an institutional address (L2) or evidence a moderator approves (L2)."""

from collections.abc import Collection
from datetime import timedelta

from allauth.socialaccount.models import SocialAccount
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from graph.models import Collaboration
from profiles.codes import claim_code_matches
from profiles.models import Claim, ClaimEvent, User
from profiles.services.moderation import decision_refusal
from profiles.services.trust import trust_refresh_enqueue
from profiles.tasks import claim_event_mail_task
from works.models import Authorship, Researcher, VerificationLevel

CODE_LIFETIME = timedelta(minutes=30)
CODE_MAX_ATTEMPTS = 5
EVIDENCE_MAX_LINKS = 10
EVIDENCE_NOTE_MAX_LENGTH = 2000
ALREADY_CLAIMED = "This record has already been claimed."

# The verification level an approved claim gives its record, by how it was proven.
LEVEL_BY_METHOD = {
    Claim.Method.ORCID: VerificationLevel.L3,
    Claim.Method.EMAIL: VerificationLevel.L2,
    Claim.Method.EVIDENCE: VerificationLevel.L2,
}


class ClaimError(Exception):
    """A claim step that cannot go ahead; the message is shown to the user as it is."""


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


def researcher_email_domains(*, researcher: Researcher) -> set[str]:
    """Domains whose addresses count as institutional e-mail for this record: those of its
    last known institution and of every institution on its authorships."""
    domains = set()
    if researcher.institution_id:
        domains.update(researcher.institution.email_domains)
    for institution_domains in Authorship.institutions.through.objects.filter(
        authorship__researcher=researcher
    ).values_list("institution__email_domains", flat=True):
        domains.update(institution_domains or [])
    return {domain.lower().strip() for domain in domains if domain}


def _email_domain_allowed(*, email: str, domains: Collection[str]) -> bool:
    domain = email.rsplit("@", 1)[-1].lower().strip()
    return any(domain == allowed or domain.endswith("." + allowed) for allowed in domains)


def _locked_pending(claim: Claim) -> Claim:
    claim = Claim.objects.select_for_update().select_related("researcher").get(pk=claim.pk)
    if claim.state == Claim.State.APPROVED:
        raise ClaimError("This claim has already been approved.")
    if claim.state != Claim.State.PENDING:
        raise ClaimError("This claim is closed; start a new one from the profile.")
    return claim


def _claim_open(
    *, user: User, researcher: Researcher, method: str, evidence_links: list[str] | None, note: str
) -> Claim:
    """claim_start's work, inside the caller's transaction."""
    if Claim.objects.holding(researcher).exists():
        raise ClaimError(ALREADY_CLAIMED)
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
    Refuses a record that has already been claimed."""
    with transaction.atomic(durable=True):
        return _claim_open(
            user=user, researcher=researcher, method=method, evidence_links=None, note=""
        )


def _approve(*, claim: Claim, actor: User | None) -> Claim:
    """claim_approve's work, inside the caller's transaction. The record becomes claimed at the
    level its method gives (LEVEL_BY_METHOD)."""
    try:
        # A savepoint: the database holds one approved claim per record, so of two racing
        # approvals the second breaks the constraint, and that is a clear message.
        with transaction.atomic():
            claim = _locked_pending(claim)
            level = LEVEL_BY_METHOD[claim.method]
            now = timezone.now()
            claim.state = Claim.State.APPROVED
            claim.decided_by, claim.decided_at = actor, now
            claim.code_expires_at = None
            claim.save(update_fields=["state", "decided_by", "decided_at", "code_expires_at"])
            Researcher.objects.filter(pk=claim.researcher_id).update(
                is_claimed=True, verification_level=level, updated_at=now
            )
    except IntegrityError:
        raise ClaimError(ALREADY_CLAIMED) from None
    claim.researcher.is_claimed, claim.researcher.verification_level = True, level
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


def _approve_own(claim: Claim) -> Claim:
    """The user proved the claim themselves, on the page that says so: no e-mail."""
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
    """Claim at once when the user's signed-in ORCID iD is the record's."""
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
        return _approve_own(claim)


def claim_email_code_send(*, claim: Claim, email: str) -> Claim:
    """Mail a six-digit code (profiles.codes) to an address at one of the record's
    institutions, once this commits. The code expires after CODE_LIFETIME; a new send retires
    the previous code; failed attempts count across sends."""
    email = email.strip()
    with transaction.atomic(durable=True):
        claim = _locked_pending(claim)
        domains = researcher_email_domains(researcher=claim.researcher)
        if not domains:
            raise ClaimError(
                "No institutional e-mail domain is known for this record; "
                "send evidence to a moderator instead."
            )
        if not _email_domain_allowed(email=email, domains=domains):
            raise ClaimError(
                f"{email} is not at one of this record's institutions "
                f"({', '.join(sorted(domains))})."
            )
        if claim.code_attempts >= CODE_MAX_ATTEMPTS:
            raise ClaimError("Too many wrong codes; this claim cannot take more.")
        claim.method = Claim.Method.EMAIL
        claim.email = email
        claim.code_expires_at = timezone.now() + CODE_LIFETIME
        claim.save(update_fields=["method", "email", "code_expires_at"])
        claim_event_add(
            claim=claim, kind=ClaimEvent.Kind.CODE_SENT, actor=claim.user, message=email, mail=True
        )
    return claim


def claim_email_code_verify(*, claim: Claim, code: str) -> Claim:
    """Approve the claim when the code is right, unexpired and unused. A wrong code counts as
    an attempt; the last allowed wrong attempt rejects the claim."""
    if Claim.objects.approved().filter(pk=claim.pk).exists():
        raise ClaimError("This code has already been used.")
    with transaction.atomic(durable=True):
        claim = _locked_pending(claim)
        if claim.code_attempts >= CODE_MAX_ATTEMPTS:
            raise ClaimError("Too many wrong codes; this claim cannot take more.")
        if claim.code_expires_at is None:
            raise ClaimError("No code is waiting for this claim; ask for a new one.")
        if claim.code_expires_at <= timezone.now():
            raise ClaimError("This code has expired; ask for a new one.")
        if claim_code_matches(claim, code):
            return _approve_own(claim)
        # A wrong code is recorded before the error is raised, outside this transaction.
        claim.code_attempts += 1
        claim.save(update_fields=["code_attempts"])
        left = CODE_MAX_ATTEMPTS - claim.code_attempts
        claim_event_add(
            claim=claim,
            kind=ClaimEvent.Kind.CODE_FAILED,
            actor=claim.user,
            message=f"Wrong code, {left} attempts left.",
        )
        if left:
            error = f"That code is not right. {left} attempt{'s' if left != 1 else ''} left."
        else:
            claim_close(
                claim=claim,
                state=Claim.State.REJECTED,
                kind=ClaimEvent.Kind.REJECTED,
                actor=None,
                reason="Too many wrong codes.",
            )
            error = "That code is not right, and that was the last attempt."
    raise ClaimError(error)


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
        claim = _locked_pending(claim)
        claim_close(
            claim=claim,
            state=Claim.State.REJECTED,
            kind=ClaimEvent.Kind.REJECTED,
            actor=actor,
            reason=reason,
            mail=True,
        )
    return claim
