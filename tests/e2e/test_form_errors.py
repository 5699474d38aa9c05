"""Every error reaches the user: each HTMX form, submitted with input the server refuses, shows
the server's message in place (htmx swaps no 4xx answer unless base.html's responseHandling
says so)."""

import re

import pytest
from playwright.sync_api import expect

from social.models import Invitation
from tests.e2e.test_social import COAUTHOR, SEED, account, claimed, log_in
from works.models import Researcher

pytestmark = pytest.mark.browser


def refused(page) -> list[str]:
    """The problems the page met other than the form answers the test provoked (400), which
    Chromium also logs to the console."""
    provoked = re.compile(r"400 .*/invite/$|Failed to load resource: .* 400 \(Bad Request\)")
    return [problem for problem in page.problems if not provoked.match(problem)]


def test_the_invitation_form_shows_each_refusal(site, page_at):
    sender = account("novak@example.org")
    claimed(sender, COAUTHOR)
    claimed(account("jascha@example.org"), SEED)

    page = page_at(1280)
    log_in(page, site.url, sender.email, f"/researchers/{SEED}/")
    panel = page.locator("#collaboration")
    panel.get_by_role("link", name="Invite to collaborate").click()

    # An empty form, past the browser's own checks: the field errors are swapped in (400).
    panel.locator("form.invite-form").evaluate("form => { form.noValidate = true; }")
    panel.get_by_role("button", name="Send invitation").click()
    expect(panel.locator("#invitation-panel")).to_contain_text("This field is required.")

    # A refusal the form cannot see: the recipient closed invitations meanwhile.
    Researcher.objects.filter(slug=SEED).update(open_to_collaborate=False)
    panel.get_by_label("Subject").fill("Wide networks, part two")
    panel.get_by_label("Message").fill("Shall we extend our work?")
    panel.get_by_role("button", name="Send invitation").click()
    expect(panel.locator("#invitation-panel [role=alert]")).to_contain_text(
        "not taking invitations"
    )
    assert not Invitation.objects.exists()
    assert refused(page) == []


def test_an_invitation_answer_that_comes_too_late_says_so(site, page_at):
    sender = account("novak@example.org")
    recipient = account("jascha@example.org")
    claimed(sender, COAUTHOR)
    claimed(recipient, SEED)
    invitation = Invitation.objects.create(
        sender=sender,
        recipient=recipient,
        sender_researcher=Researcher.objects.get(slug=COAUTHOR),
        recipient_researcher=Researcher.objects.get(slug=SEED),
        subject="Part two",
        message="Shall we?",
    )

    page = page_at(390)
    log_in(page, site.url, recipient.email, "/invitations/")
    Invitation.objects.filter(pk=invitation.pk).update(state=Invitation.State.WITHDRAWN)
    card = page.locator(".invitation").first
    card.get_by_role("button", name="Accept and share e-mail").click()
    expect(page.locator(".invitation").first).to_contain_text("already withdrawn")
    assert page.problems == []


def test_following_your_own_profile_says_why_in_place(site, page_at):
    owner = account("jascha@example.org")
    claimed(owner, SEED)

    page = page_at(1280)
    log_in(page, site.url, owner.email, f"/researchers/{SEED}/")
    # A follow the server refuses (own profile) answers 200 with the reason in the control.
    page.locator("#actions").get_by_role("button", name=re.compile("Follow researcher")).click()
    expect(page.locator("#follow-control")).to_contain_text("your own profile")
    assert page.problems == []
