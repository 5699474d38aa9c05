"""With DEBUG off and the static files not collected every page answers 500 ("Missing
staticfiles manifest entry"): the deploy check bzpeer.E001 says so, and gunicorn (through
gunicorn.conf.py) refuses to start with the command to run."""

import json
import secrets
import subprocess
import sys
import time

import pytest
from django.core import checks

from bzpeer.checks import static_files_manifest
from tests.conftest import ROOT
from tests.test_settings_deploy import base_environment, run_manage

FIX = "python manage.py collectstatic --noinput"


def write_manifest(static_root):
    (static_root / "staticfiles.json").write_text(json.dumps({"paths": {}, "version": "1.1"}))


def test_a_missing_manifest_is_an_error_that_names_the_command(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path

    [error] = static_files_manifest(None)

    assert error.id == "bzpeer.E001"
    assert error.level == checks.ERROR
    assert str(tmp_path / "staticfiles.json") in error.msg
    assert FIX in error.hint


def test_a_collected_manifest_passes(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    write_manifest(tmp_path)

    assert static_files_manifest(None) == []


def test_storage_without_a_manifest_needs_none(settings, tmp_path):
    # DEBUG's storage serves files by their own names.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }

    assert static_files_manifest(None) == []


def production_environment(static_root) -> dict[str, str]:
    return base_environment() | {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "bzpeer.example",
        "STATIC_ROOT": str(static_root),
    }


def test_the_check_is_a_deploy_check_so_commands_still_run_before_collecting(tmp_path):
    env = production_environment(tmp_path)

    plain = run_manage("check", env=env)
    deploy = run_manage("check", "--deploy", env=env)

    assert plain.returncode == 0, plain.stderr
    assert deploy.returncode != 0
    assert "bzpeer.E001" in deploy.stderr


def gunicorn(static_root) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own server with fixed arguments
        [sys.executable, "-m", "gunicorn", "bzpeer.wsgi:application", "--config",
         "gunicorn.conf.py", "--bind", "127.0.0.1:0", "--workers", "1"],
        cwd=ROOT,
        env=production_environment(static_root),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip


def test_gunicorn_refuses_to_start_without_the_manifest(tmp_path):
    server = gunicorn(tmp_path)
    try:
        output, _ = server.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        output, _ = server.communicate()
        pytest.fail(f"gunicorn started without a static files manifest:\n{output}")

    assert server.returncode != 0
    assert "bzpeer.E001" in output
    assert FIX in output
    assert "Booting worker" not in output


def test_gunicorn_starts_with_the_manifest(tmp_path):
    write_manifest(tmp_path)
    server = gunicorn(tmp_path)
    lines = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            lines.append(server.stdout.readline())
            if "Booting worker" in lines[-1]:
                break
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)

    assert any("Booting worker" in line for line in lines), "".join(lines) + output
    assert "System check identified no issues" in "".join(lines) + output
