"""docker-compose.yml's multi-node shape, checked without Docker (none runs here): services and
volumes it names exist, the app reaches each Postgres through a transaction-mode PgBouncer, the
replica is built from the primary, the Celery workers consume every queue a task is routed to
with one beat, and every variable given to the app is one the code reads."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.conftest import ROOT
from tests.test_settings_deploy import interpolate

yaml = pytest.importorskip("yaml", reason="PyYAML is a dev dependency (pyproject.toml)")

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
APP = {name: s for name, s in SERVICES.items() if s.get("image") == "bzpeer:local"}
# `migrate` (one-shot) and the snapshot loaders (temporary staging tables that outlive a
# transaction) go straight to the primary; the rest through PgBouncer.
DIRECT = {"migrate", "import-worker"}
RUNNING = {name: s for name, s in APP.items() if name not in DIRECT}
VARIABLES = {"SECRET_KEY": "x" * 50}


def host(url: str) -> str:
    return urlsplit(interpolate(url, VARIABLES)).hostname


def celery_commands() -> dict[str, list[str]]:
    return {name: s["command"] for name, s in APP.items() if s["command"][0] == "celery"}


def test_every_service_and_volume_named_exists_and_every_mounted_file_is_in_the_repository():
    declared_volumes = set(COMPOSE["volumes"])
    for name, service in SERVICES.items():
        assert set(service.get("depends_on", {})) <= set(SERVICES), name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).is_file(), f"{name} mounts missing {source}"
            else:
                assert source in declared_volumes, f"{name} uses undeclared volume {source}"


def test_the_app_reaches_the_primary_and_the_replica_through_transaction_mode_pgbouncers():
    for name, service in RUNNING.items():
        environment = service["environment"]
        assert environment["DATABASE_CONN_MAX_AGE"] == "0", name
        assert environment["DATABASE_DISABLE_SERVER_SIDE_CURSORS"] == "1", name
        assert environment["READ_YOUR_WRITES_SECONDS"], name
        upstream = {}
        for variable in ("DATABASE_URL", "DATABASE_REPLICA_URL"):
            pooler = SERVICES[host(environment[variable])]
            assert pooler["image"].startswith("edoburu/pgbouncer:"), (name, variable)
            assert pooler["environment"]["POOL_MODE"] == "transaction"
            upstream[variable] = host(pooler["environment"]["DATABASE_URL"])
        assert upstream == {"DATABASE_URL": "postgres", "DATABASE_REPLICA_URL": "postgres-replica"}
    for name in DIRECT:
        assert host(APP[name]["environment"]["DATABASE_URL"]) == "postgres", name
        assert APP[name]["environment"]["DATABASE_REPLICA_URL"] == "", name
    assert APP["import-worker"]["environment"]["DATABASE_DISABLE_SERVER_SIDE_CURSORS"] == "0"


def test_the_replica_is_a_base_backup_of_the_primary_which_lets_it_stream():
    primary, replica = SERVICES["postgres"], SERVICES["postgres-replica"]
    assert "wal_level=replica" in primary["command"]
    init = next(v for v in primary["volumes"] if "/docker-entrypoint-initdb.d/" in v)
    assert "REPLICATION" in (ROOT / init.split(":")[0]).read_text()
    assert replica["image"] == primary["image"]
    assert replica["environment"]["PRIMARY_HOST"] == "postgres"
    script_mount = next(v for v in replica["volumes"] if v.startswith("./"))
    source, target = script_mount.split(":")[:2]
    assert target in replica["entrypoint"]
    script = (ROOT / source).read_text()
    assert re.search(r"pg_basebackup .*--write-recovery-conf", script.replace("\\\n", " "))
    assert "docker-entrypoint.sh postgres" in script


def test_the_workers_consume_every_queue_tasks_are_routed_to_and_one_beat_runs():
    consumed = {}
    for name, command in celery_commands().items():
        if command[3] == "worker":
            for queue in command[command.index("-Q") + 1].split(","):
                consumed.setdefault(queue, []).append(name)
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert set(consumed) == routed | {settings.CELERY_TASK_DEFAULT_QUEUE}
    # Imports and user-facing tasks never share a worker.
    assert all(len(names) == 1 for names in consumed.values())
    assert consumed["celery"] != consumed["imports"]
    beats = [name for name, c in celery_commands().items() if c[3] == "beat" or "--beat" in c]
    assert beats == ["beat"]


# Read by gunicorn itself, not by our code.
READ_BY_GUNICORN = {"WEB_CONCURRENCY"}


def test_every_variable_given_to_the_app_is_read_by_the_code():
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for top in ("bzpeer", "works", "graph", "profiles", "social")
        for path in (ROOT / top).rglob("*.py")
    ) + (ROOT / "gunicorn.conf.py").read_text(encoding="utf-8")
    given = {variable for service in APP.values() for variable in service["environment"]}
    unread = {v for v in given - READ_BY_GUNICORN if f'"{v}"' not in source}
    assert unread == set()
