"""Import throughput: a real OpenAlex import through works.imports against recorded pages
served locally, next to a Postgres COPY of the same rows (the floor), measured in the same run.

The 50 recorded works (works/demo/openalex/works_author_A5023888391_page1.json) are copied
COPIES times with deterministic new ids: OpenAlex work ids, DOIs and arXiv ids are unique per
copy; every co-author is mapped, per copy, onto a pool of AUTHOR_POOL synthetic researchers (a
one-to-one map within a copy, so no byline lists a person twice, and a different one in each
copy, so collaborations form across copies). The imported author (Jason Priem, A5023888391)
keeps his real id and is on every work. Each record keeps its real structure, abstract,
locations, institutions and topics; titles get " (part N)" after the first copy, so that copies
are not title-match candidates of each other (a real author's preprint/published pairs, which
are, stay together within each copy). A ThreadingHTTPServer on 127.0.0.1 answers /authors/<id>
and /works?…&cursor=… (honouring per_page and select, chaining next_cursor, ending with an
empty page whose next_cursor is null), so OpenAlexClient's real `requests` code runs.

Each repetition starts from empty domain tables. The import is import_run_create(enqueue=False)
then import_run_execute(...): per-page transactions with checkpoints, graph and counts refresh,
exactly as a worker runs it. The floor writes the rows that import produced (read back after the
first repetition: researchers, institutions, topics, works, authorships and their link tables;
not the derived collaborations, counts or trust assessments) with psycopg COPY … FROM STDIN and
write_row, in one transaction, timed including the commit.

BENCH_IMPORT_PROFILE=1 adds one cProfile'd import and prints where its time goes.
"""

import copy
import cProfile
import functools
import io
import json
import os
import pstats
import random
import re
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

DEMO_DIRECTORY = Path(__file__).resolve().parent.parent / "works" / "demo" / "openalex"
RECORDED_PAGE = DEMO_DIRECTORY / "works_author_A5023888391_page1.json"
RECORDED_AUTHOR = DEMO_DIRECTORY / "author_A5023888391.json"
TARGET_AUTHOR = "A5023888391"

COPIES = 40  # 50 recorded works x 40 = 2,000 works
PER_PAGE = 100  # 20 pages, then the empty last page
AUTHOR_POOL = 400
REPETITIONS = 3
SEED = 20260101
GOAL_RATIO = 0.25

# What the import writes, in foreign-key order: (app label, model name). The floor COPYs these.
SOURCE_MODELS = [
    ("works", "Institution"),
    ("works", "Topic"),
    ("works", "Researcher"),
    ("works", "Work"),
    ("works", "Authorship"),
    ("works", "Authorship_institutions"),
    ("works", "WorkTopic"),
]
# The floor's narrow reading of "the same rows": works, authorships and their researchers.
CORE_MODELS = {"Researcher", "Work", "Authorship"}
# Derived rows the import also writes (not in the floor), counted for the report.
DERIVED_MODELS = [
    ("graph", "Collaboration"),
    ("graph", "ResearcherTopic"),
    ("graph", "ResearcherInstitution"),
    ("profiles", "TrustAssessment"),
]
# Emptied before every repetition (CASCADE also empties what references them: link tables,
# collaborations, trust assessments, import runs).
TRUNCATED_MODELS = [*SOURCE_MODELS, ("graph", "Collaboration")]

_ARXIV_ID = re.compile(r"(?i)(arxiv\.org/(?:abs|pdf)/|10\.48550/arxiv\.)(\d{4})\.(\d{4,5})(v\d+)?")


# --- Data -------------------------------------------------------------------------------------


