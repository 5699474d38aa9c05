"""ResearcherTopic and ResearcherInstitution: each researcher's topics and institutions counted
once, when their works change (graph.services.neighbourhood_refresh), not on every graph slice
and explorer read (docs/scaling.md, "Growth"). Filled here from the rows already stored, in SQL
that Postgres and SQLite both run; then, on Postgres, a changed row touches its researcher's
page version like any other change to what the page shows (works migration 0017)."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

page_version = importlib.import_module("works.migrations.0017_researcher_page_version")

# AuthorshipQuerySet.shown(): bylines whose owner has not hidden the work, and not a version of
# a work the same record shows.
SHOWN = """
WITH shown AS (
    SELECT a.id, a.researcher_id, a.work_id FROM works_authorship a
    JOIN works_work w ON w.id = a.work_id
    WHERE NOT EXISTS (SELECT 1 FROM profiles_hiddenwork h
                      WHERE h.work_id = a.work_id AND h.researcher_id = a.researcher_id)
      AND NOT (w.version_of_id IS NOT NULL
               AND EXISTS (SELECT 1 FROM works_authorship v
                           WHERE v.work_id = w.version_of_id AND v.researcher_id = a.researcher_id)
               AND NOT EXISTS (SELECT 1 FROM profiles_hiddenwork h
                               WHERE h.work_id = w.version_of_id
                                 AND h.researcher_id = a.researcher_id))
)
"""
BACKFILL = [
    SHOWN
    + """
INSERT INTO graph_researchertopic (researcher_id, topic_id, works)
SELECT s.researcher_id, wt.topic_id, count(*) FROM shown s
JOIN works_worktopic wt ON wt.work_id = s.work_id
GROUP BY s.researcher_id, wt.topic_id
""",
    SHOWN
    + """
INSERT INTO graph_researcherinstitution (researcher_id, institution_id, works, bylines)
SELECT s.researcher_id, l.institution_id, count(DISTINCT s.work_id),
       count(DISTINCT CASE WHEN o.id = s.id THEN o.id END)
FROM shown s
JOIN works_authorship o ON o.work_id = s.work_id
JOIN works_authorship_institutions l ON l.authorship_id = o.id
GROUP BY s.researcher_id, l.institution_id
""",
]
TRIGGERS = "\n".join(
    page_version.statement_triggers(table, "researcher_page_touch_researcher_column")
    for table in ("graph_researchertopic", "graph_researcherinstitution")
)


def backfill(apps, schema_editor):
    for statement in BACKFILL:
        schema_editor.execute(statement)
    if schema_editor.connection.vendor == "postgresql":
        # Planner statistics now, not when autovacuum gets to millions of new rows: without
        # them the slice joined every institution to find one researcher's.
        schema_editor.execute("ANALYZE graph_researchertopic, graph_researcherinstitution")


def triggers_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS)


class Migration(migrations.Migration):
    dependencies = [
        ("graph", "0005_collaboration_rank_indexes"),
        ("works", "0027_authorship_redundant_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ResearcherInstitution",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("works", models.PositiveIntegerField()),
                ("bylines", models.PositiveIntegerField()),
                (
                    "institution",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="works.institution",
                    ),
                ),
                (
                    "researcher",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="works.researcher",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ResearcherTopic",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("works", models.PositiveIntegerField()),
                (
                    "researcher",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="works.researcher",
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="works.topic",
                    ),
                ),
            ],
        ),
        # Before the indexes, which are then built once, and the triggers: filling the tables
        # changes no page.
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="researcherinstitution",
            constraint=models.UniqueConstraint(
                fields=("researcher", "institution"), name="researcherinstitution_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="researcherinstitution",
            index=models.Index(fields=["researcher", "-works"], name="researcherinstitution_rank"),
        ),
        migrations.AddIndex(
            model_name="researcherinstitution",
            index=models.Index(
                condition=models.Q(("bylines__gt", 0)),
                fields=["researcher", "-bylines"],
                name="researcherinstitution_own",
            ),
        ),
        migrations.AddConstraint(
            model_name="researchertopic",
            constraint=models.UniqueConstraint(
                fields=("researcher", "topic"), name="researchertopic_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="researchertopic",
            index=models.Index(fields=["researcher", "-works"], name="researchertopic_rank"),
        ),
        # Dropped with the tables when reversed.
        migrations.RunPython(triggers_create, migrations.RunPython.noop),
    ]
