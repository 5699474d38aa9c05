"""Celery tasks: ids in, one service call. Each is safe to run twice (the services check)."""

from celery import shared_task

from profiles import services


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def researcher_trust_refresh_task(researcher_id: int) -> None:
    services.researcher_trust_refresh(researcher_id=researcher_id)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=30 * 60, time_limit=35 * 60)
def trust_batch_task() -> None:
    services.trust_batch_recompute()
