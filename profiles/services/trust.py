"""After a change to a trust input (a claim decided, a dispute, a hidden work, a follow): the
researchers' counts and scores are recomputed soon, by a debounced task.

The task runs profiles.stats; the recount itself, and the nightly batch, live there.
"""

from collections.abc import Collection

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from profiles.stats import trust_debounce_key
from profiles.tasks import researcher_trust_refresh_task


def trust_refresh_enqueue(*, researcher_ids: Collection[int]) -> None:
    """Recompute these researchers' trust soon after the current transaction commits.

    Debounced per researcher: the first call in a window enqueues a task that runs when the
    window ends; later calls in the window find the key and do nothing, since that task will see
    their changes. The task deletes the key when it starts, so a change made while it runs
    enqueues another.
    """
    ids = sorted(set(researcher_ids))
    if not ids:
        return

    def enqueue() -> None:
        window = settings.TRUST_DEBOUNCE_SECONDS
        for researcher_id in ids:
            # The key outlives the countdown so a busy queue does not collect duplicates, and
            # still expires so a lost task cannot hold refreshes back for long.
            if cache.add(trust_debounce_key(researcher_id), 1, timeout=6 * window + 60):
                researcher_trust_refresh_task.apply_async((researcher_id,), countdown=window)

    # Only after commit: a rolled-back change needs no refresh, and the task must see the rows.
    transaction.on_commit(enqueue)
