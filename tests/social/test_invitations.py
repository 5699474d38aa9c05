"""Invitations: sending, the profile panel's reasons, answering, contact e-mail shown only after
acceptance, hostile text, the e-mails, blocks, spam reports and the moderators' admin."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from bzpeer.celery import app
from profiles.models import Claim, User
from social import notifications, services
from social.models import Block, Invitation, SpamReport
from tests.conftest import FIXTURES
from tests.factories import ResearcherFactory, UserFactory
from tests.social.support import claimed, login_next, snapshot

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
ATTACKS = FIXTURES / "attack-inputs"
# PROVENANCE.md there: split on b"\n" only.
XSS = [
    line.decode("utf-8")
    for line in (ATTACKS / "xss-shared.txt").read_bytes().split(b"\n")
    if line.strip()
]
# htmx gadgets, which the shared lists do not hold.
HTMX_GADGETS = [
    '<div hx-get="/accounts/logout/" hx-trigger="load">x</div>',
    '<div data-hx-post="/invitations/1/accept/" data-hx-trigger="load"></div>',
    '<img src=x hx-on::load="alert(1)">',
    "{{ user.email }} {% csrf_token %}",
]
VALID = {"subject": "Diffusion models together?", "message": "Hello,\n\nShall we work together?"}


@pytest.fixture(autouse=True)
def eager_celery(monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.fixture
def sender():
    return claimed(
        UserFactory(password=None, email="sam@sender.example"), display_name="Sam Sender"
    )


@pytest.fixture
def recipient():
    return claimed(
        UserFactory(password=None, email="rita@recipient.example"),
        display_name="Rita Recipient",
    )


def invite_url(record) -> str:
    return f"/researchers/{record.slug}/invite/"


def send(client, record, data=VALID, **kwargs):
    return client.post(invite_url(record), data, **kwargs)


def page(client, url) -> str:
    return client.get(url).content.decode()


def panel(html: str) -> str:
    """The invitation panel's HTML."""
    start = html.index('<div id="invitation-panel">')
    return html[start : html.index("</section>", start)]


def invitation_between(sender_user, recipient_user) -> Invitation:
    return Invitation.objects.get(sender=sender_user, recipient=recipient_user)


# --- Sending ------------------------------------------------------------------------------


@pytest.mark.smoke
def test_send_without_javascript_lands_on_the_invitation(client, sender, recipient):
    client.force_login(sender[0])

    response = send(client, recipient[1])

    invitation = Invitation.objects.get()
    assert response.status_code == 302
    assert response.url == f"/invitations/{invitation.pk}/"
    assert (invitation.sender, invitation.recipient) == (sender[0], recipient[0])
    assert (invitation.sender_researcher, invitation.recipient_researcher) == (
        sender[1],
        recipient[1],
    )
    assert invitation.state == Invitation.State.PENDING
    assert invitation.subject == VALID["subject"]
    assert invitation.message == VALID["message"]
    html = page(client, response.url)
    assert "Your invitation to Rita Recipient is sent." in html
    assert "Awaiting Rita Recipient’s answer." in html


