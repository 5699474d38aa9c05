"""settings.CELERY_TASK_ROUTES: work that imports goes to the `imports` queue, whatever its name
in works.tasks, and what someone waits for goes to the default queue."""

from bzpeer.celery import app

QUICK_WORKS_TASKS = {"works.tasks.import_runs_sweep", "works.tasks.researchers_refresh_stale"}


def queues() -> dict[str, str]:
    app.loader.import_default_modules()
    names = [name for name in app.tasks if not name.startswith("celery.")]
    return {name: app.amqp.router.route({}, name)["queue"].name for name in names}


def test_every_works_task_that_imports_goes_to_the_imports_queue():
    routed = queues()
    importing = {name for name in routed if name.startswith("works.")} - QUICK_WORKS_TASKS

    assert {"works.tasks.import_run_task", "works.tasks.snapshot_partition_task"} <= importing
    assert {name: routed[name] for name in importing} == dict.fromkeys(importing, "imports")


def test_mail_trust_and_the_quick_sweeps_go_to_the_default_queue():
    routed = queues()
    waited_for = QUICK_WORKS_TASKS | {
        "social.tasks.invitation_notify_task",
        "social.tasks.digest_send_task",
        "social.tasks.digests_send_due_task",
        "profiles.tasks.claim_event_mail_task",
        "profiles.tasks.researcher_trust_refresh_task",
    }

    assert {name: routed[name] for name in waited_for} == dict.fromkeys(waited_for, "celery")
    assert routed["profiles.tasks.trust_batch_task"] == "imports"
