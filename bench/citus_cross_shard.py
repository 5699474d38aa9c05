"""Which of BZPEER's queries would cross shards on Citus (docs/scaling.md, "Past one Postgres:
Citus").

PLAN below is the distribution plan, the one copy of it: the docs' table is `--plan` output (a
test compares them). The script loads the demo data and runs the real pages on it (profile,
slice, co-authors, explorer, search, researcher list, feed, work page, exports, topic and
institution pages, sitemap, a follow) through Django's test client, capturing every SQL
statement, then reads each statement against PLAN and the models' tables and columns (_meta).
Everything runs in one transaction that is rolled back, so any migrated database will do:

    DATABASE_URL=postgres://… .venv/bin/python bench/citus_cross_shard.py [--plan] [--full]

A statement crosses shards when a distributed table in it has no equality filter on its
distribution column (directly, or through an equality join to a table that has one), when it
joins distributed tables other than on their distribution columns, or when it pins tables of two
co-location groups. Reference and local (coordinator) tables never make a statement cross.

Statements are read with sqlglot (Postgres): each query block's tables, by sqlglot's scopes,
and the equalities and IN lists that its WHERE and ON conditions AND together (an OR keeps none
of its own). `x IN (SELECT y …)` counts as the join x = y, as Citus plans it; a column of a
subquery in FROM or of a CTE is the column it passes on; an UPDATE or DELETE reads as the SELECT
of its rows, and an INSERT pins its table by the distribution column of its VALUES.
"""

import os
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, traverse_scope
from sqlglot.tokens import TokenType

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


@dataclass(frozen=True)
class Table:
    kind: str  # "distributed", "reference" or "local"
    reason: str
    column: str = ""  # the distribution column
    group: str = ""  # the co-location group


def distributed(column: str, group: str, reason: str) -> Table:
    return Table("distributed", reason, column, group)


def reference(reason: str) -> Table:
    return Table("reference", reason)


def local(reason: str) -> Table:
    return Table("local", reason)


USER_SIDE = "A person's own rows"
PLAN: dict[str, Table] = {
    # The researcher group: everything a profile page reads for one researcher, on one shard.
    "profiles_researcher": distributed("id", "researcher", "About 10^8 rows; the profile's root"),
    "works_authorship": distributed(
        "researcher_id",
        "researcher",
        "About 10^9 rows. By researcher, not work: the profile, slice, co-authors and trust "
        "read one researcher's authorships; the work page's byline reads one work's, which "
        "fans out (or reads a byline copied onto the work)",
    ),
    "works_authorship_institutions": distributed(
        "researcher_id",
        "researcher",
        "Follows its authorship; needs a researcher_id column (an explicit through model) first",
    ),
    "graph_collaboration": distributed(
        "researcher_a_id",
        "researcher",
        "The slice reads one researcher's pairs; needs each pair stored once per side",
    ),
    "graph_researchertopic": distributed(
        "researcher_id", "researcher", "One researcher's topics, read with the slice"
    ),
    "graph_researcherinstitution": distributed(
        "researcher_id", "researcher", "One researcher's institutions, read with the slice"
    ),
    "profiles_trustassessment": distributed("researcher_id", "researcher", "Per researcher"),
    "profiles_hiddenwork": distributed("researcher_id", "researcher", "Read with the profile"),
    # The work group: a work and what hangs off it.
    "works_work": distributed(
        "id", "work", "About 2.5·10^8 rows; too big to copy to every node, no owner to follow"
    ),
    "works_worktopic": distributed("work_id", "work", "Read with its work"),
    "works_versionsplit": distributed("work_id", "work", "Read with its work's versions"),
    # Small, read everywhere, rarely written: a copy on every node joins locally.
    "works_topic": reference("About 4,500 topics"),
    "works_institution": reference("About 10^5 institutions, joined to bylines and profiles"),
    "django_content_type": reference("Django's, tiny"),
    "auth_permission": reference("Django's, tiny"),
    "auth_group": reference("Django's, tiny"),
    "auth_group_permissions": reference("Django's, tiny"),
    "socialaccount_socialapp": reference("allauth's, one row per provider"),
    # Accounts and what people do: on the coordinator, with their foreign keys and transactions.
    "profiles_user": local(USER_SIDE),
    "profiles_user_groups": local(USER_SIDE),
    "profiles_user_user_permissions": local(USER_SIDE),
    "account_emailaddress": local(USER_SIDE),
    "account_emailconfirmation": local(USER_SIDE),
    "socialaccount_socialaccount": local(USER_SIDE),
    "socialaccount_socialtoken": local(USER_SIDE),
    "django_session": local("One row per signed-in browser, read by its key"),
    "django_admin_log": local("Staff actions"),
    "social_follow": local(USER_SIDE + "; the feed starts from one user's follows"),
    "social_digestsubscription": local(USER_SIDE),
    "social_invitation": local(USER_SIDE),
    "social_block": local(USER_SIDE),
    "social_spamreport": local(USER_SIDE),
    "profiles_claim": local(USER_SIDE + "; claim, event and e-mail commit together"),
    "profiles_claimevent": local(USER_SIDE),
    "profiles_claimdispute": local(USER_SIDE),
    "profiles_problemreport": local("Moderation queue, small"),
    "profiles_visibilityevent": local("Moderation log, small"),
    "works_importrun": local("One row per import run; the queue's bookkeeping"),
    "works_snapshotpartition": local("One row per snapshot file; the loaders' claims"),
}


