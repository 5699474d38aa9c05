import pytest

from bzpeer.celery import app


@pytest.fixture(autouse=True)
def eager_celery(monkeypatch):
    """Tasks run in the test's process when they are enqueued, as in the quick start, so a test
    that runs the on-commit callbacks (django_capture_on_commit_callbacks(execute=True)) sees
    what they did: the mail sent, the score recomputed."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)
