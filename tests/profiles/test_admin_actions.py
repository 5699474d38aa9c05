"""Every admin action, enumerated from the registered ModelAdmins (so a new action is walked
without being listed here): a view-only staff member cannot run any of them, and nobody can run
one that decides a case about themselves or one they brought. Each refusal changes no row."""

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import escape

from profiles import services
from profiles.models import Claim, ClaimDispute, ProblemReport, User
from profiles.services import SELF_DECISION
from social import services as social_services
from social.models import Block, Follow, Invitation, SpamReport
from tests.factories import (
    CollaborationFactory,
    InstitutionFactory,
    ResearcherFactory,
    TopicFactory,
    UserFactory,
    WorkFactory,
)
from tests.social.support import claimed
from works.models import ImportRun, Institution, Researcher, Topic, Work

pytestmark = pytest.mark.django_db

# The actions that decide a case through a service, which refuses the case's subjects in words
# the admin shows. (delete_selected refuses by listing what it will not delete; reinstate only
# acts on suspended accounts, and the subject here is active.)
DECIDING = {
    "approve",
    "reject",
    "accept",
    "uphold",
    "revoke",
    "suspend_sender",
    "dismiss",
    "suspend",
}


def registered_actions() -> list[tuple[type, str]]:
    return [
        (model, name)
        for model, model_admin in admin.site._registry.items()
        for _function, name, _description in model_admin._get_base_actions()
    ]


ACTIONS = registered_actions()


