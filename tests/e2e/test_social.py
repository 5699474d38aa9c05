"""Following and invitations in a real Chromium: a visitor follows the seed researcher through
login and unfollows and follows again in place (HTMX); one invitation goes from send to accept."""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from profiles.models import Claim, User
from social.models import Follow, Invitation
from works.models import Researcher, VerificationLevel

pytestmark = pytest.mark.browser

SEED = "jascha-sohl-dickstein"
COAUTHOR = "roman-novak"
PASSWORD = "Correct-Horse-Battery-9"


def account(email: str) -> User:
    user = User.objects.create_user(username=email.split("@")[0], email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def claimed(user: User, slug: str) -> Researcher:
    researcher = Researcher.objects.get(slug=slug)
    Claim.objects.create(
        user=user, researcher=researcher, method=Claim.Method.EMAIL, state=Claim.State.APPROVED
    )
    Researcher.objects.filter(pk=researcher.pk).update(
        is_claimed=True, open_to_collaborate=True, verification_level=VerificationLevel.L2
    )
    return researcher


def text(locator) -> str:
    return " ".join(locator.inner_text().split())


def log_in(page, base: str, email: str, next_path: str = "/"):
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(f"**{next_path}")


def test_follow_through_login_then_unfollow_and_follow_in_place(site, page_at, screenshots):
    follower = account("reader@example.org")
    page = page_at(1280)
    page.goto(f"{site.url}/researchers/{SEED}/")
    actions = page.locator("#actions")
    assert "Follow researcher 0" in text(actions)

    # A visitor's click leads through login, and the follow is done on return.
    actions.get_by_role("button", name=re.compile("Follow researcher")).click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    page.locator("input[name=login]").fill(follower.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(f"**/researchers/{SEED}/")
    assert "Unfollow researcher 1" in text(page.locator("#actions"))
    assert page.locator("#followers-stat").inner_text() == "1"
    assert Follow.objects.filter(user=follower, researcher__slug=SEED).count() == 1

    # In place: no page load, both counts change.
    page.evaluate("window.notReloaded = true")
    page.locator("#actions").get_by_role("button", name=re.compile("Unfollow")).click()
    expect(page.locator("#followers-stat")).to_have_text("0")
    expect(page.locator("#follow-control button")).to_have_text(
        re.compile(r"^Follow researcher\s+0$")
    )
    page.locator("#actions").get_by_role("button", name=re.compile("Follow researcher")).click()
    expect(page.locator("#followers-stat")).to_have_text("1")
    expect(page.locator("#follow-control button")).to_have_text(
        re.compile(r"Unfollow researcher\s+1")
    )
    assert page.evaluate("window.notReloaded") is True
    assert Researcher.objects.get(slug=SEED).followers_count == 1
    page.screenshot(path=screenshots / "profile-following-1280.png")

    page.goto(f"{site.url}/feed/")
    assert "Because you follow Jascha Sohl-Dickstein" in page.locator("main").inner_text()
    page.screenshot(path=screenshots / "feed-1280.png")
    narrow = page_at(390)
    narrow.context.add_cookies(page.context.cookies())
    narrow.goto(f"{site.url}/feed/")
    narrow.screenshot(path=screenshots / "feed-390.png")
    narrow.goto(f"{site.url}/following/")
    narrow.screenshot(path=screenshots / "following-390.png", full_page=True)
    assert page.problems == [] and narrow.problems == []


def test_one_invitation_from_send_to_accept(site, page_at, screenshots):
    sender = account("novak@example.org")
    recipient = account("jascha@example.org")
    claimed(sender, COAUTHOR)
    claimed(recipient, SEED)

    page = page_at(1280)
    log_in(page, site.url, sender.email, f"/researchers/{SEED}/")
    panel = page.locator("#collaboration")
    panel.get_by_role("link", name="Invite to collaborate").click()
    panel.get_by_label("Subject").fill("Wide networks as Gaussian processes, part two")
    panel.get_by_label("Message").fill("Dear Jascha,\n\nShall we extend our NNGP work?\n\nRoman")
    panel.screenshot(path=screenshots / "invitation-form-1280.png")
    panel.get_by_role("button", name="Send invitation").click()
    panel.get_by_text("Sent.").wait_for()
    assert Invitation.objects.get().state == Invitation.State.PENDING
    page.screenshot(path=screenshots / "invitation-sent-1280.png")

    inbox = page_at(390)
    log_in(inbox, site.url, recipient.email, "/invitations/")
    assert inbox.locator(".site-nav .nav-count").inner_text() == "1"
    card = inbox.locator(".invitation").first
    assert "From Roman Novak" in card.inner_text()
    assert sender.email not in card.inner_text()  # never before acceptance
    inbox.screenshot(path=screenshots / "invitations-390.png", full_page=True)
    card.get_by_role("button", name="Accept and share e-mail").click()
    card = inbox.locator(".invitation").first
    card.get_by_text(sender.email).wait_for()
    assert Invitation.objects.get().state == Invitation.State.ACCEPTED

    page.goto(f"{site.url}/invitations/sent/")
    sent = page.locator(".invitation").first
    assert "Accepted" in sent.inner_text() and recipient.email in sent.inner_text()
    page.screenshot(path=screenshots / "invitations-sent-1280.png")
    assert page.problems == [] and inbox.problems == []
