"""Search at two sizes: COPY generated researchers (realistic names, accents, common family
names) and works, then time what a visitor asks over HTTP, and show the query plans.

BENCH_SEARCH_RESEARCHERS sets the large size (default 1,000,000 researchers); works are three
times as many. Each size lives in its own database (the bench database's name + "_search_" +
the size), kept between runs: generating the large one takes minutes, and the other bench
sections empty the shared bench database. A database already holding its size is reused; the
search indexes are dropped for a load and built after (timed)."""

import os
import random
import re
import statistics
import time

from bench.data import bulk_load, copy_rows, database_url_for, on_database, people, work_title
from bench.run import server_on

SMALL = 10_000
LARGE = int(os.environ.get("BENCH_SEARCH_RESEARCHERS", "1000000"))
WORKS_PER_RESEARCHER = 3
TIMED = 30
WARMUP = 3
PLANTED_PEOPLE = ["Lechao Xiao", "Luke Metz", "Jascha Sohl-Dickstein"]
PLANTED_TITLE = "Wide Bayesian neural networks have a simple weight posterior"
QUERIES = {
    "exact name": "/researchers/?q=lechao+xiao",
    "misspelt name": "/researchers/?q=lechao+xaio",
    "common surname": "/researchers/?q=wang",
    "title phrase": "/search/?kind=works&q=%22weight+posterior%22",
    "suggestion": "/search/suggest/?q=metz+lu",
}


def _search_indexes() -> tuple[list[str], list[str]]:
    """The search indexes' CREATE and DROP statements, from the migrations that made them."""
    from importlib import import_module

    found = ([], [])
    for module in [
        "works.migrations.0013_work_abstract_key_and_search_indexes",
        "profiles.migrations.0003_researcher_search_trigram",
        "works.migrations.0014_researcher_name_words_and_search_order",
    ]:
        migration = import_module(module)
        found[0].extend(s for s in migration.CREATE if not s.startswith("CREATE EXTENSION"))
        found[1].extend(migration.DROP)
    return found


def _loaded(researchers: int) -> bool:
    from works.models import Researcher, Work

    return (
        Researcher.objects.count() == researchers
        and Work.objects.count() == researchers * WORKS_PER_RESEARCHER
        and Researcher.objects.filter(pk=1, display_name=PLANTED_PEOPLE[0]).exists()
    )


def _works(count: int, rng: random.Random):
    from works.text import title_key

    for number in range(1, count + 1):
        title = PLANTED_TITLE if number == 1 else work_title(rng)
        yield (number, f"w{number}", title, title_key(title), rng.randint(1990, 2025), "article")


def load(researchers: int, seed: int = 13) -> str:
    """The generated rows in the current database, unless it holds them already. Says what it
    did."""
    from django.core.management import call_command
    from django.db import connection

    from bench.import_speed import truncate
    from works.models import Researcher, Work

    call_command("migrate", "--noinput", verbosity=0)
    if _loaded(researchers):
        return "reused"
    start = time.perf_counter()
    rng = random.Random(seed)
    truncate()
    create, drop = _search_indexes()
    with connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)
    with bulk_load([Researcher, Work]):
        copy_rows(
            Researcher,
            [
                "id",
                "slug",
                "display_name",
                "name_key",
                "search_name",
                "works_count",
                "verification_level",
            ],
            people(researchers, rng, PLANTED_PEOPLE),
        )
        copy_rows(
            Work,
            ["id", "slug", "title", "title_key", "publication_year", "type"],
            _works(researchers * WORKS_PER_RESEARCHER, rng),
        )
    loaded = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in [*create, "ANALYZE"]:
            cursor.execute(statement)
    return (
        f"loaded in {loaded - start:.0f} s, search indexes built in "
        f"{time.perf_counter() - loaded:.0f} s"
    )


def timings(session, base: str) -> dict[str, tuple[float, float]]:
    figures = {}
    for label, path in QUERIES.items():
        for _ in range(WARMUP):
            session.get(base + path, timeout=120)
        samples = []
        for _ in range(TIMED):
            start = time.perf_counter()
            response = session.get(base + path, timeout=120)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        samples.sort()
        figures[label] = (statistics.median(samples), samples[int(0.9 * (len(samples) - 1))])
    return figures


INDEX_IN_PLAN = r"(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)"


def plans() -> dict[str, str]:
    """For each timed request, run in-process: the indexes its queries' plans use (Index Scan,
    Index Only Scan, Bitmap Index Scan), or the scan when none does."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from profiles.search import queries

    client = Client(HTTP_HOST="127.0.0.1")
    found = {}
    for label, path in QUERIES.items():
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        used, scans = set(), set()
        with transaction.atomic(), connection.cursor() as cursor:
            queries._set_similarity_threshold()
            for query in captured.captured_queries:
                if not query["sql"].startswith("SELECT") or "set_config" in query["sql"]:
                    continue
                cursor.execute("EXPLAIN " + query["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
                used.update(re.findall(INDEX_IN_PLAN, plan))
                scans.update(re.findall(r"Seq Scan on (\w+)", plan))
            # The bench writes no authorships, institutions or topics: scanning nothing is free.
            for table in list(scans):
                cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')  # noqa: S608
                if not cursor.fetchone()[0]:
                    scans.discard(table)
        found[label] = ", ".join(sorted(used)) + (
            f"; sequential scans: {', '.join(sorted(scans))}" if scans else ""
        )
    return found


def prepare(bench_url: str, size: int) -> str:
    """The database of this size, made and loaded if need be."""
    from bench.run import database_create_if_missing

    url = database_url_for(bench_url, f"search_{size}")
    database_create_if_missing(url)
    with on_database(url):
        done = load(size)
    print(f"\nSearch: {size:,} researchers, {size * WORKS_PER_RESEARCHER:,} works: {done}")
    return url


def measure(url: str, size: int) -> dict[str, tuple[float, float]]:
    import requests

    with server_on(url, ready_path="/search/suggest/?q=") as base, requests.Session() as session:
        figures = timings(session, base)
    with on_database(url):
        for label, indexes in plans().items():
            print(f"  plan at {size:,}, {label}: {indexes}")
    return figures


def bench_search_speed(bench, *, print_table) -> None:
    results = {}
    for size in (SMALL, LARGE):
        results[size] = measure(prepare(bench.database_url, size), size)
    rows = []
    for label in QUERIES:
        small, large = results[SMALL][label], results[LARGE][label]
        rows.append(
            [
                label,
                f"{small[0]:.1f}",
                f"{small[1]:.1f}",
                f"{large[0]:.1f}",
                f"{large[1]:.1f}",
                f"{large[0] / small[0]:.2f}x",
            ]
        )
    print_table(
        f"Search over HTTP, ms ({TIMED} timed requests each)",
        [
            "query",
            f"median {SMALL:,}",
            f"p90 {SMALL:,}",
            f"median {LARGE:,}",
            f"p90 {LARGE:,}",
            "ratio",
        ],
        rows,
    )
