"""search_version(): a number that changes whenever anything search results show changes, so
anonymous result pages can be cached under it (profiles/search/views.py, docs/scaling.md "Page
speed").

Writers to the tables search reads take a shared advisory lock (held until their commit) and
then draw from a sequence, in statement triggers. A reader gets the sequence's value and
whether any writer still holds the lock: a result computed when none does includes every
change numbered up to that value, so it may be stored under it; while one does (its change
is numbered but not visible yet), results are computed and not stored. Writers never wait for
each other (the lock is shared) nor for readers (a reader only tries the lock and lets it go).
A sequence rather than a counter row, so no writer waits on another's commit.

Like page_version, the number is at least the time in microseconds, so it does not repeat
after the database is created again or restored while the cache keeps its entries.
"""

from django.db import migrations

# The advisory lock key in the functions below is 150022 (this migration's number).
FUNCTIONS = """
DO $$ BEGIN
  EXECUTE format(
    'CREATE SEQUENCE works_search_version START %s',
    (extract(epoch FROM clock_timestamp()) * 1000000)::bigint
  );
END $$;

-- The lock before the number. A writer racing this one may set the value back below its
-- own, but only while both hold the lock, when no reader stores anything.
CREATE OR REPLACE FUNCTION search_version_next() RETURNS void
LANGUAGE sql AS $$
  SELECT pg_advisory_xact_lock_shared(150022);
  SELECT setval('works_search_version', greatest(
    nextval('works_search_version'), (extract(epoch FROM clock_timestamp()) * 1000000)::bigint
  ));
$$;

CREATE OR REPLACE FUNCTION search_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_version_next();
  RETURN NULL;
END $$;

-- Search shows neither page_version nor followers_count, which every follow and every page
-- touch change; any other column may show.
CREATE OR REPLACE FUNCTION search_version_bump_researchers() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
    WHERE to_jsonb(n) - 'page_version' - 'followers_count'
      IS DISTINCT FROM to_jsonb(o) - 'page_version' - 'followers_count'
  ) THEN
    PERFORM search_version_next();
  END IF;
  RETURN NULL;
END $$;

-- The value first, then the lock: a writer that drew a number up to it either committed or
-- still holds the lock. The lock is tried and let go at once, so no writer waits for it.
CREATE OR REPLACE FUNCTION search_version(OUT version bigint, OUT settled boolean)
LANGUAGE plpgsql AS $$
BEGIN
  SELECT last_value INTO version FROM works_search_version;
  settled := pg_try_advisory_lock(150022);
  IF settled THEN
    PERFORM pg_advisory_unlock(150022);
  END IF;
END $$;
"""

TABLES = [
    "works_work",
    "works_authorship",
    "works_worktopic",
    "works_topic",
    "works_institution",
]

TRIGGERS = "\n".join(
    [
        *(
            f"CREATE TRIGGER search_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION search_version_bump();"
            for table in TABLES
        ),
        "CREATE TRIGGER search_version AFTER INSERT OR DELETE OR TRUNCATE ON profiles_researcher "
        "FOR EACH STATEMENT EXECUTE FUNCTION search_version_bump();",
        "CREATE TRIGGER search_version_update AFTER UPDATE ON profiles_researcher "
        "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION search_version_bump_researchers();",
    ]
)

DROP = "\n".join(
    [
        *(
            f"DROP TRIGGER IF EXISTS search_version ON {table};"
            for table in [*TABLES, "profiles_researcher"]
        ),
        "DROP TRIGGER IF EXISTS search_version_update ON profiles_researcher;",
        "DROP FUNCTION IF EXISTS search_version_bump_researchers();",
        "DROP FUNCTION IF EXISTS search_version_bump();",
        "DROP FUNCTION IF EXISTS search_version_next();",
        "DROP FUNCTION IF EXISTS search_version();",
        "DROP SEQUENCE IF EXISTS works_search_version;",
    ]
)


def triggers_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS, params=None)
    schema_editor.execute(TRIGGERS)


def triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("works", "0021_authorship_distinct_estimates")]

    operations = [migrations.RunPython(triggers_create, triggers_drop, elidable=False)]