def _short(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _orcid(k: int) -> str:
    """A well-formed ORCID iD (ISO 7064 11,2 check digit) for pool member k."""
    base = f"000000029{k:06d}"
    total = 0
    for digit in base:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    digits = base + ("X" if check == 10 else str(check))
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def _author_pool(originals: list[dict]) -> list[dict]:
    """AUTHOR_POOL synthetic people named from the recorded co-authors' first and last names."""
    names = [a["display_name"].split() for a in originals if len(a["display_name"].split()) > 1]
    firsts = sorted({parts[0] for parts in names})
    lasts = sorted({parts[-1] for parts in names})
    rng = random.Random(SEED)
    pool, taken = [], set()
    for k in range(AUTHOR_POOL):
        name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
        while name in taken:
            name = f"{rng.choice(firsts)} {chr(65 + rng.randrange(26))}. {rng.choice(lasts)}"
        taken.add(name)
        pool.append(
            {
                "id": f"https://openalex.org/A{6_000_000_000 + k}",
                "display_name": name,
                "orcid": f"https://orcid.org/{_orcid(k)}" if rng.random() < 0.8 else None,
            }
        )
    return pool


def build_works(copies: int = COPIES) -> list[dict]:
    return list(iter_works(copies))


def iter_works(copies: int = COPIES) -> Iterator[dict]:
    """copies x the 50 recorded works, with deterministic new ids (see the module docstring),
    one copy at a time."""
    recorded = json.loads(RECORDED_PAGE.read_text(encoding="utf-8"))["results"]
    originals: dict[str, dict] = {}
    for work in recorded:
        for authorship in work["authorships"]:
            author = authorship["author"]
            if _short(author["id"]) != TARGET_AUTHOR:
                originals.setdefault(author["id"], author)
    pool = _author_pool(list(originals.values()))
    texts = [json.dumps(work) for work in recorded]
    arxiv_ids = sorted(
        {(m.group(2), m.group(3)) for text in texts for m in _ARXIV_ID.finditer(text)}
    )
    arxiv_number = {key: n for n, key in enumerate(arxiv_ids)}

    for c in range(copies):
        rng = random.Random(SEED + c)
        seats = dict(zip(originals, rng.sample(range(AUTHOR_POOL), len(originals)), strict=True))

        def new_arxiv(match, c=c):
            prefix, yymm, number, _ = match.groups()
            serial = c * len(arxiv_ids) + arxiv_number[(yymm, number)]
            return f"{prefix}{yymm}.{serial:05d}"

        for i, (work, text) in enumerate(zip(recorded, texts, strict=True)):
            text = _ARXIV_ID.sub(new_arxiv, text)
            doi = work["doi"].split("doi.org/", 1)[1] if work.get("doi") else ""
            if doi and not doi.lower().startswith("10.48550/"):
                text = re.sub(
                    rf"(?i)doi\.org/{re.escape(doi)}(?=\")",
                    lambda _, doi=doi, c=c: f"doi.org/{doi}.b{c}",
                    text,
                )
            copied = json.loads(text)
            work_url = f"https://openalex.org/W{8_000_000_000 + c * len(recorded) + i}"
            copied["id"] = work_url
            if c:
                # Copies of one title would all be title-match candidates of each other, which
                # a real author's works are not (preprint/published pairs stay within a copy).
                for key in ("title", "display_name"):
                    if copied.get(key):
                        copied[key] = f"{copied[key]} (part {c + 1})"
            copied.setdefault("ids", {})["openalex"] = work_url
            for authorship in copied["authorships"]:
                author = authorship["author"]
                if _short(author["id"]) == TARGET_AUTHOR:
                    continue
                person = pool[seats[author["id"]]]
                authorship["author"] = {**author, **copy.deepcopy(person)}
                authorship["raw_author_name"] = person["display_name"]
            yield copied


# --- The replay server ------------------------------------------------------------------------


class ReplayServer:
    """OpenAlex's /authors/<id> and /works cursor paging, from memory, on a loopback port."""

    def __init__(self, works: list[dict], author: dict):
        self.works = works
        self.author_body = json.dumps(author).encode()
        self._pages: dict[tuple, bytes] = {}
        self._lock = threading.Lock()
        self.requests = 0
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real API

            def do_GET(self):  # noqa: N802 - the http.server name
                replay.requests += 1
                status, body = replay.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, target: str) -> tuple[int, bytes]:
        parts = urlsplit(target)
        path = parts.path.strip("/")
        if path == f"authors/{TARGET_AUTHOR}":
            return 200, self.author_body
        if path != "works":
            return 404, b'{"error": "not found"}'
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        if query.get("filter") != f"authorships.author.id:{TARGET_AUTHOR}":
            return 400, b'{"error": "unexpected filter"}'
        cursor = query.get("cursor", "")
        if cursor != "*" and not re.fullmatch(r"o\d+", cursor):
            return 400, b'{"error": "bad cursor"}'
        offset = 0 if cursor == "*" else int(cursor[1:])
        return 200, self.page(offset, int(query.get("per_page", 25)), query.get("select", ""))

    def page(self, offset: int, per_page: int, select: str) -> bytes:
        key = (offset, per_page, select)
        with self._lock:
            if key not in self._pages:
                fields = [name for name in select.split(",") if name]
                results = [
                    {name: work[name] for name in fields if name in work} if fields else work
                    for work in self.works[offset : offset + per_page]
                ]
                more = bool(results)
                meta = {
                    "count": len(self.works),
                    "db_response_time_ms": 40,
                    "page": None,
                    "per_page": per_page,
                    "next_cursor": f"o{offset + per_page}" if more else None,
                    "groups_count": None,
                }
                body = {"meta": meta, "results": results, "group_by": []}
                self._pages[key] = json.dumps(body).encode()
            return self._pages[key]

    def warm(self, per_page: int, select: str) -> None:
        """Encode every page before timing, so the server thread costs the import nothing but
        the socket writes."""
        for offset in range(0, len(self.works) + 1, per_page):
            self.page(offset, per_page, select)


