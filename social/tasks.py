from celery import shared_task

from social import digest, notifications


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def invitation_notify_task(invitation_id: int, event: str) -> bool:
    return notifications.invitation_notify(invitation_id=invitation_id, event=event)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=180)
def digests_send_due_task() -> None:
    # One task per user, so one bad address or slow send holds up no one else.
    for user_id in digest.digests_due_user_ids():
        digest_send_task.delay(user_id)


# SMTP errors are OSError subclasses; the service rolls back its mark when a send fails.
@shared_task(
    acks_late=True,
    ignore_result=True,
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def digest_send_task(user_id: int) -> bool:
    return digest.digest_send(user_id=user_id)
