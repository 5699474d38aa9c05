from django.db import migrations

# The words of a researcher's folded names, as profiles.search.queries.NAME_WORDS writes them
# (the same text, so the planner uses the index).
NAME_WORDS = r"regexp_split_to_array(search_name, '[\W_]+')"
CREATE = [
    # People whose names hold every word typed: GIN intersects the words' posting lists, and
    # ANALYZE keeps each word's frequency, so the planner knows "wang" from "lechao".
    # No pending list (fastupdate): a typo looks up hundreds of spellings one by one, and each
    # look-up would read the whole list.
    "CREATE INDEX IF NOT EXISTS researcher_name_words ON profiles_researcher "
    f"USING gin ({NAME_WORDS}) WITH (fastupdate = off)",
    # A common name's candidates in the ranking's own tie-break order: walking this index
    # finds the first few hundred without sorting every match.
    "CREATE INDEX IF NOT EXISTS researcher_search_order "
    "ON profiles_researcher (is_claimed, verification_level, works_count, id)",
    # Made by an earlier 0013 for the works' typo look; the full-text index serves it now.
    "DROP INDEX IF EXISTS work_title_key_trgm",
]
DROP = [
    "DROP INDEX IF EXISTS researcher_name_words",
    "DROP INDEX IF EXISTS researcher_search_order",
]


def run(statements):
    # Postgres only: the SQLite quick start ranks its few rows in Python (docs/search.md).
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("works", "0013_work_abstract_key_and_search_indexes")]

    operations = [migrations.RunPython(run(CREATE), run(DROP), elidable=False)]
