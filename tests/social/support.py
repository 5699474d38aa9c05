"""Shared set-up for the social tests: claimed researchers and a snapshot of the tables."""

from urllib.parse import parse_qs, urlparse

from django.forms.models import model_to_dict

from profiles.models import Claim, User
from social.models import Block, DigestSubscription, Follow, Invitation, SpamReport
from tests.factories import ResearcherFactory, UserFactory
from works.models import Researcher


def claimed(user: User | None = None, *, open_to_collaborate: bool = True, **fields):
    """A researcher record with an approved claim held by `user` (a new user by default)."""
    user = user or UserFactory(password=None)
    researcher = ResearcherFactory(
        is_claimed=True, open_to_collaborate=open_to_collaborate, **fields
    )
    Claim.objects.create(
        user=user, researcher=researcher, method=Claim.Method.EMAIL, state=Claim.State.APPROVED
    )
    return user, researcher


def snapshot() -> dict[str, list[dict]]:
    """Every row an action of the social app can write."""
    tables = {
        model.__name__: [model_to_dict(row) for row in model.objects.order_by("pk")]
        for model in (Follow, DigestSubscription, Invitation, Block, SpamReport, Claim)
    }
    tables["Researcher"] = list(
        Researcher.objects.order_by("pk").values("pk", "followers_count", "open_to_collaborate")
    )
    tables["User"] = list(User.objects.order_by("pk").values("pk", "is_active"))
    return tables


def login_next(response) -> str | None:
    """The `next` of a redirect to the login page, or None if it is not one."""
    if response.status_code != 302:
        return None
    url = urlparse(response.url)
    if url.path != "/accounts/login/":
        return None
    return parse_qs(url.query).get("next", [None])[0]
