"""`make run`'s environment: links in e-mails follow the port it serves on, and its Celery
workers consume every queue. Runs the real Makefile with stand-ins for the interpreter and
Celery that record what each step would run with."""

import subprocess

import pytest
from django.conf import settings

from tests.conftest import ROOT
from tests.test_settings_deploy import base_environment


def make_run(tmp_path, **env) -> list[tuple[str, str]]:
    log = tmp_path / "calls"
    python = tmp_path / "python"
    python.write_text('#!/bin/sh\necho "$*|$SITE_URL" >> "$CALLS"\n')
    python.chmod(0o755)
    subprocess.run(  # noqa: S603 - make with fixed arguments
        # -o install: the stand-in needs no virtualenv or npm files.
        ["make", "--no-print-directory", "-s", "-o", "install", "run", f"PY={python}"],  # noqa: S607
        cwd=ROOT,
        env=base_environment() | {"CALLS": str(log)} | env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return [tuple(line.split("|")) for line in log.read_text().splitlines()]


@pytest.mark.parametrize(
    ("port", "address"), [({}, "127.0.0.1:8000"), ({"PORT": "9000"}, "127.0.0.1:9000")]
)
def test_site_url_follows_the_port(tmp_path, port, address):
    calls = make_run(tmp_path, **port)

    assert ("manage.py runserver " + address, "http://" + address) in calls
    assert {site_url for _, site_url in calls} == {"http://" + address}


def test_a_site_url_given_is_kept(tmp_path):
    calls = make_run(tmp_path, PORT="9000", SITE_URL="https://bzpeer.example")

    assert ("manage.py runserver 127.0.0.1:9000", "https://bzpeer.example") in calls


def test_with_a_broker_the_workers_consume_every_queue_tasks_are_routed_to(tmp_path):
    """An import started from the UI runs under `make run`: its queue has a worker."""
    celery_calls = tmp_path / "celery-calls"
    celery = tmp_path / "celery"
    celery.write_text(f'#!/bin/sh\necho "$*" >> "{celery_calls}"\n')
    celery.chmod(0o755)
    python = tmp_path / "python"
    # The server stays up a moment, as the real one does, so the workers start before it exits.
    python.write_text('#!/bin/sh\ncase "$*" in *runserver*) sleep 1;; esac\n')
    python.chmod(0o755)
    subprocess.run(  # noqa: S603 - make with fixed arguments
        ["make", "--no-print-directory", "-s", "-o", "install", "run", f"PY={python}"]  # noqa: S607
        + [f"CELERY={celery}"],
        cwd=ROOT,
        env=base_environment() | {"REDIS_URL": "redis://127.0.0.1:6379/15"},
        check=True,
        capture_output=True,
        timeout=60,
    )

    workers = [line.split() for line in celery_calls.read_text().splitlines()]
    consumed = {queue for args in workers for queue in args[args.index("-Q") + 1].split(",")}
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed | {settings.CELERY_TASK_DEFAULT_QUEUE} == consumed == {"celery", "imports"}
    assert sum("--beat" in args for args in workers) == 1
