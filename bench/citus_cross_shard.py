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

sqlglot is not installed here, so statements are read by the small parser below: Django's SQL
and the project's raw SQL are regular enough (quoted names, AND/OR in parentheses, IN lists,
subqueries in parentheses). It reads each SELECT, UPDATE, DELETE and INSERT in the statement;
an OR keeps none of its equalities; `x IN (SELECT y …)` counts as the join x = y, as Citus
plans it; columns of a subquery in FROM are never distribution columns.
"""

import os
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

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
}


def plan_markdown() -> str:
    rows = ["| table | Citus | distribution column | why |", "| --- | --- | --- | --- |"]
    for name, table in PLAN.items():
        kind = f"distributed ({table.group})" if table.kind == "distributed" else table.kind
        column = f"`{table.column}`" if table.column else ""
        rows.append(f"| `{name}` | {kind} | {column} | {table.reason} |")
    return "\n".join(rows)


# --- Reading SQL ------------------------------------------------------------------------------

TOKEN = re.compile(
    r"""\s+|(?P<string>[EeBbXx]?'(?:[^']|'')*')|(?P<quoted>"(?:[^"]|"")*")
    |(?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(?P<param>%s|\$\d+)
    |(?P<word>[A-Za-z_][A-Za-z0-9_$]*)|(?P<op>::|<=|>=|<>|!=|\|\||[=<>(),.;*+\-/%\[\]:@&|~#^!?])""",
    re.VERBOSE,
)
STATEMENT_WORDS = {"SELECT", "WITH", "UPDATE", "DELETE", "INSERT", "VALUES"}
JOIN_WORDS = {"JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "LATERAL", "NATURAL"}


@dataclass
class Token:
    kind: str
    text: str

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else self.text

    @property
    def name(self) -> str:
        return self.text[1:-1].replace('""', '"') if self.kind == "quoted" else self.text.lower()


@dataclass
class Group:
    """A parenthesised part of the statement."""

    items: list

    @property
    def is_query(self) -> bool:
        return (
            bool(self.items)
            and isinstance(self.items[0], Token)
            and (self.items[0].upper in STATEMENT_WORDS - {"VALUES"})
        )


def tokenize(sql: str) -> list[Token]:
    tokens, position = [], 0
    while position < len(sql):
        match = TOKEN.match(sql, position)
        if not match:
            raise ValueError(f"cannot read SQL at {sql[position : position + 30]!r}")
        position = match.end()
        if match.lastgroup:
            tokens.append(Token(match.lastgroup, match.group(match.lastgroup)))
    return tokens


def nest(tokens: list[Token]) -> list:
    stack: list[list] = [[]]
    for token in tokens:
        if token.text == "(":
            stack.append([])
        elif token.text == ")":
            inner = stack.pop()
            stack[-1].append(Group(inner))
        else:
            stack[-1].append(token)
    if len(stack) != 1:
        raise ValueError("unbalanced parentheses")
    return stack[0]


def is_word(item, *words: str) -> bool:
    return isinstance(item, Token) and item.kind == "word" and item.upper in words


def is_op(item, *texts: str) -> bool:
    return isinstance(item, Token) and item.kind == "op" and item.text in texts


def is_name(item) -> bool:
    return isinstance(item, Token) and item.kind in ("quoted", "word")


@dataclass
class Analysis:
    """What one statement's blocks say: the tables by alias, the equalities, the IN lists."""

    columns: dict[str, set[str]]  # table -> its columns, from _meta
    aliases: dict[str, str] = field(default_factory=dict)  # scoped alias -> table
    parent: dict = field(default_factory=dict)  # union-find over (alias, column) and values
    in_lists: dict = field(default_factory=dict)  # (alias, column) -> number of values
    inserts: list = field(default_factory=list)  # (alias, distinct values of the column)
    unpinnable: set = field(default_factory=set)  # aliases that inserts already account for
    blocks: int = 0

    def find(self, node):
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def union(self, a, b):
        self.parent[self.find(a)] = self.find(b)


def split_top(items: list, word: str) -> list[list]:
    """Split on a keyword at this level; BETWEEN's AND is not a conjunction."""
    parts, current, between = [], [], False
    for item in items:
        if is_word(item, "BETWEEN"):
            between = True
        elif is_word(item, word):
            if word == "AND" and between:
                between = False
            else:
                parts.append(current)
                current = []
                continue
        current.append(item)
    parts.append(current)
    return parts


def split_commas(items: list) -> list[list]:
    parts, current = [], []
    for item in items:
        if is_op(item, ","):
            parts.append(current)
            current = []
        else:
            current.append(item)
    parts.append(current)
    return parts


class Reader:
    def __init__(self, analysis: Analysis):
        self.a = analysis

    # A column reference: "alias"."column" or a bare column, resolved in this block's scope.
    def column(self, items: list, scope: list[dict[str, str]]):
        while len(items) == 1 and isinstance(items[0], Group) and not items[0].is_query:
            items = items[0].items  # Django wraps operands in parentheses
        if len(items) >= 3 and is_op(items[-2], "::"):
            items = items[:-2]  # a cast
        if len(items) == 3 and is_name(items[0]) and is_op(items[1], ".") and is_name(items[2]):
            alias, column = items[0].name, items[2].name
            for names in scope:
                if alias in names:
                    return (names[alias], column)
            return None
        if len(items) == 1 and is_name(items[0]) and not self.is_value(items):
            column = items[0].name
            for names in scope:
                owners = {
                    key
                    for key in names.values()
                    if column in self.a.columns.get(self.a.aliases.get(key), ())
                }
                if len(owners) == 1:
                    return (owners.pop(), column)
                if owners:
                    return None
        return None

    def is_value(self, items: list) -> bool:
        """A constant: literals, parameters, casts of them, arithmetic on them."""
        if not items:
            return False
        for item in items:
            if isinstance(item, Group):
                if item.is_query or not self.is_value(item.items):
                    return False
            elif not constant_token(item):
                return False
        return True

    def condition(self, items: list, scope: list[dict[str, str]]) -> None:
        """Record what an AND-conjunction says; an OR says nothing certain."""
        if len(split_top(items, "OR")) > 1:
            self.subqueries(items, scope)
            return
        for part in split_top(items, "AND"):
            if len(part) == 1 and isinstance(part[0], Group) and not part[0].is_query:
                self.condition(part[0].items, scope)
                continue
            self.predicate(part, scope)

    def predicate(self, part: list, scope: list[dict[str, str]]) -> None:
        for index, item in enumerate(part):
            if is_op(item, "="):
                left, right = part[:index], part[index + 1 :]
                if is_word(right[0] if right else None, "ANY") and len(right) == 2:
                    self.in_list(left, right[1], scope)
                    return
                lcol, rcol = self.column(left, scope), self.column(right, scope)
                if lcol and rcol:
                    self.a.union(lcol, rcol)
                elif lcol and self.is_value(right):
                    self.a.union(lcol, ("value", render(right)))
                elif rcol and self.is_value(left):
                    self.a.union(rcol, ("value", render(left)))
                self.subqueries(part, scope)
                return
            if is_word(item, "IN") and index + 1 < len(part) and isinstance(part[index + 1], Group):
                if index > 0 and is_word(part[index - 1], "NOT"):
                    break
                self.in_list(part[:index], part[index + 1], scope)
                return
        self.subqueries(part, scope)

    def in_list(self, left: list, group: Group, scope: list[dict[str, str]]) -> None:
        column = self.column(left, scope)
        if group.is_query:
            projected = self.block(group.items, scope)
            if column and projected:
                self.a.union(column, projected)
            return
        values = split_commas(group.items)
        if column and all(self.is_value(v) for v in values):
            distinct = {render(v) for v in values}
            if len(distinct) == 1:
                self.a.union(column, ("value", distinct.pop()))
            else:
                self.a.in_lists[column] = len(distinct)
        else:
            self.subqueries(group.items, scope)

    def subqueries(self, items: list, scope: list[dict[str, str]]) -> None:
        for item in items:
            if isinstance(item, Group):
                if item.is_query:
                    self.block(item.items, scope)
                else:
                    self.subqueries(item.items, scope)

    def from_clause(self, items: list, names: dict[str, str], scope) -> list[list]:
        """The tables of a FROM (or UPDATE … FROM) list into names; returns the ON conditions."""
        conditions: list[list] = []
        for entry in split_commas(items):
            index = 0
            while index < len(entry):
                item = entry[index]
                if is_word(item, *JOIN_WORDS):
                    index += 1
                    continue
                if is_word(item, "ON"):
                    end = index + 1
                    while end < len(entry) and not is_word(entry[end], *JOIN_WORDS):
                        end += 1
                    conditions.append(entry[index + 1 : end])
                    index = end
                    continue
                # A table, a subquery or a function, then its alias.
                table = None
                if isinstance(item, Group):
                    if item.is_query:
                        self.block(item.items, scope)
                    index += 1
                elif is_name(item):
                    index += 1
                    if (
                        index + 1 < len(entry)
                        and is_op(entry[index], ".")
                        and is_name(entry[index + 1])
                    ):
                        item, index = entry[index + 1], index + 2  # schema.table
                    if index < len(entry) and isinstance(entry[index], Group):
                        self.subqueries(entry[index].items, scope)  # a function in FROM
                        index += 1
                    else:
                        table = item.name
                else:
                    index += 1
                    continue
                alias = table
                if index < len(entry) and is_word(entry[index], "AS"):
                    index += 1
                if (
                    index < len(entry)
                    and is_name(entry[index])
                    and not is_word(entry[index], *JOIN_WORDS, "ON", "WHERE")
                ):
                    alias = entry[index].name
                    index += 1
                    if index < len(entry) and isinstance(entry[index], Group):
                        index += 1  # alias(column, …)
                if table and table in self.a.columns:
                    key = f"{self.a.blocks}:{alias}"
                    names[alias] = key
                    self.a.aliases[key] = table
                elif alias:
                    names[alias] = f"{self.a.blocks}:{alias}"  # derived: no distribution column
        return conditions

    def block(self, items: list, outer: list[dict[str, str]]):
        """One query block; returns the (alias, column) its single output column is, if any."""
        self.a.blocks += 1
        names: dict[str, str] = {}
        scope = [names, *outer]
        first = items[0] if items else None
        if is_word(first, "WITH"):
            index = 1
            if is_word(items[index], "RECURSIVE"):
                index += 1
            while index < len(items) and not is_word(items[index], *STATEMENT_WORDS):
                item = items[index]
                if isinstance(item, Group) and item.is_query:
                    self.block(item.items, scope)
                index += 1
            return self.block(items[index:], outer)
        branches = split_top(items, "UNION")
        if len(branches) > 1:
            for branch in branches:
                branch = [i for i in branch if not is_word(i, "ALL", "DISTINCT")]
                if len(branch) == 1 and isinstance(branch[0], Group):
                    branch = branch[0].items
                self.block(branch, outer)
            return None
        clauses = self.clauses(items)
        if is_word(first, "SELECT"):
            for condition in self.from_clause(clauses.get("FROM", []), names, scope):
                self.condition(condition, scope)
            self.condition(clauses.get("WHERE", []), scope)
            self.subqueries(clauses.get("SELECT", []) + clauses.get("HAVING", []), scope)
            outputs = split_commas(clauses.get("SELECT", [])[1:])
            if len(outputs) == 1:
                return self.column(outputs[0], scope)
        elif is_word(first, "UPDATE"):
            self.from_clause(clauses["UPDATE"][1:], names, scope)
            for condition in self.from_clause(clauses.get("FROM", []), names, scope):
                self.condition(condition, scope)
            self.condition(clauses.get("WHERE", []), scope)
            self.subqueries(clauses.get("SET", []), scope)
        elif is_word(first, "DELETE"):
            self.from_clause(clauses.get("FROM", []), names, scope)
            self.condition(clauses.get("WHERE", []), scope)
        elif is_word(first, "INSERT"):
            self.insert(clauses, names, scope)
        return None

    def insert(self, clauses: dict, names: dict[str, str], scope) -> None:
        target = clauses.get("INTO", [])
        if not target or not is_name(target[0]):
            return
        table = target[0].name
        if table not in self.a.columns:
            return
        key = f"{self.a.blocks}:{table}"
        names[table] = key
        self.a.aliases[key] = table
        plan = PLAN.get(table)
        listed = target[1].items if len(target) > 1 and isinstance(target[1], Group) else []
        columns = [c.name for c in listed if is_name(c)]
        if "SELECT" in clauses or "WITH" in clauses:
            query = clauses.get("WITH", []) + clauses.get("SELECT", []) + clauses.get("FROM", [])
            query += clauses.get("WHERE", [])
            self.block(query, scope)
        if not plan or plan.kind != "distributed":
            return
        rows = []
        for item in clauses.get("VALUES", []):
            if is_word(item, "ON"):
                break  # ON CONFLICT (…)
            if isinstance(item, Group):
                rows.append(item)
        values = None
        if rows and plan.column in columns:
            position = columns.index(plan.column)
            values = {render(split_commas(row.items)[position]) for row in rows}
        if values and len(values) == 1:
            self.a.union((key, plan.column), ("value", values.pop()))
        else:
            self.a.inserts.append((key, values))
            self.a.unpinnable.add(key)

    @staticmethod
    def clauses(items: list) -> dict[str, list]:
        """A block's top-level clauses by their first word (a join's ON stays in FROM)."""
        clauses: dict[str, list] = {}
        current = None
        for item in items:
            if is_word(item, *CLAUSE_STARTS):
                current = item.upper
                clauses.setdefault(current, [])
                if current not in ("SELECT", "UPDATE"):
                    continue
            if current is not None:
                clauses[current].append(item)
        return clauses


CLAUSE_STARTS = {
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP",
    "HAVING",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "UPDATE",
    "SET",
    "DELETE",
    "INSERT",
    "INTO",
    "VALUES",
    "RETURNING",
}
KEYWORD_VALUES = {"NULL", "TRUE", "FALSE", "CURRENT_TIMESTAMP", "CURRENT_DATE", "NOW"}
TYPE_WORDS = {
    "integer",
    "bigint",
    "int",
    "smallint",
    "text",
    "varchar",
    "uuid",
    "timestamptz",
    "timestamp",
    "date",
    "jsonb",
    "boolean",
    "numeric",
    "double",
    "precision",
    "interval",
}


def constant_token(item: Token) -> bool:
    if item.kind in ("string", "number", "param"):
        return True
    if item.kind == "op":
        return item.text in ("::", "+", "-", "*", "/", "[", "]", ",")
    return item.kind == "word" and (item.upper in KEYWORD_VALUES or item.text.lower() in TYPE_WORDS)


def render(items) -> str:
    out = []
    for item in items:
        out.append(f"({render(item.items)})" if isinstance(item, Group) else item.text)
    return " ".join(out)


DECLARE = re.compile(
    r"^DECLARE\s+\S+\s+(?:NO\s+)?(?:SCROLL\s+)?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+", re.I
)


def analyse(sql: str, columns: dict[str, set[str]]) -> list[str]:
    """Why this statement would cross shards under PLAN; empty when it stays on one shard."""
    analysis = Analysis(columns)
    sql = DECLARE.sub("", sql.strip().rstrip(";"))  # a server-side cursor's query
    try:
        items = nest(tokenize(sql))
    except ValueError as error:
        return [f"could not read the statement: {error}"]
    if not items or not is_word(items[0], *STATEMENT_WORDS):
        return []  # SAVEPOINT, SET, …
    Reader(analysis).block(items, [])
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

    settings = {"ALLOWED_HOSTS": ["testserver"], "SECURE_SSL_REDIRECT": False, "DEBUG": False}
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
