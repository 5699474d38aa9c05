"""Demo accounts, so every journey works from `make run` alone: two researchers who hold claims on
demo co-author records and take invitations, a plain visitor, and a moderator. Debug only: their
password is a fixed, published value (README), so they must never exist in production."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction

from profiles.models import Claim, User
from profiles.services.claims import claim_approve, claim_evidence_submit
from profiles.services.owner import researcher_update
from works.models import Researcher

# Published in the README: these accounts exist only where DEBUG is on.
DEMO_PASSWORD = "bzpeer-demo"  # noqa: S105 (published on purpose; DEBUG only)
# What a claim or dispute moderator needs in the admin, and nothing more (not a superuser).
MODERATOR_PERMISSIONS = [
    "view_claim",
    "change_claim",
    "view_claimdispute",
    "change_claimdispute",
    "view_claimevent",
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    # The demo record the account holds, by slug; "" for none.
    record_slug: str = ""


DEMO_ACCOUNTS = [
    DemoAccount("heather@demo.bzpeer.test", "researcher", "heather-piwowar"),
    DemoAccount("stefanie@demo.bzpeer.test", "researcher", "stefanie-haustein"),
    DemoAccount("visitor@demo.bzpeer.test", "visitor"),
    DemoAccount("moderator@demo.bzpeer.test", "moderator"),
]


class DemoAccountsRefused(Exception):
    """The demo accounts were asked for where DEBUG is off."""


def _demo_user(email: str, *, is_staff: bool = False) -> User:
    user, created = User.objects.get_or_create(
        username=email.split("@")[0] + "-demo", defaults={"email": email, "is_staff": is_staff}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _demo_claim(*, user: User, record: Researcher) -> None:
    """Approve the account's claim on the record and open it to invitations, through the claim
    and owner services; nothing when the record is already held (by it or anyone)."""
    if Claim.objects.holding(record).exists():
        return
    claim = claim_evidence_submit(
        user=user, researcher=record, links=["https://demo.bzpeer.test/cv"], note="Demo account."
    )
    claim_approve(claim=claim, actor=None)
    record.refresh_from_db()
    researcher_update(researcher=record, user=user, bio=record.bio, open_to_collaborate=True)


def demo_accounts_load() -> list[DemoAccount]:
    """Create the demo accounts and their claims (after the demo data is loaded). Safe to run
    again: what exists is left as it is. Refuses unless DEBUG is on."""
    if not settings.DEBUG:
        raise DemoAccountsRefused("Demo accounts have a published password: DEBUG only.")
    permissions = Permission.objects.filter(
        content_type__app_label="profiles", codename__in=MODERATOR_PERMISSIONS
    )
    for account in DEMO_ACCOUNTS:
        with transaction.atomic():
            user = _demo_user(account.email, is_staff=account.role == "moderator")
            if account.role == "moderator":
                user.user_permissions.add(*permissions)
        if account.record_slug:
            _demo_claim(user=user, record=Researcher.objects.get(slug=account.record_slug))
    return DEMO_ACCOUNTS
