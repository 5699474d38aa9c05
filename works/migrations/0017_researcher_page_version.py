"""Researcher.page_version: a number that changes whenever anything a profile page shows
changes, so cached fragments of the page can be keyed by it (docs/scaling.md, "Page speed").

Postgres triggers keep it, not the services: every writer (a service, an import's set-based
merge, a COPY, the admin, a management command, raw SQL) bumps it without knowing it exists.
The value is the time of the change in microseconds (at least the old value + 1), so it never
repeats, even after a table is emptied and reloaded or a backup is restored. Other databases
(the SQLite quick start) get the column without triggers, and the pages do not cache there.
"""

from django.db import migrations, models

FUNCTIONS = """
CREATE OR REPLACE FUNCTION researcher_page_version_next(old_version bigint) RETURNS bigint
LANGUAGE sql VOLATILE AS $$
  SELECT greatest(old_version + 1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
$$;

-- A touch (page_version raised by researcher_page_touch) or any other change to the row gives
-- it a new version. A value written back from a stale copy (a Django save() of a row loaded
-- before a touch) can neither lower it nor repeat an old one.
CREATE OR REPLACE FUNCTION researcher_page_version_set() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.page_version := researcher_page_version_next(0);
  ELSIF NEW.page_version > OLD.page_version THEN
    NEW.page_version := researcher_page_version_next(OLD.page_version);
  ELSE
    NEW.page_version := OLD.page_version;
    IF NEW IS DISTINCT FROM OLD THEN
      NEW.page_version := researcher_page_version_next(OLD.page_version);
    END IF;
  END IF;
  RETURN NEW;
END $$;

-- The records given and the primaries they are linked to (a primary's page lists its linked
-- records' works). Rows are locked in id order, so two imports touching overlapping sets
-- wait for each other instead of deadlocking. UNION rather than OR, so each part is an index
-- lookup on a table of millions.
CREATE OR REPLACE FUNCTION researcher_page_touch(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
  UPDATE profiles_researcher AS r SET page_version = r.page_version + 1
  FROM (
    SELECT id FROM profiles_researcher
    WHERE id IN (
      SELECT unnest(ids)
      UNION SELECT primary_id FROM profiles_researcher
      WHERE id = ANY(ids) AND primary_id IS NOT NULL
    )
    ORDER BY id FOR UPDATE
  ) AS locked
  WHERE r.id = locked.id
$$;

-- Everyone whose page shows these works: their authors, and the authors of the works they
-- are versions of or that are versions of them (a work's versions are listed under it).
CREATE OR REPLACE FUNCTION researcher_page_touch_works(work_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
  SELECT researcher_page_touch(ARRAY(
    SELECT DISTINCT a.researcher_id FROM works_authorship AS a
    WHERE a.work_id IN (
      SELECT unnest(work_ids)
      UNION SELECT version_of_id FROM works_work
      WHERE id = ANY(work_ids) AND version_of_id IS NOT NULL
      UNION SELECT id FROM works_work WHERE version_of_id = ANY(work_ids)
    )
  ))
$$;

-- Statement triggers with transition tables: one touch per statement, whatever its size.
CREATE OR REPLACE FUNCTION researcher_page_touch_authorships() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM researcher_page_touch_works(ARRAY(SELECT DISTINCT work_id FROM new_rows));
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM researcher_page_touch_works(ARRAY(SELECT DISTINCT work_id FROM old_rows));
    PERFORM researcher_page_touch(ARRAY(SELECT DISTINCT researcher_id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION researcher_page_touch_works_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM researcher_page_touch_works(ARRAY(SELECT id FROM new_rows));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM researcher_page_touch_works(ARRAY(
      SELECT n.id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
      WHERE n IS DISTINCT FROM o
      UNION SELECT o.version_of_id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
      WHERE o.version_of_id IS DISTINCT FROM n.version_of_id
    ));
  ELSE
    PERFORM researcher_page_touch_works(ARRAY(SELECT version_of_id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION researcher_page_touch_researcher_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM researcher_page_touch(ARRAY(SELECT DISTINCT researcher_id FROM new_rows));
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM researcher_page_touch(ARRAY(SELECT DISTINCT researcher_id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION researcher_page_touch_work_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM researcher_page_touch_works(ARRAY(SELECT DISTINCT work_id FROM new_rows));
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM researcher_page_touch_works(ARRAY(SELECT DISTINCT work_id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

-- A renamed (or re-slugged, or newly linked) researcher appears on other pages: co-authors'
-- bylines, the primary's "also appears as", the linked records' "linked to".
CREATE OR REPLACE FUNCTION researcher_page_touch_neighbours() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM researcher_page_touch(ARRAY(
    SELECT other.researcher_id FROM works_authorship AS own
    JOIN works_authorship AS other ON other.work_id = own.work_id
    WHERE own.researcher_id = NEW.id AND other.researcher_id <> NEW.id
    UNION SELECT id FROM profiles_researcher WHERE primary_id = NEW.id
    UNION SELECT unnest(ARRAY[OLD.primary_id, NEW.primary_id])
  ));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION researcher_page_touch_institutions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM researcher_page_touch(ARRAY(
    SELECT r.id FROM profiles_researcher AS r
    JOIN new_rows AS n ON n.id = r.institution_id JOIN old_rows AS o ON o.id = n.id
    WHERE n.name IS DISTINCT FROM o.name
  ));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION researcher_page_touch_topics() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM researcher_page_touch_works(ARRAY(
    SELECT wt.work_id FROM works_worktopic AS wt
    JOIN new_rows AS n ON n.id = wt.topic_id JOIN old_rows AS o ON o.id = n.id
    WHERE n.name IS DISTINCT FROM o.name
  ));
  RETURN NULL;
END $$;
"""


