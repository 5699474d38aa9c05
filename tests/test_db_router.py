"""The replica settings and what counts as a write; the router itself is tested against a real
replica in tests/replica (bin/test-replica)."""

import json
import secrets

import pytest

from bzpeer.db_router import is_write
from tests.test_settings_deploy import base_environment, run_manage

SHOW_DATABASES = """
import json
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from bzpeer.middleware import ReadReplicaMiddleware
try:
    ReadReplicaMiddleware(lambda request: None)
    replica_middleware = True
except MiddlewareNotUsed:
    replica_middleware = False
print(json.dumps({
    "databases": {
        alias: [config["HOST"], config["PORT"], config["CONN_MAX_AGE"],
                config["DISABLE_SERVER_SIDE_CURSORS"]]
        for alias, config in settings.DATABASES.items()
    },
    "routers": settings.DATABASE_ROUTERS,
    "replica_middleware": replica_middleware,
}))
"""


def database_settings(**environment) -> dict:
    env = base_environment() | {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "bzpeer.example",
        "DATABASE_URL": "postgres://app@db.example:5432/bzpeer",
        **environment,
    }
    result = run_manage("shell", "-c", SHOW_DATABASES, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_without_a_replica_url_there_is_one_database_and_no_router():
    found = database_settings()

    assert found == {
        "databases": {"default": ["db.example", 5432, 60, False]},
        "routers": [],
        "replica_middleware": False,
    }


def test_a_replica_url_adds_the_alias_the_router_and_the_middleware():
    found = database_settings(
        DATABASE_REPLICA_URL="postgres://app@replica.example:5433/bzpeer",
        DATABASE_CONN_MAX_AGE="0",
        DATABASE_DISABLE_SERVER_SIDE_CURSORS="1",
    )

    assert found == {
        "databases": {
            "default": ["db.example", 5432, 0, True],
            "replica": ["replica.example", 5433, 0, True],
        },
        "routers": ["bzpeer.db_router.ReplicaRouter"],
        "replica_middleware": True,
    }


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ('SELECT "works_researcher"."id" FROM "works_researcher"', False),
        ("  select 1", False),
        ('SAVEPOINT "s1"', False),
        ('RELEASE SAVEPOINT "s1"', False),
        ('ROLLBACK TO SAVEPOINT "s1"', False),
        ("SET LOCAL synchronous_commit TO OFF", False),
        ('INSERT INTO "social_follow" ("user_id") VALUES (1)', True),
        ('UPDATE "works_researcher" SET "followers_count" = 1', True),
        ('  delete FROM "social_follow"', True),
        ("WITH changed AS (UPDATE profiles_researcher SET trust_score = 1) SELECT 1", True),
        ("SELECTED_NOTHING", True),
    ],
)
def test_what_counts_as_a_write(sql, writes):
    assert is_write(sql) is writes
