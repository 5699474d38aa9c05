"""The six-digit code of a claim by institutional e-mail.

Derived, not stored: an HMAC (keyed by SECRET_KEY) of the claim, the address and the code's
expiry, as Django derives password-reset tokens. So the worker that mails it needs only the
claim's id, no secret travels through the broker, nothing slow (a password hash) runs while the
claim is locked, and a leaked database gives no code. Each new send sets a new expiry, which
changes the code and retires the previous one.
"""

from datetime import UTC

from django.utils.crypto import constant_time_compare, salted_hmac

from profiles.models import Claim


def claim_code(claim: Claim) -> str:
    """The code waiting for this claim. Only for a claim whose code_expires_at is set."""
    expires_at = claim.code_expires_at.astimezone(UTC).isoformat()
    digest = salted_hmac(
        "profiles.claim-code", f"{claim.pk}:{claim.email}:{expires_at}", algorithm="sha256"
    ).hexdigest()
    return f"{int(digest, 16) % 1_000_000:06d}"


def claim_code_matches(claim: Claim, code: str) -> bool:
    return constant_time_compare(code.strip(), claim_code(claim))
