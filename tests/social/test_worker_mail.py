"""A real Celery worker on a real Redis sends the invitation e-mails: the request enqueues the
task after its transaction commits, and the worker's mail lands in its outbox directory."""

import os

import pytest
from django.db import connection

from bzpeer.celery import app
from social import services
from social.models import Invitation
from tests.factories import UserFactory
from tests.social.support import claimed
from tests.works.test_worker import RedisServer, Worker, free_port, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_outbox(tmp_path, monkeypatch):
    """A worker on its own Redis writing mail to files; this process publishes to that Redis."""
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    outbox = tmp_path / "mail"
    outbox.mkdir()
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "REDIS_URL": redis.url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
        "SITE_URL": "https://bzpeer.example",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "",
    }
    worker = Worker(env, tmp_path / "worker.log")
    worker.start()
    # Publish to the worker's Redis: the app caches its connection pools, so drop them.
    monkeypatch.setattr(app.conf, "broker_url", redis.url)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    yield outbox, tmp_path / "worker.log"
    worker.stop()
    redis.kill()


def mails(outbox):
    return [path.read_text() for path in sorted(outbox.iterdir())]


def test_worker_mails_the_recipient_then_the_sender_once_each(worker_outbox):
    outbox, log = worker_outbox
    sender, _ = claimed(UserFactory(email="sender@example.org"), display_name="Ada Sender")
    recipient, recipient_record = claimed(
        UserFactory(email="recipient@example.org"), display_name="Grace Recipient"
    )

    invitation = services.invitation_send(
        sender=sender,
        recipient_researcher=recipient_record,
        subject="Shared benchmark",
        message="Would you like to build it with us?",
    )
    sent = wait_until(lambda: mails(outbox), timeout=60, what=f"the worker's mail ({log})")
    assert len(sent) == 1
    assert "To: recipient@example.org" in sent[0]
    assert "Ada Sender invites you to collaborate: Shared benchmark" in sent[0]
    assert f"https://bzpeer.example/invitations/{invitation.pk}/" in sent[0]
    assert "sender@example.org" not in sent[0].split("\n\n", 1)[1]  # not before acceptance

    services.invitation_accept(invitation=invitation, user=recipient)
    both = wait_until(lambda: len(mails(outbox)) == 2 and mails(outbox), timeout=60, what="mail")
    accepted = next(text for text in both if "To: sender@example.org" in text)
    assert "recipient@example.org" in accepted.split("\n\n", 1)[1]
    invitation.refresh_from_db()
    assert invitation.recipient_notified_at and invitation.sender_notified_at
    assert Invitation.objects.count() == 1
