"""Claiming a researcher record: ORCID sign-in (L3), institutional e-mail code (L2), evidence
for a moderator (L2), the one-approved-claim constraint under concurrency, and access."""

import re
import threading
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.db import connection
from django.forms.models import model_to_dict
from django.utils import timezone

from profiles import notifications, services
from profiles.models import Claim, ClaimEvent, User
from profiles.services import ClaimError
from tests.factories import (
    AuthorshipFactory,
    InstitutionFactory,
    ResearcherFactory,
    UserFactory,
)
from works.models import Researcher, VerificationLevel

ORCID = "0000-0002-1825-0097"


def events(claim) -> list[str]:
    return list(claim.events.values_list("kind", flat=True))


def mailed_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


@pytest.fixture
def researcher(db) -> Researcher:
    institution = InstitutionFactory(email_domains=["uni.example.edu"])
    # Named so that the addresses below (ada@…) name her: only such an address approves.
    return ResearcherFactory(orcid=ORCID, institution=institution, display_name="Ada Lovelace")


@pytest.fixture
def user(db):
    return UserFactory(email="ada@example.org")


@pytest.fixture
def email_claim(user, researcher) -> Claim:
    return services.claim_start(user=user, researcher=researcher, method=Claim.Method.EMAIL)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A block whose on-commit callbacks run at its end, as the request's commit runs them: the
    tasks they enqueue run in-process (tests/profiles/conftest.py), so their mail is sent."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def send_code(committed):
    def send(claim: Claim, email: str) -> Claim:
        with committed():
            return services.claim_email_code_send(claim=claim, email=email)

    return send


# --- ORCID ---------------------------------------------------------------------------------


def test_orcid_sign_in_matching_the_record_approves_at_l3(user, researcher, committed):
    SocialAccount.objects.create(user=user, provider="orcid", uid=ORCID)

    with committed():
        claim = services.claim_by_orcid(user=user, researcher=researcher)

    researcher.refresh_from_db()
    assert claim.state == Claim.State.APPROVED
    assert researcher.is_claimed and researcher.verification_level == VerificationLevel.L3
    assert events(claim) == ["submitted", "approved"]
    # After the commit the score is recomputed at the new level. The user proved the claim on
    # a page that says so: no mail.
    assert researcher.trust_components[0]["label"] == "Verification L3"
    assert mail.outbox == []


def test_orcid_mismatch_is_refused_and_nothing_is_claimed(user, researcher):
    SocialAccount.objects.create(user=user, provider="orcid", uid="0000-0001-5109-3700")

    with pytest.raises(ClaimError, match="is not this record's"):
        services.claim_by_orcid(user=user, researcher=researcher)

    researcher.refresh_from_db()
    assert not researcher.is_claimed
    assert not Claim.objects.filter(state=Claim.State.APPROVED).exists()


def test_orcid_claim_without_a_connected_orcid_account_is_refused(user, researcher):
    with pytest.raises(ClaimError, match="Connect your ORCID iD first"):
        services.claim_by_orcid(user=user, researcher=researcher)


# --- Institutional e-mail ------------------------------------------------------------------


def test_correct_code_approves_at_l2_and_the_code_is_stored_nowhere(
    email_claim, researcher, send_code
):
    send_code(email_claim, "ada@cs.uni.example.edu")
    code = mailed_code()
    email_claim.refresh_from_db()
    assert mail.outbox[-1].to == ["ada@cs.uni.example.edu"]
    stored = [
        value for name, value in model_to_dict(email_claim).items() if name != "code_expires_at"
    ]
    assert not any(code in str(value) for value in stored)

    services.claim_email_code_verify(claim=email_claim, code=code)

    researcher.refresh_from_db()
    email_claim.refresh_from_db()
    assert email_claim.state == Claim.State.APPROVED
    assert researcher.is_claimed and researcher.verification_level == VerificationLevel.L2
    assert events(email_claim) == ["submitted", "code_sent", "approved"]


def test_domain_of_an_authorship_institution_is_accepted(user, send_code):
    researcher = ResearcherFactory(display_name="Ada Lovelace")
    authorship = AuthorshipFactory(researcher=researcher)
    authorship.institutions.add(InstitutionFactory(email_domains=["lab.example.org"]))
    claim = services.claim_start(user=user, researcher=researcher, method=Claim.Method.EMAIL)

    send_code(claim, "ada@lab.example.org")

    assert len(mail.outbox) == 1


