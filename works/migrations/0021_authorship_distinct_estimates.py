from django.db import migrations

# ANALYZE samples a few hundred thousand bylines; on a skewed table (a few people on thousands
# of works, most on one or two) it guessed 160,000 researchers among 9.4 million bylines where
# there are 950,000, so it expected 60 bylines per followed researcher instead of 9 and
# planned the feed with a scan of every work. Stated as shares of the rows (negative), these
# hold at any size: OpenAlex has about one author per seven bylines and one work per three.
CREATE = [
    "ALTER TABLE works_authorship ALTER COLUMN researcher_id SET (n_distinct = -0.1), "
    "ALTER COLUMN work_id SET (n_distinct = -0.3)"
]
DROP = [
    "ALTER TABLE works_authorship ALTER COLUMN researcher_id RESET (n_distinct), "
    "ALTER COLUMN work_id RESET (n_distinct)"
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("works", "0020_topic_and_institution_indexes")]

    operations = [migrations.RunPython(run(CREATE), run(DROP), elidable=False)]
