"""Two real Celery workers on the imports queue load a snapshot's partitions: each task is
delivered twice, yet no partition is loaded twice, and the last partition's worker builds the
graph once."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from graph.models import Collaboration
from tests.works.test_import_services import lay_out_snapshot
from tests.works.test_snapshot_load import BENCH_LINES
from tests.works.test_worker import ROOT, RedisServer, free_port, wait_until
from works.models import ImportRun, SnapshotPartition, Work
from works.services import import_run_create, snapshot_run_distribute

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def start_worker(env: dict, log: Path, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "bzpeer", "worker", "-Q", "imports",
            "-n", f"{name}@%h", "--loglevel=INFO", "--concurrency=1", "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(log, "a"),  # noqa: SIM115 - open for the life of the process
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def test_two_workers_load_each_partition_once(tmp_path):
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "REDIS_URL": redis.url,
    }
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    workers = [start_worker(env, log, f"w{n}") for n, log in enumerate(logs, start=1)]
    try:
        root = lay_out_snapshot(tmp_path, [BENCH_LINES[i : i + 17] for i in range(0, 100, 17)])
        run = import_run_create(
            source=ImportRun.Source.SNAPSHOT, request={"path": str(root)}, enqueue=False
        )
        publisher = Celery("publisher", broker=redis.url, set_as_current=False)

        def enqueue_twice(partition_id):
            for _ in range(2):
                publisher.send_task(
                    "works.tasks.snapshot_partition_task", args=[partition_id], queue="imports"
                )

        assert snapshot_run_distribute(run, enqueue=enqueue_twice) == 6

        def finished():
            run.refresh_from_db()
            return run.state in (ImportRun.State.DONE, ImportRun.State.FAILED)

        wait_until(finished, timeout=180, what="the snapshot run to finish")
        output = "\n".join(log.read_text()[-2000:] for log in logs)
        assert run.state == ImportRun.State.DONE, f"{run.message}\n{output}"
        partitions = list(run.partitions.all())
        assert {partition.state for partition in partitions} == {SnapshotPartition.State.DONE}
        # A partition loaded twice would count its works again, as unchanged the second time.
        assert sum(p.counts["works_created"] for p in partitions) == 100
        assert sum(p.counts["works_unchanged"] for p in partitions) == 0
        assert run.message == "Done: 100 works created, 0 updated, 0 unchanged in 6 page(s)."
        stored = Work.objects.filter(openalex_id__startswith="W8").values_list("openalex_id")
        assert len(stored) == len(set(stored)) == 100
        assert Collaboration.objects.exists()
        # Both workers took partitions.
        for log in logs:
            assert "snapshot_partition_task" in log.read_text()
    finally:
        for worker in workers:
            os.killpg(worker.pid, 9)
            worker.wait(timeout=10)
        redis.kill()