def test_address_outside_the_institutions_domains_is_refused(email_claim, send_code):
    with pytest.raises(ClaimError, match="not at one of this record's institutions"):
        send_code(email_claim, "ada@gmail.com")
    with pytest.raises(ClaimError):
        send_code(email_claim, "ada@evil-uni.example.edu.com")
    assert mail.outbox == []


def test_the_code_is_mailed_after_commit_and_once(email_claim, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.claim_email_code_send(claim=email_claim, email="ada@uni.example.edu")
    assert mail.outbox == []  # nothing while the claim is locked or before the commit
    assert len(callbacks) == 1

    callbacks[0]()
    callbacks[0]()  # a retried task

    assert [message.to for message in mail.outbox] == [["ada@uni.example.edu"]]
    event = ClaimEvent.objects.get(claim=email_claim, kind=ClaimEvent.Kind.CODE_SENT)
    assert event.mailed_at is not None
    assert notifications.claim_event_mail(event_id=event.pk) is False


def test_a_new_code_retires_the_last_and_its_late_mail_is_not_sent(
    email_claim, django_capture_on_commit_callbacks, send_code
):
    with django_capture_on_commit_callbacks() as first_send:
        services.claim_email_code_send(claim=email_claim, email="ada@uni.example.edu")
    send_code(email_claim, "ada@cs.uni.example.edu")
    second = mailed_code()

    first_send[0]()  # the first send's task, run late

    assert [message.to for message in mail.outbox] == [["ada@cs.uni.example.edu"]]
    services.claim_email_code_verify(claim=email_claim, code=second)
    assert Claim.objects.get(pk=email_claim.pk).state == Claim.State.APPROVED


def test_a_code_of_an_earlier_send_is_refused(email_claim, send_code):
    send_code(email_claim, "ada@uni.example.edu")
    first = mailed_code()
    send_code(email_claim, "ada@uni.example.edu")
    if mailed_code() == first:  # one chance in a million
        send_code(email_claim, "ada@uni.example.edu")

    with pytest.raises(ClaimError, match="not right"):
        services.claim_email_code_verify(claim=email_claim, code=first)


def test_wrong_code_is_refused_with_the_attempts_left(email_claim, send_code):
    send_code(email_claim, "ada@uni.example.edu")
    wrong = f"{(int(mailed_code()) + 1) % 1_000_000:06d}"

    with pytest.raises(ClaimError, match="4 attempts left"):
        services.claim_email_code_verify(claim=email_claim, code=wrong)

    email_claim.refresh_from_db()
    assert email_claim.code_attempts == 1 and email_claim.state == Claim.State.PENDING
    assert events(email_claim)[-1] == "code_failed"


def test_expired_code_is_refused(email_claim, send_code):
    send_code(email_claim, "ada@uni.example.edu")
    code = mailed_code()
    Claim.objects.filter(pk=email_claim.pk).update(
        code_expires_at=timezone.now() - timedelta(seconds=1)
    )

    with pytest.raises(ClaimError, match="expired"):
        services.claim_email_code_verify(claim=email_claim, code=code)
    assert Claim.objects.get(pk=email_claim.pk).state == Claim.State.PENDING


def test_reused_code_is_refused(email_claim, send_code):
    send_code(email_claim, "ada@uni.example.edu")
    code = mailed_code()
    services.claim_email_code_verify(claim=email_claim, code=code)

    with pytest.raises(ClaimError, match="already been used"):
        services.claim_email_code_verify(claim=email_claim, code=code)


def test_sixth_attempt_is_refused_even_with_the_right_code(email_claim, researcher, send_code):
    send_code(email_claim, "ada@uni.example.edu")
    code = mailed_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(ClaimError):
            services.claim_email_code_verify(claim=email_claim, code=wrong)

    with pytest.raises(ClaimError):
        services.claim_email_code_verify(claim=email_claim, code=code)

    email_claim.refresh_from_db()
    researcher.refresh_from_db()
    assert email_claim.state == Claim.State.REJECTED
    assert not researcher.is_claimed


# --- Evidence and moderation ---------------------------------------------------------------


def test_evidence_goes_to_moderators_and_approval_gives_l2(user, researcher):
    moderator = UserFactory(is_staff=True)
    claim = services.claim_evidence_submit(
        user=user, researcher=researcher, links=["https://uni.example.edu/~ada"], note="Me."
    )
    assert claim.state == Claim.State.PENDING and claim.method == Claim.Method.EVIDENCE

    services.claim_approve(claim=claim, actor=moderator)

    researcher.refresh_from_db()
    assert researcher.verification_level == VerificationLevel.L2 and researcher.is_claimed
    assert events(claim) == ["submitted", "approved"]
    assert claim.events.get(kind="approved").actor == moderator


def test_evidence_needs_web_links(user, researcher):
    with pytest.raises(ClaimError, match="at least one link"):
        services.claim_evidence_submit(user=user, researcher=researcher, links=[], note="")
    with pytest.raises(ClaimError, match="not a web address"):
        services.claim_evidence_submit(
            user=user, researcher=researcher, links=["javascript:alert(1)"], note=""
        )


def test_rejection_mails_the_reason_and_is_audited(user, researcher, committed):
    moderator = UserFactory(is_staff=True)
    claim = services.claim_evidence_submit(
        user=user, researcher=researcher, links=["https://example.org/cv"], note=""
    )

    with committed():
        services.claim_reject(claim=claim, actor=moderator, reason="The CV names someone else.")

    claim.refresh_from_db()
    assert claim.state == Claim.State.REJECTED
    assert mail.outbox[-1].to == ["ada@example.org"]
    assert "The CV names someone else." in mail.outbox[-1].body
    assert events(claim) == ["submitted", "rejected"]


def test_admin_actions_approve_and_reject_through_the_services(client, researcher, committed):
    moderator = UserFactory(is_staff=True, is_superuser=True)
    first = services.claim_evidence_submit(
        user=UserFactory(), researcher=researcher, links=["https://example.org/a"], note=""
    )
    second = services.claim_evidence_submit(
        user=UserFactory(), researcher=researcher, links=["https://example.org/b"], note=""
    )
    client.force_login(moderator)
    url = "/admin/profiles/claim/"

    assert client.get(url + "?state__exact=pending&method__exact=evidence").status_code == 200
    with committed():
        client.post(url, {"action": "approve", "_selected_action": [first.pk]})
    with committed():
        client.post(url, {"action": "reject", "_selected_action": [second.pk]})

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == Claim.State.APPROVED and first.decided_by == moderator
    assert second.state == Claim.State.REJECTED
    assert second.decision_reason == "Rejected by a moderator"
    # Each user hears the answer the claim page promised.
    approval, rejection = mail.outbox
    assert approval.to == [first.user.email] and "approved your claim" in approval.body
    assert f"/researchers/{researcher.slug}/edit/" in approval.body
    assert rejection.to == [second.user.email] and "Rejected by a moderator" in rejection.body


# --- One approved claim per record ---------------------------------------------------------


def test_second_approval_on_one_record_is_a_clear_error(researcher):
    first = services.claim_evidence_submit(
        user=UserFactory(), researcher=researcher, links=["https://example.org/a"], note=""
    )
    second = services.claim_evidence_submit(
        user=UserFactory(), researcher=researcher, links=["https://example.org/b"], note=""
    )
    services.claim_approve(claim=first, actor=None)

    with pytest.raises(ClaimError, match="already been claimed"):
        services.claim_approve(claim=second, actor=None)

    assert Claim.objects.get(pk=second.pk).state == Claim.State.PENDING


CONCURRENT_CLAIMS = 50


@pytest.mark.django_db(transaction=True)
def test_of_concurrent_approvals_on_one_record_exactly_one_wins():
    researcher = ResearcherFactory()
    claims = [
        services.claim_evidence_submit(
            # No password: hashing fifty of them would be most of this test's time.
            user=UserFactory(password=None),
            researcher=researcher,
            links=["https://example.org/"],
            note="",
        )
        for _ in range(CONCURRENT_CLAIMS)
    ]
    start = threading.Barrier(CONCURRENT_CLAIMS)
    outcomes: list[str] = []

    def approve(claim):
        try:
            start.wait()
            services.claim_approve(claim=claim, actor=None)
            outcomes.append("approved")
        except ClaimError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(claim,)) for claim in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("approved") == 1
    assert outcomes.count("This record has already been claimed.") == CONCURRENT_CLAIMS - 1
    assert Claim.objects.filter(researcher=researcher, state="approved").count() == 1


