"""The demo accounts `make run` prints: with DEBUG on, load_demo builds two researchers holding
approved claims and open to collaborate, a visitor and a moderator, once; with DEBUG off none."""

import io

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from profiles.models import Claim, User
from profiles.services.demo_accounts import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DemoAccountsRefused,
    demo_accounts_load,
)
from social.rules import invitation_refusal
from social.selectors import invitation_facts
from works.models import Researcher


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def accounts_state() -> list[dict]:
    users = [model_to_dict(user, exclude=["last_login"]) for user in User.objects.order_by("pk")]
    claims = list(Claim.objects.order_by("pk").values())
    records = list(
        Researcher.objects.filter(is_claimed=True).values("pk", "open_to_collaborate", "bio")
    )
    return [*users, *claims, *records]


def test_with_debug_load_demo_builds_the_accounts_once(demo, settings):
    settings.DEBUG = True
    output = load_demo()

    for account in DEMO_ACCOUNTS:
        assert account.email in output
        user = User.objects.get(email=account.email)
        assert user.check_password(DEMO_PASSWORD)
        assert user.emailaddress_set.get().verified
    assert DEMO_PASSWORD in output

    heather, stefanie = (User.objects.get(email=account.email) for account in DEMO_ACCOUNTS[:2])
    for user, account in ((heather, DEMO_ACCOUNTS[0]), (stefanie, DEMO_ACCOUNTS[1])):
        record = Researcher.objects.get(slug=account.record_slug)
        assert Claim.objects.holding(record).get().user == user
        assert record.is_claimed and record.open_to_collaborate
    # The two can invite each other: the invitation journey is open from the start.
    record = Researcher.objects.get(slug=DEMO_ACCOUNTS[1].record_slug)
    assert invitation_refusal(facts=invitation_facts(viewer=heather, researcher=record)) is None

    moderator = User.objects.get(email="moderator@demo.bzpeer.test")
    assert moderator.is_staff and not moderator.is_superuser
    assert moderator.has_perms(["profiles.change_claim", "profiles.change_claimdispute"])
    visitor = User.objects.get(email="visitor@demo.bzpeer.test")
    assert not visitor.is_staff and not Claim.objects.filter(user=visitor).exists()

    before = accounts_state()
    load_demo()
    assert accounts_state() == before


def test_the_moderator_reaches_the_claims_in_the_admin(demo, settings, client):
    settings.DEBUG = True
    load_demo()
    client.force_login(User.objects.get(email="moderator@demo.bzpeer.test"))
    assert client.get("/admin/profiles/claim/").status_code == 200
    assert client.get("/admin/profiles/claimdispute/").status_code == 200


def test_without_debug_load_demo_builds_no_account(demo, settings):
    settings.DEBUG = False
    assert User.objects.count() == 0
    output = load_demo()
    assert User.objects.count() == 0 and not Claim.objects.exists()
    assert DEMO_PASSWORD not in output
    with pytest.raises(DemoAccountsRefused):
        demo_accounts_load()
