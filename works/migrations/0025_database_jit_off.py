"""Postgres's JIT compiler off for this database. It compiles a query whose estimated cost
passes jit_above_cost (100,000) before running it: at 10^6 researchers the feed's query
passed it and spent 15 ms compiling to run for 30. A request's queries are bounded by design
(docs/scaling.md, "What keeps a page cheap at any size"); JIT pays on long analytic scans,
which no request makes. Set on the database rather than per connection, so it holds through
PgBouncer (which refuses a connection's `options`) and for every new session. A role that
may not alter the database keeps the server's setting, with a warning."""

from django.db import migrations

SET = """
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'jit stays as the server sets it: this role may not alter the database';
END $$;
"""

RESET = """
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I RESET jit', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  NULL;
END $$;
"""


def jit_off(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SET, params=None)


def jit_reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESET, params=None)


class Migration(migrations.Migration):
    dependencies = [("works", "0024_page_touch_guard")]

    operations = [migrations.RunPython(jit_off, jit_reset)]
