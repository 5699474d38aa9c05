"""How far a streaming replica trails its primary: the time from a commit returning on the
primary to the replica having replayed it, idle and under a steady bulk write. Nothing is
asserted; docs/scaling.md quotes the figures.

    bin/test-replica .venv/bin/python bench/replica_lag.py

(bin/test-replica starts the pair, with fsync off, and sets DATABASE_URL and
DATABASE_REPLICA_URL.) The floor beside each figure is one round trip of the polling query.
"""

import os
import statistics
import threading
import time

import psycopg

COMMITS = 300


def quantiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[int(len(ordered) * 0.9)]
    return (
        f"median {statistics.median(ordered) * 1000:.2f} ms, p90 {p90 * 1000:.2f} ms, "
        f"max {ordered[-1] * 1000:.2f} ms"
    )


def replayed(replica, lsn: str) -> bool:
    return replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)).fetchone()[0]


def lags(primary, replica) -> tuple[list[float], list[float]]:
    lag, floor = [], []
    for number in range(COMMITS):
        primary.execute("INSERT INTO lag_probe (n) VALUES (%s)", (number,))
        lsn = primary.execute("SELECT pg_current_wal_lsn()::text").fetchone()[0]
        start = time.perf_counter()
        while True:
            before = time.perf_counter()
            done = replayed(replica, lsn)
            floor.append(time.perf_counter() - before)
            if done:
                break
        lag.append(time.perf_counter() - start)
    return lag, floor


def write_steadily(url: str, stop: threading.Event, rows: list[int]) -> None:
    with psycopg.connect(url, autocommit=True) as writer:
        while not stop.is_set():
            writer.execute(
                "INSERT INTO lag_load (payload) "
                "SELECT repeat('x', 200) FROM generate_series(1, 1000)"
            )
            rows.append(1000)


def main() -> None:
    primary_url, replica_url = os.environ["DATABASE_URL"], os.environ["DATABASE_REPLICA_URL"]
    with (
        psycopg.connect(primary_url, autocommit=True) as primary,
        psycopg.connect(replica_url, autocommit=True) as replica,
    ):
        primary.execute("CREATE TABLE lag_probe (n int)")
        primary.execute("CREATE TABLE lag_load (payload text)")
        lag, floor = lags(primary, replica)
        print(f"idle, {COMMITS} commits: lag {quantiles(lag)}; floor {quantiles(floor)}")

        stop, rows = threading.Event(), []
        writer = threading.Thread(target=write_steadily, args=(primary_url, stop, rows))
        writer.start()
        start = time.perf_counter()
        lag, floor = lags(primary, replica)
        stop.set()
        writer.join()
        rate = sum(rows) / (time.perf_counter() - start)
        print(
            f"under a bulk writer ({rate:,.0f} rows/s of 200 bytes), {COMMITS} commits: "
            f"lag {quantiles(lag)}; floor {quantiles(floor)}"
        )


if __name__ == "__main__":
    main()
