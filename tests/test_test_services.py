"""bin/test-services, which make test runs pytest through: a server that answers is used as it
is; one that does not gets a throwaway instance of its own, stopped and deleted afterwards; one
that is not installed is named with its Debian package."""

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT
from tests.test_settings_deploy import base_environment

SCRIPT = ROOT / "bin" / "test-services"
# Prints what the command was given, and whether each server answers there.
PROBE = (
    'echo "DATABASE_URL=$DATABASE_URL"; echo "REDIS_URL=$REDIS_URL"; '
    'psql "$DATABASE_URL" -Atc "select 41 + 1"; redis-cli -u "$REDIS_URL" ping; exit 3'
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=3).close()
    except OSError:
        return False
    return True


def run(env: dict[str, str], *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script
        [str(SCRIPT), *command],
        env=base_environment() | env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def given(output: str, name: str) -> str:
    return re.search(rf"^{name}=(.*)$", output, re.M).group(1)


@pytest.mark.skipif(
    not (list(Path("/usr/lib/postgresql").glob("*/bin/initdb")) and shutil.which("redis-server")),
    reason="needs Postgres and Redis installed (Debian: postgresql, redis-server)",
)
def test_starts_throwaway_servers_where_none_answer_and_removes_them():
    # Ports where nothing runs, as on a machine whose servers are installed but stopped.
    wanted = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/bzpeer",
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/14",
    }

    result = run(wanted, "sh", "-c", PROBE)

    output = result.stdout + result.stderr
    assert result.returncode == 3, output  # the command's own status
    database, redis = given(output, "DATABASE_URL"), given(output, "REDIS_URL")
    assert database != wanted["DATABASE_URL"]
    assert database.endswith("/bzpeer")
    assert redis.endswith("/14")
    assert redis != wanted["REDIS_URL"]
    assert "42\nPONG" in result.stdout
    # Afterwards: stopped, their directory gone.
    assert not answers(database)
    assert not answers(redis)
    directory = re.search(r"throwaway servers in (\S+)", output).group(1)
    assert not os.path.exists(directory)
    assert "stopped and removed" in output


def test_servers_that_answer_are_used_as_they_are():
    running = {"DATABASE_URL": os.environ["DATABASE_URL"], "REDIS_URL": os.environ["REDIS_URL"]}

    result = run(running, "sh", "-c", PROBE)

    output = result.stdout + result.stderr
    assert result.returncode == 3, output
    assert given(output, "DATABASE_URL") == running["DATABASE_URL"]
    assert given(output, "REDIS_URL") == running["REDIS_URL"]
    assert "throwaway" not in output


def test_a_server_neither_running_nor_installed_is_named_with_its_package(tmp_path):
    # A PATH with the shell and Python but no redis-server, and no Postgres binaries.
    (tmp_path / "bash").symlink_to(shutil.which("bash"))
    (tmp_path / "python3").symlink_to(os.path.realpath(sys.executable))
    nowhere = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/bzpeer",
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/14",
        "PG_BINDIR": str(tmp_path / "none"),
        "PATH": str(tmp_path),
    }

    result = run(nowhere, "sh", "-c", "echo the command ran")

    assert result.returncode == 1
    assert "the command ran" not in result.stdout
    assert "apt-get install postgresql redis-server" in result.stderr
