"""Researcher.is_claimed and verification_level are copies of what the claims say, written only
by the claim services: after every path that decides, revokes or links a claim, each record is
claimed exactly when it has an approved claim (Claim.objects.holding), at the level its method
gives, and otherwise at the level its authorities give."""

import re

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core import mail

from profiles import services
from profiles.models import Claim
from profiles.services import ClaimError
from tests.factories import InstitutionFactory, ResearcherFactory, UserFactory
from works.models import Researcher


def mailed_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def disagreements() -> list[str]:
    holders = {claim.researcher_id: claim for claim in Claim.objects.approved()}
    wrong = []
    for researcher in Researcher.objects.order_by("pk"):
        claim = holders.get(researcher.pk)
        expected = (
            (True, services.LEVEL_BY_METHOD[claim.method])
            if claim
            else (False, services.authority_level(researcher))
        )
        actual = (researcher.is_claimed, researcher.verification_level)
        if actual != expected:
            wrong.append(f"{researcher.slug}: {actual} != {expected}")
    return wrong


@pytest.fixture
def step(django_capture_on_commit_callbacks):
    """Run one path as a request would: commit, then the tasks it enqueued (the trust refresh
    recounts and rewrites the unclaimed records' levels). Then check every record."""

    def run(service, **arguments):
        with django_capture_on_commit_callbacks(execute=True):
            result = service(**arguments)
        assert disagreements() == []
        return result

    return run


def test_every_claim_path_keeps_the_flag_and_level_equal_to_the_claims(db, step):
    orcid_user, email_user, evidence_user, disputer = (UserFactory() for _ in range(4))
    by_orcid = ResearcherFactory(orcid="0000-0002-1825-0097")
    by_email = ResearcherFactory(
        display_name="Ada Lovelace", institution=InstitutionFactory(email_domains=["uni.example"])
    )
    by_evidence, also_evidence_user = ResearcherFactory(), ResearcherFactory()
    rejected = ResearcherFactory()
    wrong_codes = ResearcherFactory(institution=InstitutionFactory(email_domains=["lab.example"]))
    moderator = UserFactory(is_staff=True)
    assert disagreements() == []

    # Approve, by each method.
    SocialAccount.objects.create(user=orcid_user, provider="orcid", uid=by_orcid.orcid)
    step(services.claim_by_orcid, user=orcid_user, researcher=by_orcid)

    claim = services.claim_start(user=email_user, researcher=by_email, method=Claim.Method.EMAIL)
    step(services.claim_email_code_send, claim=claim, email="ada@uni.example")
    step(services.claim_email_code_verify, claim=claim, code=mailed_code())

    for record in (by_evidence, also_evidence_user):
        claim = services.claim_evidence_submit(
            user=evidence_user, researcher=record, links=["https://example.org/cv"], note=""
        )
        step(services.claim_approve, claim=claim, actor=moderator)

    # Reject, by a moderator and by too many wrong codes.
    claim = services.claim_evidence_submit(
        user=disputer, researcher=rejected, links=["https://example.org/x"], note=""
    )
    step(services.claim_reject, claim=claim, actor=moderator, reason="No.")
    claim = services.claim_start(user=disputer, researcher=wrong_codes, method=Claim.Method.EMAIL)
    step(services.claim_email_code_send, claim=claim, email="eve@lab.example")
    wrong = f"{(int(mailed_code()) + 1) % 1_000_000:06d}"
    for _ in range(services.claim_email.CODE_MAX_ATTEMPTS):
        with pytest.raises(ClaimError):
            step(services.claim_email_code_verify, claim=claim, code=wrong)
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.REJECTED
    assert disagreements() == []

    # Link and unlink.
    step(
        services.researcher_link_records,
        user=evidence_user,
        primary=by_evidence,
        others=[also_evidence_user],
    )
    step(services.researcher_link_records, user=evidence_user, primary=by_evidence, others=[])
    step(
        services.researcher_link_records,
        user=evidence_user,
        primary=by_evidence,
        others=[also_evidence_user],
    )

    # Disputes: upheld keeps the claim; revoked unclaims the record (and unlinks it).
    def dispute(record):
        return step(
            services.claim_dispute_open,
            user=disputer,
            researcher=record,
            links=["https://example.org/me"],
            note="Mine.",
        )

    step(services.claim_dispute_uphold, dispute=dispute(by_orcid), actor=moderator, reason="Ok.")
    for record in (by_orcid, also_evidence_user):
        step(services.claim_dispute_revoke, dispute=dispute(record), actor=moderator, reason="No.")

    # A revoked record can be claimed again, by someone else.
    claim = services.claim_evidence_submit(
        user=disputer, researcher=by_orcid, links=["https://example.org/me"], note=""
    )
    step(services.claim_approve, claim=claim, actor=moderator)

    claimed = set(Researcher.objects.filter(is_claimed=True).values_list("pk", flat=True))
    assert claimed == {by_orcid.pk, by_email.pk, by_evidence.pk}