def fingerprint() -> dict[str, list[dict]]:
    """Every row of every table, but the sessions the test client's logins write."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model is not Session
    }


@pytest.fixture
def world() -> dict:
    """A row for every model the admin shows, and the people each case is about."""
    holder = UserFactory(password=None)
    researcher = ResearcherFactory()
    approved = services.claim_evidence_submit(
        user=holder, researcher=researcher, links=["https://example.org/cv"], note=""
    )
    services.claim_approve(claim=approved, actor=None)
    claimant = UserFactory(password=None)
    pending = services.claim_evidence_submit(
        user=claimant, researcher=ResearcherFactory(), links=["https://example.org/me"], note=""
    )
    opener = UserFactory(password=None)
    dispute = services.claim_dispute_open(
        user=opener, researcher=researcher, links=["https://example.org/me"], note="Me."
    )
    sender, _ = claimed()
    recipient, recipient_record = claimed()
    invitation = social_services.invitation_send(
        sender=sender, recipient_researcher=recipient_record, subject="Hello", message="Buy."
    )
    report = social_services.invitation_report_spam(invitation=invitation, user=recipient)
    _, third = claimed()
    social_services.invitation_send(
        sender=sender, recipient_researcher=third, subject="Again", message="Buy."
    )
    social_services.follow(user=opener, researcher=researcher)
    account = SocialAccount.objects.create(user=holder, provider="orcid", uid="0000-0002-1825-0097")
    app = SocialApp.objects.create(provider="orcid", name="ORCID", client_id="APP-1")
    SocialToken.objects.create(app=app, account=account, token="token")
    EmailAddress.objects.create(user=claimant, email=claimant.email, verified=False, primary=True)
    Group.objects.create(name="Moderators")
    InstitutionFactory()
    TopicFactory()
    WorkFactory()
    CollaborationFactory()
    ImportRun.objects.create(source=ImportRun.Source.OPENALEX, researcher=researcher)
    ProblemReport.objects.create(researcher=researcher, reason="other", evidence="Not me.")
    return {
        "holder": holder,
        "claimant": claimant,
        "opener": opener,
        "sender": sender,
        "recipient": recipient,
        "claim": pending,
        "dispute": dispute,
        "report": report,
    }


def post_action(client, model, name: str, pk: int):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    # Everything any action's confirmation step asks for, so a refusal is never just a
    # missing confirmation: delete_selected's "post", the dispute decisions' reason.
    data = {"action": name, "_selected_action": [pk], "post": "yes", "apply": "1", "reason": "R"}
    return client.post(url, data, follow=True)


@pytest.fixture
def view_only_staff():
    staff = UserFactory(password=None, is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return staff


def test_the_walk_covers_the_moderation_actions():
    names = {(model._meta.label, name) for model, name in ACTIONS}
    assert {
        ("profiles.Claim", "approve"),
        ("profiles.Claim", "reject"),
        ("profiles.ClaimDispute", "accept"),
        ("profiles.ClaimDispute", "uphold"),
        ("profiles.ClaimDispute", "revoke"),
        ("social.SpamReport", "suspend_sender"),
        ("social.SpamReport", "dismiss"),
        ("profiles.User", "suspend"),
        ("profiles.User", "reinstate"),
    } <= names


@pytest.mark.parametrize(
    ("model", "name"), ACTIONS, ids=[f"{m._meta.label}.{n}" for m, n in ACTIONS]
)
def test_view_only_staff_can_run_no_action(
    client, world, view_only_staff, model, name, django_capture_on_commit_callbacks
):
    row = model.objects.order_by("pk").first()
    assert row is not None, f"Give the world a {model._meta.label} row to act on."
    client.force_login(view_only_staff)
    request = RequestFactory().get("/admin/")
    request.user = view_only_staff
    assert name not in admin.site._registry[model].get_actions(request)
    before = fingerprint()

    with django_capture_on_commit_callbacks() as callbacks:
        response = post_action(client, model, name, row.pk)

    assert response.status_code in (200, 403)
    assert fingerprint() == before
    assert callbacks == []


# (the model, the case in the world, the roles the case is about)
SUBJECTS = [
    (Claim, "claim", ["claimant"]),
    (ClaimDispute, "dispute", ["holder", "opener"]),
    (SpamReport, "report", ["sender", "recipient"]),
    (User, "holder", ["holder"]),
]
SUBJECT_CASES = [
    (model, case, role, name)
    for model, case, roles in SUBJECTS
    for role in roles
    for action_model, name in ACTIONS
    if action_model is model
]


@pytest.mark.parametrize(
    ("model", "case", "role", "name"),
    SUBJECT_CASES,
    ids=[f"{m._meta.label}.{n}-as-{r}" for m, _c, r, n in SUBJECT_CASES],
)
def test_nobody_decides_a_case_about_themselves(
    client, world, model, case, role, name, django_capture_on_commit_callbacks
):
    subject = world[role]
    User.objects.filter(pk=subject.pk).update(is_staff=True, is_superuser=True)
    subject.refresh_from_db()
    client.force_login(subject)
    request = RequestFactory().get("/admin/")
    request.user = subject
    # The subject holds every permission: what refuses a decision is the rule, not a missing
    # right. (Claims and disputes are never deleted, by anyone: there is no delete_selected.)
    if name in DECIDING:
        assert name in admin.site._registry[model].get_actions(request)
    before = fingerprint()

    with django_capture_on_commit_callbacks() as callbacks:
        response = post_action(client, model, name, world[case].pk)

    assert response.status_code == 200
    assert fingerprint() == before
    assert callbacks == []
    if name in DECIDING:
        assert escape(SELF_DECISION) in response.content.decode()


def test_an_uninvolved_moderator_decides_and_the_decision_is_an_event(client, world):
    moderator = UserFactory(password=None, is_staff=True, is_superuser=True)
    client.force_login(moderator)

    post_action(client, Claim, "approve", world["claim"].pk)
    post_action(client, ClaimDispute, "accept", world["dispute"].pk)
    post_action(client, SpamReport, "dismiss", world["report"].pk)

    claim, dispute = world["claim"], world["dispute"]
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.APPROVED
    assert claim.events.get(kind="approved").actor == moderator
    dispute.refresh_from_db()
    assert dispute.accepted_by == moderator
    assert dispute.claim.events.get(kind="accepted").actor == moderator
    assert SpamReport.objects.get(pk=world["report"].pk).state == SpamReport.State.DISMISSED


def test_models_of_the_world_are_all_there(world):
    """The models the walk acts on, so a failure above names a missing row, not an empty walk."""
    for model in (Researcher, Institution, Topic, Work, Follow, Invitation, Block):
        assert model.objects.exists()
