import io

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.fixture(scope="session")
def _sqlite_demo(django_db_setup, django_db_blocker):
    """SQLite: the demo loaded once, committed, into the run's own database (the suite's
    COPY-based demo fixture is Postgres's). Session-scoped, so it is set up before any test's
    transaction begins."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def search_demo(request, _sqlite_demo, db):
    """The demo data on whichever database the run uses: this directory also runs on SQLite
    (DATABASE_URL=sqlite:///…), the quick start's database, to hold both to the same ranking."""
    if connection.vendor == "postgresql":
        request.getfixturevalue("demo")