def test_send_with_htmx_swaps_the_panel(client, sender, recipient):
    client.force_login(sender[0])

    response = send(client, recipient[1], headers=HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="invitation-panel">')
    assert f'href="{Invitation.objects.get().get_absolute_url()}"' in body
    assert "Sent. Rita Recipient will find it in their inbox" in body


def test_the_invite_page_shows_the_form_to_an_eligible_sender(client, sender, recipient):
    client.force_login(sender[0])

    html = page(client, invite_url(recipient[1]))

    assert 'name="subject"' in html and 'name="message"' in html
    assert 'maxlength="2000"' in html
    assert "Send invitation" in html


def test_the_profiles_invite_button_swaps_in_the_form(client, sender, recipient):
    client.force_login(sender[0])
    button = re.search(
        r'<a class="button" href="([^"]+)" data-hx-get="([^"]+)"[^>]*>Invite to collaborate</a>',
        panel(page(client, recipient[1].get_absolute_url())),
    )

    assert button.group(1) == button.group(2) == invite_url(recipient[1])
    body = client.get(button.group(2), headers=HTMX).content.decode()
    assert body.lstrip().startswith('<div id="invitation-panel">')
    assert 'name="subject"' in body and 'name="message"' in body


def test_subject_is_one_line_so_it_cannot_inject_mail_headers(
    client, sender, recipient, django_capture_on_commit_callbacks
):
    client.force_login(sender[0])
    data = {"subject": "Hello\r\nBcc: victim@example.org", "message": "Hi"}

    with django_capture_on_commit_callbacks(execute=True):
        send(client, recipient[1], data)

    assert Invitation.objects.get().subject == "Hello Bcc: victim@example.org"
    assert "\n" not in mail.outbox[0].subject
    assert mail.outbox[0].to == ["rita@recipient.example"]
    assert mail.outbox[0].bcc == []


def test_message_of_2000_characters_is_accepted(client, sender, recipient):
    client.force_login(sender[0])

    response = send(client, recipient[1], {"subject": "Hi", "message": "x" * 2000})

    assert response.status_code == 302
    assert len(Invitation.objects.get().message) == 2000


def test_line_breaks_count_as_one_character_as_in_the_browser(client, sender, recipient):
    client.force_login(sender[0])
    # 2,000 characters in the textarea; browsers post each line break as CRLF.
    message = "\r\n".join(["x" * 99] * 20)

    response = send(client, recipient[1], {"subject": "Hi", "message": message})

    assert response.status_code == 302
    assert Invitation.objects.get().message == "\n".join(["x" * 99] * 20)


@pytest.mark.parametrize("htmx", [False, True])
def test_message_over_2000_characters_is_refused_and_nothing_saved(
    client, sender, recipient, htmx, django_capture_on_commit_callbacks
):
    client.force_login(sender[0])
    before = snapshot()

    with django_capture_on_commit_callbacks() as callbacks:
        response = send(
            client,
            recipient[1],
            {"subject": "Hi", "message": "x" * 2001},
            headers=HTMX if htmx else None,
        )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Ensure this value has at most 2000 characters (it has 2001)." in body
    assert "x" * 2001 in body  # what they wrote is kept for them to shorten
    assert snapshot() == before
    assert callbacks == []


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"subject": "", "message": "Hi"}, "This field is required."),
        ({"subject": "   ", "message": "Hi"}, "This field is required."),
        ({"subject": "Hi", "message": " \n "}, "This field is required."),
        # Issue 11: invisible characters only (works.forms.VisibleTextField).
        ({"subject": "\u200b", "message": "Hi"}, "This field is required."),
        ({"subject": "Hi", "message": "\u200b\u200d\u202e\n\ufeff"}, "This field is required."),
        ({"subject": "s" * 201, "message": "Hi"}, "at most 200 characters"),
        ({"subject": "Hi", "message": "nul \x00 byte"}, "Null characters are not allowed."),
    ],
)
def test_invalid_invitations_are_refused_clearly(client, sender, recipient, data, error):
    client.force_login(sender[0])

    response = send(client, recipient[1], data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Invitation.objects.exists()


# --- The panel: every reason --------------------------------------------------------------


def reason_case(name, sender, recipient):
    """Set up the case; returns (viewer or None, record viewed, the reason shown)."""
    sam, rita = sender[0], recipient[0]
    record = recipient[1]
    if name in ("unclaimed", "unclaimed_anonymous"):
        unclaimed = ResearcherFactory(display_name="Una Unclaimed")
        return (
            sam if name == "unclaimed" else None,
            unclaimed,
            "Una Unclaimed has not claimed this record yet, so it takes no invitations.",
        )
    if name == "not_open":
        _, closed = claimed(display_name="Carl Closed", open_to_collaborate=False)
        return sam, closed, "Carl Closed is not taking invitations at the moment. You can follow"
    if name == "anonymous":
        return None, record, "To invite Rita Recipient, log in with an account that holds a claimed"
    if name == "no_claim":
        return (
            UserFactory(password=None),
            record,
            "To invite Rita Recipient, you need a claimed researcher profile of your own: find "
            "your record and claim it.",
        )
    if name == "pending_claim":
        user = UserFactory(password=None)
        Claim.objects.create(
            user=user, researcher=ResearcherFactory(), method="email", state="pending"
        )
        return (
            user,
            record,
            "To invite Rita Recipient, you need a claimed researcher profile of your own: find "
            "your record and claim it.",
        )
    if name == "owner":
        return rita, record, "This is your profile. Researchers with a claimed profile can invite"
    if name == "blocked":
        Block.objects.create(blocker=rita, blocked=sam)
        return sam, record, "Rita Recipient is not taking invitations from you."
    if name == "open_sent":
        services.invitation_send(sender=sam, recipient_researcher=record, subject="A", message="B")
        return sam, record, "You invited Rita Recipient; the invitation awaits an answer."
    if name == "open_received":
        services.invitation_send(
            sender=rita, recipient_researcher=sender[1], subject="A", message="B"
        )
        return sam, record, "Rita Recipient has invited you: answer in your inbox."
    if name == "limit":
        now = timezone.now()
        others = [claimed()[1] for _ in range(settings.INVITATIONS_PER_DAY)]
        for other in others:
            services.invitation_send(
                sender=sam, recipient_researcher=other, subject="A", message="B"
            )
        Invitation.objects.filter(sender=sam).update(created_at=now - timedelta(hours=23))
        return (
            sam,
            record,
            f"You have sent {settings.INVITATIONS_PER_DAY} invitations in the past 24 hours",
        )
    if name == "can_invite":
        return sam, record, "Rita Recipient is open to collaborate and takes invitations."
    raise AssertionError(name)


REASONS = [
    "unclaimed",
    "unclaimed_anonymous",
    "not_open",
    "anonymous",
    "no_claim",
    "pending_claim",
    "owner",
    "blocked",
    "open_sent",
    "open_received",
    "limit",
    "can_invite",
]


@pytest.mark.parametrize("case", REASONS)
def test_profile_panel_says_why(client, sender, recipient, case):
    viewer, record, reason = reason_case(case, sender, recipient)
    if viewer:
        client.force_login(viewer)

    html = panel(page(client, record.get_absolute_url()))

    assert escape(reason).replace("&#x27;", "'") in html.replace("&#x27;", "'")
    invite_button = f'href="{invite_url(record)}"'
    assert (invite_button in html) == (case == "can_invite")
    if case == "anonymous":
        assert "Log in to invite" in html
    if case in ("open_sent", "open_received"):
        pending = Invitation.objects.get(state="pending")
        assert f'href="{pending.get_absolute_url()}"' in html
    # The next step, where a page takes it.
    claim_link = f'href="{reverse("profiles:claim", kwargs={"slug": record.slug})}"'
    assert (claim_link in html) == case.startswith("unclaimed")
    find_link = f'href="{reverse("profiles:list")}">Find your record'
    assert (find_link in html) == (case in ("no_claim", "pending_claim"))


@pytest.mark.parametrize("case", [case for case in REASONS if "anonymous" not in case])
def test_invite_page_and_post_say_why(client, sender, recipient, case):
    viewer, record, reason = reason_case(case, sender, recipient)
    client.force_login(viewer)
    count = Invitation.objects.count()

    html = page(client, invite_url(record))
    if case == "can_invite":
        assert 'name="message"' in html  # the page is the form itself
    else:
        assert reason.split(":")[0].split(";")[0] in html.replace("&#x27;", "'")
        assert 'name="message"' not in html

    response = send(client, record)
    if case == "can_invite":
        assert response.status_code == 302
        assert Invitation.objects.count() == count + 1
    else:
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
        assert Invitation.objects.count() == count


@pytest.mark.parametrize(
    "case", [case for case in REASONS if "anonymous" not in case and case != "can_invite"]
)
def test_the_panel_and_a_refused_send_give_the_same_reason(client, sender, recipient, case):
    viewer, record, _ = reason_case(case, sender, recipient)
    client.force_login(viewer)

    shown = re.search(r"<p>([^<]+)</p>", panel(page(client, record.get_absolute_url())))
    refused = re.search(r'role="alert">.*?<li>([^<]+)</li>', send(client, record).content.decode())

    assert refused.group(1) == shown.group(1)


def test_the_limit_message_says_when_the_next_can_be_sent(client, sender, recipient):
    reason_case("limit", sender, recipient)
    client.force_login(sender[0])

    response = send(client, recipient[1])

    assert response.status_code == 400
    assert (
        f"You have sent {settings.INVITATIONS_PER_DAY} invitations in the past 24 hours, "
        "the most allowed. You can send another after" in response.content.decode()
    )


def test_invitations_older_than_a_day_do_not_count(client, sender, recipient):
    reason_case("limit", sender, recipient)
    Invitation.objects.filter(sender=sender[0]).update(
        created_at=timezone.now() - timedelta(hours=24, minutes=1)
    )
    client.force_login(sender[0])

    assert send(client, recipient[1]).status_code == 302


def test_answered_invitations_still_count_towards_the_limit(client, sender, recipient):
    reason_case("limit", sender, recipient)
    Invitation.objects.filter(sender=sender[0]).update(state=Invitation.State.WITHDRAWN)
    client.force_login(sender[0])

    assert send(client, recipient[1]).status_code == 400


# --- Answering ----------------------------------------------------------------------------


@pytest.fixture
def invitation(sender, recipient):
    return services.invitation_send(sender=sender[0], recipient_researcher=recipient[1], **VALID)


def act(client, invitation, action, **kwargs):
    return client.post(f"/invitations/{invitation.pk}/{action}/", **kwargs)


def the_pages(client, invitation) -> str:
    """The invitation's page and both boxes, as the logged-in user sees them."""
    return "".join(
        page(client, url)
        for url in (f"/invitations/{invitation.pk}/", "/invitations/", "/invitations/sent/")
    )


def test_contact_emails_are_shown_only_after_acceptance(client, sender, recipient, invitation):
    sam, rita = sender[0], recipient[0]
    client.force_login(rita)
    assert "sam@sender.example" not in the_pages(client, invitation)
    client.force_login(sam)
    assert "rita@recipient.example" not in the_pages(client, invitation)

    client.force_login(rita)
    response = act(client, invitation, "accept", follow=True)

    assert "Accepted: you can now see each other&#x27;s e-mail." in response.content.decode()
    assert Invitation.objects.get().state == Invitation.State.ACCEPTED
    for url in (f"/invitations/{invitation.pk}/", "/invitations/"):
        assert 'href="mailto:sam@sender.example"' in page(client, url)
    client.force_login(sam)
    for url in (f"/invitations/{invitation.pk}/", "/invitations/sent/"):
        assert 'href="mailto:rita@recipient.example"' in page(client, url)


@pytest.mark.parametrize("action", ["decline", "block", "report"])
def test_contact_emails_are_never_shown_when_not_accepted(
    client, sender, recipient, invitation, action
):
    client.force_login(recipient[0])
    act(client, invitation, action)

    assert "sam@sender.example" not in the_pages(client, invitation)
    client.force_login(sender[0])
    html = the_pages(client, invitation)
    assert "rita@recipient.example" not in html
    assert "Declined" in html


def test_accept_with_htmx_returns_the_card(client, sender, recipient, invitation):
    client.force_login(recipient[0])

    response = act(client, invitation, "accept", headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<article class="invitation" id="invitation-{invitation.pk}"')
    assert "Accepted: you can now see each other&#x27;s e-mail." in body
    assert 'href="mailto:sam@sender.example"' in body
    assert "/accept/" not in body  # no buttons left to press


def test_decline(client, sender, recipient, invitation):
    client.force_login(recipient[0])

    act(client, invitation, "decline")

    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.DECLINED
    assert invitation.answered_at is not None
    assert not Block.objects.exists()
    # Declined, the pair may start again.
    client.force_login(sender[0])
    assert send(client, recipient[1]).status_code == 302


def test_withdraw(client, sender, recipient, invitation):
    client.force_login(sender[0])
    act(client, invitation, "withdraw")
    assert Invitation.objects.get().state == Invitation.State.WITHDRAWN

    client.force_login(recipient[0])
    response = act(client, invitation, "accept", headers=HTMX)

    assert "This invitation was already withdrawn." in response.content.decode()
    assert Invitation.objects.get().state == Invitation.State.WITHDRAWN


def test_answering_twice_keeps_the_first_answer(
    client, sender, recipient, invitation, django_capture_on_commit_callbacks
):
    client.force_login(recipient[0])
    with django_capture_on_commit_callbacks(execute=True):
        act(client, invitation, "accept")
        response = act(client, invitation, "decline", follow=True)

    assert "This invitation was already accepted." in response.content.decode()
    assert Invitation.objects.get().state == Invitation.State.ACCEPTED
    assert [message.to for message in mail.outbox] == [["sam@sender.example"]]


def test_block_declines_and_stops_further_invitations_until_unblocked(
    client, sender, recipient, invitation
):
    client.force_login(recipient[0])
    act(client, invitation, "block")

    assert Invitation.objects.get().state == Invitation.State.DECLINED
    assert Block.objects.filter(blocker=recipient[0], blocked=sender[0]).count() == 1
    html = page(client, "/invitations/blocked/")
    assert "Sam Sender" in html
    assert f'action="/invitations/blocked/{sender[0].pk}/unblock/"' in html

    client.force_login(sender[0])
    response = send(client, recipient[1])
    assert response.status_code == 400
    assert "Rita Recipient is not taking invitations from you." in response.content.decode()
    assert Invitation.objects.count() == 1

    client.force_login(recipient[0])
    response = client.post(f"/invitations/blocked/{sender[0].pk}/unblock/", follow=True)
    assert "Unblocked: they can invite you again." in response.content.decode()
    assert not Block.objects.exists()

    client.force_login(sender[0])
    assert send(client, recipient[1]).status_code == 302
    assert Invitation.objects.filter(state="pending").count() == 1


def test_blocking_declines_the_blocked_users_open_invitations():
    (sam, _), (rita, rita_record) = claimed(), claimed()
    invitation = services.invitation_send(
        sender=sam, recipient_researcher=rita_record, subject="A", message="B"
    )

    services.block(blocker=rita, blocked=sam)

    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.DECLINED
    with pytest.raises(services.SocialError, match="not taking invitations from you"):
        services.invitation_send(
            sender=sam, recipient_researcher=rita_record, subject="A", message="B"
        )


def test_report_creates_a_spam_report_and_blocks(client, sender, recipient, invitation):
    client.force_login(recipient[0])

    response = act(client, invitation, "report", follow=True)

    report = SpamReport.objects.get()
    assert report.invitation == invitation
    assert report.state == SpamReport.State.OPEN
    assert Block.objects.filter(blocker=recipient[0], blocked=sender[0]).exists()
    assert "Reported to the moderators" in response.content.decode()
    assert "You reported this invitation as spam" in response.content.decode()


# --- Moderators ---------------------------------------------------------------------------


@pytest.fixture
def reported(client, sender, recipient, invitation):
    client.force_login(recipient[0])
    act(client, invitation, "report")
    # The sender's other open invitation, which a suspension withdraws, and one waiting for the
    # sender's answer, which it declines.
    _, third = claimed()
    other = services.invitation_send(
        sender=sender[0], recipient_researcher=third, subject="A", message="B"
    )
    fourth, _ = claimed()
    services.invitation_send(
        sender=fourth, recipient_researcher=sender[1], subject="C", message="D"
    )
    return SpamReport.objects.get(), other


@pytest.fixture
def moderator():
    return UserFactory(password=None, is_staff=True, is_superuser=True)


def test_reports_appear_for_moderators(client, reported, moderator):
    client.force_login(moderator)

    response = client.get("/admin/social/spamreport/?state__exact=open")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Suspend the sender" in html and "Dismiss" in html
    assert escape(str(reported[0].invitation)) in html
    assert "0 spam reports" in page(client, "/admin/social/spamreport/?state__exact=dismissed")


def test_suspending_deactivates_the_sender_and_withdraws_their_invitations(
    client, sender, reported, moderator, django_capture_on_commit_callbacks
):
    report, other = reported
    client.force_login(moderator)

    # The invitations close on the suspension's commit (profiles.signals.account_suspended).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/social/spamreport/",
            {"action": "suspend_sender", "_selected_action": [report.pk]},
            follow=True,
        )

    assert response.status_code == 200
    report.refresh_from_db()
    assert report.state == SpamReport.State.ACTIONED
    assert report.resolved_at is not None
    assert not User.objects.get(pk=sender[0].pk).is_active
    other.refresh_from_db()
    assert other.state == Invitation.State.WITHDRAWN
    waiting = Invitation.objects.get(recipient=sender[0])
    assert waiting.state == Invitation.State.DECLINED
    # A suspended sender cannot log in, so cannot send again.
    client.force_login(sender[0])
    assert login_next(client.get("/feed/")) == "/feed/"


def test_dismissing_leaves_the_sender_alone(client, sender, reported, moderator):
    report, other = reported
    client.force_login(moderator)

    client.post("/admin/social/spamreport/", {"action": "dismiss", "_selected_action": [report.pk]})

    report.refresh_from_db()
    assert report.state == SpamReport.State.DISMISSED
    assert User.objects.get(pk=sender[0].pk).is_active
    other.refresh_from_db()
    assert other.state == Invitation.State.PENDING


@pytest.mark.parametrize("model", ["follow", "invitation", "block"])
def test_other_social_rows_are_read_only_in_the_admin(client, moderator, invitation, model):
    client.force_login(moderator)
    assert client.get(f"/admin/social/{model}/").status_code == 200
    assert client.get(f"/admin/social/{model}/add/").status_code == 403


# --- Hostile text -------------------------------------------------------------------------


def test_hostile_strings_come_back_escaped_in_the_inbox_and_detail(client, sender, recipient):
    payloads = XSS + HTMX_GADGETS
    for payload in payloads:
        # Answered, so the one-open-per-pair rule lets them all exist; sent directly, as the
        # daily limit would stop them at 20.
        Invitation.objects.create(
            sender=sender[0],
            recipient=recipient[0],
            sender_researcher=sender[1],
            recipient_researcher=recipient[1],
            subject=payload[:200],
            message=payload,
            state=Invitation.State.DECLINED,
        )
    client.force_login(recipient[0])
    html = "".join(
        page(client, f"/invitations/?page={number}") for number in range(1, len(payloads) // 25 + 2)
    )

    for payload in payloads:
        assert escape(payload) in html, payload
        assert escape(payload[:200]) in html
    for payload in payloads:
        if "<" in payload or '"' in payload:
            assert payload not in html, payload
    invitation = Invitation.objects.filter(message=HTMX_GADGETS[0]).get()
    detail = page(client, f"/invitations/{invitation.pk}/")
    assert escape(HTMX_GADGETS[0]) in detail
    assert HTMX_GADGETS[0] not in detail


def test_hostile_strings_sent_through_the_form_go_out_as_plain_text(
    client, sender, django_capture_on_commit_callbacks
):
    payloads = [XSS[0], XSS[1], XSS[3], *HTMX_GADGETS]
    client.force_login(sender[0])
    for payload in payloads:
        _, record = claimed()
        with django_capture_on_commit_callbacks(execute=True):
            response = send(client, record, {"subject": "Hi " + payload[:150], "message": payload})
        assert response.status_code == 302, response.content.decode()

    assert len(mail.outbox) == len(payloads)
    for message, payload in zip(mail.outbox, payloads, strict=True):
        assert message.content_subtype == "plain"
        assert getattr(message, "alternatives", []) == []
        assert payload.strip() in message.body  # as written, not HTML-escaped
        assert "&lt;" not in message.body and "&#x27;" not in message.body
        assert "\n" not in message.subject


# --- E-mail notifications -----------------------------------------------------------------


def test_the_recipient_is_emailed_once_after_commit(
    client, sender, recipient, django_capture_on_commit_callbacks
):
    client.force_login(sender[0])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send(client, recipient[1])
    assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()

    invitation = Invitation.objects.get()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rita@recipient.example"]
    assert "Sam Sender invites you to collaborate" in message.subject
    assert VALID["message"] in message.body
    assert f"/invitations/{invitation.pk}/" in message.body
    assert "sam@sender.example" not in message.body  # shared only on acceptance
    assert invitation.recipient_notified_at is not None

    # A retried task sends nothing more.
    assert notifications.invitation_notify(invitation_id=invitation.pk, event="sent") is False
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_the_sender_is_emailed_on_acceptance_with_the_address(
    client, sender, recipient, invitation, django_capture_on_commit_callbacks
):
    client.force_login(recipient[0])

    with django_capture_on_commit_callbacks(execute=True):
        act(client, invitation, "accept")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@sender.example"]
    assert "rita@recipient.example" in mail.outbox[0].body
    assert notifications.invitation_notify(invitation_id=invitation.pk, event="accepted") is False
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("action", ["decline", "block", "report"])
def test_no_email_when_declined(
    client, sender, recipient, invitation, action, django_capture_on_commit_callbacks
):
    client.force_login(recipient[0])
    with django_capture_on_commit_callbacks(execute=True):
        act(client, invitation, action)
    assert mail.outbox == []


def test_a_refused_send_enqueues_nothing(
    client, sender, recipient, invitation, django_capture_on_commit_callbacks
):
    client.force_login(sender[0])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = send(client, recipient[1])
    assert response.status_code == 400
    assert callbacks == []
    assert mail.outbox == []


def test_notify_sends_nothing_for_a_missing_invitation():
    assert notifications.invitation_notify(invitation_id=987654, event="sent") is False
    assert mail.outbox == []


# --- The header's count -------------------------------------------------------------------


def header_count(html: str) -> int | None:
    nav = html[: html.index("</header>")]
    return badge_count(nav)


def badge_count(html: str) -> int | None:
    found = re.search(
        r'<span id="invitation-badge"[^>]*> <span class="nav-count"[^>]*>(\d+)<', html
    )
    return int(found.group(1)) if found else None


def test_header_counts_invitations_awaiting_an_answer(client, sender, recipient, invitation):
    _, other_record = claimed()
    other_sender = claimed()[0]
    services.invitation_send(
        sender=other_sender, recipient_researcher=recipient[1], subject="A", message="B"
    )
    # Invitations the user sent are not awaiting the user's answer.
    services.invitation_send(
        sender=recipient[0], recipient_researcher=other_record, subject="A", message="B"
    )
    client.force_login(recipient[0])
    assert header_count(page(client, "/")) == 2

    act(client, invitation, "decline")
    assert header_count(page(client, "/")) == 1

    client.force_login(sender[0])
    assert header_count(page(client, "/")) is None


def test_an_htmx_answer_updates_the_header_count_out_of_band(client, sender, recipient):
    invitations = [
        services.invitation_send(
            sender=claimed()[0], recipient_researcher=recipient[1], subject="A", message="B"
        )
        for _ in range(2)
    ]
    client.force_login(recipient[0])
    assert header_count(page(client, "/")) == 2

    html = act(client, invitations[0], "decline", headers=HTMX).content.decode()
    assert '<span id="invitation-badge" data-hx-swap-oob="true">' in html
    assert badge_count(html) == 1

    html = act(client, invitations[1], "accept", headers=HTMX).content.decode()
    assert '<span id="invitation-badge" data-hx-swap-oob="true"></span>' in html


def test_inbox_lists_open_invitations_first(client, recipient, django_assert_max_num_queries):
    answered = []
    for _ in range(3):
        sam, _ = claimed()
        invitation = services.invitation_send(
            sender=sam, recipient_researcher=recipient[1], subject="Answered", message="B"
        )
        services.invitation_decline(invitation=invitation, user=recipient[0])
        answered.append(invitation)
    newest_open = services.invitation_send(
        sender=claimed()[0], recipient_researcher=recipient[1], subject="Open one", message="B"
    )
    Invitation.objects.filter(pk=newest_open.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    client.force_login(recipient[0])

    with django_assert_max_num_queries(10):
        html = page(client, "/invitations/")

    assert html.index("Open one") < html.index("Answered")


def test_revoking_a_claim_closes_the_invitations_made_as_and_to_that_record(
    sender, recipient, django_capture_on_commit_callbacks
):
    from profiles.services import claim_dispute_open, claim_dispute_revoke

    _, third = claimed()
    made = services.invitation_send(
        sender=sender[0], recipient_researcher=recipient[1], subject="A", message="B"
    )
    fourth, _ = claimed()
    waiting = services.invitation_send(
        sender=fourth, recipient_researcher=sender[1], subject="C", message="D"
    )
    untouched = services.invitation_send(
        sender=recipient[0], recipient_researcher=third, subject="E", message="F"
    )
    dispute = claim_dispute_open(
        user=UserFactory(), researcher=sender[1], links=["https://example.org/me"], note=""
    )

    # profiles.signals.claim_revoked reaches social once the revocation commits.
    with django_capture_on_commit_callbacks(execute=True):
        claim_dispute_revoke(dispute=dispute, actor=None, reason="Not the same person.")

    made.refresh_from_db()
    waiting.refresh_from_db()
    untouched.refresh_from_db()
    assert made.state == Invitation.State.WITHDRAWN
    assert waiting.state == Invitation.State.DECLINED
    assert untouched.state == Invitation.State.PENDING
