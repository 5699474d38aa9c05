"""The institutional e-mail route: a six-digit code (profiles.codes) mailed to an address at one
of the record's institutions. The code proves that the user reads that mailbox, which proves
affiliation; it approves the claim (L2) only when the address also names the researcher
(claims.claim_referral_reason), and otherwise sends the claim, the verified address attached,
to a moderator.

Limits (settings, per rolling 24 hours): code e-mails per address, per account and per record,
and wrong codes per record across all its claims, so neither a third party's mailbox nor a
record's code can be worn down by opening new claims. Each is counted inside the send or verify
transaction while the rows it counts on are locked (the record's and the account's rows; the
address has no row, so a transaction-scoped advisory lock on it), so concurrent requests cannot
cross a limit together."""

from collections.abc import Collection
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from profiles.codes import claim_code_matches
from profiles.models import Claim, ClaimEvent
from profiles.services.claims import (
    ADDRESS_HOLDS_A_CLAIM,
    REVOKED_BEFORE,
    ClaimError,
    approve_own,
    claim_close,
    claim_event_add,
    claim_refer,
    claim_referral_reason,
    claimant_lock,
    locked_pending,
    revoked_before,
)
from works.mail_domains import domain_is_shared
from works.models import Authorship, Institution, Researcher

CODE_LIFETIME = timedelta(minutes=30)
CODE_MAX_ATTEMPTS = 5
LIMIT_WINDOW = timedelta(hours=24)


def researcher_email_domains(*, researcher: Researcher) -> set[str]:
    """Domains whose addresses count as institutional e-mail for this record: those of its last
    known institution and of every institution on its authorships (from OpenAlex, and any the
    CLAIM_EMAIL_DOMAINS_EXTRA setting adds by OpenAlex or ROR id), less shared hosts
    (works.mail_domains), which never count."""
    institutions = Institution.objects.filter(
        Q(pk=researcher.institution_id)
        | Q(
            pk__in=Authorship.institutions.through.objects.filter(
                authorship__researcher=researcher
            ).values("institution_id")
        )
    ).values_list("openalex_id", "ror", "email_domains")
    extra = settings.CLAIM_EMAIL_DOMAINS_EXTRA
    domains = set()
    for openalex_id, ror, email_domains in institutions:
        domains.update(email_domains or [])
        domains.update(extra.get(openalex_id, []))
        if ror:
            domains.update(extra.get(ror, []))
    domains = {domain.lower().strip() for domain in domains if domain}
    return {domain for domain in domains if domain and not domain_is_shared(domain)}


def email_domain_allowed(*, email: str, domains: Collection[str]) -> bool:
    """Whether the address is at one of these domains or a subdomain of one, and not at a
    shared host, whatever the domains say."""
    domain = email.rsplit("@", 1)[-1].lower().strip()
    if domain_is_shared(domain):
        return False
    return any(domain == allowed or domain.endswith("." + allowed) for allowed in domains)


def _address_holds_a_claim(*, email: str, claim: Claim) -> bool:
    return (
        Claim.objects.approved()
        .filter(email__iexact=email, email_verified_at__isnull=False)
        .exclude(pk=claim.pk)
        .exists()
    )


def _record_lock(*, claim: Claim) -> None:
    """Serialise the record's code sends and checks, so each counts all the others."""
    Researcher.objects.select_for_update(no_key=True).filter(pk=claim.researcher_id).first()