# --- Database ---------------------------------------------------------------------------------


def _tables(models: list[tuple[str, str]]) -> list[str]:
    from django.apps import apps

    tables = []
    for app_label, name in models:
        if name == "Authorship_institutions":
            model = apps.get_model("works", "Authorship").institutions.through
        else:
            model = apps.get_model(app_label, name)
        tables.append(model._meta.db_table)
    return tables


def truncate() -> None:
    from django.db import connection

    names = sql.SQL(", ").join(sql.Identifier(table) for table in _tables(TRUNCATED_MODELS))
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(names).as_string(None)
        )


def table_counts(tables: list[str]) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)).as_string(None)
            )
            counts[table] = cursor.fetchone()[0]
    return counts


@dataclass
class TableRows:
    table: str
    columns: list[str]
    rows: list[tuple]


def rows_snapshot(database_url: str) -> list[TableRows]:
    """The rows the import wrote, as Python values ready for write_row (json wrapped)."""
    snapshot = []
    with psycopg.connect(database_url) as connection:
        jsonb_oid = connection.adapters.types["jsonb"].oid
        for table in _tables(SOURCE_MODELS):
            cursor = connection.execute(
                sql.SQL("SELECT * FROM {} ORDER BY id").format(sql.Identifier(table))
            )
            columns = [column.name for column in cursor.description]
            json_columns = [column.type_code == jsonb_oid for column in cursor.description]
            rows = [
                tuple(
                    Jsonb(value) if is_json and value is not None else value
                    for value, is_json in zip(row, json_columns, strict=True)
                )
                for row in cursor.fetchall()
            ]
            snapshot.append(TableRows(table, columns, rows))
    return snapshot


