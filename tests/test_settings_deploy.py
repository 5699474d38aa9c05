"""Production settings: `check --deploy` passes on a production-like environment, and the
settings refuse to start without a secret key unless DEBUG is on."""

import os
import secrets
import subprocess
import sys

from tests.conftest import ROOT


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def base_environment() -> dict[str, str]:
    """A clean process environment: nothing BZPEER reads (SECURE_* overrides, DEBUG, test-only
    flags such as DJANGO_ALLOW_ASYNC_UNSAFE) leaks in from the test run."""
    kept = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    return {name: os.environ[name] for name in kept if name in os.environ}


def test_production_settings_pass_the_deploy_check():
    env = base_environment() | {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "bzpeer.example",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bzpeer"),
    }

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_fails_when_a_secure_setting_is_turned_off():
    # The check above must be able to fail: switching off HTTPS redirects is a warning.
    env = base_environment() | {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "bzpeer.example",
        "SECURE_SSL_REDIRECT": "0",
    }

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout


def test_settings_refuse_to_load_without_secret_key_when_debug_is_off():
    result = run_manage("check", env=base_environment())

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set SECRET_KEY" in result.stderr


def test_debug_allows_a_missing_secret_key_for_local_development():
    result = run_manage("check", env=base_environment() | {"DEBUG": "1"})

    assert result.returncode == 0, result.stderr
