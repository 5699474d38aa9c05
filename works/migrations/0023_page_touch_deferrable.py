"""A bulk loader may defer the page touches its statements would make (docs/scaling.md,
"Loading the snapshot"): with `SET LOCAL bzpeer.defer_page_touch = 'on'` the statement
triggers touch nobody, and the loader touches the researchers it wrote once, after its commit
(works.ingest.bulk). Otherwise each merge statement of a partition locked and updated every
author it reached, holding the locks to the commit: two loaders sharing authors took turns,
and the load ran at a third of its speed."""

from django.db import migrations

DEFERRABLE = """
CREATE OR REPLACE FUNCTION researcher_page_touch(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('bzpeer.defer_page_touch', true) = 'on' THEN
    RETURN;
  END IF;
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
  WHERE r.id = locked.id;
END $$;

CREATE OR REPLACE FUNCTION researcher_page_touch_works(work_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('bzpeer.defer_page_touch', true) = 'on' THEN
    RETURN;
  END IF;
  PERFORM researcher_page_touch(ARRAY(
    SELECT DISTINCT a.researcher_id FROM works_authorship AS a
    WHERE a.work_id IN (
      SELECT unnest(work_ids)
      UNION SELECT version_of_id FROM works_work
      WHERE id = ANY(work_ids) AND version_of_id IS NOT NULL
      UNION SELECT id FROM works_work WHERE version_of_id = ANY(work_ids)
    )
  ));
END $$;
"""

DEFER_CHECK = """
  IF current_setting('bzpeer.defer_page_touch', true) = 'on' THEN
    RETURN;
  END IF;"""
assert DEFERRABLE.count(DEFER_CHECK) == 2

# The same functions as works 0017 made them: never deferred.
IMMEDIATE = DEFERRABLE.replace(DEFER_CHECK, "")


def deferrable(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DEFERRABLE)


def immediate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(IMMEDIATE)


class Migration(migrations.Migration):
    dependencies = [("works", "0022_search_version")]

    operations = [migrations.RunPython(deferrable, immediate)]
