"""bench/citus_cross_shard.py: how it reads statements against the distribution plan, what it
finds in the real journeys on the demo data, and docs/scaling.md showing the same plan."""

import pytest

from bench import citus_cross_shard as citus
from profiles.stats import TRUST_BATCH_SQL
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def columns():
    return citus.table_columns()


@pytest.mark.parametrize(
    ("sql", "reasons"),
    [
        (
            'SELECT "works_authorship"."id" FROM "works_authorship" '
            'WHERE ("works_authorship"."researcher_id" = 5 AND "works_authorship"."position" = 0)',
            [],
        ),
        (
            'SELECT "works_authorship"."id" FROM "works_authorship" INNER JOIN '
            '"profiles_researcher" ON ("works_authorship"."researcher_id" = '
            '"profiles_researcher"."id") WHERE "profiles_researcher"."id" = 5',
            [],
        ),
        (
            'SELECT "works_work"."id" FROM "works_authorship" INNER JOIN "works_work" ON '
            '("works_authorship"."work_id" = "works_work"."id") '
            'WHERE "works_authorship"."researcher_id" = 5',
            ["joins co-location groups researcher and work", "no equality filter on works_work.id"],
        ),
        (
            'SELECT "works_work"."id" FROM "works_authorship" INNER JOIN "works_work" ON '
            '("works_authorship"."work_id" = "works_work"."id") '
            'WHERE "works_authorship"."researcher_id" = 5 AND "works_work"."id" = 7',
            ["pins 2 shard keys: works_authorship, works_work"],
        ),
        (
            'SELECT "works_topic"."name" FROM "works_topic" INNER JOIN "works_worktopic" ON '
            '("works_worktopic"."topic_id" = "works_topic"."id") '
            'WHERE "works_worktopic"."work_id" = 3',
            [],
        ),
        (
            'SELECT COUNT(*) FROM "graph_collaboration" WHERE '
            '("graph_collaboration"."researcher_a_id" = 5 '
            'OR "graph_collaboration"."researcher_b_id" = 5)',
            ["no equality filter on graph_collaboration.researcher_a_id"],
        ),
        (
            'SELECT "score" FROM "profiles_trustassessment" WHERE "researcher_id" IN '
            '(SELECT U0."id" AS "pk" FROM "profiles_researcher" U0 WHERE U0."id" = 7)',
            [],
        ),
        (
            'SELECT "id" FROM "profiles_researcher" WHERE "profiles_researcher"."id" IN (1, 2, 3)',
            ["profiles_researcher.id IN a list of 3 values"],
        ),
        (
            'SELECT "id" FROM "profiles_researcher" WHERE "profiles_researcher"."id" IN (4)',
            [],
        ),
        (
            'INSERT INTO "works_authorship" ("work_id", "researcher_id", "position") '
            'VALUES (1, 5, 0), (1, 6, 1) ON CONFLICT ("work_id", "position") DO NOTHING',
            ["works_authorship rows for 2 researcher_id values in one INSERT"],
        ),
        (
            'SELECT "social_follow"."id" FROM "social_follow" INNER JOIN "profiles_user" ON '
            '("social_follow"."user_id" = "profiles_user"."id") WHERE "profiles_user"."id" = 3',
            [],
        ),
        (
            'SELECT "profiles_researcher"."id" FROM "profiles_researcher" WHERE EXISTS(SELECT 1 '
            'FROM "works_authorship" V0 WHERE V0."researcher_id" = ("profiles_researcher"."id")) '
            'AND "profiles_researcher"."id" = 5',
            [],
        ),
        (
            'WITH mine AS (SELECT "researcher_id" FROM "works_authorship" '
            'WHERE "researcher_id" = 5) SELECT r."id" FROM "profiles_researcher" r '
            'JOIN mine ON mine."researcher_id" = r."id"',
            [],
        ),
        (
            'SELECT "id" FROM "profiles_researcher" WHERE "id" = 5 '
            'UNION SELECT "researcher_id" FROM "works_authorship" WHERE "work_id" = 6',
            [
                "joins profiles_researcher, works_authorship not on their distribution columns",
                "no equality filter on works_authorship.researcher_id",
            ],
        ),
        (
            'UPDATE "works_authorship" SET "position" = 1 FROM "profiles_researcher" r '
            'WHERE "works_authorship"."researcher_id" = r."id" AND r."id" = 5',
            [],
        ),
        (
            'DELETE FROM "works_worktopic" WHERE "topic_id" = 3',
            ["no equality filter on works_worktopic.work_id"],
        ),
        (
            'INSERT INTO "works_authorship" ("work_id", "researcher_id", "position") '
            'SELECT 1, "id", 0 FROM "profiles_researcher" WHERE "id" = 5',
            ["INSERT into works_authorship from a query or without researcher_id"],
        ),
        (
            'INSERT INTO "works_authorship" ("work_id", "researcher_id", "position") '
            "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [],
        ),
        (
            'INSERT INTO "works_authorship" ("work_id", "researcher_id", "position") '
            "VALUES (%s, %s, %s), (%s, %s, %s)",
            ["works_authorship rows for 2 researcher_id values in one INSERT"],
        ),
        (
            'SELECT "id" FROM "profiles_researcher" WHERE "id" = ANY(%s)',
            ["no equality filter on profiles_researcher.id"],
        ),
        (
            'SELECT "id" FROM "profiles_researcher" WHERE ("profiles_researcher"."search_name" '
            '%> \'hemminger\') AND "profiles_researcher"."id" = 5',
            [],
        ),
        (
            TRUST_BATCH_SQL,
            [
                "INSERT into profiles_trustassessment from a query or without researcher_id",
                "no equality filter on profiles_researcher.id",
            ],
        ),
    ],
    ids=[
        "equality",
        "co-located join",
        "join across groups",
        "two shards pinned",
        "reference table",
        "or",
        "in subquery",
        "in list",
        "in list of one",
        "multi-row insert",
        "local tables",
        "correlated subquery",
        "cte passing the column on",
        "union",
        "update from",
        "delete",
        "insert from a query",
        "one-row insert with placeholders",
        "multi-row insert with placeholders",
        "any of an array",
        "trigram operator",
        "nightly trust batch",
    ],
)
def test_statements_are_read_against_the_plan(columns, sql, reasons):
    assert citus.analyse(sql, columns) == reasons


