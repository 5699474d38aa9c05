"""work_keys: each work's id with the columns that pages filter and sort by but do not show,
so those reads need no row from the table (whose rows, abstracts and all, run to a kilobyte):
whether the work is a version of another (WorkQuerySet.shown_on and AuthorshipQuerySet.shown,
on every profile, slice, explorer node and feed), and the feed's keys (social.selectors.
feed_page sorts a page's candidates on them, then reads only the page's rows). At 10^6
researchers the feed of someone following 500 read 6,400 rows to show 20.

Postgres only, and not in the model's Meta: an index with INCLUDE columns draws a warning on
SQLite, whose quick-start tables are too small to need it."""

from django.db import migrations

CREATE = """
CREATE INDEX IF NOT EXISTS work_keys ON works_work (id)
  INCLUDE (version_of_id, publication_date, publication_year, created_at)
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS work_keys")


class Migration(migrations.Migration):
    dependencies = [("works", "0025_database_jit_off")]

    operations = [migrations.RunPython(create, drop)]