def copy_rows(database_url: str, snapshot: list[TableRows]) -> dict[str, float]:
    """COPY every table in one transaction. Returns seconds per table and in total."""
    seconds = {}
    with psycopg.connect(database_url) as connection:
        start = time.perf_counter()
        with connection.transaction(), connection.cursor() as cursor:
            for item in snapshot:
                table_start = time.perf_counter()
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(item.table),
                    sql.SQL(", ").join(sql.Identifier(column) for column in item.columns),
                )
                with cursor.copy(statement) as copy_:
                    for row in item.rows:
                        copy_.write_row(row)
                seconds[item.table] = time.perf_counter() - table_start
            commit_start = time.perf_counter()
        seconds["commit"] = time.perf_counter() - commit_start
        seconds["total"] = time.perf_counter() - start
    return seconds


# --- The import -------------------------------------------------------------------------------


class Phases:
    """Wall-clock self time of the import's steps, and the SQL time and queries inside each.

    Wraps a fixed list of functions for the duration of a `with` block (a few thousand calls
    and one timer per query per import: it costs the import next to nothing). Time in a wrapped
    function called from another counts for the inner one only; the rest is "other". Django's
    bulk_create, bulk_update and row fetching are sub-steps, labelled "step › what".
    """

    OTHER = "other (run claim and settle, Python between steps)"
    SUB = " › "

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.sql_seconds: dict[str, float] = defaultdict(float)
        self.queries: dict[str, int] = defaultdict(int)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack = [self.OTHER]
        self._mark = 0.0
        self._patched: list[tuple[object, str, object]] = []

    @staticmethod
    def _targets():
        from django.db.models.query import QuerySet

        from profiles import receivers
        from works.imports import lease, pipeline
        from works.ingest import batch, researchers, writes
        from works.sources import openalex

        checkpoint = "checkpoint (lock run, save run, commit page)"
        return [
            (openalex.OpenAlexClient, "_json", "HTTP GET + JSON decode"),
            (openalex, "parse_work", "openalex.parse_work"),
            (batch, "_paired", "ingest: pair records with stored works"),
            (batch, "upsert_researchers", "ingest.upsert_researchers"),
            (batch, "upsert_institutions", "ingest.upsert_institutions"),
            (researchers, "upsert_institutions", "ingest.upsert_institutions"),
            (batch, "upsert_topics", "ingest.upsert_topics"),
            (writes, "_work_values", "ingest: work values (sanitise)"),
            (pipeline, "ingest_works", "ingest.ingest_works (own code)"),
            (batch, "works_write", "ingest.works_write (Work rows)"),
            (batch, "bylines_sync", "ingest.bylines_sync"),
            (batch, "work_topics_sync", "ingest.work_topics_sync"),
            (receivers, "collaborations_refresh", "graph.services.collaborations_refresh"),
            (receivers, "researcher_stats_refresh", "profiles.services.researcher_stats_refresh"),
            (lease.Checkpoint, "__enter__", checkpoint),
            (lease.Checkpoint, "__exit__", checkpoint),
            (QuerySet, "bulk_create", None),
            (QuerySet, "bulk_update", None),
            (QuerySet, "_fetch_all", None),
        ]

    def _switch(self, push: str | None) -> None:
        now = time.perf_counter()
        self.seconds[self._stack[-1]] += now - self._mark
        self._mark = now
        if push is None:
            self._stack.pop()
        else:
            self._stack.append(push)

    def _wrap(self, function, label):
        if label is None:
            name = {"_fetch_all": "SELECT, rows to objects"}.get(function.__name__)
            name = name or function.__name__

            def label_now():
                return self._stack[-1].split(self.SUB)[0] + self.SUB + name

        else:

            def label_now():
                return label

        @functools.wraps(function)
        def timed(*args, **kwargs):
            self.calls[function.__name__] += 1
            self._switch(label_now())
            try:
                return function(*args, **kwargs)
            finally:
                self._switch(None)

        return timed

    def _sql(self, execute, statement, params, many, context):
        start = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            self.sql_seconds[self._stack[-1]] += time.perf_counter() - start
            self.queries[self._stack[-1]] += 1

    def __enter__(self):
        from django.db import connection

        for owner, name, label in self._targets():
            original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
            self._patched.append((owner, name, original))
            setattr(owner, name, self._wrap(original, label))
        self._sql_wrapper = connection.execute_wrapper(self._sql)
        self._sql_wrapper.__enter__()
        self._mark = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self._switch(None)
        self._sql_wrapper.__exit__(*exc)
        for owner, name, original in reversed(self._patched):
            setattr(owner, name, original)
        self._patched.clear()

    def total(self) -> float:
        return sum(self.seconds.values())

    def rows(self, *, min_share: float = 0.01) -> list[list]:
        """Table rows: each step (with its sub-steps) by time, sub-steps under it."""
        total = self.total()
        steps: dict[str, list[str]] = defaultdict(list)
        for label in self.seconds:
            steps[label.split(self.SUB)[0]].append(label)

        def summed(labels, values):
            return sum(values.get(label, 0) for label in labels)

        def row(name, labels):
            seconds = summed(labels, self.seconds)
            return [
                name,
                f"{seconds:.3f}",
                f"{seconds / total:.0%}",
                f"{summed(labels, self.sql_seconds):.3f}",
                summed(labels, self.queries),
            ]

        rows = []
        for step, labels in sorted(steps.items(), key=lambda item: -summed(item[1], self.seconds)):
            rows.append(row(step, labels))
            subs = [label for label in labels if label != step]
            shown = [label for label in subs if self.seconds[label] >= min_share * total]
            if shown:
                shown.sort(key=lambda label: -self.seconds[label])
                rows += [row("   " + label[len(step) :], [label]) for label in shown]
                rest = [label for label in labels if label not in shown]
                rows.append(row(self.SUB.rstrip().rjust(5) + " the rest", rest))
        rows.append(["total", f"{total:.3f}", "100%", f"{sum(self.sql_seconds.values()):.3f}",
                     sum(self.queries.values())])  # fmt: skip
        return rows