def plan_markdown() -> str:
    rows = ["| table | Citus | distribution column | why |", "| --- | --- | --- | --- |"]
    for name, table in PLAN.items():
        kind = f"distributed ({table.group})" if table.kind == "distributed" else table.kind
        column = f"`{table.column}`" if table.column else ""
        rows.append(f"| `{name}` | {kind} | {column} | {table.reason} |")
    return "\n".join(rows)


# --- Reading SQL ------------------------------------------------------------------------------


class Trigram(Postgres):
    """Postgres as sqlglot reads it, plus pg_trgm's word-similarity operators (the search's
    `%>`), read as `<>`: only equalities matter here."""

    class Tokenizer(Postgres.Tokenizer):
        KEYWORDS = {**Postgres.Tokenizer.KEYWORDS, "%>": TokenType.NEQ, "<%": TokenType.NEQ}


DECLARE = re.compile(
    r"^DECLARE\s+\S+\s+(?:NO\s+)?(?:SCROLL\s+)?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+", re.I
)
STATEMENT = re.compile(r"(?:SELECT|WITH|INSERT|UPDATE|DELETE)\b", re.I)


@dataclass
class Analysis:
    """What one statement says: its tables, the equalities between columns and values (a
    union-find), the IN lists and the INSERTs' rows."""

    columns: dict[str, set[str]]  # table -> its columns, from _meta
    aliases: dict = field(default_factory=dict)  # (scope number, alias) -> table
    parent: dict = field(default_factory=dict)  # union-find over (key, column) and values
    in_lists: dict = field(default_factory=dict)  # (key, column) -> number of values
    inserts: list = field(default_factory=list)  # (key, distinct values of the column)
    unpinnable: set = field(default_factory=set)  # keys that inserts already account for
    number: dict = field(default_factory=dict)  # id(scope) -> its number in the statement
    scope_of: dict = field(default_factory=dict)  # id(query block) -> its scope

    def find(self, node):
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def union(self, a, b):
        self.parent[self.find(a)] = self.find(b)

    def insert(self, statement: exp.Insert) -> exp.Expression | None:
        """Pin the target by the distribution column of its rows; returns the query it inserts."""
        target = statement.this
        table = target.this if isinstance(target, exp.Schema) else target
        listed = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else []
        source = statement.expression
        plan, key = PLAN.get(table.name), (-1, table.name)
        if table.name in self.columns:
            self.aliases[key] = table.name
            if plan and plan.kind == "distributed":
                values = None
                if isinstance(source, exp.Values) and plan.column in listed:
                    position = listed.index(plan.column)
                    values = {row.expressions[position].sql() for row in source.expressions}
                if values and len(values) == 1:
                    self.union((key, plan.column), ("value", values.pop()))
                else:
                    self.inserts.append((key, values))
                    self.unpinnable.add(key)
        if isinstance(source, exp.Query):
            if statement.args.get("with_"):
                source.set("with_", statement.args["with_"])
            return source
        return None

    def read(self, query: exp.Expression) -> None:
        scopes = traverse_scope(query)
        for index, scope in enumerate(scopes):
            self.number[id(scope)] = index
            self.scope_of[id(scope.expression)] = scope
            for alias, source in scope.sources.items():
                if isinstance(source, exp.Table) and source.name in self.columns:
                    self.aliases[(index, alias)] = source.name
        for scope in scopes:
            if not isinstance(scope.expression, exp.Select):
                continue
            where = scope.expression.args.get("where")
            conditions = [where.this] if where else []
            conditions += [
                join.args["on"] for join in scope.find_all(exp.Join) if join.args.get("on")
            ]
            for condition in conditions:
                for part in conjuncts(condition):
                    self.predicate(part, scope)

    def predicate(self, part: exp.Expression, scope: Scope) -> None:
        """Record an equality or an IN; an OR, a NOT or any other comparison says nothing."""
        if isinstance(part, exp.EQ):
            left, right = bare(part.this), bare(part.expression)
            if isinstance(right, exp.Any):  # = ANY(ARRAY[…]) is an IN; = ANY(%s), any length
                if isinstance(bare(right.this), exp.Array):
                    self.in_list(self.column(left, scope), bare(right.this).expressions)
                return
            lcol, rcol = self.column(left, scope), self.column(right, scope)
            if lcol and rcol:
                self.union(lcol, rcol)
            elif lcol and constant(right):
                self.union(lcol, ("value", right.sql()))
            elif rcol and constant(left):
                self.union(rcol, ("value", left.sql()))
        elif isinstance(part, exp.In):
            column = self.column(bare(part.this), scope)
            query = part.args.get("query")
            if query is None:
                self.in_list(column, part.expressions)
            elif column and id(query.this) in self.scope_of:
                # x IN (SELECT y …) is the join x = y, as Citus plans it.
                projected = self.projected(self.scope_of[id(query.this)], None)
                if projected:
                    self.union(column, projected)

    def in_list(self, column, values: list) -> None:
        if column and values and all(constant(v) for v in values):
            distinct = {bare(v).sql() for v in values}
            if len(distinct) == 1:
                self.union(column, ("value", distinct.pop()))
            else:
                self.in_lists[column] = len(distinct)

    def column(self, node: exp.Expression, scope: Scope):
        """(table key, column) of a column, through the scopes it may come from."""
        if not isinstance(node, exp.Column) or not node.table:
            return None
        while scope is not None:
            source = scope.sources.get(node.table)
            if isinstance(source, exp.Table):
                key = (self.number[id(scope)], node.table)
                return (key, node.name) if key in self.aliases else None
            if source is not None:  # a subquery in FROM or a CTE: what it passes on
                return self.projected(source, node.name)
            scope = scope.parent
        return None

    def projected(self, scope: Scope, name: str | None):
        """The column a query block outputs as `name` (None: its only output), if a column."""
        if not isinstance(scope.expression, exp.Select):
            return None  # a UNION's output is not one table's column
        outputs = scope.expression.selects
        if name is not None:
            outputs = [o for o in outputs if o.alias_or_name == name][:1]
        return self.column(bare(outputs[0].unalias()), scope) if len(outputs) == 1 else None


