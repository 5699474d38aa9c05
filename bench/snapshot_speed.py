"""Snapshot throughput: `import_snapshot --workers` with one and with two real Celery worker
processes (on the imports queue, on the bench's Redis), against a plain COPY of the rows it
wrote, all in the same run, each from empty domain tables.

The snapshot is written once and reused (in the system's temporary folder): the recorded
OpenAlex works copied as bench/import_speed.py copies them (new ids per copy, co-authors from a
pool of synthetic researchers), BENCH_SNAPSHOT_WORKS works (50,000) in BENCH_SNAPSHOT_PARTITIONS
(10) gzip JSON Lines partitions under data/works/, with its manifest, as OpenAlex publishes it.

Each import is timed from queueing the partitions to the run being done, the final pass (the
graph and counts of everyone touched) included; the workers are started and ready before. The
floor: after the first import, every table it wrote (institutions, topics, researchers, works,
authorships and their link tables; not the derived collaborations and trust assessments) is
dumped with COPY … TO into files; the floor empties the tables and times COPY … FROM those files,
in one transaction, commit included: the cheapest way to put the same rows in.
"""

import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

from bench.import_speed import SOURCE_MODELS, _tables, iter_works, table_counts, truncate

WORKS = int(os.environ.get("BENCH_SNAPSHOT_WORKS", "50000"))
PARTITIONS = int(os.environ.get("BENCH_SNAPSHOT_PARTITIONS", "10"))
WORKS_PER_COPY = 50  # the recorded page
GOAL_RATIO = 0.5
WORKER_START_TIMEOUT = 60
IMPORT_TIMEOUT = 3600
BASE_DIR = Path(__file__).resolve().parent.parent


