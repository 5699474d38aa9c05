import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")

app = Celery("bzpeer")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every e-mail task: SMTP errors are OSError subclasses, retried with backoff; each task marks
# its row only with a successful send, so a retry after a failure sends and one after a success
# finds the mark and sends nothing.
MAIL_TASK_OPTIONS = {
    "acks_late": True,
    "ignore_result": True,
    "soft_time_limit": 60,
    "time_limit": 90,
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 8,
}