def bare(node: exp.Expression) -> exp.Expression:
    """Without the parentheses Django puts around operands, and without casts."""
    while isinstance(node, (exp.Paren, exp.Cast)):
        node = node.this
    return node


def constant(node: exp.Expression) -> bool:
    return not node.find(exp.Column, exp.Query)


def conjuncts(condition: exp.Expression):
    condition = bare(condition)
    if isinstance(condition, exp.And):
        for part in condition.flatten():
            yield from conjuncts(part)
    else:
        yield condition


def as_select(node: exp.Expression) -> exp.Expression:
    """An UPDATE or DELETE as the SELECT of its rows (with its SET values and RETURNING), so
    that it reads like any query, in a CTE too."""
    if not isinstance(node, (exp.Update, exp.Delete)):
        return node
    extra = node.args.get("using") or []
    if isinstance(node, exp.Update) and node.args.get("from_"):
        extra = [node.args["from_"].this]
    returning = node.args.get("returning")
    outputs = returning.expressions if returning else []
    if isinstance(node, exp.Update):
        outputs = outputs + [assignment.expression for assignment in node.expressions]
    return exp.Select(
        expressions=outputs or [exp.Literal.number(1)],
        from_=exp.From(this=node.this),
        joins=[exp.Join(this=table) for table in extra],
        where=node.args.get("where"),
        with_=node.args.get("with_"),
    )


