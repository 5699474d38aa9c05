"""The page-touch trigger functions return at once in a transaction that defers page touches
(works 0023), before computing what they would touch: the argument of a deferred touch was
still built, and for an UPDATE of works that meant comparing whole old and new rows, source
payloads included. A snapshot loader regrouping versions spent 8 s of a 25 s partition pair on
it (docs/scaling.md, "Loading the snapshot").

Under deferral, search_version_bump_researchers bumps the search version without comparing the
updated rows (a loader's updates are changes; the comparison built two jsonb values a row)."""

import importlib
import re

from django.db import migrations

page_version = importlib.import_module("works.migrations.0017_researcher_page_version")
search_version = importlib.import_module("works.migrations.0022_search_version")

DEFERRED = "current_setting('bzpeer.defer_page_touch', true) = 'on'"

# Every after-trigger function of works 0017 (they return NULL; researcher_page_version_set,
# the BEFORE row trigger, returns NEW and stays as it is).
AFTER_TRIGGER = re.compile(
    r"CREATE OR REPLACE FUNCTION \w+\(\) RETURNS trigger\s+LANGUAGE plpgsql AS \$\$\nBEGIN\n"
    r"(?:(?!END \$\$;).)*RETURN NULL;\nEND \$\$;",
    re.DOTALL,
)
UNGUARDED = "\n".join(AFTER_TRIGGER.findall(page_version.FUNCTIONS))
assert UNGUARDED.count("RETURNS trigger") == 7
GUARDED = UNGUARDED.replace(
    "AS $$\nBEGIN\n", f"AS $$\nBEGIN\n  IF {DEFERRED} THEN\n    RETURN NULL;\n  END IF;\n"
)

SEARCH_UNGUARDED = next(
    definition
    for definition in re.findall(
        r"CREATE OR REPLACE FUNCTION .*?END \$\$;", search_version.FUNCTIONS, re.DOTALL
    )
    if "search_version_bump_researchers()" in definition
)
SEARCH_GUARDED = SEARCH_UNGUARDED.replace(
    "BEGIN\n  IF EXISTS (",
    f"BEGIN\n  IF {DEFERRED} THEN\n    PERFORM search_version_next();\n  ELSIF EXISTS (",
)
assert SEARCH_GUARDED != SEARCH_UNGUARDED


def guarded(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARDED + "\n" + SEARCH_GUARDED)


def unguarded(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARDED + "\n" + SEARCH_UNGUARDED)


class Migration(migrations.Migration):
    dependencies = [("works", "0023_page_touch_deferrable")]

    operations = [migrations.RunPython(guarded, unguarded)]
