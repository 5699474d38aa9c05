"""A changed Collaboration changes both researchers' graph slices: touch their page versions
(works migration 0017 defines researcher_page_touch)."""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION researcher_page_touch_collaborations() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM researcher_page_touch(ARRAY(
      SELECT researcher_a_id FROM new_rows UNION SELECT researcher_b_id FROM new_rows));
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM researcher_page_touch(ARRAY(
      SELECT researcher_a_id FROM old_rows UNION SELECT researcher_b_id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER page_touch_insert AFTER INSERT ON graph_collaboration
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION researcher_page_touch_collaborations();
CREATE TRIGGER page_touch_update AFTER UPDATE ON graph_collaboration
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION researcher_page_touch_collaborations();
CREATE TRIGGER page_touch_delete AFTER DELETE ON graph_collaboration
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION researcher_page_touch_collaborations();
"""

DROP = """
DROP TRIGGER IF EXISTS page_touch_insert ON graph_collaboration;
DROP TRIGGER IF EXISTS page_touch_update ON graph_collaboration;
DROP TRIGGER IF EXISTS page_touch_delete ON graph_collaboration;
DROP FUNCTION IF EXISTS researcher_page_touch_collaborations();
"""


def triggers_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


def triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("graph", "0003_researcher_in_works"),
        ("works", "0017_researcher_page_version"),
    ]

    operations = [migrations.RunPython(triggers_create, triggers_drop)]