def analyse(sql: str, columns: dict[str, set[str]]) -> list[str]:
    """Why this statement would cross shards under PLAN; empty when it stays on one shard."""
    sql = DECLARE.sub("", sql.strip().rstrip(";"))  # a server-side cursor's query
    if not STATEMENT.match(sql):
        return []  # SAVEPOINT, SET, …
    analysis = Analysis(columns)
    schema = {table: dict.fromkeys(names, "unknown") for table, names in columns.items()}
    try:
        statement = sqlglot.parse_one(sql, read=Trigram)
        # Each %s is its own unknown value; a named %(x)s or $1 is one value wherever it is.
        for number, placeholder in enumerate(statement.find_all(exp.Placeholder)):
            if not placeholder.this:
                placeholder.set("this", f"param{number}")
        if isinstance(statement, exp.Insert):
            statement = analysis.insert(statement)
        if statement is not None:
            statement = statement.transform(as_select)
            analysis.read(
                qualify(statement, schema=schema, dialect=Trigram, validate_qualify_columns=False)
            )
    except sqlglot.errors.SqlglotError as error:
        return [f"could not read the statement: {error}"]
    return verdict(analysis)


def verdict(a: Analysis) -> list[str]:
    reasons: list[str] = []
    roots: dict = defaultdict(list)  # the distribution columns' classes -> their aliases
    for key, table in sorted(a.aliases.items()):
        plan = PLAN.get(table)
        if plan is None:
            reasons.append(f"{table} is not in the distribution plan")
        elif plan.kind == "distributed" and plan.column not in a.columns[table]:
            reasons.append(f"{table} has no column {plan.column} to distribute by yet")
        elif plan.kind == "distributed" and key not in a.unpinnable:
            roots[a.find((key, plan.column))].append(key)
    values_of = {}
    for root, keys in roots.items():
        members = [node for node in a.parent if a.find(node) == root]
        values = {node[1] for node in members if node[0] == "value"}
        values_of[root] = values
        tables = sorted({a.aliases[key] for key in keys})
        columns = ", ".join(f"{t}.{PLAN[t].column}" for t in tables)
        if len(values) > 1:
            reasons.append(f"{columns} equals {len(values)} different values")
        elif not values:
            listed = [a.in_lists[node] for node in members if node in a.in_lists]
            if listed:
                reasons.append(f"{columns} IN a list of {max(listed)} values")
            else:
                reasons.append(f"no equality filter on {columns}")
    if len(roots) > 1:
        groups = sorted({PLAN[a.aliases[key]].group for keys in roots.values() for key in keys})
        tables = sorted({a.aliases[key] for keys in roots.values() for key in keys})
        if all(len(values) == 1 for values in values_of.values()):
            reasons.append(f"pins {len(roots)} shard keys: " + ", ".join(tables))
        elif len(groups) > 1:
            reasons.append("joins co-location groups " + " and ".join(groups))
        else:
            reasons.append("joins " + ", ".join(tables) + " not on their distribution columns")
    for key, values in a.inserts:
        table = a.aliases[key]
        if values is None:
            reasons.append(f"INSERT into {table} from a query or without {PLAN[table].column}")
        elif len(values) > 1:
            column = PLAN[table].column
            reasons.append(f"{table} rows for {len(values)} {column} values in one INSERT")
    return sorted(set(reasons))


# --- Running the pages ------------------------------------------------------------------------

NORMALISE = [
    (re.compile(r"'(?:[^']|'')*'"), "?"),
    (re.compile(r"\b\d+(?:\.\d+)?\b"), "?"),
    (re.compile(r"%s"), "?"),
    (re.compile(r"\(\s*\?(?:\s*,\s*\?)+\s*\)"), "(?, …)"),
    (re.compile(r"(?:\(\?, …\)\s*,\s*)+\(\?, …\)"), "(?, …), …"),
    (re.compile(r"SAVEPOINT \"?[\w]+\"?"), "SAVEPOINT ?"),
    (re.compile(r'DECLARE "\w+"'), "DECLARE ?"),
]


def normalise(sql: str) -> str:
    for pattern, replacement in NORMALISE:
        sql = pattern.sub(replacement, sql)
    return " ".join(sql.split())


