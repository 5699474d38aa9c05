"""The claim page offers only the routes that can work for the record, shows a pending claim with
"withdraw", and the claimant's withdrawal closes the claim (a ClaimEvent) and frees them to start
another."""

import pytest

from profiles import services
from profiles.models import Claim, ClaimEvent
from profiles.services import ClaimError
from tests.factories import InstitutionFactory, ResearcherFactory, UserFactory


@pytest.fixture
def user(db):
    return UserFactory(email="ada@example.org")


def evidence(user, researcher) -> Claim:
    return services.claim_evidence_submit(
        user=user, researcher=researcher, links=["https://example.org/ada"], note=""
    )


def test_withdraw_closes_the_pending_claim_and_frees_a_new_one(user):
    researcher = ResearcherFactory()
    claim = evidence(user, researcher)

    services.claim_withdraw(claim=claim, user=user)

    claim.refresh_from_db()
    assert claim.state == Claim.State.WITHDRAWN and claim.decided_by == user
    event = claim.events.get(kind=ClaimEvent.Kind.WITHDRAWN)
    assert event.actor == user
    # The one-pending-claim constraint no longer holds the user to the withdrawn claim.
    again = evidence(user, researcher)
    assert again.pk != claim.pk and again.state == Claim.State.PENDING


def test_only_the_claimant_may_withdraw_and_only_a_pending_claim(user):
    claim = evidence(user, ResearcherFactory())
    with pytest.raises(ClaimError, match="Only the person who made a claim"):
        services.claim_withdraw(claim=claim, user=UserFactory())
    services.claim_withdraw(claim=claim, user=user)
    with pytest.raises(ClaimError, match="closed"):
        services.claim_withdraw(claim=claim, user=user)
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.WITHDRAWN


def test_the_page_shows_the_pending_claim_and_withdraws_it(client, user):
    researcher = ResearcherFactory()
    claim = evidence(user, researcher)
    client.force_login(user)
    url = f"/researchers/{researcher.slug}/claim/"

    page = client.get(url).content.decode()
    assert "Your claim is pending" in page and 'name="method"' not in page
    withdraw_url = f"{url}{claim.pk}/withdraw/"
    assert f'action="{withdraw_url}"' in page

    # Someone else's claim is not found.
    client.force_login(UserFactory())
    assert client.post(withdraw_url).status_code == 404
    client.force_login(user)
    response = client.post(withdraw_url, follow=True)
    page = response.content.decode()
    assert "Your claim is withdrawn" in page and 'value="evidence"' in page
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.WITHDRAWN


def test_the_page_offers_only_routes_that_can_work(client, user, settings):
    settings.ORCID_CLIENT_ID = ""
    client.force_login(user)
    # No ORCID iD, no institution with a known mail domain: evidence is the one route.
    bare = ResearcherFactory()
    page = client.get(f"/researchers/{bare.slug}/claim/").content.decode()
    assert 'value="email"' not in page and 'value="orcid"' not in page
    assert "No institution on this record has a known e-mail domain" in page
    assert 'value="evidence"' in page

    # An ORCID iD while ORCID sign-in is not configured: the page says so.
    institution = InstitutionFactory(email_domains=["uni.example.edu"])
    with_orcid = ResearcherFactory(orcid="0000-0002-1825-0097", institution=institution)
    page = client.get(f"/researchers/{with_orcid.slug}/claim/").content.decode()
    assert "ORCID sign-in is not configured on this site" in page
    assert "process=connect" not in page
    assert 'value="email"' in page
