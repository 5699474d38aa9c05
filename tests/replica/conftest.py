"""The replica pass (bin/test-replica, in `make test`): the primary and a real streaming replica
of it, DATABASES "default" and "replica".

Only the primary gets a test database. The replica is read-only and receives that database by
streaming, so its alias is pointed at the same name instead of being created. Tests commit
their writes (the replica only sees committed ones) and the primary is flushed after each; not
pytest-django's transactional_db, which would flush the replica too.
"""

import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import setup_databases, teardown_databases

from bzpeer.db_router import REPLICA_DB_ALIAS

CATCH_UP_TIMEOUT = 10.0


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    with django_db_blocker.unblock():
        created = setup_databases(verbosity=0, interactive=False, aliases={DEFAULT_DB_ALIAS})
        name = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
        replica = connections[REPLICA_DB_ALIAS]
        replica.close()
        settings.DATABASES[REPLICA_DB_ALIAS]["NAME"] = replica.settings_dict["NAME"] = name
        assert query(REPLICA_DB_ALIAS, "SELECT pg_is_in_recovery()"), "not a standby"
        wait_for_replica()
    yield
    with django_db_blocker.unblock():
        connections[REPLICA_DB_ALIAS].close()
        teardown_databases(created, verbosity=0)


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield
        replay(paused=False)
        call_command("flush", database=DEFAULT_DB_ALIAS, interactive=False, verbosity=0)
        wait_for_replica()


def query(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def replay(*, paused: bool) -> None:
    """Pause or resume WAL replay on the replica, and wait until it has."""
    query(REPLICA_DB_ALIAS, f"SELECT pg_wal_replay_{'pause' if paused else 'resume'}()")
    wanted = "paused" if paused else "not paused"
    deadline = time.monotonic() + CATCH_UP_TIMEOUT
    while query(REPLICA_DB_ALIAS, "SELECT pg_get_wal_replay_pause_state()") != wanted:
        assert time.monotonic() < deadline, f"replay not {wanted}"
        time.sleep(0.01)


def wait_for_replica() -> float:
    """Wait until the replica has replayed everything the primary wrote so far; the seconds it
    took."""
    target = query(DEFAULT_DB_ALIAS, "SELECT pg_current_wal_lsn()::text")
    start = time.monotonic()
    while not query(REPLICA_DB_ALIAS, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)):
        assert time.monotonic() - start < CATCH_UP_TIMEOUT, "the replica did not catch up"
        time.sleep(0.005)
    return time.monotonic() - start