# --- Pages and access ----------------------------------------------------------------------


def test_log_in_to_claim_leads_through_login_back_to_the_claim(client, researcher):
    profile = client.get(researcher.get_absolute_url()).content.decode()
    claim_url = f"/researchers/{researcher.slug}/claim/"
    assert f'href="{claim_url}"' in profile

    response = client.get(claim_url)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={claim_url}"
    UserFactory(email="grace@example.org", password="Correct-Horse-Battery-9")
    EmailAddress.objects.create(
        email="grace@example.org", user_id=User.objects.get().pk, verified=True, primary=True
    )
    login = client.post(
        response.url, {"login": "grace@example.org", "password": "Correct-Horse-Battery-9"}
    )
    assert login.status_code == 302 and login.url == claim_url
    assert client.get(claim_url).status_code == 200


def test_claim_page_offers_the_three_methods(client, user, researcher, settings):
    # The record has an ORCID iD and an institution with a mail domain, and ORCID sign-in is
    # configured: every route can work, so all three are offered.
    settings.ORCID_CLIENT_ID = "APP-TEST"
    client.force_login(user)
    page = client.get(f"/researchers/{researcher.slug}/claim/").content.decode()

    assert "Sign in with ORCID" in page
    assert "/accounts/orcid/login/?process=connect" in page
    assert "Institutional e-mail" in page
    assert "Evidence for a moderator" in page