def table_columns() -> dict[str, set[str]]:
    from django.apps import apps

    columns: dict[str, set[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        columns[model._meta.db_table] = {f.column for f in model._meta.concrete_fields}
    return columns


def journeys() -> list[tuple[str, str]]:
    """(journey, SQL) for every statement the demo journeys run, in one rolled-back transaction."""
    from django.db import connection, transaction
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from profiles.models import User
    from social import services as social_services
    from works.models import Institution, Researcher, Topic, Work
    from works.services import demo_data_load

    captured: list[tuple[str, str]] = []

    class Rollback(Exception):
        pass

    def capture(journey: str, action) -> None:
        with CaptureQueriesContext(connection) as queries:
            action()
        captured.extend((journey, query["sql"]) for query in queries.captured_queries)

    def get(journey: str, client: Client, path: str) -> None:
        def fetch():
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            b"".join(response) if response.streaming else response.content

        capture(journey, fetch)

    # A cache of its own, empty: pages cached by an earlier run would run no statements.
    cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "citus"}
    settings = {
        "ALLOWED_HOSTS": ["testserver"],
        "SECURE_SSL_REDIRECT": False,
        "DEBUG": False,
        "CACHES": {"default": cache},
    }
    with override_settings(**settings):
        try:
            with transaction.atomic():
                if not Researcher.objects.exists():
                    capture("import (demo data through the import pipeline)", demo_data_load)
                seed = Researcher.objects.order_by("-works_count").first()
                coauthor = Researcher.objects.exclude(pk=seed.pk).order_by("-works_count").first()
                work = Work.objects.filter(authorships__researcher=seed).first()
                user = User.objects.create_user(username="citus-probe", email="probe@example.org")
                social_services.follow(user=user, researcher=coauthor)
                anonymous, member = Client(), Client()
                member.force_login(user)
                capture("follow", lambda: social_services.follow(user=user, researcher=seed))
                profile = f"/researchers/{seed.slug}/"
                get("profile", anonymous, profile)
                get("profile (signed in)", member, profile)
                get("profile page 2", anonymous, profile + "?page=2")
                get("slice", anonymous, profile + "graph/")
                get("co-authors", anonymous, profile + "coauthors/")
                get("explorer node", anonymous, f"/explore/api/node/?id=person:{seed.slug}")
                # The commonest surname, so the search finds several researchers.
                surnames = Counter(
                    name.split()[-1]
                    for name in Researcher.objects.values_list("display_name", flat=True)
                )
                get("search", anonymous, "/search/?q=" + surnames.most_common(1)[0][0])
                get("researcher list", anonymous, "/researchers/")
                get("feed", member, "/feed/")
                get("following", member, "/following/")
                get("work page", anonymous, f"/works/{work.slug}/")
                get("work export", anonymous, f"/works/{work.slug}/export/bibtex/")
                get("profile export", anonymous, profile + "export/bibtex/")
                get("atom feed", anonymous, profile + "works.atom")
                topic = Topic.objects.filter(works__isnull=False).first()
                if topic:
                    get("topic page", anonymous, f"/topics/{topic.pk}/")
                institution = Institution.objects.exclude(openalex_id="").first()
                if institution:
                    get("institution page", anonymous, f"/institutions/{institution.openalex_id}/")
                get("sitemap", anonymous, "/sitemap.xml")
                raise Rollback
        except Rollback:
            pass
    return captured


def cross_shard_report(captured: list[tuple[str, str]]) -> dict[str, dict]:
    """Every distinct statement that crosses shards: its reasons and the journeys that ran it."""
    columns = table_columns()
    report: dict[str, dict] = {}
    for journey, sql in captured:
        key = normalise(sql)
        if key in report:
            report[key]["journeys"].add(journey)
            continue
        reasons = analyse(sql, columns)
        report[key] = {"reasons": reasons, "journeys": {journey}}
    return {key: entry for key, entry in report.items() if entry["reasons"]}


def main(argv: list[str]) -> int:
    if "--plan" in argv:
        print(plan_markdown())
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
    import django

    django.setup()
    captured = journeys()
    report = cross_shard_report(captured)
    width = None if "--full" in argv else 220
    statements = defaultdict(set)
    for journey, sql in captured:
        statements[journey].add(normalise(sql))
    total = set().union(*statements.values())
    print(f"{len(report)} of {len(total)} distinct statements cross shards under the plan")
    print("(docs/scaling.md, 'Past one Postgres: Citus'). By journey, crossing / all:")
    for journey, keys in statements.items():
        print(f"  {journey}: {len(keys & report.keys())} / {len(keys)}")
    print()
    for key, entry in sorted(report.items(), key=lambda item: sorted(item[1]["journeys"])):
        shown = key if width is None or len(key) <= width else key[:width] + " …"
        print(f"- {shown}")
        print(f"  journeys: {', '.join(sorted(entry['journeys']))}")
        for reason in entry["reasons"]:
            print(f"  crosses: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