def statement_triggers(table: str, function: str, events=("INSERT", "UPDATE", "DELETE")) -> str:
    """One trigger per event: Postgres allows transition tables only on single-event triggers."""
    referencing = {
        "INSERT": "NEW TABLE AS new_rows",
        "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
        "DELETE": "OLD TABLE AS old_rows",
    }
    return "\n".join(
        f"CREATE TRIGGER page_touch_{event.lower()} AFTER {event} ON {table} "
        f"REFERENCING {referencing[event]} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        for event in events
    )


TRIGGERS = "\n".join(
    [
        "CREATE TRIGGER page_version BEFORE INSERT OR UPDATE ON profiles_researcher "
        "FOR EACH ROW EXECUTE FUNCTION researcher_page_version_set();",
        "CREATE TRIGGER page_touch_neighbours AFTER UPDATE ON profiles_researcher FOR EACH ROW "
        "WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name "
        "OR OLD.slug IS DISTINCT FROM NEW.slug OR OLD.primary_id IS DISTINCT FROM NEW.primary_id) "
        "EXECUTE FUNCTION researcher_page_touch_neighbours();",
        statement_triggers("works_authorship", "researcher_page_touch_authorships"),
        statement_triggers("works_work", "researcher_page_touch_works_changed"),
        statement_triggers("profiles_hiddenwork", "researcher_page_touch_researcher_column"),
        statement_triggers("works_worktopic", "researcher_page_touch_work_column"),
        statement_triggers("works_institution", "researcher_page_touch_institutions", ["UPDATE"]),
        statement_triggers("works_topic", "researcher_page_touch_topics", ["UPDATE"]),
    ]
)

TABLES = [
    "profiles_researcher",
    "works_authorship",
    "works_work",
    "profiles_hiddenwork",
    "works_worktopic",
    "works_institution",
    "works_topic",
]
TRIGGER_NAMES = [
    "page_version",
    "page_touch_neighbours",
    "page_touch_insert",
    "page_touch_update",
    "page_touch_delete",
]
FUNCTION_NAMES = [
    "researcher_page_version_set()",
    "researcher_page_touch_authorships()",
    "researcher_page_touch_works_changed()",
    "researcher_page_touch_researcher_column()",
    "researcher_page_touch_work_column()",
    "researcher_page_touch_neighbours()",
    "researcher_page_touch_institutions()",
    "researcher_page_touch_topics()",
    "researcher_page_touch_works(bigint[])",
    "researcher_page_touch(bigint[])",
    "researcher_page_version_next(bigint)",
]


def triggers_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS)
    schema_editor.execute(TRIGGERS)
    schema_editor.execute(
        "UPDATE profiles_researcher SET page_version = researcher_page_version_next(0)"
    )


def triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        for name in TRIGGER_NAMES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for function in FUNCTION_NAMES:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}")


class Migration(migrations.Migration):
    dependencies = [
        ("works", "0016_open_record"),
        # The researcher table as it stood once its model moved to works (primary_id included).
        ("profiles", "0007_researcher_and_hiddenwork_to_works"),
    ]

    operations = [
        migrations.AddField(
            model_name="researcher",
            name="page_version",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
