"""Disputes cost more than they harm (only verified accounts' disputes weigh, or ones a
moderator accepts, and never past a floor without a decision), nobody decides a case about
themselves, and a suspended account loses its claims and its invitations."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import Permission

from profiles import services
from profiles.models import Claim, ClaimDispute, User
from profiles.services import SELF_DECISION, ClaimError
from profiles.trust import POINTS_PER_OPEN_DISPUTE, UNDECIDED_DISPUTES_MAX
from social import services as social_services
from social.models import Invitation, SpamReport
from social.services import SocialError
from tests.factories import ResearcherFactory, UserFactory
from tests.social.support import claimed
from works.models import Researcher

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def holder():
    return UserFactory(password=None)


@pytest.fixture
def researcher(holder) -> Researcher:
    researcher = ResearcherFactory(display_name="Ada Example", works_count=10)
    claim = services.claim_evidence_submit(
        user=holder, researcher=researcher, links=["https://example.org/cv"], note=""
    )
    services.claim_approve(claim=claim, actor=None)
    services.researcher_stats_refresh(researcher_ids=[researcher.pk])
    researcher.refresh_from_db()
    return researcher


def verified_account() -> User:
    """An account that holds an approved claim of its own."""
    user = UserFactory(password=None)
    claim = services.claim_evidence_submit(
        user=user, researcher=ResearcherFactory(), links=["https://example.org/me"], note=""
    )
    services.claim_approve(claim=claim, actor=None)
    return user


def dispute(researcher, user) -> ClaimDispute:
    return services.claim_dispute_open(
        user=user, researcher=researcher, links=["https://example.org/me"], note="Me."
    )


def score(researcher) -> tuple[int, int]:
    researcher.refresh_from_db()
    points = {c["key"]: c["points"] for c in researcher.trust_components}
    return researcher.trust_score, points["disputes"]


# --- Disputes and the trust score -------------------------------------------------------------


def test_five_throwaway_accounts_leave_the_score_unchanged(researcher, committed):
    before = researcher.trust_score
    assert before > 0

    with committed():
        for _ in range(5):
            dispute(researcher, UserFactory(password=None))

    assert ClaimDispute.objects.open().count() == 5
    assert score(researcher) == (before, 0)
    assert researcher.open_disputes_count == 0


def test_a_verified_accounts_dispute_weighs(researcher, committed):
    before = researcher.trust_score

    with committed():
        dispute(researcher, verified_account())

    assert score(researcher) == (before + POINTS_PER_OPEN_DISPUTE, POINTS_PER_OPEN_DISPUTE)


def test_an_orcid_signed_in_accounts_dispute_weighs(researcher, committed):
    user = UserFactory(password=None)
    SocialAccount.objects.create(user=user, provider="orcid", uid="0000-0002-1825-0097")

    with committed():
        dispute(researcher, user)

    assert score(researcher)[1] == POINTS_PER_OPEN_DISPUTE


def test_undecided_disputes_stop_at_the_floor(researcher, committed):
    before = researcher.trust_score

    with committed():
        for _ in range(UNDECIDED_DISPUTES_MAX + 3):
            dispute(researcher, verified_account())

    floor = POINTS_PER_OPEN_DISPUTE * UNDECIDED_DISPUTES_MAX
    assert score(researcher) == (before + floor, floor)


def test_a_moderator_accepted_dispute_weighs_whoever_opened_it(researcher, committed):
    moderator = UserFactory(password=None, is_staff=True)
    throwaways = [dispute(researcher, UserFactory(password=None)) for _ in range(3)]

    with committed():
        for opened in throwaways[:2]:
            services.claim_dispute_accept(dispute=opened, actor=moderator, reason="Credible.")

    assert score(researcher)[1] == 2 * POINTS_PER_OPEN_DISPUTE
    accepted = ClaimDispute.objects.get(pk=throwaways[0].pk)
    assert accepted.accepted_by == moderator and accepted.state == ClaimDispute.State.OPEN
    assert accepted.claim.events.filter(kind="accepted", actor=moderator).count() == 2
    with pytest.raises(ClaimError, match="already been accepted"):
        services.claim_dispute_accept(dispute=accepted, actor=moderator, reason="Again.")


def test_the_nightly_batch_keeps_the_same_disputes_component(researcher, committed):
    with committed():
        dispute(researcher, verified_account())
        dispute(researcher, UserFactory(password=None))
    components = Researcher.objects.get(pk=researcher.pk).trust_components

    services.trust_batch_recompute()

    assert Researcher.objects.get(pk=researcher.pk).trust_components == components


# --- Nobody decides their own case ------------------------------------------------------------


def test_the_holder_and_the_opener_cannot_decide_a_dispute(researcher, holder):
    opener = UserFactory(password=None)
    opened = dispute(researcher, opener)

    for actor in (holder, opener):
        for decide in (
            services.claim_dispute_accept,
            services.claim_dispute_uphold,
            services.claim_dispute_revoke,
        ):
            with pytest.raises(ClaimError, match="Another moderator must decide it"):
                decide(dispute=opened, actor=actor, reason="Mine.")
    opened.refresh_from_db()
    assert opened.state == ClaimDispute.State.OPEN and opened.accepted_at is None


def test_a_claimant_cannot_decide_their_own_claim():
    user = UserFactory(password=None, is_staff=True, is_superuser=True)
    claim = services.claim_evidence_submit(
        user=user, researcher=ResearcherFactory(), links=["https://example.org/me"], note=""
    )

    with pytest.raises(ClaimError, match="Another moderator must decide it"):
        services.claim_approve(claim=claim, actor=user)
    with pytest.raises(ClaimError, match="Another moderator must decide it"):
        services.claim_reject(claim=claim, actor=user, reason="Mine.")
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.PENDING


def test_nobody_resolves_a_spam_report_about_them_or_filed_by_them():
    sender, _ = claimed()
    recipient, record = claimed()
    invitation = social_services.invitation_send(
        sender=sender, recipient_researcher=record, subject="Hi", message="Buy."
    )
    report = social_services.invitation_report_spam(invitation=invitation, user=recipient)

    for actor in (sender, recipient):
        for suspend in (True, False):
            with pytest.raises(SocialError, match="Another moderator must decide it"):
                social_services.spam_report_resolve(
                    report=report, actor=actor, suspend_sender=suspend
                )
    assert SpamReport.objects.get(pk=report.pk).state == SpamReport.State.OPEN
    assert User.objects.get(pk=sender.pk).is_active


def test_the_rule_is_one_function():
    user = UserFactory.build(pk=7)
    assert services.decision_allowed(actor=None, subject_user_ids=[7])
    assert services.decision_allowed(actor=user, subject_user_ids=[8, None])
    assert services.decision_refusal(actor=user, subject_user_ids=[8, 7]) == SELF_DECISION


# --- Suspension -------------------------------------------------------------------------------


def test_suspension_revokes_claims_and_closes_invitations(researcher, holder, committed):
    moderator = UserFactory(password=None, is_staff=True)
    _, other_record = claimed()
    third, _ = claimed()
    # Consent is opt-in: the holder turns invitations on before one can reach them.
    services.researcher_update(researcher=researcher, user=holder, bio="", open_to_collaborate=True)
    sent = social_services.invitation_send(
        sender=holder, recipient_researcher=other_record, subject="A", message="B"
    )
    waiting = social_services.invitation_send(
        sender=third, recipient_researcher=researcher, subject="C", message="D"
    )
    pending = services.claim_evidence_submit(
        user=holder, researcher=ResearcherFactory(), links=["https://example.org/x"], note=""
    )
    their_dispute = dispute(other_record, holder)

    with committed():
        services.account_suspend(user=holder, actor=moderator, reason="Spam.")

    holder.refresh_from_db()
    researcher.refresh_from_db()
    assert not holder.is_active
    assert not Claim.objects.held_by(holder).exists()
    assert not researcher.is_claimed
    assert researcher.verification_level == services.authority_level(researcher)
    revoked = Claim.objects.get(researcher=researcher, user=holder)
    assert revoked.events.filter(kind="suspended", actor=moderator).exists()
    assert Claim.objects.get(pk=pending.pk).state == Claim.State.REJECTED
    assert ClaimDispute.objects.get(pk=their_dispute.pk).state == ClaimDispute.State.UPHELD
    sent.refresh_from_db()
    waiting.refresh_from_db()
    assert sent.state == Invitation.State.WITHDRAWN
    assert waiting.state == Invitation.State.DECLINED
    # Safe to run twice.
    services.account_suspend(user=holder, actor=moderator, reason="Spam.")


def test_a_suspended_holder_loses_the_owner_pages(client, researcher, holder):
    services.account_suspend(user=holder, actor=None, reason="Spam.")
    client.force_login(User.objects.get(pk=holder.pk))

    response = client.get(f"/researchers/{researcher.slug}/edit/")

    assert response.status_code != 200


def test_nobody_suspends_themselves():
    moderator = UserFactory(password=None, is_staff=True)

    with pytest.raises(ClaimError, match="Another moderator must decide it"):
        services.account_suspend(user=moderator, actor=moderator, reason="Me.")
    assert User.objects.get(pk=moderator.pk).is_active


def test_the_admin_deletes_no_account_that_holds_a_claim(client, researcher, holder):
    moderator = UserFactory(password=None, is_staff=True, is_superuser=True)
    client.force_login(moderator)

    response = client.post(
        "/admin/profiles/user/",
        {"action": "delete_selected", "_selected_action": [holder.pk], "post": "yes"},
    )
    page = client.post(f"/admin/profiles/user/{holder.pk}/delete/", {"post": "yes"})

    assert response.status_code == 200 and page.status_code == 200
    assert "Cannot delete user" in page.content.decode()
    assert User.objects.filter(pk=holder.pk).exists()
    assert Researcher.objects.get(pk=researcher.pk).is_claimed


def test_the_user_form_does_not_suspend_around_the_service(client, holder):
    client.force_login(UserFactory(password=None, is_staff=True, is_superuser=True))

    page = client.get(f"/admin/profiles/user/{holder.pk}/change/").content.decode()

    assert 'name="is_active"' not in page


def test_a_moderator_who_may_change_accounts_cannot_grant_themselves_rights(client):
    moderator = UserFactory(password=None, is_staff=True)
    moderator.user_permissions.set(
        Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    client.force_login(moderator)
    url = f"/admin/profiles/user/{moderator.pk}/change/"

    client.post(
        url,
        {
            "username": moderator.username,
            "email": moderator.email,
            "is_superuser": "on",
            "is_staff": "on",
            "user_permissions": list(Permission.objects.values_list("pk", flat=True)),
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    moderator.refresh_from_db()
    assert not moderator.is_superuser
    assert moderator.user_permissions.count() == 2
