"""A real Celery worker (with beat) on a real Redis imports an author end to end, and survives
Redis and the worker itself being killed with SIGKILL in the middle of an import.

The worker is a separate process on the test database; the Redis is started here on its own
port so it can be killed without touching anyone else's. OpenAlex is pytest-httpserver
replaying the recorded works of A5023888391 in pages of ten.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection
from werkzeug import Response

from works.models import ImportRun, Work
from works.services import import_run_create

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "works" / "demo" / "openalex"
PAGE_SIZE = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float, what: str, poll: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


class RedisServer:
    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir, self.process = port, workdir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=10, what=f"redis on {self.port}")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


class Worker:
    """A worker process with beat, on both queues unless told (as `make run`'s pair)."""

    def __init__(self, env: dict, log: Path, *, queues: str = "celery,imports", beat: bool = True):
        self.env, self.log, self.process = env, log, None
        self.queues, self.beat = queues, beat

    def start(self):
        beat = ["--beat", "--schedule", str(self.log.with_suffix(".schedule"))] if self.beat else []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "bzpeer",
                "worker",
                "-Q",
                self.queues,
                "-n",
                f"{self.log.stem}@%h",
                "--loglevel=INFO",
                "--concurrency=1",
                "--without-mingle",
                "--without-gossip",
                *beat,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.log, "a"),  # noqa: SIM115 - open for the life of the process
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        """At the end of a test: its work is done and checked, so no warm shutdown to wait
        for (a few seconds each)."""
        if self.process and self.process.poll() is None:
            self.kill()


class FakeOpenAlex:
    """The recorded works of one author, served in pages chained by cursor. A page can be held
    until the test releases it, to kill something while a worker waits for it."""

    def __init__(self, httpserver):
        self.author = json.loads((RECORDED / "author_A5023888391.json").read_text())
        works = json.loads((RECORDED / "works_author_A5023888391_page1.json").read_text())
        self.works = works["results"]
        self.pages = [self.works[i : i + PAGE_SIZE] for i in range(0, len(self.works), PAGE_SIZE)]
        self.held_page: int | None = None
        self.release = threading.Event()
        self.requested: list[str] = []
        self.waiting = threading.Event()
        httpserver.expect_request("/authors/A5023888391").respond_with_json(self.author)
        httpserver.expect_request("/works").respond_with_handler(self.works_page)
        self.url = httpserver.url_for("/").rstrip("/")

    def hold(self, page: int):
        self.held_page, self.waiting, self.release = page, threading.Event(), threading.Event()

    def works_page(self, request):
        cursor = request.args.get("cursor", "*")
        self.requested.append(cursor)
        index = 0 if cursor == "*" else int(cursor.removeprefix("page-"))
        if index == self.held_page and not self.release.is_set():
            self.waiting.set()
            self.release.wait(timeout=60)
        results = self.pages[index] if index < len(self.pages) else []
        next_cursor = f"page-{index + 1}" if index < len(self.pages) else None
        body = {"meta": {"count": len(self.works), "next_cursor": next_cursor}, "results": results}
        return Response(json.dumps(body), content_type="application/json")


@pytest.fixture
def stack(httpserver, tmp_path):
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    api = FakeOpenAlex(httpserver)
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "REDIS_URL": redis.url,
        "OPENALEX_BASE_URL": api.url,
        "IMPORT_LEASE_SECONDS": "4",
        "IMPORT_SWEEP_SECONDS": "1",
        "IMPORT_SLICE_SECONDS": "1",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "",
    }
    worker = Worker(env, tmp_path / "worker.log")
    worker.start()
    # Not the current app: tasks other tests send through bzpeer.celery must not come here.
    publisher = Celery("publisher", broker=redis.url, set_as_current=False)
    yield redis, worker, api, publisher, tmp_path / "worker.log"
    worker.stop()
    redis.kill()


def start_import(publisher) -> ImportRun:
    run = import_run_create(
        source=ImportRun.Source.OPENALEX, request={"openalex": "A5023888391"}, enqueue=False
    )
    publisher.send_task("works.tasks.import_run_task", args=[run.pk])
    return run


def start_import_held_at_page_3(publisher, api: FakeOpenAlex) -> ImportRun:
    """An import whose worker has committed pages 1 and 2 and waits for page 3, held back."""
    api.hold(2)
    run = start_import(publisher)
    wait_until(api.waiting.is_set, timeout=60, what="the worker to ask for page 3")
    return run


def finished(run: ImportRun):
    run.refresh_from_db()
    return run.state in (ImportRun.State.DONE, ImportRun.State.FAILED) and run


def assert_every_work_once(run: ImportRun, api: FakeOpenAlex, log: Path):
    assert run.state == ImportRun.State.DONE, f"{run.message}\n{log.read_text()[-3000:]}"
    stored = list(Work.objects.values_list("openalex_id", flat=True))
    expected = {work["id"].rsplit("/", 1)[-1] for work in api.works}
    assert sorted(stored) == sorted(expected)
    assert run.counts["works_created"] == len(expected)


def test_worker_imports_an_author_end_to_end(stack):
    redis, worker, api, publisher, log = stack

    run = start_import(publisher)
    run = wait_until(lambda: finished(run), timeout=60, what="the import to finish")

    assert_every_work_once(run, api, log)
    assert run.pages_done == len(api.pages) + 1
    assert run.researcher.openalex_synced_at is not None


def test_import_completes_after_redis_is_killed_mid_import(stack):
    redis, worker, api, publisher, log = stack
    run = start_import_held_at_page_3(publisher, api)

    redis.kill()
    api.release.set()
    time.sleep(2)
    redis.start()

    run = wait_until(lambda: finished(run), timeout=90, what="the import to finish")
    assert_every_work_once(run, api, log)


def test_import_completes_after_the_worker_is_killed_mid_page(stack):
    redis, worker, api, publisher, log = stack
    run = start_import_held_at_page_3(publisher, api)

    worker.kill()
    api.release.set()
    run.refresh_from_db()
    assert run.state == ImportRun.State.RUNNING
    assert run.cursor == "page-2"
    worker.start()

    run = wait_until(lambda: finished(run), timeout=90, what="the import to finish")
    assert_every_work_once(run, api, log)
    # Pages 1 and 2 were committed before the kill and never fetched again.
    assert api.requested.count("*") == 1
    assert api.requested.count("page-1") == 1
