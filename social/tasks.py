from celery import shared_task

from bzpeer.celery import MAIL_TASK_OPTIONS
from social import digest, notifications


@shared_task(**MAIL_TASK_OPTIONS)
def invitation_notify_task(invitation_id: int, event: str) -> bool:
    return notifications.invitation_notify(invitation_id=invitation_id, event=event)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=180)
def digests_send_due_task() -> None:
    # One task per user, so one bad address or slow send holds up no one else.
    for user_id in digest.digests_due_user_ids():
        digest_send_task.delay(user_id)


@shared_task(**MAIL_TASK_OPTIONS)
def digest_send_task(user_id: int) -> bool:
    return digest.digest_send(user_id=user_id)
