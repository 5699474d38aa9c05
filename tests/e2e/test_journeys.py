"""The quick start's journeys with its demo accounts, as the README walks them: a visitor claims
a record by evidence on a phone, the moderator approves it in the admin on a laptop, the new
holder opens their profile to collaboration and invites a demo researcher, who accepts on a
phone. Nothing is made by hand but what `make run` makes."""

import pytest
from playwright.sync_api import expect

from profiles.models import Claim, ClaimEvent
from profiles.services.demo_accounts import DEMO_PASSWORD, demo_accounts_load
from social.models import Invitation
from works.models import Researcher

pytestmark = pytest.mark.browser

RECORD = "jascha-sohl-dickstein"


def log_in(page, base: str, email: str, next_path: str):
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(f"**{next_path}")


@pytest.fixture
def demo_accounts(site, settings):
    # What `make run` (DEBUG on) adds to the demo; the site itself is then served as tested.
    settings.DEBUG = True
    demo_accounts_load()
    settings.DEBUG = False


def test_claim_approve_open_invite_and_accept_with_the_demo_accounts(
    site, demo_accounts, page_at, screenshots
):
    phone = page_at(390)
    log_in(phone, site.url, "visitor@demo.bzpeer.test", f"/researchers/{RECORD}/claim/")
    evidence = phone.locator("#claim-evidence")
    evidence.get_by_label("Links, one a line").fill("https://research.google/people/jascha/")
    evidence.get_by_label("Note for the moderator").fill("My Google Research page.")
    evidence.get_by_role("button", name="Send to a moderator").click()
    expect(phone.locator("#claim-pending")).to_contain_text("A moderator will review your evidence")
    expect(phone.get_by_role("button", name="Withdraw this claim")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=screenshots / "journey-claim-pending-390.png", full_page=True)

    laptop = page_at(1280)
    log_in(laptop, site.url, "moderator@demo.bzpeer.test", "/admin/profiles/claim/")
    claim = Claim.objects.get(researcher__slug=RECORD, state=Claim.State.PENDING)
    laptop.locator(f"input[name=_selected_action][value='{claim.pk}']").check()
    laptop.locator("select[name=action]").select_option("approve")
    laptop.get_by_role("button", name="Go").click()
    laptop.wait_for_load_state("networkidle")
    claim.refresh_from_db()
    assert claim.state == Claim.State.APPROVED
    assert ClaimEvent.objects.filter(claim=claim).exists()

    phone.goto(f"{site.url}/researchers/{RECORD}/edit/")
    phone.get_by_label("Open to collaborate").check()
    phone.locator("#edit-profile").get_by_role("button").first.click()
    phone.wait_for_load_state("networkidle")
    assert Researcher.objects.get(slug=RECORD).open_to_collaborate

    phone.goto(f"{site.url}/researchers/heather-piwowar/")
    panel = phone.locator("#collaboration")
    panel.get_by_role("link", name="Invite to collaborate").click()
    panel.get_by_label("Subject").fill("Open data and citations")
    panel.get_by_label("Message").fill("Dear Heather,\n\nShall we look at data citation together?")
    panel.get_by_role("button", name="Send invitation").click()
    panel.get_by_text("Sent.").wait_for()

    heather = page_at(390)
    log_in(heather, site.url, "heather@demo.bzpeer.test", "/invitations/")
    card = heather.locator(".invitation").first
    assert "Jascha Sohl-Dickstein" in card.inner_text()
    card.get_by_role("button", name="Accept and share e-mail").click()
    heather.locator(".invitation").first.get_by_text("visitor@demo.bzpeer.test").wait_for()
    assert Invitation.objects.get().state == Invitation.State.ACCEPTED
    heather.screenshot(path=screenshots / "journey-invitation-accepted-390.png", full_page=True)
    assert phone.problems == [] and laptop.problems == [] and heather.problems == []