def _address_lock(*, email: str) -> None:
    """Serialise the sends to one address (case-insensitively), which has no row to lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"claim-code-address:{email.lower()}"],
            )


def _send_limit_refusal(*, claim: Claim, email: str) -> str | None:
    """Which daily limit on code e-mails this send would cross, in words; None if none. Counts
    the CODE_SENT events, whose message is the address the code went to."""
    sent = ClaimEvent.objects.filter(
        kind=ClaimEvent.Kind.CODE_SENT, created_at__gte=timezone.now() - LIMIT_WINDOW
    ).aggregate(
        address=Count("pk", filter=Q(message__iexact=email)),
        account=Count("pk", filter=Q(claim__user_id=claim.user_id)),
        record=Count("pk", filter=Q(claim__researcher_id=claim.researcher_id)),
    )
    if sent["address"] >= settings.CLAIM_CODES_PER_ADDRESS_PER_DAY:
        return (
            f"{email} has been sent {sent['address']} codes in the past 24 hours, the most "
            "allowed; try again tomorrow, or send evidence to a moderator."
        )
    if sent["account"] >= settings.CLAIM_CODES_PER_ACCOUNT_PER_DAY:
        return (
            f"You have asked for {sent['account']} codes in the past 24 hours, the most "
            "allowed; try again tomorrow, or send evidence to a moderator."
        )
    if sent["record"] >= settings.CLAIM_CODES_PER_RECORD_PER_DAY:
        return (
            f"This record has been sent {sent['record']} codes in the past 24 hours, the most "
            "allowed; try again tomorrow, or send evidence to a moderator."
        )
    return None


def claim_email_code_send(*, claim: Claim, email: str) -> Claim:
    """Mail a six-digit code (profiles.codes) to an address at one of the record's
    institutions, once this commits. The code expires after CODE_LIFETIME; a new send retires
    the previous code; failed attempts count across sends. Refused to a revoked claimant, to an
    address that already holds an approved claim, and past a daily limit."""
    email = email.strip()
    with transaction.atomic(durable=True):
        claim = locked_pending(claim)
        if revoked_before(user=claim.user, researcher=claim.researcher):
            raise ClaimError(REVOKED_BEFORE)
        domains = researcher_email_domains(researcher=claim.researcher)
        if not domains:
            raise ClaimError(
                "No institutional e-mail domain is known for this record; "
                "send evidence to a moderator instead."
            )
        if not email_domain_allowed(email=email, domains=domains):
            raise ClaimError(
                f"{email} is not at one of this record's institutions "
                f"({', '.join(sorted(domains))})."
            )
        if claim.code_attempts >= CODE_MAX_ATTEMPTS:
            raise ClaimError("Too many wrong codes; this claim cannot take more.")
        if _address_holds_a_claim(email=email, claim=claim):
            raise ClaimError(ADDRESS_HOLDS_A_CLAIM.format(email=email))
        # In one order everywhere (claim, record, account, address), so no two sends deadlock.
        _record_lock(claim=claim)
        claimant_lock(user=claim.user)
        _address_lock(email=email)
        refusal = _send_limit_refusal(claim=claim, email=email)
        if refusal:
            raise ClaimError(refusal)
        claim.method = Claim.Method.EMAIL
        claim.email, claim.email_verified_at = email, None
        claim.code_expires_at = timezone.now() + CODE_LIFETIME
        claim.save(update_fields=["method", "email", "email_verified_at", "code_expires_at"])
        claim_event_add(
            claim=claim, kind=ClaimEvent.Kind.CODE_SENT, actor=claim.user, message=email, mail=True
        )
    return claim


def _record_guesses_left(*, claim: Claim) -> int:
    wrong = ClaimEvent.objects.filter(
        kind=ClaimEvent.Kind.CODE_FAILED,
        claim__researcher_id=claim.researcher_id,
        created_at__gte=timezone.now() - LIMIT_WINDOW,
    ).count()
    return settings.CLAIM_CODE_GUESSES_PER_RECORD_PER_DAY - wrong


def claim_email_code_verify(*, claim: Claim, code: str) -> Claim:
    """Check the code. Right, unexpired and unused: the address is verified, and the claim is
    approved when the address names the researcher and the account holds no unrelated record;
    otherwise it goes to a moderator with the verified address (ClaimReferred, raised once
    that commits). A wrong code counts against the claim (its last allowed wrong attempt
    rejects it) and against the record's daily guesses, which no new claim resets."""
    if Claim.objects.approved().filter(pk=claim.pk).exists():
        raise ClaimError("This code has already been used.")
    with transaction.atomic(durable=True):
        claim = locked_pending(claim)
        if revoked_before(user=claim.user, researcher=claim.researcher):
            raise ClaimError(REVOKED_BEFORE)
        if claim.code_attempts >= CODE_MAX_ATTEMPTS:
            raise ClaimError("Too many wrong codes; this claim cannot take more.")
        if claim.code_expires_at is None:
            raise ClaimError("No code is waiting for this claim; ask for a new one.")
        if claim.code_expires_at <= timezone.now():
            raise ClaimError("This code has expired; ask for a new one.")
        _record_lock(claim=claim)
        if _record_guesses_left(claim=claim) <= 0:
            raise ClaimError(
                "This record has had too many wrong codes in the past 24 hours; try again "
                "tomorrow, or send evidence to a moderator."
            )
        if claim_code_matches(claim, code):
            if _address_holds_a_claim(email=claim.email, claim=claim):
                raise ClaimError(ADDRESS_HOLDS_A_CLAIM.format(email=claim.email))
            claimant_lock(user=claim.user)
            claim.email_verified_at = timezone.now()
            claim.save(update_fields=["email_verified_at"])
            reason = claim_referral_reason(
                user=claim.user, researcher=claim.researcher, email=claim.email
            )
            if reason is None:
                return approve_own(claim)
            error = claim_refer(
                claim=claim, proof=f"Your address {claim.email} is verified", reason=reason
            )
        else:
            error = _wrong_code(claim)
    # A wrong code and a referral are committed before the error is raised.
    raise error


def _wrong_code(claim: Claim) -> ClaimError:
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
        return ClaimError(f"That code is not right. {left} attempt{'s' if left != 1 else ''} left.")
    claim_close(
        claim=claim,
        state=Claim.State.REJECTED,
        kind=ClaimEvent.Kind.REJECTED,
        actor=None,
        reason="Too many wrong codes.",
    )
    return ClaimError("That code is not right, and that was the last attempt.")
