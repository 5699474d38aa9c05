"""`make run`'s environment: links in e-mails follow the port it serves on. Runs the real
Makefile with a stand-in interpreter that records what each step would run with."""

import subprocess

import pytest

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
