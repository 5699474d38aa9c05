"""What every test shares: the test run's settings (a fast password hasher, lazy WhiteNoise, a
Redis database per pytest-xdist worker), the demo data loaded once, the seed file, hypothesis
settings."""

import io
import json
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase, override_settings
from hypothesis import HealthCheck, settings
from psycopg import sql

from works.models import Researcher

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIRECTORY = ROOT / "works" / "demo"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_SLUG = "jascha-sohl-dickstein"

# Derandomised so a run in CI is repeatable; no example database written into the repository.
settings.register_profile(
    "bzpeer",
    database=None,
    derandomize=True,
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.load_profile("bzpeer")


def pytest_configure(config):
    """Under pytest-xdist each worker has its own test database (pytest-django adds the worker
    id to its name) and here its own Redis database: the next numbers after REDIS_URL's, for
    the cache that every test clears and the queue some tests read. With `-n 2 --dist loadfile`
    the suite takes about 0.6 of its serial time on 2 cores."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not django_settings.REDIS_URL:
        return
    url = urlsplit(django_settings.REDIS_URL)
    number = int(url.path.lstrip("/") or 0) + int(worker.removeprefix("gw"))
    redis_url = urlunsplit(url._replace(path=f"/{number}"))
    django_settings.REDIS_URL = django_settings.CELERY_BROKER_URL = redis_url
    django_settings.CACHES["default"]["LOCATION"] = redis_url


def pytest_collection_modifyitems(config, items):
    """Behind PgBouncer (bin/test-pgbouncer) the smoke tests commit as requests do, so each of
    their transactions may run on another server connection. Inside one rolled-back transaction,
    as a `db` test runs, they would hold one server connection throughout and exercise nothing
    of transaction pooling."""
    if not os.environ.get("TEST_PGBOUNCER_PORT"):
        return
    for item in items:
        if item.get_closest_marker("smoke"):
            item.add_marker(pytest.mark.django_db(transaction=True), append=False)


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    """Two production settings that cost the tests time and test nothing of ours, for the test
    run only:

    - MD5 passwords: production's PBKDF2 costs about 0.3 s a hash here (2 s under load), and
      most users the tests create have a password. Sign-up, log-in, wrong passwords, resets and
      claim codes still go through Django's hashers.
    - WhiteNoise looking static files up per request: otherwise its middleware indexes all of
      STATIC_ROOT whenever a test client is made (about 0.15 s each, two thirds of a page test).
      No in-process test fetches a static file; the browser tests' live server serves them with
      Django's static files handler.
    """
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        WHITENOISE_AUTOREFRESH=True,
    ):
        yield


@pytest.fixture(scope="session")
def seed_file() -> dict:
    """works/demo/seed-researcher.json: the seed page's researcher and works."""
    return json.loads((DEMO_DIRECTORY / "seed-researcher.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_titles(seed_file) -> list[str]:
    return [work["title"] for work in seed_file["works"]]


class DemoRows:
    """The rows `manage.py load_demo` writes, table by table as COPY data.

    Loaded once a session, inside the kind of transaction a plain `db` test runs in, read out
    and rolled back: no test finds the demo unless it asks for it (many count rows or search
    names), and a transactional test's flush cannot take it away from the tests after it."""

    def __init__(self, tables: list[tuple[str, bytes]]):
        self.tables = tables

    @classmethod
    def load(cls) -> "DemoRows":
        before = _row_counts()
        call_command("load_demo", stdout=io.StringIO())
        after = _row_counts()
        written = [table for table, count in after.items() if count != before[table]]
        if any(before[table] for table in written):
            raise RuntimeError(
                "The test database holds rows of the demo's tables before the demo is "
                f"loaded ({', '.join(t for t in written if before[t])}): run with --create-db."
            )
        tables = []
        with connection.cursor() as cursor:
            for table in written:
                statement = sql.SQL("COPY {} TO STDOUT").format(sql.Identifier(table))
                with cursor.cursor.copy(statement) as copy:
                    tables.append((table, b"".join(bytes(block) for block in copy)))
        return cls(tables)

    def restore(self) -> None:
        """Write the rows back with their ids, in one transaction (a savepoint inside a `db`
        test), as the foreign keys are checked at its end. The id sequences are already past
        these ids: the session's load took them, and no test here resets sequences."""
        with transaction.atomic(), connection.cursor() as cursor:
            for table, data in self.tables:
                statement = sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))
                with cursor.cursor.copy(statement) as copy:
                    copy.write(data)


def _row_counts() -> dict[str, int]:
    tables = connection.introspection.django_table_names(only_existing=True)
    counts = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {}, count(*) FROM {}").format(sql.Literal(table), sql.Identifier(table))
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.cursor.execute(counts)
        return dict(cursor.fetchall())


@pytest.fixture(scope="session")
def demo_rows(django_db_setup, django_db_blocker) -> DemoRows:
    with django_db_blocker.unblock():
        # The transaction a `db` test runs in (a durable block inside it is allowed, on-commit
        # callbacks are dropped), so the rows are those the demo leaves in a test.
        atomics = TestCase._enter_atomics()
        try:
            return DemoRows.load()
        finally:
            TestCase._rollback_atomics(atomics)


@pytest.fixture
def demo(db, demo_rows):
    """The database after `manage.py load_demo`, as `make run` leaves it; rolled back with the
    test like anything else it writes."""
    demo_rows.restore()


@pytest.fixture
def seed_researcher(demo) -> Researcher:
    return Researcher.objects.get(slug=SEED_SLUG)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Tests share one Redis database; a slice cached by one test must not leak into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