def snapshot_write() -> Path:
    """The generated snapshot, written once per size and partition count."""
    root = Path(tempfile.gettempdir()) / f"bzpeer-bench-snapshot-{WORKS}-{PARTITIONS}"
    complete = root / "complete"
    if complete.exists():
        return root
    works_dir = root / "data" / "works"
    per_partition = -(-WORKS // PARTITIONS)
    entries, written = [], 0
    works = iter_works(-(-WORKS // WORKS_PER_COPY))
    for index in range(PARTITIONS):
        relative = f"updated_date=2026-01-01/part_{index:03d}.gz"
        path = works_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        count = min(per_partition, WORKS - written)
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
            for _ in range(count):
                work = next(works)
                work["updated_date"] = "2026-01-01T00:00:00"
                out.write(json.dumps(work) + "\n")
        written += count
        entries.append(
            {
                "url": f"s3://openalex/data/works/{relative}",
                "meta": {"content_length": path.stat().st_size, "record_count": count},
            }
        )
    manifest = {"entries": entries, "meta": {"record_count": written}}
    (works_dir / "manifest").write_text(json.dumps(manifest))
    complete.touch()
    return root


# --- Workers ------------------------------------------------------------------------------------


def workers_start(count: int, logs: Path) -> list[subprocess.Popen]:
    """count Celery worker processes (one task at a time each) on the imports queue, ready."""
    processes = []
    for number in range(1, count + 1):
        log = logs / f"worker-{number}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "bzpeer", "worker", "-Q", "imports",
            "-n", f"bench-snapshot-{number}@%h", "--concurrency=1", "--loglevel=INFO",
            "--without-mingle", "--without-gossip", "--without-heartbeat",
        ]  # fmt: skip
        processes.append(
            subprocess.Popen(  # noqa: S603
                command,
                cwd=BASE_DIR,
                stdout=open(log, "w"),  # noqa: SIM115 - open for the life of the process
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    for number, process in enumerate(processes, start=1):
        log = logs / f"worker-{number}.log"
        while "ready." not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                workers_stop(processes)
                raise SystemExit(f"Celery worker {number} did not start:\n{log.read_text()}")
            time.sleep(0.2)
    return processes


def workers_stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def queue_purge() -> None:
    """Tasks left in the imports queue by an interrupted earlier run would be worked first."""
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("imports")


def import_with_workers(root: Path, count: int) -> tuple[float, dict]:
    from works.models import ImportRun
    from works.services import import_run_create, snapshot_run_distribute

    with tempfile.TemporaryDirectory() as logs:
        processes = workers_start(count, Path(logs))
        try:
            queue_purge()
            start = time.perf_counter()
            run = import_run_create(
                source=ImportRun.Source.SNAPSHOT, request={"path": str(root)}, enqueue=False
            )
            snapshot_run_distribute(run)
            deadline = time.monotonic() + IMPORT_TIMEOUT
            while run.state not in (ImportRun.State.DONE, ImportRun.State.FAILED):
                if time.monotonic() > deadline:
                    raise SystemExit(f"Snapshot import #{run.pk} did not finish in time.")
                time.sleep(0.2)
                run.refresh_from_db()
            elapsed = time.perf_counter() - start
            if run.state != ImportRun.State.DONE:
                tail = "\n".join(path.read_text()[-3000:] for path in Path(logs).glob("*.log"))
                raise SystemExit(f"Snapshot import failed: {run.message}\n{tail}")
        finally:
            workers_stop(processes)
    partitions = list(run.partitions.values_list("started_at", "finished_at"))
    last_partition = max(finished for _, finished in partitions)
    phases = {
        "partitions": (last_partition - min(started for started, _ in partitions)).total_seconds(),
        "final pass": (run.finished_at - last_partition).total_seconds(),
    }
    return elapsed, phases


# --- The floor ----------------------------------------------------------------------------------


def rows_dump(database_url: str, folder: Path) -> list[tuple[str, Path]]:
    """Each written table's rows as COPY text in a file, untimed."""
    dumped = []
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        for table in _tables(SOURCE_MODELS):
            path = folder / f"{table}.copy"
            statement = sql.SQL("COPY {} TO STDOUT").format(sql.Identifier(table))
            with open(path, "wb") as out, cursor.copy(statement) as copy:
                for chunk in copy:
                    out.write(chunk)
            dumped.append((table, path))
    return dumped


def rows_copy(database_url: str, dumped: list[tuple[str, Path]]) -> float:
    """COPY every file back in one transaction; seconds, commit included."""
    with psycopg.connect(database_url) as connection:
        start = time.perf_counter()
        with connection.transaction(), connection.cursor() as cursor:
            for table, path in dumped:
                statement = sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))
                with cursor.copy(statement) as copy, open(path, "rb") as source:
                    while chunk := source.read(1 << 20):
                        copy.write(chunk)
        return time.perf_counter() - start


def bench_snapshot_throughput(bench, *, print_table) -> None:
    from works.services import demo_data_load

    started = time.perf_counter()
    root = snapshot_write()
    size = sum(path.stat().st_size for path in root.rglob("*.gz"))
    print(f"\nSnapshot: {root} ({size / 1e6:.0f} MB gzip, ready in "
          f"{time.perf_counter() - started:.0f} s)")  # fmt: skip
    tables = _tables(SOURCE_MODELS)
    work_table = _tables([("works", "Work")])[0]

    results: dict[str, tuple[float, dict]] = {}
    counts = None
    for workers in (1, 2):
        truncate()
        results[f"{workers} worker(s)"] = import_with_workers(root, workers)
        written = table_counts(tables)
        if counts is None:
            counts = written
        elif written != counts:
            raise SystemExit(f"Imports differ: {counts} then {written}")
    with tempfile.TemporaryDirectory() as folder:
        dumped = rows_dump(bench.database_url, Path(folder))
        truncate()
        copied = rows_copy(bench.database_url, dumped)
    if table_counts(tables) != counts:
        raise SystemExit("COPY did not write the rows the import wrote.")
    truncate()
    demo_data_load()

    works = counts[work_table]
    rows = [
        [
            f"import_snapshot --workers, {label}",
            f"{seconds:.1f}",
            f"{works / seconds:,.0f}",
            f"{copied / seconds:.2f}x",
            f"{phases['partitions']:.1f} + {phases['final pass']:.1f}",
        ]
        for label, (seconds, phases) in results.items()
    ]
    rows.append(
        [f"floor: COPY of the {sum(counts.values()):,} rows", f"{copied:.1f}",
         f"{works / copied:,.0f}", "1.00x", ""]
    )  # fmt: skip
    print_table(
        f"Snapshot import: {works:,} works in {PARTITIONS} partitions, each import from empty "
        f"tables;\nseconds from queueing to done = partitions + final pass (graph, counts)",
        ["", "seconds", "works/s", "of COPY", "partitions + final"],
        rows,
    )
    one, two = (results[f"{n} worker(s)"][0] for n in (1, 2))
    best = copied / min(one, two)
    verdict = "meets" if best >= GOAL_RATIO else "misses"
    print(
        f"  2 workers / 1 worker: {one / two:.2f}x; best import/COPY: {best:.2f} "
        f"(goal >= {GOAL_RATIO}, {verdict} it)"
    )
    print("  rows: " + ", ".join(f"{table} {n:,}" for table, n in counts.items()))
