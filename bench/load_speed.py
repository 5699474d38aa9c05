"""Pages under concurrent load: wrk against a gunicorn of SYNC_WORKERS sync workers serving
bench.urls, each page next to the floor (the seed profile's bytes from memory, bench/urls.py).

Each round runs `wrk -t2 -c32 -d15s --latency` on the floor and then on a page, for every page
in turn, and sets the page's req/s against the floor run just before it: other load on a
shared machine drifts within a minute, so the floor that counts is the nearest one. Every
request says Accept-Encoding: gzip, as browsers do, so the floor and the pages both pay the
compression. A Lua done() hook prints wrk's summary as JSON; errors are socket errors (connect,
read, write, timeout) plus responses with a status of 400 or more (wrk's own count); each page is
checked to answer 200 once before its first round, so redirects are not what is measured.

Goals per page (issue 15): req/s at least GOAL_FLOOR_SHARE of its floor's, no errors, p99 at
most GOAL_TAIL x p50.
"""

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

SYNC_WORKERS = 2
WRK_THREADS, WRK_CONNECTIONS, WRK_SECONDS = 2, 32, 15
ROUNDS = 3
WARMUP_SECONDS = 3
GOAL_FLOOR_SHARE = 0.5
GOAL_TAIL = 3.0

SEED_PROFILE_PATH = "/researchers/jascha-sohl-dickstein/"
# Each page: the path and the headers its real client sends. The slice is fetched by htmx
# (hx-get on the profile's #graph-slice, HX-Request: true), which answers the fragment only.
PAGES = {
    "floor": ("/bench/floor/", {}),
    "profile": (SEED_PROFILE_PATH, {}),
    "graph slice": (
        SEED_PROFILE_PATH + "graph/",
        {"HX-Request": "true", "HX-Target": "graph-slice", "HX-Current-URL": SEED_PROFILE_PATH},
    ),
    "search novak": ("/search/?q=novak", {}),
}
HEADERS = {"Accept-Encoding": "gzip"}

DONE_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write("WRK_JSON ", string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, '
    .. '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d}',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(99)), "\\n")
end
"""


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit(
            "BENCH=load needs wrk, the HTTP load generator: on Debian or Ubuntu "
            "`sudo apt-get install wrk` (https://github.com/wg/wrk)."
        )
    return found


def server_start(base_dir: Path, port: int, log) -> subprocess.Popen:
    # Sync workers: one request at a time each, no keep-alive (gunicorn's sync worker closes
    # every connection), as the figures were measured.
    command = [
        sys.executable, "-m", "gunicorn", "bzpeer.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(SYNC_WORKERS),
        "--worker-class", "sync", "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(  # noqa: S603
        command, cwd=base_dir, stdout=log, stderr=subprocess.STDOUT
    )


def wrk_run(wrk: str, script: str, url: str, headers: dict, seconds: int) -> dict:
    command = [
        wrk, f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency",
        "-s", script,
    ]  # fmt: skip
    for name, value in {**HEADERS, **headers}.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(  # noqa: S603
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50": raw["p50_us"] / 1000,
        "p99": raw["p99_us"] / 1000,
        "errors": raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"],
        "error_kinds": ", ".join(
            f"{kind} {raw[kind]}"
            for kind in ("connect", "read", "write", "status", "timeout")
            if raw[kind]
        ),
        "bytes": raw["bytes"] / max(raw["requests"], 1),
    }


def pages_check(base_url: str) -> None:
    for label, (path, headers) in PAGES.items():
        response = requests.get(
            base_url + path, headers={**HEADERS, **headers}, allow_redirects=False, timeout=60
        )
        if response.status_code != 200:
            raise SystemExit(f"{label} {path} answered {response.status_code}")
        if response.headers.get("Content-Encoding") != "gzip":
            print(f"Note: {label} {path} is not gzip-compressed.")


def bench_load_speed(bench, *, print_table, base_dir: Path, free_port, server_wait, server_stop):
    wrk = wrk_path()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with (
        tempfile.TemporaryFile() as log,
        tempfile.NamedTemporaryFile("w", suffix=".lua") as script,
        requests.Session() as session,
    ):
        script.write(DONE_SCRIPT)
        script.flush()
        server = server_start(base_dir, port, log)
        try:
            server_wait(server, type(bench)(base_url, session, bench.database_url), log)
            pages_check(base_url)
            for path, headers in PAGES.values():
                wrk_run(wrk, script.name, base_url + path, headers, WARMUP_SECONDS)
            floor_path, floor_headers = PAGES["floor"]
            rounds = []
            for _ in range(ROUNDS):
                figures = {}
                for label, (path, headers) in PAGES.items():
                    if label == "floor":
                        continue
                    figures[f"floor before {label}"] = wrk_run(
                        wrk, script.name, base_url + floor_path, floor_headers, WRK_SECONDS
                    )
                    figures[label] = wrk_run(
                        wrk, script.name, base_url + path, headers, WRK_SECONDS
                    )
                rounds.append(figures)
        finally:
            server_stop(server)
    _print(rounds, print_table)


def _row(label: str, figures: dict) -> list:
    return [
        label,
        f"{figures['rps']:.0f}",
        f"{figures['p50']:.1f}",
        f"{figures['p99']:.1f}",
        figures["errors"],
        f"{figures['bytes'] / 1024:.1f}",
    ]


def _print(rounds: list[dict], print_table) -> None:
    rows = []
    failed = []
    pages = [label for label in PAGES if label != "floor"]
    for label in pages:
        shares = []
        for number, figures in enumerate(rounds, start=1):
            page, floor = figures[label], figures[f"floor before {label}"]
            share = page["rps"] / floor["rps"]
            shares.append(share)
            failures = []
            if share < GOAL_FLOOR_SHARE:
                failures.append(f"req/s {share:.2f}x floor")
            if page["errors"]:
                failures.append(f"errors ({page['error_kinds']})")
            if page["p99"] > GOAL_TAIL * page["p50"]:
                failures.append(f"p99 {page['p99'] / page['p50']:.1f}x p50")
            if failures:
                failed.append((label, number, failures))
            rows.append([*_row(f"  floor (round {number})", floor), "", ""])
            rows.append(
                [*_row(f"{label} (round {number})", page), f"{share:.2f}x",
                 "FAIL" if failures else "pass"]
            )  # fmt: skip
        rows.append(
            [f"{label}: median share of floor", "", "", "", "", "",
             f"{statistics.median(shares):.2f}x", ""]
        )  # fmt: skip
    print_table(
        f"Under load: wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s --latency, "
        f"{ROUNDS} rounds, each page after its own floor run, gunicorn {SYNC_WORKERS} sync "
        f"workers, Accept-Encoding: gzip. Goals: req/s >= {GOAL_FLOOR_SHARE}x the floor's, "
        f"0 errors, p99 <= {GOAL_TAIL:g}x p50",
        ["", "req/s", "p50 ms", "p99 ms", "errors", "KiB/resp", "x floor", "goals"],
        rows,
    )
    for label, number, failures in failed:
        print(f"  FAIL {label}, round {number}: {', '.join(failures)}")
    if not failed:
        print("  Every page met every goal in every round.")
