"""Imports have their own queue and workers (settings.CELERY_TASK_ROUTES): while an import holds
the import worker, an invitation e-mail goes out from the default worker within seconds. With
one worker on both queues, the shape before the split, the same e-mail waits for the import.

Real worker processes on a Redis of their own; this process publishes through the project's
Celery app, so its routes decide the queues. OpenAlex is the recorded replay of
tests/works/test_worker.py, holding its third page for as long as the test likes.
"""

import os
import re
import time

import pytest
from django.db import connection

from bzpeer.celery import app
from social import services
from tests.factories import UserFactory
from tests.social.support import claimed
from tests.works.test_worker import FakeOpenAlex, RedisServer, Worker, free_port, wait_until
from works.imports import queue
from works.models import ImportRun

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# From the commit that enqueues the e-mail to its file in the outbox.
PROMPT_SECONDS = 5


@pytest.fixture
def stack(httpserver, tmp_path, monkeypatch):
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    api = FakeOpenAlex(httpserver)
    outbox = tmp_path / "mail"
    outbox.mkdir()
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "REDIS_URL": redis.url,
        "OPENALEX_BASE_URL": api.url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
        "SITE_URL": "https://bzpeer.example",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "",
    }
    monkeypatch.setattr(app.conf, "broker_url", redis.url)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    workers: list[Worker] = []

    def start(**queues_by_name: str) -> dict[str, Worker]:
        for name, queues in queues_by_name.items():
            worker = Worker(env, tmp_path / f"{name}.log", queues=queues, beat=False)
            worker.start()
            workers.append(worker)
        for worker in workers:
            wait_until(lambda w=worker: "ready." in w.log.read_text(), timeout=90, what="worker")
        return {worker.log.stem: worker for worker in workers}

    yield start, api, outbox
    for worker in workers:
        worker.stop()
    redis.kill()


def import_held_at_page_3(api: FakeOpenAlex) -> ImportRun:
    """An import whose worker has committed pages 1 and 2 and waits for page 3."""
    api.hold(2)
    run = queue.import_run_create(
        source=ImportRun.Source.OPENALEX, request={"openalex": "A5023888391"}, enqueue=False
    )
    queue.import_run_enqueue(run_id=run.pk)
    wait_until(api.waiting.is_set, timeout=60, what="the import worker to ask for page 3")
    return run


def invite():
    sender, _ = claimed(UserFactory(email="sender@example.org"), display_name="Ada Sender")
    _, recipient = claimed(UserFactory(email="recipient@example.org"), display_name="Grace")
    services.invitation_send(
        sender=sender, recipient_researcher=recipient, subject="Benchmark", message="Join us?"
    )


def mails(outbox):
    return [path.read_text() for path in sorted(outbox.iterdir())]


def worker_tasks(worker: Worker) -> set[str]:
    """The tasks the worker received, from its log ("Task name[id] received")."""
    return set(re.findall(r"Task ([\w.]+)\[[\w-]+\] received", worker.log.read_text()))


def state(run: ImportRun) -> str:
    run.refresh_from_db()
    return run.state


def test_an_invitation_mail_goes_out_while_an_import_holds_the_import_worker(stack):
    start, api, outbox = stack
    workers = start(default="celery", imports="imports")
    run = import_held_at_page_3(api)

    sent_at = time.monotonic()
    invite()
    sent = wait_until(lambda: mails(outbox), timeout=30, what="the invitation e-mail", poll=0.05)
    elapsed = time.monotonic() - sent_at

    assert elapsed < PROMPT_SECONDS, f"the e-mail took {elapsed:.1f} s"
    assert "To: recipient@example.org" in sent[0]
    # The import is still mid-way: the mail did not wait for it.
    assert state(run) == ImportRun.State.RUNNING
    assert api.waiting.is_set() and not api.release.is_set()

    api.release.set()
    wait_until(lambda: state(run) == ImportRun.State.DONE, timeout=90, what="the import")
    ran = {name: worker_tasks(worker) for name, worker in workers.items()}
    assert ran == {
        "default": {"social.tasks.invitation_notify_task"},
        "imports": {"works.tasks.import_run_task"},
    }


def test_one_worker_on_both_queues_makes_the_mail_wait_for_the_import(stack):
    """The counterfactual: the same journey on one busy worker holds the e-mail back."""
    start, api, outbox = stack
    start(shared="celery,imports")
    run = import_held_at_page_3(api)

    invite()
    time.sleep(PROMPT_SECONDS)

    assert mails(outbox) == []
    assert state(run) == ImportRun.State.RUNNING
    api.release.set()
    wait_until(lambda: mails(outbox), timeout=90, what="the invitation e-mail")
    assert state(run) == ImportRun.State.DONE
