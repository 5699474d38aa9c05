"""Celery tasks: ids in, one call. Each is safe to run twice (what they call checks).

They call profiles.stats and profiles.notifications, never profiles.services, whose services
enqueue them: so the imports run one way, services → tasks → stats and notifications.
"""

from celery import shared_task

from bzpeer.celery import MAIL_TASK_OPTIONS
from profiles import notifications, sitemaps, stats


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def researcher_trust_refresh_task(researcher_id: int) -> None:
    stats.researcher_trust_refresh(researcher_id=researcher_id)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=30 * 60, time_limit=35 * 60)
def trust_batch_task() -> None:
    stats.trusted_followers_recount()
    stats.trust_batch_recompute()


@shared_task(**MAIL_TASK_OPTIONS)
def claim_event_mail_task(event_id: int) -> bool:
    return notifications.claim_event_mail(event_id=event_id)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60 * 60, time_limit=65 * 60)
def sitemaps_rebuild_task() -> None:
    sitemaps.rebuild()
