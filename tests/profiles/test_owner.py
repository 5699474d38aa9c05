"""After the claim: the owner's bio, "open to collaborate", hidden works and trust advice;
disputes of an approved claim and the moderators' uphold and revoke."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from profiles import services
from profiles.models import Claim, ClaimDispute
from profiles.selectors import researcher_trust_advice, researcher_works
from profiles.services import ClaimError
from tests.factories import AuthorshipFactory, ResearcherFactory, UserFactory, WorkFactory
from works.models import HiddenWork, Researcher


def events(claim) -> list[str]:
    return list(claim.events.values_list("kind", flat=True))


@pytest.fixture
def owner(db):
    return UserFactory(email="ada@example.org")


@pytest.fixture
def researcher(db) -> Researcher:
    return ResearcherFactory()


@pytest.fixture
def claim(owner, researcher) -> Claim:
    claim = services.claim_evidence_submit(
        user=owner, researcher=researcher, links=["https://example.org/ada"], note=""
    )
    return services.claim_approve(claim=claim, actor=None)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A block whose on-commit callbacks run at its end, as the request's commit runs them: the
    tasks they enqueue run in-process (tests/profiles/conftest.py)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def works(researcher):
    return [AuthorshipFactory(researcher=researcher).work for _ in range(3)]


def hide(researcher, owner, work, reason="Another Ada wrote this."):
    return services.work_hide(researcher=researcher, user=owner, work=work, reason=reason)


# --- Bio and "open to collaborate" -----------------------------------------------------------


def test_owner_saves_a_plain_text_bio_shown_escaped(client, claim, owner, researcher):
    client.force_login(owner)

    response = client.post(
        f"/researchers/{researcher.slug}/edit/",
        {"bio": "<script>alert(1)</script> I study examples.", "open_to_collaborate": ""},
        follow=True,
    )

    researcher.refresh_from_db()
    assert researcher.bio == "<script>alert(1)</script> I study examples."
    assert researcher.open_to_collaborate is False
    page = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; I study examples." in page
    assert "<script>alert(1)" not in page
    assert "Not taking invitations" in page


def test_bio_longer_than_500_characters_is_refused(client, claim, owner, researcher):
    client.force_login(owner)

    response = client.post(f"/researchers/{researcher.slug}/edit/", {"bio": "x" * 501})

    assert response.status_code == 400
    assert "at most 500 characters" in response.content.decode()
    with pytest.raises(ClaimError):
        services.researcher_update(
            researcher=researcher, user=owner, bio="x" * 501, open_to_collaborate=True
        )
    researcher.refresh_from_db()
    assert researcher.bio == ""


def test_only_the_holder_of_the_approved_claim_may_edit(claim, researcher):
    with pytest.raises(PermissionDenied):
        services.researcher_update(
            researcher=researcher, user=UserFactory(), bio="Mine now.", open_to_collaborate=True
        )
    pending = services.claim_evidence_submit(
        user=UserFactory(), researcher=ResearcherFactory(), links=["https://e.org"], note=""
    )
    with pytest.raises(PermissionDenied):
        services.researcher_update(
            researcher=pending.researcher, user=pending.user, bio="", open_to_collaborate=True
        )


def test_profile_shows_the_edit_link_to_the_owner_only(client, claim, owner, researcher):
    edit_url = f"/researchers/{researcher.slug}/edit/"
    client.force_login(owner)
    assert edit_url in client.get(researcher.get_absolute_url()).content.decode()

    client.force_login(UserFactory())
    page = client.get(researcher.get_absolute_url()).content.decode()
    assert edit_url not in page
    assert f"/researchers/{researcher.slug}/dispute/" in page


# --- Hiding misattributed works --------------------------------------------------------------


def test_hidden_work_leaves_the_works_list_and_the_counts(
    claim, owner, researcher, works, committed
):
    with committed():
        hide(researcher, owner, works[0])

    assert list(researcher_works(researcher=researcher)) == sorted(
        works[1:], key=lambda work: (work.title_key, work.pk)
    )
    # Recounted by the trust refresh enqueued on commit.
    researcher.refresh_from_db()
    assert researcher.works_count == 2
    hidden = HiddenWork.objects.get()
    assert hidden.reason == "Another Ada wrote this." and hidden.hidden_by == owner


def test_hiding_survives_a_re_import_that_rewrites_the_byline(claim, owner, researcher, works):
    hide(researcher, owner, works[0])

    # A re-import replaces the work's authorship rows (works.ingest).
    works[0].authorships.all().delete()
    AuthorshipFactory(work=works[0], researcher=researcher, position=1)

    assert works[0] not in researcher_works(researcher=researcher)
    services.researcher_stats_refresh(researcher_ids=[researcher.pk])
    researcher.refresh_from_db()
    assert researcher.works_count == 2


def test_unhide_shows_the_work_again(claim, owner, researcher, works):
    hide(researcher, owner, works[0])

    services.work_unhide(researcher=researcher, user=owner, work=works[0])

    assert works[0] in researcher_works(researcher=researcher)
    assert not HiddenWork.objects.exists()


def test_hiding_needs_a_reason_the_owner_and_a_work_on_the_profile(claim, owner, researcher, works):
    with pytest.raises(ClaimError, match="Say why"):
        hide(researcher, owner, works[0], reason="  ")
    with pytest.raises(ClaimError, match="not listed on this profile"):
        hide(researcher, owner, WorkFactory())
    with pytest.raises(PermissionDenied):
        hide(researcher, UserFactory(), works[0])
    with pytest.raises(PermissionDenied):
        services.work_unhide(researcher=researcher, user=UserFactory(), work=works[0])
    hide(researcher, owner, works[0])
    with pytest.raises(ClaimError, match="already hidden"):
        hide(researcher, owner, works[0])


def test_hide_and_unhide_as_pages(client, claim, owner, researcher, works):
    client.force_login(owner)
    work = works[0]
    hide_url = f"/researchers/{researcher.slug}/works/{work.slug}/hide/"
    assert hide_url in client.get(researcher.get_absolute_url()).content.decode()

    assert client.post(hide_url, {"reason": ""}).status_code == 400
    response = client.post(hide_url, {"reason": "Not mine."}, follow=True)

    page = response.content.decode()
    assert "Not mine." in page and "Unhide" in page
    profile = client.get(researcher.get_absolute_url()).content.decode()
    assert hide_url not in profile and "2 published items" in profile
    client.post(f"/researchers/{researcher.slug}/works/{work.slug}/unhide/")
    assert "3 published items" in client.get(researcher.get_absolute_url()).content.decode()


# --- How to raise the trust score ------------------------------------------------------------


def test_advice_names_the_components_below_their_maximum(claim, researcher):
    services.researcher_stats_refresh(researcher_ids=[researcher.pk])
    researcher.refresh_from_db()

    advice = researcher_trust_advice(researcher=researcher)

    assert "Link your ORCID iD: a claim through ORCID sign-in reaches verification L3." in advice
    assert "Ask co-authors to claim their profiles." in advice
    assert not any("disputes" in line for line in advice)


def test_edit_page_shows_the_advice(client, claim, owner, researcher):
    client.force_login(owner)

    page = client.get(f"/researchers/{researcher.slug}/edit/").content.decode()

    assert "How to raise your trust score" in page
    assert "Ask co-authors to claim their profiles." in page


# --- Disputes --------------------------------------------------------------------------------


def dispute(researcher, user=None):
    return services.claim_dispute_open(
        user=user or UserFactory(),
        researcher=researcher,
        links=["https://example.org/the-real-ada"],
        note="I am the Ada on these papers.",
    )


def test_dispute_counts_against_the_trust_score_and_is_audited(claim, researcher, committed):
    # A verified account's dispute weighs; a throwaway's does not (test_moderation.py).
    disputer = UserFactory()
    own = services.claim_evidence_submit(
        user=disputer, researcher=ResearcherFactory(), links=["https://example.org/me"], note=""
    )
    services.claim_approve(claim=own, actor=None)
    with committed():
        opened = dispute(researcher, disputer)

    researcher.refresh_from_db()
    assert opened.state == ClaimDispute.State.OPEN
    assert researcher.open_disputes_count == 1
    assert events(claim) == ["submitted", "approved", "disputed"]
    # Recomputed by the trust refresh enqueued on commit.
    components = {c["key"]: c["points"] for c in researcher.trust_components}
    assert components["disputes"] == -15


def test_one_open_dispute_per_user_and_claim(claim, researcher):
    user = UserFactory()
    dispute(researcher, user)

    with pytest.raises(ClaimError, match="already have an open dispute"):
        dispute(researcher, user)
    assert ClaimDispute.objects.count() == 1


def test_only_an_approved_claim_can_be_disputed_and_not_by_its_holder(claim, owner, researcher):
    with pytest.raises(ClaimError, match="no approved claim"):
        dispute(ResearcherFactory())
    with pytest.raises(ClaimError, match="you cannot dispute it"):
        dispute(researcher, owner)


def test_uphold_closes_the_dispute_and_keeps_the_claim(claim, researcher, mailoutbox, committed):
    moderator = UserFactory(is_staff=True)
    opened = dispute(researcher)
    mailoutbox.clear()

    with committed():
        services.claim_dispute_uphold(dispute=opened, actor=moderator, reason="The CV matches.")

    assert [mail.to for mail in mailoutbox] == [[claim.user.email]]
    assert "Reason: The CV matches." in mailoutbox[0].body

    opened.refresh_from_db()
    researcher.refresh_from_db()
    claim.refresh_from_db()
    assert opened.state == ClaimDispute.State.UPHELD and opened.decided_by == moderator
    assert claim.state == Claim.State.APPROVED and researcher.is_claimed
    assert researcher.open_disputes_count == 0
    assert events(claim)[-1] == "upheld"
    with pytest.raises(ClaimError, match="already been decided"):
        services.claim_dispute_uphold(dispute=opened, actor=moderator, reason="Again.")


def test_revoke_unclaims_the_record_and_mails_the_holder_the_reason(
    claim, owner, researcher, committed
):
    moderator = UserFactory(is_staff=True)
    opened, other = dispute(researcher), dispute(researcher)

    with committed():
        services.claim_dispute_revoke(dispute=opened, actor=moderator, reason="Wrong Ada.")

    claim.refresh_from_db()
    researcher.refresh_from_db()
    other.refresh_from_db()
    assert claim.state == Claim.State.REVOKED and claim.decision_reason == "Wrong Ada."
    assert not researcher.is_claimed
    assert researcher.verification_level == services.authority_level(researcher)
    assert researcher.open_disputes_count == 0 and other.state == ClaimDispute.State.REVOKED
    assert events(claim)[-1] == "revoked"
    assert mail.outbox[-1].to == ["ada@example.org"]
    assert "Wrong Ada." in mail.outbox[-1].body
    with pytest.raises(PermissionDenied):
        services.researcher_update(
            researcher=researcher, user=owner, bio="", open_to_collaborate=True
        )


def test_dispute_as_a_page(client, claim, researcher):
    client.force_login(UserFactory())
    url = f"/researchers/{researcher.slug}/dispute/"

    assert client.post(url, {"links": "javascript:x", "note": "n"}).status_code == 400
    response = client.post(url, {"links": "https://example.org/me", "note": "Me."}, follow=True)

    assert "Your dispute is with the moderators." in response.content.decode()
    assert ClaimDispute.objects.get().links == ["https://example.org/me"]
    assert "You have an open dispute" in client.get(url).content.decode()


def test_admin_actions_uphold_and_revoke_through_the_services(client, claim, researcher, committed):
    moderator = UserFactory(is_staff=True, is_superuser=True)
    first, second = dispute(researcher), dispute(researcher)
    client.force_login(moderator)
    url = "/admin/profiles/claimdispute/"
    assert client.get(url + "?state__exact=open").status_code == 200

    confirm = client.post(url, {"action": "uphold", "_selected_action": [first.pk]})
    assert confirm.status_code == 200 and "Give the reason" in confirm.content.decode()
    client.post(
        url,
        {"action": "uphold", "_selected_action": [first.pk], "apply": "1", "reason": "Fine."},
    )
    first.refresh_from_db()
    assert first.state == ClaimDispute.State.UPHELD and first.reason == "Fine."

    with committed():
        client.post(
            url,
            {"action": "revoke", "_selected_action": [second.pk], "apply": "1", "reason": "No."},
        )
    second.refresh_from_db()
    claim.refresh_from_db()
    assert second.state == ClaimDispute.State.REVOKED and claim.state == Claim.State.REVOKED
    assert "No." in mail.outbox[-1].body
