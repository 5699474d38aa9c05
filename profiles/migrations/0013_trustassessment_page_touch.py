"""A new trust assessment changes the profile's "how the score changed" list: touch its page
version (works migration 0017 defines researcher_page_touch)."""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION researcher_page_touch_assessments() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM researcher_page_touch(ARRAY(SELECT researcher_id FROM new_rows));
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM researcher_page_touch(ARRAY(SELECT researcher_id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER page_touch_insert AFTER INSERT ON profiles_trustassessment
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION researcher_page_touch_assessments();
CREATE TRIGGER page_touch_update AFTER UPDATE ON profiles_trustassessment
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION researcher_page_touch_assessments();
CREATE TRIGGER page_touch_delete AFTER DELETE ON profiles_trustassessment
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION researcher_page_touch_assessments();
"""

DROP = """
DROP TRIGGER IF EXISTS page_touch_insert ON profiles_trustassessment;
DROP TRIGGER IF EXISTS page_touch_update ON profiles_trustassessment;
DROP TRIGGER IF EXISTS page_touch_delete ON profiles_trustassessment;
DROP FUNCTION IF EXISTS researcher_page_touch_assessments();
"""


def triggers_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


def triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0012_problem_reports_and_visibility"),
        ("works", "0017_researcher_page_version"),
    ]

    operations = [migrations.RunPython(triggers_create, triggers_drop)]
