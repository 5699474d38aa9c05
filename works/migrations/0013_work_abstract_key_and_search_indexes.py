from django.db import migrations, models

from works.sanitize import search_key_of

BATCH_SIZE = 500
# The works' full-text document (profiles.search.queries.WORK_VECTOR must stay this text, so
# the planner uses the index): title words weigh A, abstract words B; english stemming.
WORK_VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, title_key), 'A') || "
    "setweight(to_tsvector('english'::regconfig, abstract_key), 'B'))"
)
CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS work_search_vector ON works_work USING gin ({WORK_VECTOR})",
    "CREATE INDEX IF NOT EXISTS topic_name_trgm ON works_topic USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS institution_name_trgm "
    "ON works_institution USING gin (name gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS work_search_vector",
    "DROP INDEX IF EXISTS topic_name_trgm",
    "DROP INDEX IF EXISTS institution_name_trgm",
]


def fill_abstract_keys(apps, schema_editor):
    Work = apps.get_model("works", "Work")
    batch = []
    for work in Work.objects.exclude(abstract="").only("pk", "abstract").iterator(BATCH_SIZE):
        work.abstract_key = search_key_of(work.abstract)
        batch.append(work)
        if len(batch) == BATCH_SIZE:
            Work.objects.bulk_update(batch, ["abstract_key"])
            batch = []
    Work.objects.bulk_update(batch, ["abstract_key"])


def run(statements):
    # Postgres only: the SQLite quick start ranks its few rows in Python (docs/search.md).
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("works", "0012_researcher_trusted_followers_count")]

    operations = [
        migrations.AddField(
            model_name="work",
            name="abstract_key",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_abstract_keys, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(run(CREATE), run(DROP), elidable=False),
    ]
