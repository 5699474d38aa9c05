"""Reports of a problem with a record, from anyone, account or not, for the moderators' queue.
Limited per client address and per record in the cache, so a script cannot flood the queue."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from profiles.models import ProblemReport, User
from works.models import Researcher


class ReportLimited(Exception):
    """Too many reports from this address or about this record for now."""


def _within_limit(key: str, limit: int, window: int) -> bool:
    """Counts one more use of key in a fixed window; False once the window holds limit."""
    cache.add(key, 0, timeout=window)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        used = 1
    return used <= limit


def _address_key(address: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    return f"problem-report:ip:{digest}"


def problem_report_submit(
    *,
    researcher: Researcher,
    reason: str,
    evidence: str,
    reporter_email: str,
    client_address: str,
    reporter: User | None = None,
) -> ProblemReport:
    """Raises ReportLimited past PROBLEM_REPORTS_PER_ADDRESS an hour from one address or
    PROBLEM_REPORTS_PER_RECORD a day about one record."""
    if not _within_limit(
        _address_key(client_address), settings.PROBLEM_REPORTS_PER_ADDRESS, 60 * 60
    ):
        raise ReportLimited("You have sent several reports in the last hour. Try again later.")
    if not _within_limit(
        f"problem-report:record:{researcher.pk}", settings.PROBLEM_REPORTS_PER_RECORD, 24 * 60 * 60
    ):
        raise ReportLimited(
            "This record has had many reports today; the moderators are looking at them. "
            "Try again tomorrow."
        )
    return ProblemReport.objects.create(
        researcher=researcher,
        reason=reason,
        evidence=evidence.strip(),
        reporter_email=reporter_email,
        reporter=reporter if reporter and reporter.is_authenticated else None,
    )


def problem_report_resolve(*, report: ProblemReport, moderator: User) -> bool:
    """True when this call resolved it (an already resolved report stays as it was)."""
    with transaction.atomic():
        return bool(
            ProblemReport.objects.filter(pk=report.pk, state=ProblemReport.State.OPEN).update(
                state=ProblemReport.State.RESOLVED,
                resolved_by=moderator,
                resolved_at=timezone.now(),
            )
        )