@pytest.mark.smoke
def test_claim_by_email_as_pages(client, user, researcher, committed):
    client.force_login(user)
    with committed():
        response = client.post(
            f"/researchers/{researcher.slug}/claim/",
            {"method": "email", "email": "ada@uni.example.edu"},
        )
    claim = Claim.objects.get(user=user)
    code_url = f"/researchers/{researcher.slug}/claim/{claim.pk}/code/"
    assert response.status_code == 302 and response.url == code_url
    assert client.get(code_url).status_code == 200

    wrong = client.post(code_url, {"code": f"{(int(mailed_code()) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 400 and "4 attempts left" in wrong.content.decode()
    right = client.post(code_url, {"code": mailed_code()}, follow=True)

    assert "Claimed author" in right.content.decode()
    assert "Verification L2" in right.content.decode()


def test_claim_by_orcid_as_a_page(client, user, researcher):
    SocialAccount.objects.create(user=user, provider="orcid", uid=ORCID)
    client.force_login(user)

    response = client.post(
        f"/researchers/{researcher.slug}/claim/", {"method": "orcid"}, follow=True
    )

    assert "Verification L3" in response.content.decode()
    assert (
        "already been claimed"
        in client.get(f"/researchers/{researcher.slug}/claim/").content.decode()
    )


def test_orcid_mismatch_as_a_page_shows_the_reason(client, user, researcher):
    SocialAccount.objects.create(user=user, provider="orcid", uid="0000-0001-5109-3700")
    client.force_login(user)

    response = client.post(f"/researchers/{researcher.slug}/claim/", {"method": "orcid"})

    assert response.status_code == 400
    assert "is not this record&#x27;s" in response.content.decode()


def test_another_users_code_url_is_not_found(client, email_claim, researcher):
    client.force_login(UserFactory())
    code_url = f"/researchers/{researcher.slug}/claim/{email_claim.pk}/code/"

    assert client.get(code_url).status_code == 404
    assert client.post(code_url, {"code": "123456"}).status_code == 404


def test_get_changes_nothing(client, user, researcher):
    client.force_login(user)
    client.get(f"/researchers/{researcher.slug}/claim/?method=evidence&links=https://x.org")
    assert not Claim.objects.exists()


def test_claim_by_evidence_as_a_page(client, user, researcher):
    client.force_login(user)

    response = client.post(
        f"/researchers/{researcher.slug}/claim/",
        {"method": "evidence", "links": "https://uni.example.edu/~ada\n", "note": "My page."},
        follow=True,
    )

    claim = Claim.objects.get(user=user)
    assert claim.state == Claim.State.PENDING and claim.evidence_links == [
        "https://uni.example.edu/~ada"
    ]
    page = response.content.decode()
    # The pending state with "withdraw", not the three forms again.
    assert "Sent to the moderators" in page and "Your claim is pending" in page
    assert "Withdraw this claim" in page and 'name="method"' not in page


def test_signed_in_profile_offers_the_claim_and_anonymous_posts_go_to_login(
    client, user, researcher
):
    claim_url = f"/researchers/{researcher.slug}/claim/"
    anonymous = client.post(claim_url, {"method": "orcid"})
    assert anonymous.status_code == 302 and anonymous.url.startswith("/accounts/login/?next=")

    client.force_login(user)
    profile = client.get(researcher.get_absolute_url()).content.decode()
    assert f'href="{claim_url}"' in profile and "Claim this profile" in profile
