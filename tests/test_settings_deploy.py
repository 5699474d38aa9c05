"""Production settings: `check --deploy` passes on a production-like environment, and the
settings refuse to start without a secret key unless DEBUG is on."""

import os
import re
import secrets
import subprocess
import sys

import pytest

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


# Compose's interpolation forms that docker-compose.yml uses: ${NAME}, ${NAME:-default} and
# ${NAME:?error}. https://docs.docker.com/reference/compose-file/interpolation/
_INTERPOLATION = re.compile(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}")


class MissingVariable(Exception):
    pass


def interpolate(value: str, variables: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        name, operator, argument = match.groups()
        if variables.get(name):
            return variables[name]
        if operator == ":?":
            raise MissingVariable(argument)
        return argument or ""

    return _INTERPOLATION.sub(replace, str(value))


def compose_web_environment(variables: dict[str, str]) -> dict[str, str]:
    """The web service's environment as docker compose gives it, `variables` standing for the
    shell and .env."""
    yaml = pytest.importorskip("yaml", reason="PyYAML is a dev dependency (pyproject.toml)")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    environment = compose["services"]["web"]["environment"]
    return {name: interpolate(value, variables) for name, value in environment.items()}


def test_compose_web_environment_passes_the_deploy_check():
    # Fails with the compose file's old defaults (SECURE_SSL_REDIRECT, SESSION_COOKIE_SECURE and
    # CSRF_COOKIE_SECURE at 0): security.W008, W012, W016.
    # Only what the comment at the top of docker-compose.yml asks for in .env.
    environment = compose_web_environment({"SECRET_KEY": secrets.token_urlsafe(50)})
    assert environment["BEHIND_TLS_PROXY"] == "1"

    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=base_environment() | environment
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_compose_web_environment_trusts_the_proxy_s_https_header():
    environment = compose_web_environment({"SECRET_KEY": secrets.token_urlsafe(50)})
    code = (
        "from django.conf import settings;"
        "print(settings.SECURE_PROXY_SSL_HEADER, settings.SESSION_COOKIE_SECURE,"
        " settings.CSRF_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS)"
    )

    result = subprocess.run(  # noqa: S603 - our own settings with fixed arguments
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=base_environment() | environment | {"DJANGO_SETTINGS_MODULE": "bzpeer.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.stdout.split() == [
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "True",
        "True",
        "True",
        "31536000",
    ], result.stderr


def test_compose_refuses_to_start_without_a_secret_key():
    with pytest.raises(MissingVariable, match="Set SECRET_KEY in .env"):
        compose_web_environment({})