def test_every_table_of_every_model_has_a_place_in_the_plan(columns):
    assert set(columns) == set(citus.PLAN)


@pytest.mark.django_db
def test_the_journeys_on_demo_data_name_cross_shard_statements_and_not_single_shard_ones():
    captured = citus.journeys()
    report = citus.cross_shard_report(captured)
    ran = {citus.normalise(sql) for _, sql in captured}

    # The profile finds its researcher by slug: every shard of the researcher table.
    by_slug = next(
        key
        for key in report
        if key.startswith('SELECT "profiles_researcher"."id"')
        and key.endswith('WHERE "profiles_researcher"."slug" = ? LIMIT ?')
    )
    assert "profile" in report[by_slug]["journeys"]
    assert "no equality filter on profiles_researcher.id" in report[by_slug]["reasons"]
    # The work page's byline reads one work's authorships, spread over researchers' shards.
    byline = [
        entry
        for key, entry in report.items()
        if "work page" in entry["journeys"] and 'FROM "works_authorship"' in key
    ]
    assert byline
    assert any("works_authorship.researcher_id" in " ".join(e["reasons"]) for e in byline)
    # One researcher's trust assessment and a follow's counter stay on one shard.
    single = [
        'WHERE "profiles_trustassessment"."researcher_id" = ?',
        'UPDATE "profiles_researcher" SET "followers_count" = '
        '("profiles_researcher"."followers_count" + ?) WHERE "profiles_researcher"."id" = ?',
    ]
    for fragment in single:
        statements = [key for key in ran if fragment in key]
        assert statements, fragment
        assert not any(key in report for key in statements), fragment
    # The import ran too (the demo data goes through the import pipeline).
    assert any("import" in journey for entry in report.values() for journey in entry["journeys"])


def test_the_docs_show_the_plan_the_script_uses():
    assert citus.plan_markdown() in (ROOT / "docs" / "scaling.md").read_text(encoding="utf-8")