def import_once(base_url: str) -> float:
    from works.models import ImportRun
    from works.services import import_run_create, import_run_execute
    from works.sources.openalex import OpenAlexClient

    start = time.perf_counter()
    run = import_run_create(
        source=ImportRun.Source.OPENALEX, request={"openalex": TARGET_AUTHOR}, enqueue=False
    )
    client = OpenAlexClient(base_url=base_url, per_page=PER_PAGE)
    run = import_run_execute(run_id=run.pk, slice_seconds=10**9, client=client)
    elapsed = time.perf_counter() - start
    client.session.close()
    if run is None or run.state != ImportRun.State.DONE:
        state = "not claimed" if run is None else f"{run.state}: {run.message}"
        raise SystemExit(f"Bench import did not finish ({state}).")
    return elapsed


def import_profile(base_url: str, top: int = 25) -> str:
    """One more import under cProfile: the top functions by cumulative and by own time."""
    truncate()
    profiler = cProfile.Profile()
    profiler.enable()
    elapsed = import_once(base_url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return f"\ncProfile of one import ({elapsed:.2f} s with profiling on):\n{out.getvalue()}"


def bench_import_throughput(bench, *, print_table) -> None:
    from django.conf import settings

    from works.services import demo_data_load
    from works.sources.openalex import WORK_FIELDS

    works = build_works()
    author = json.loads(RECORDED_AUTHOR.read_text(encoding="utf-8"))
    pages = -(-len(works) // PER_PAGE)
    source_tables = _tables(SOURCE_MODELS)
    core_tables = _tables([model for model in SOURCE_MODELS if model[1] in CORE_MODELS])
    work_table, authorship_table = _tables([("works", "Work"), ("works", "Authorship")])
    derived_tables = _tables(DERIVED_MODELS)

    import_seconds, copy_seconds, copy_core_seconds = [], [], []
    import_phases: list[Phases] = []
    snapshot, counts, derived = None, None, {}
    with ReplayServer(works, author) as server:
        server.warm(PER_PAGE, WORK_FIELDS)
        # Interleaved, so drift (CPU frequency, autovacuum, other load) hits both the same.
        for _ in range(REPETITIONS):
            truncate()
            with Phases() as phases:
                import_seconds.append(import_once(server.base_url))
            import_phases.append(phases)
            written = table_counts(source_tables)
            if snapshot is None:
                counts, derived = written, table_counts(derived_tables)
                snapshot = rows_snapshot(bench.database_url)
            elif written != counts:
                raise SystemExit(f"Imports differ: {counts} then {written}")
            truncate()
            timings = copy_rows(bench.database_url, snapshot)
            if table_counts(source_tables) != counts:
                raise SystemExit("COPY did not write the rows the import wrote.")
            copy_seconds.append(timings["total"])
            copy_core_seconds.append(
                sum(timings[table] for table in core_tables) + timings["commit"]
            )
        profiled = os.environ.get("BENCH_IMPORT_PROFILE")
        profile = import_profile(server.base_url) if profiled else ""
        requests_per_import = server.requests // (REPETITIONS + bool(profiled))
    # Leave the bench database as the profile benchmarks expect it.
    truncate()
    demo_data_load()

    works_n, authorships_n = counts[work_table], counts[authorship_table]
    imported = statistics.median(import_seconds)
    copied = statistics.median(copy_seconds)
    copied_core = statistics.median(copy_core_seconds)

    def row(label, seconds):
        return [
            label,
            f"{seconds:.3f}",
            f"{works_n / seconds:,.0f}",
            f"{authorships_n / seconds:,.0f}",
            f"{imported / seconds:.1f}x" if seconds != imported else "",
        ]

    ratio = copied / imported
    ratio_core = copied_core / imported
    rows_written = sum(counts.values())
    print_table(
        f"Import throughput: {works_n:,} works with {authorships_n:,} authorships of one author, "
        f"{pages} pages of {PER_PAGE} + the empty last page\n({requests_per_import} requests to "
        f"a local replay of recorded OpenAlex responses); median of {REPETITIONS}, interleaved "
        f"with the floor, each from empty tables",
        ["", "seconds", "works/s", "authorships/s", "import slower by"],
        [
            row("import (import_run_execute, OpenAlexClient)", imported),
            row(f"floor: COPY all {rows_written:,} rows it wrote, 1 transaction", copied),
            row("floor: its researchers+works+authorships part", copied_core),
        ],
    )
    verdict = "meets" if ratio_core >= GOAL_RATIO else "misses"
    print(
        f"  ratio import/COPY (works/s): {ratio:.2f} against all rows, {ratio_core:.2f} against "
        f"researchers+works+authorships; goal >= {GOAL_RATIO} ({verdict} it)"
    )
    print(
        "  rows: "
        + ", ".join(f"{table} {n:,}" for table, n in counts.items())
        + "; derived, not in the floor: "
        + ", ".join(f"{table} {n:,}" for table, n in derived.items())
    )
    phases = import_phases[import_seconds.index(imported)]
    print(
        f"  per import: ingest_works {phases.calls['ingest_works']}x, collaborations_refresh "
        f"{phases.calls['collaborations_refresh']}x, researcher_stats_refresh "
        f"{phases.calls['researcher_stats_refresh']}x; "
        f"GRAPH_MAX_AUTHORS_FOR_EDGES={settings.GRAPH_MAX_AUTHORS_FOR_EDGES}"
    )

    # Where the import's time goes, in the repetition with the median time.
    print_table(
        "Where the import's time goes (its median repetition): wall-clock self time of each "
        "step;\nSQL s = time inside cursor.execute (psycopg's parameter dumping, the round trip "
        "and Postgres)",
        ["", "seconds", "share", "SQL s", "queries"],
        phases.rows(),
    )
    if profile:
        print(profile)
