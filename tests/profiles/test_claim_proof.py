"""A claim proves the person (issue 11): an institutional address approves only when it names
the researcher, one verified address holds one approved claim, one account holds only records of
one person, and a revoked claimant gets only the evidence route."""

import re

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from profiles import services
from profiles.models import Claim
from profiles.services import ClaimError, ClaimReferred
from tests.factories import InstitutionFactory, ResearcherFactory, UserFactory
from works.models import VerificationLevel

UNI = "uni.example.edu"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def institution(db):
    return InstitutionFactory(email_domains=[UNI])


def record(institution, name: str, **fields):
    return ResearcherFactory(display_name=name, institution=institution, **fields)


def events(claim) -> list[str]:
    return list(claim.events.values_list("kind", flat=True))


def mailed_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


@pytest.fixture
def prove(committed):
    """Start an e-mail claim, send the code to `email` and enter it, as the pages do."""

    def run(user, researcher, email):
        claim = services.claim_start(user=user, researcher=researcher, method=Claim.Method.EMAIL)
        with committed():
            services.claim_email_code_send(claim=claim, email=email)
        services.claim_email_code_verify(claim=claim, code=mailed_code())
        claim.refresh_from_db()
        return claim

    return run


# --- An address that does not name the researcher is evidence, not proof -------------------


def test_an_address_that_does_not_name_the_researcher_goes_to_a_moderator(institution, prove):
    # Fails without `if not address_names_researcher(…)` in claims.claim_referral_reason.
    researcher = record(institution, "Bob Smith")
    user = UserFactory()

    with pytest.raises(ClaimReferred) as referral:
        prove(user, researcher, f"alice@{UNI}")

    claim = Claim.objects.get(user=user)
    researcher.refresh_from_db()
    assert f"alice@{UNI} does not name Bob Smith" in str(referral.value)
    assert "sent your claim to a moderator" in str(referral.value)
    assert claim.state == Claim.State.PENDING and claim.method == Claim.Method.EVIDENCE
    assert claim.email == f"alice@{UNI}" and claim.email_verified_at is not None
    assert claim.code_expires_at is None
    assert not researcher.is_claimed
    # The moderator reads why on the claim's audit trail.
    assert events(claim) == ["submitted", "code_sent", "submitted"]
    assert "is verified, but" in claim.events.last().message


def test_a_moderator_sees_the_verified_address_and_approves_at_l2(client, institution, prove):
    researcher = record(institution, "Bob Smith")
    with pytest.raises(ClaimReferred):
        prove(UserFactory(), researcher, f"office.b@{UNI}")
    claim = Claim.objects.get()
    moderator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(moderator)

    page = client.get(f"/admin/profiles/claim/{claim.pk}/change/").content.decode()
    assert f"office.b@{UNI}" in page and "Email verified at" in page
    assert "does not name Bob Smith" in page

    services.claim_approve(claim=claim, actor=moderator)

    researcher.refresh_from_db()
    assert researcher.is_claimed and researcher.verification_level == VerificationLevel.L2


def test_an_address_that_names_the_researcher_approves_at_l2(institution, prove):
    researcher = record(institution, "Jascha Sohl-Dickstein", name_variants=["J. Sohl-Dickstein"])

    claim = prove(UserFactory(), researcher, f"jsohldickstein@cs.{UNI}")

    researcher.refresh_from_db()
    assert claim.state == Claim.State.APPROVED and claim.email_verified_at is not None
    assert researcher.verification_level == VerificationLevel.L2


def test_the_probe_one_mailbox_three_records_two_accounts(institution, prove):
    # Fails without the `_address_holds_a_claim(…)` check in claim_email_code_send.
    # The probe's attack: alice@<university> verified three records for two accounts.
    alice, mallory = UserFactory(), UserFactory()
    alice_record = record(institution, "Alice Smith")
    bob_record, carol_record = record(institution, "Bob Jones"), record(institution, "Carol Wu")

    assert prove(alice, alice_record, f"alice@{UNI}").state == Claim.State.APPROVED
    # The same mailbox cannot take a second record, for anyone ...
    for user, other in [(alice, bob_record), (mallory, carol_record)]:
        claim = services.claim_start(user=user, researcher=other, method=Claim.Method.EMAIL)
        with pytest.raises(ClaimError, match="already holds the claim of another record"):
            services.claim_email_code_send(claim=claim, email=f"Alice@{UNI}")
    # ... and another mailbox that does not name the record proves only affiliation.
    with pytest.raises(ClaimReferred):
        prove(mallory, carol_record, f"mallory@{UNI}")

    assert list(Claim.objects.approved().values_list("researcher", flat=True)) == [alice_record.pk]


