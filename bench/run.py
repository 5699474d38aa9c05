"""`make bench`: time BZPEER on the real stack and print the figures. Nothing is asserted.

Every benchmark measures its baseline in the same run, on the same machine, so the ratios mean
something even when the absolute times do not. The run uses its own Postgres database (the
DATABASE_URL name + "_bench"), migrated and loaded with the demo data, and a real gunicorn
server on a free loopback port serving bench.urls (the site plus a floor view).

To add a benchmark, write a function that takes a Bench and prints its figures, and append it
to BENCHMARKS.
"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

SEED_PROFILE_PATH = "/researchers/jascha-sohl-dickstein/"
FLOOR_PATH = "/bench/floor/"
WARMUP_REQUESTS = 20
TIMED_REQUESTS = 200
SERVER_START_TIMEOUT = 30
PROFILE_GOAL_RATIO = 2.0


@dataclass
class Bench:
    """The live server. Django is also set up in this process, on the same database, which
    database_url names (for benchmarks that talk to Postgres directly)."""

    base_url: str
    session: requests.Session
    database_url: str

    def url(self, path: str) -> str:
        return self.base_url + path


# --- Set-up -----------------------------------------------------------------------------------


def bench_database_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit("make bench needs DATABASE_URL to point at Postgres.")
    name = parts.path.lstrip("/") or "bzpeer"
    return urlunsplit(parts._replace(path=f"/{name}_bench"))


def database_create_if_missing(database_url: str) -> None:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def django_prepare() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_demo")


def server_start(port: int, log, env: dict | None = None) -> subprocess.Popen:
    # gthread with one thread: one request at a time, like a sync worker, but with keep-alive,
    # so the timings are the server's work rather than TCP set-up.
    command = [
        sys.executable, "-m", "gunicorn", "bzpeer.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", "1", "--worker-class", "gthread", "--threads", "1",
        "--keep-alive", "30", "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(  # noqa: S603
        command, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT, env=env
    )


def server_wait(process: subprocess.Popen, bench: Bench, log) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            # The first floor request also captures the profile bytes (bench/urls.py).
            response = bench.session.get(bench.url(FLOOR_PATH), timeout=10)
        except requests.ConnectionError:
            time.sleep(0.2)
            continue
        if response.status_code == 200:
            return
        raise SystemExit(f"GET {FLOOR_PATH} answered {response.status_code}: {response.text[:300]}")
    log.seek(0)
    raise SystemExit(f"gunicorn did not start:\n{log.read().decode(errors='replace')}")


def server_stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def server_on(database_url: str, *, ready_path: str, **environment: str):
    """A second gunicorn like main()'s, on another database (and these environment variables),
    for as long as the block runs: yields its base URL once ready_path answers 200."""
    port = free_port()
    environment = dict(os.environ, DATABASE_URL=database_url, **environment)
    with tempfile.TemporaryFile() as log:
        server = server_start(port, log, env=environment)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while True:
                try:
                    if requests.get(base + ready_path, timeout=10).ok:
                        break
                except requests.ConnectionError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    log.seek(0)
                    raise SystemExit(f"gunicorn did not start:\n{log.read().decode()}")
                time.sleep(0.2)
            yield base
        finally:
            server_stop(server)


# --- Measuring and printing -------------------------------------------------------------------


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed_get(session: requests.Session, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = session.get(url)
    body = response.content
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return elapsed * 1000, len(body)


def time_interleaved(bench: Bench, paths: dict[str, str]) -> dict[str, dict]:
    """GET each path in turn, WARMUP_REQUESTS untimed then TIMED_REQUESTS timed rounds.

    Interleaving puts the same drift (CPU frequency, other load) on every path.
    """
    for _ in range(WARMUP_REQUESTS):
        for path in paths.values():
            timed_get(bench.session, bench.url(path))
    samples: dict[str, list[float]] = {label: [] for label in paths}
    sizes: dict[str, int] = {}
    for _ in range(TIMED_REQUESTS):
        for label, path in paths.items():
            milliseconds, sizes[label] = timed_get(bench.session, bench.url(path))
            samples[label].append(milliseconds)
    return {
        label: {
            "median": statistics.median(values),
            "p90": percentile(values, 0.9),
            "bytes": sizes[label],
        }
        for label, values in samples.items()
    }


def print_table(title: str, header: list[str], rows: list[list]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [str(row[0]).ljust(widths[0])] + [
            str(cell).rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        print(("  " + "  ".join(cells)).rstrip())


# --- Benchmarks -------------------------------------------------------------------------------


def bench_profile_page(bench: Bench) -> None:
    """The seed profile against a floor view returning the same bytes from memory."""
    results = time_interleaved(bench, {"profile": SEED_PROFILE_PATH, "floor": FLOOR_PATH})
    profile, floor = results["profile"], results["floor"]
    print_table(
        f"Profile page {SEED_PROFILE_PATH}: {TIMED_REQUESTS} sequential GETs each after "
        f"{WARMUP_REQUESTS} warm-up, interleaved, timed client-side (ms)",
        ["", "median", "p90", "bytes"],
        [
            ["profile", f"{profile['median']:.2f}", f"{profile['p90']:.2f}", profile["bytes"]],
            ["floor (same bytes from memory)", f"{floor['median']:.2f}", f"{floor['p90']:.2f}",
             floor["bytes"]],
            ["ratio profile/floor", f"{profile['median'] / floor['median']:.1f}x",
             f"{profile['p90'] / floor['p90']:.1f}x", ""],
        ],
    )  # fmt: skip
    ratio = profile["median"] / floor["median"]
    verdict = "pass" if ratio <= PROFILE_GOAL_RATIO else "FAIL"
    print(f"  Goal: median profile <= {PROFILE_GOAL_RATIO:g}x floor: {ratio:.1f}x, {verdict}")


def bench_profile_queries(bench: Bench) -> None:
    """SQL queries the profile page runs, counted in-process through Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from works.models import Researcher

    works = Researcher.objects.get(slug=SEED_PROFILE_PATH.strip("/").split("/")[-1]).works_count
    client = Client(HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as queries:
        status = client.get(SEED_PROFILE_PATH).status_code
    if status != 200:
        raise SystemExit(f"GET {SEED_PROFILE_PATH} answered {status} in-process")
    print(f"\nSQL queries for the profile page ({works} works): {len(queries)}")


def bench_load(bench: Bench) -> None:
    """The floor, the seed profile, its graph slice and a search under wrk (2 threads, 32
    connections, 15 s, 3 rounds) on a gunicorn of 2 sync workers that this section starts."""
    from bench.load_speed import bench_load_speed

    bench_load_speed(
        bench,
        print_table=print_table,
        base_dir=BASE_DIR,
        free_port=free_port,
        server_wait=server_wait,
        server_stop=server_stop,
    )


def bench_import(bench: Bench) -> None:
    """A real OpenAlex import from locally served pages against a COPY of the same rows."""
    from bench.import_speed import bench_import_throughput

    bench_import_throughput(bench, print_table=print_table)


def bench_snapshot(bench: Bench) -> None:
    """import_snapshot of a generated 50,000-work snapshot with 1 and 2 real Celery workers
    against a COPY of the same rows."""
    from bench.snapshot_speed import bench_snapshot_throughput

    bench_snapshot_throughput(bench, print_table=print_table)


def bench_graph(bench: Bench) -> None:
    """The graph slice on a generated 5,000-collaborator neighbourhood against networkx over
    authorships loaded into memory; the import of a work with 3,000 authors."""
    from bench.graph_speed import bench_graph_slice

    bench_graph_slice(bench, print_table=print_table)


def bench_trust(bench: Bench) -> None:
    """The nightly trust batch over 100,000 generated researchers against a per-row Python loop
    (compute_trust and save) timed on a sample in the same run."""
    from bench.trust_speed import bench_trust_batch

    bench_trust_batch(bench, print_table=print_table)


def bench_feed(bench: Bench) -> None:
    """The follow feed's first page, its 50th page and the digest query for a user following
    500 of 20,000 generated researchers (200,000 works) against a hand-written SQL floor (the 20
    newest works by the 500 ids, same byline prefetch) timed interleaved in the same run."""
    from bench.feed_speed import bench_feed as bench_feed_speed

    bench_feed_speed(bench, print_table=print_table)


def bench_search(bench: Bench) -> None:
    """Search (people, a misspelling, a common surname, a title phrase, a suggestion) at 10,000
    researchers and at BENCH_SEARCH_RESEARCHERS (1,000,000), with the indexes the plans use."""
    from bench.search_speed import bench_search_speed

    bench_search_speed(bench, print_table=print_table)


def bench_scale(bench: Bench) -> None:
    """The pages that grow with the data (profiles, slice, explorer, lists, search, feed, topic,
    institution, sitemap) at 10,000 researchers and at BENCH_SCALE_RESEARCHERS (1,000,000)."""
    from bench.scale_speed import bench_scale_speed

    bench_scale_speed(bench, print_table=print_table)


def bench_export(bench: Bench) -> None:
    """The profile export per 1,000 works (10,000 generated works, each format) and the
    sitemap rebuild rate over 100,000 generated researchers."""
    from bench.export_speed import bench_exports

    bench_exports(bench, print_table=print_table)


# The import, graph, trust and feed benchmarks empty the domain tables (and reload the demo data
# after), so they run after the ones that read the demo data.
BENCHMARKS: list[Callable[[Bench], None]] = [
    bench_profile_page,
    bench_profile_queries,
    bench_load,
    bench_import,
    bench_snapshot,
    bench_graph,
    bench_trust,
    bench_feed,
    bench_search,
    bench_export,
    bench_scale,
]


def benchmarks_chosen(names: str) -> list[Callable[[Bench], None]]:
    """BENCH=trust,feed runs those sections only (each named without "bench_")."""
    if not names.strip():
        return BENCHMARKS
    by_name = {benchmark.__name__.removeprefix("bench_"): benchmark for benchmark in BENCHMARKS}
    chosen = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in by_name]
    if unknown:
        raise SystemExit(f"BENCH: no section {', '.join(unknown)}; there are {', '.join(by_name)}.")
    return [by_name[name] for name in chosen]


def main() -> None:
    database_url = bench_database_url(os.environ.get("DATABASE_URL", ""))
    os.environ.update(
        DATABASE_URL=database_url,
        ROOT_URLCONF="bench.urls",
        CACHE_KEY_PREFIX="bzpeer-bench",
        DJANGO_SETTINGS_MODULE="bzpeer.settings",
    )
    database_create_if_missing(database_url)
    django_prepare()

    started = time.perf_counter()
    port = free_port()
    with tempfile.TemporaryFile() as log, requests.Session() as session:
        server = server_start(port, log)
        try:
            bench = Bench(
                base_url=f"http://127.0.0.1:{port}", session=session, database_url=database_url
            )
            server_wait(server, bench, log)
            print(
                f"\nServer: gunicorn, 1 worker (gthread, 1 thread, keep-alive) on "
                f"127.0.0.1:{port}; database {urlsplit(database_url).path.lstrip('/')}; "
                f"Python {sys.version.split()[0]}"
            )
            for benchmark in benchmarks_chosen(os.environ.get("BENCH", "")):
                benchmark(bench)
        finally:
            server_stop(server)
    print(f"\nDone in {time.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()
