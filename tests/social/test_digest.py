"""The weekly digest: who gets it, what it lists, its unsubscribe link."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.utils import timezone

from social import digest, tasks
from social.models import DigestSubscription, Follow
from tests.conftest import FIXTURES
from tests.factories import AuthorshipFactory, ResearcherFactory, UserFactory, WorkFactory
from works.models import HiddenWork, Work
from works.sanitize import sanitize_html

ATTACKS = FIXTURES / "attack-inputs"
# PROVENANCE.md: split on b"\n" only; str.splitlines() would break some payloads apart.
XSS = [line.decode() for line in (ATTACKS / "xss-shared.txt").read_bytes().split(b"\n") if line]
NAUGHTY = json.loads((ATTACKS / "naughty-strings.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.django_db


def _ago(**delta):
    return timezone.now() - timedelta(**delta)


def _work_by(researcher, *, imported_at, **fields):
    work = AuthorshipFactory(researcher=researcher, work=WorkFactory(**fields)).work
    # created_at is auto_now_add: set when the work was imported afterwards.
    Work.objects.filter(pk=work.pk).update(created_at=imported_at)
    work.refresh_from_db()
    return work


def _subscriber(*, following, subscribed_at=None, last_sent_at=None, **user_fields):
    user = UserFactory(**user_fields)
    for researcher in following:
        Follow.objects.create(user=user, researcher=researcher)
    subscription = DigestSubscription.objects.create(user=user)
    DigestSubscription.objects.filter(pk=subscription.pk).update(
        created_at=subscribed_at or _ago(days=30), last_sent_at=last_sent_at
    )
    return user


@pytest.fixture
def researcher():
    return ResearcherFactory(display_name="Ada Example")


def test_only_opted_in_users_get_the_digest(researcher, mailoutbox, monkeypatch):
    subscriber = _subscriber(following=[researcher], last_sent_at=_ago(days=7))
    follower = UserFactory()
    Follow.objects.create(user=follower, researcher=researcher)
    _work_by(researcher, imported_at=_ago(days=2), title="A fresh result")
    queued = []
    monkeypatch.setattr(tasks.digest_send_task, "delay", queued.append)

    tasks.digests_send_due_task.apply()
    assert queued == [subscriber.pk]
    for user_id in queued:
        tasks.digest_send_task.apply(args=[user_id])

    assert [message.to for message in mailoutbox] == [[subscriber.email]]
    assert "A fresh result" in mailoutbox[0].body


def test_digest_lists_only_new_works_by_followed_researchers(researcher, mailoutbox):
    stranger = ResearcherFactory()
    user = _subscriber(following=[researcher], last_sent_at=_ago(days=7))
    _work_by(researcher, imported_at=_ago(days=8), title="Already in the last digest")
    _work_by(researcher, imported_at=_ago(days=3), title="Imported this week")
    _work_by(stranger, imported_at=_ago(days=3), title="By someone not followed")

    assert digest.digest_send(user_id=user.pk)

    body = mailoutbox[0].body
    assert "1. Imported this week" in body
    assert "Already in the last digest" not in body
    assert "By someone not followed" not in body
    assert "Ada Example" in body
    assert "1 new work by" in mailoutbox[0].subject


def test_digest_leaves_out_a_work_the_researcher_hid(researcher, mailoutbox):
    user = _subscriber(following=[researcher], last_sent_at=_ago(days=7))
    _work_by(researcher, imported_at=_ago(days=3), title="Theirs")
    hidden = _work_by(researcher, imported_at=_ago(days=2), title="Another Ada Example's")
    HiddenWork.objects.create(researcher=researcher, work=hidden, reason="Not mine.")

    assert digest.digest_send(user_id=user.pk)

    assert "1. Theirs" in mailoutbox[0].body
    assert "Another Ada Example" not in mailoutbox[0].body
    assert "1 new work by" in mailoutbox[0].subject


def test_first_digest_covers_works_since_subscribing(researcher, mailoutbox):
    user = _subscriber(following=[researcher], subscribed_at=_ago(days=5))
    _work_by(researcher, imported_at=_ago(days=6), title="Before subscribing")
    _work_by(researcher, imported_at=_ago(days=4), title="After subscribing")

    assert digest.digest_send(user_id=user.pk)

    assert "After subscribing" in mailoutbox[0].body
    assert "Before subscribing" not in mailoutbox[0].body
    assert "Since you subscribed" in mailoutbox[0].body


def test_sending_twice_sends_once(researcher, mailoutbox):
    user = _subscriber(following=[researcher], last_sent_at=_ago(days=7))
    _work_by(researcher, imported_at=_ago(days=1))

    assert digest.digest_send(user_id=user.pk) is True
    assert digest.digest_send(user_id=user.pk) is False
    tasks.digest_send_task.apply(args=[user.pk])

    assert len(mailoutbox) == 1
    assert digest.digests_due_user_ids() == []
    sent_at = DigestSubscription.objects.get(user=user).last_sent_at
    assert sent_at > _ago(hours=1)


def test_the_next_digest_starts_where_the_last_ended(researcher, mailoutbox):
    user = _subscriber(following=[researcher], last_sent_at=_ago(days=7))
    _work_by(researcher, imported_at=_ago(days=1), title="In the first digest")
    assert digest.digest_send(user_id=user.pk)
    # Imported a moment ago, perhaps by an import page that has not committed all its works:
    # it waits for the next digest rather than risk a sibling being missed.
    _work_by(researcher, imported_at=_ago(seconds=30), title="In the second digest")

    assert digest.digest_send(user_id=user.pk, now=timezone.now() + timedelta(days=7))

    first, second = mailoutbox
    assert "In the second digest" not in first.body
    assert "In the second digest" in second.body
    assert "In the first digest" not in second.body


def test_no_new_works_means_no_mail_but_the_week_is_marked(researcher, mailoutbox):
    user = _subscriber(following=[researcher], last_sent_at=_ago(days=7))
    _work_by(researcher, imported_at=_ago(days=10))

    assert digest.digest_send(user_id=user.pk) is False

    assert mailoutbox == []
    assert DigestSubscription.objects.get(user=user).last_sent_at > _ago(hours=1)


def test_no_mail_without_an_address_or_to_a_suspended_account(researcher, mailoutbox):
    no_address = _subscriber(following=[researcher], email="")
    suspended = _subscriber(following=[researcher], is_active=False)
    _work_by(researcher, imported_at=_ago(days=1))

    assert digest.digests_due_user_ids() == [no_address.pk]
    assert digest.digest_send(user_id=no_address.pk) is False
    assert digest.digest_send(user_id=suspended.pk) is False
    assert mailoutbox == []


def test_unsubscribed_user_gets_nothing(researcher, mailoutbox):
    user = _subscriber(following=[researcher])
    _work_by(researcher, imported_at=_ago(days=1))
    DigestSubscription.objects.filter(user=user).delete()

    assert digest.digest_send(user_id=user.pk) is False
    assert mailoutbox == []


def test_a_long_digest_lists_fifty_and_links_to_the_feed(researcher, mailoutbox):
    user = _subscriber(following=[researcher], last_sent_at=_ago(days=7))
    for _ in range(digest.DIGEST_MAX_WORKS + 3):
        _work_by(researcher, imported_at=_ago(days=1))

    assert digest.digest_send(user_id=user.pk)

    body = mailoutbox[0].body
    assert f"{digest.DIGEST_MAX_WORKS}. " in body
    assert f"{digest.DIGEST_MAX_WORKS + 1}. " not in body
    assert f"and 3 more. See them all in your feed: {settings.SITE_URL}/feed/" in body
    assert "53 new works" in mailoutbox[0].subject


def test_digest_carries_one_click_unsubscribe(researcher, mailoutbox):
    user = _subscriber(following=[researcher])
    _work_by(researcher, imported_at=_ago(days=1))

    digest.digest_send(user_id=user.pk)

    message = mailoutbox[0]
    link = f"{settings.SITE_URL}/digest/unsubscribe/{digest.unsubscribe_token(user)}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    rendered = message.message()
    assert rendered["List-Unsubscribe"] == f"<{link}>"
    assert link in message.body
    assert f"{settings.SITE_URL}/following/" in message.body
    assert "because you asked for a weekly digest" in message.body


@pytest.mark.parametrize("start", range(0, len(XSS) + len(NAUGHTY), digest.DIGEST_MAX_WORKS))
def test_hostile_titles_stay_one_plain_line_each(researcher, mailoutbox, start):
    user = _subscriber(following=[researcher])
    hostile = (XSS + NAUGHTY)[start : start + digest.DIGEST_MAX_WORKS]
    works = [
        # Stored as ingest stores them.
        _work_by(researcher, imported_at=_ago(days=1), title=sanitize_html(raw) or "Untitled")
        for raw in hostile
    ]

    assert digest.digest_send(user_id=user.pk)

    message = mailoutbox[0]
    # Plain text only: no HTML part for a mail client to render.
    assert message.content_subtype == "plain"
    assert not getattr(message, "alternatives", [])
    assert "\n" not in message.subject
    lines = message.body.split("\n")
    for work in works:
        # A title cannot break into lines that would pass for links or instructions.
        assert any(line.endswith(" " + " ".join(work.plain_title.split())) for line in lines)
    item_links = [line for line in lines if line.startswith(f"   {settings.SITE_URL}/works/")]
    assert len(item_links) == len(works)
    message.message().as_bytes()


# --- The unsubscribe link ----------------------------------------------------------------------


def _unsubscribe_path(user):
    return f"/digest/unsubscribe/{digest.unsubscribe_token(user)}/"


def test_get_shows_the_address_and_changes_nothing(client):
    user = _subscriber(following=[], email="reader@example.org")

    response = client.get(_unsubscribe_path(user))

    assert response.status_code == 200
    assert b"reader@example.org" in response.content
    assert b">Unsubscribe</button>" in response.content
    assert DigestSubscription.objects.filter(user=user).exists()


def test_post_unsubscribes_without_login_and_twice_is_fine(client):
    user = _subscriber(following=[], email="reader@example.org")

    response = client.post(_unsubscribe_path(user))

    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    assert b'href="/following/"' in response.content
    assert not DigestSubscription.objects.filter(user=user).exists()
    assert client.post(_unsubscribe_path(user)).status_code == 200
    assert b"does not receive the weekly digest" in client.get(_unsubscribe_path(user)).content


def test_one_click_post_from_a_mail_client_unsubscribes():
    user = _subscriber(following=[])
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        _unsubscribe_path(user),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not DigestSubscription.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "1" + token,
        lambda token: token.split(":")[0],
        lambda token: "not-a-token",
        # Signed by the same key for another purpose: the salt tells them apart.
        lambda token: signing.Signer().sign(token.split(":")[0]),
    ],
)
def test_a_tampered_token_fails_clearly(client, tamper):
    user = _subscriber(following=[])

    path = f"/digest/unsubscribe/{tamper(digest.unsubscribe_token(user))}/"
    response_get, response_post = client.get(path), client.post(path)

    for response in (response_get, response_post):
        assert response.status_code == 404
        assert b"This unsubscribe link is not valid" in response.content
    assert DigestSubscription.objects.filter(user=user).exists()


def test_the_token_of_a_deleted_account_fails_clearly(client):
    user = _subscriber(following=[])
    path = _unsubscribe_path(user)
    user.delete()

    assert client.post(path).status_code == 404