# --- One verified address, one approved claim ---------------------------------------------


def test_the_database_holds_one_approved_claim_per_verified_address(institution):
    # Fails without the claim_one_approved_per_verified_email constraint (profiles.models).
    first, second = record(institution, "Ada Lovelace"), record(institution, "Ada Byron")
    now = timezone.now()
    Claim.objects.create(
        user=UserFactory(),
        researcher=first,
        method="email",
        state="approved",
        email=f"ada@{UNI}",
        email_verified_at=now,
    )
    # An unverified address, or a claim that is not approved, is not held to it.
    Claim.objects.create(
        user=UserFactory(), researcher=second, method="evidence", email=f"ada@{UNI}"
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(researcher=second).update(
            state="approved", email=f"ADA@{UNI}", email_verified_at=now
        )


def test_a_moderator_cannot_approve_a_second_claim_for_one_verified_address(institution, prove):
    # Fails without the constraint, or with the wrong words without its branch in _approve.
    moderator = UserFactory(is_staff=True)
    prove(UserFactory(), record(institution, "Ada Lovelace"), f"ada@{UNI}")
    byron = record(institution, "Ada Byron")
    # Another account verified the same mailbox on another record before the first approval,
    # and was sent to a moderator.
    claim = Claim.objects.create(
        user=UserFactory(),
        researcher=byron,
        method="evidence",
        email=f"ada@{UNI}",
        email_verified_at=timezone.now(),
    )

    with pytest.raises(ClaimError, match=f"ada@{UNI} already holds the claim of another record"):
        services.claim_approve(claim=claim, actor=moderator)

    assert Claim.objects.get(pk=claim.pk).state == Claim.State.PENDING


# --- One account, one person ---------------------------------------------------------------


def test_an_account_claims_another_record_of_the_same_person_at_once(institution, prove):
    user = UserFactory()
    prove(user, record(institution, "Jascha Sohl-Dickstein"), f"jascha@{UNI}")
    split = record(institution, "J. Sohl-Dickstein")

    claim = prove(user, split, f"j.sohl-dickstein@{UNI}")

    assert claim.state == Claim.State.APPROVED


def test_an_account_holding_a_record_cannot_prove_an_unrelated_one(institution, prove):
    # Fails without the `if unrelated:` branch in claims.claim_referral_reason.
    user = UserFactory()
    prove(user, record(institution, "Ada Lovelace"), f"ada.lovelace@{UNI}")
    bob = record(institution, "Bob Smith")

    with pytest.raises(ClaimReferred, match="your account already holds Ada Lovelace"):
        prove(user, bob, f"bob.smith@{UNI}")

    claim = Claim.objects.get(researcher=bob)
    assert claim.state == Claim.State.PENDING and claim.method == Claim.Method.EVIDENCE
    assert claim.email_verified_at is not None


def test_orcid_sign_in_on_an_unrelated_second_record_goes_to_a_moderator(institution, prove):
    user = UserFactory()
    prove(user, record(institution, "Ada Lovelace"), f"ada@{UNI}")
    bob = record(institution, "Bob Smith", orcid="0000-0002-1825-0097")
    SocialAccount.objects.create(user=user, provider="orcid", uid=bob.orcid)

    with pytest.raises(ClaimReferred, match="Your ORCID iD matches this record's"):
        services.claim_by_orcid(user=user, researcher=bob)

    bob.refresh_from_db()
    assert not bob.is_claimed
    assert Claim.objects.get(researcher=bob).state == Claim.State.PENDING


def test_linked_records_count_as_one_person(institution, prove):
    user = UserFactory()
    primary = record(institution, "Ada Lovelace")
    prove(user, primary, f"ada@{UNI}")
    # A record linked to the primary before (as the import or a past link left it), whose
    # name the rule would not join: "Augusta King" was her married title.
    linked = record(institution, "Augusta King", primary=primary)
    SocialAccount.objects.create(user=user, provider="orcid", uid="0000-0002-1825-0097")
    linked.orcid = "0000-0002-1825-0097"
    linked.save(update_fields=["orcid"])

    claim = services.claim_by_orcid(user=user, researcher=linked)

    assert claim.state == Claim.State.APPROVED


# --- Revocation sticks ---------------------------------------------------------------------


def test_a_revoked_claimant_gets_only_the_evidence_route(institution, prove, committed):
    # Fails without the revoked_before check in claims._claim_open (and, for the last step,
    # in claim_email_code_send).
    researcher = record(institution, "Ada Lovelace", orcid="0000-0002-1825-0097")
    holder, disputer = UserFactory(), UserFactory()
    SocialAccount.objects.create(user=holder, provider="orcid", uid=researcher.orcid)
    prove(holder, researcher, f"ada@{UNI}")
    dispute = services.claim_dispute_open(
        user=disputer, researcher=researcher, links=["https://example.org/me"], note="Not her."
    )
    with committed():
        services.claim_dispute_revoke(dispute=dispute, actor=None, reason="Not her.")

    # At once, by e-mail and by ORCID: refused.
    with pytest.raises(ClaimError, match="revoked your earlier claim"):
        services.claim_start(user=holder, researcher=researcher, method=Claim.Method.EMAIL)
    with pytest.raises(ClaimError, match="revoked your earlier claim"):
        services.claim_by_orcid(user=holder, researcher=researcher)
    # Evidence waits for a moderator.
    claim = services.claim_evidence_submit(
        user=holder, researcher=researcher, links=["https://example.org/cv"], note="It is me."
    )
    assert claim.state == Claim.State.PENDING and claim.method == Claim.Method.EVIDENCE
    # And an open claim switched back to e-mail cannot send or check a code either.
    Claim.objects.filter(pk=claim.pk).update(method=Claim.Method.EMAIL)
    with pytest.raises(ClaimError, match="revoked your earlier claim"):
        services.claim_email_code_send(claim=claim, email=f"ada@{UNI}")
    researcher.refresh_from_db()
    assert not researcher.is_claimed


# --- Pages ---------------------------------------------------------------------------------


def test_the_pages_tell_the_user_plainly(client, institution, committed):
    researcher = record(institution, "Bob Smith")
    user = UserFactory()
    client.force_login(user)
    claim_url = f"/researchers/{researcher.slug}/claim/"

    with committed():
        sent = client.post(claim_url, {"method": "email", "email": f"alice@{UNI}"}, follow=True)
    assert f"alice@{UNI} does not name Bob Smith" in sent.content.decode()
    assert "not approve it" in sent.content.decode()

    code_url = sent.redirect_chain[-1][0]
    entered = client.post(code_url, {"code": mailed_code()}, follow=True)

    page = entered.content.decode()
    assert entered.redirect_chain[-1][0] == claim_url
    assert "sent your claim to a moderator" in page
    assert f"your verified address alice@{UNI}" in page


def test_the_claim_page_of_a_revoked_claimant_offers_only_evidence(client, institution):
    researcher = record(institution, "Ada Lovelace")
    user = UserFactory()
    Claim.objects.create(user=user, researcher=researcher, method="email", state="revoked")
    client.force_login(user)
    claim_url = f"/researchers/{researcher.slug}/claim/"

    page = client.get(claim_url).content.decode()
    refused = client.post(claim_url, {"method": "email", "email": f"ada@{UNI}"})

    assert 'id="claim-revoked"' in page and 'value="email"' not in page
    assert 'value="evidence"' in page
    assert refused.status_code == 400
    assert "revoked your earlier claim" in refused.content.decode()
    assert mail.outbox == []
