"""What PgBouncer's transaction mode takes away, checked through a real one (bin/test-pgbouncer):
a session that lasts, so a cursor kept open between transactions or a statement prepared on one
server connection is gone on the next."""

import os

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import ResearcherFactory
from works.models import Researcher

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("TEST_PGBOUNCER_PORT"),
        reason="bin/test-pgbouncer runs these through PgBouncer (make test)",
    ),
    pytest.mark.smoke,
    pytest.mark.django_db(transaction=True),
]


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_the_tests_run_through_pgbouncer_in_transaction_mode():
    assert settings.DATABASES["default"]["PORT"] == int(os.environ["TEST_PGBOUNCER_PORT"])
    # One client connection, one transaction at a time, several server connections.
    assert len({backend_pid() for _ in range(6)}) > 1


def test_iterating_a_queryset_outlives_no_transaction():
    # A server-side cursor would be declared on one server connection and fetched on another.
    ResearcherFactory.create_batch(5)

    names = [r.display_name for r in Researcher.objects.order_by("pk").iterator(chunk_size=2)]

    assert len(names) == 5


def test_a_query_repeated_past_psycopgs_prepare_threshold_still_runs():
    # psycopg 3 prepares a query run 5 times on one connection unless prepare_threshold is None;
    # the prepared statement would live on whichever server connection ran it.
    researcher = ResearcherFactory()

    found = [Researcher.objects.filter(pk=researcher.pk).exists() for _ in range(12)]

    assert all(found)
    assert connection.connection.prepare_threshold is None
