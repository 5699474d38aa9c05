from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS researcher_search_name_trgm "
    "ON profiles_researcher USING gin (search_name gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS researcher_search_name_trgm"]


def run(statements):
    # Name search uses LIKE '%word%'; on Postgres a trigram index serves it. The SQLite quick
    # start scans, which is fine at demo size.
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("profiles", "0002_initial")]

    operations = [migrations.RunPython(run(CREATE), run(DROP), elidable=False)]
