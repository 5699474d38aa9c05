"""Who may decide what: nobody decides a case about themselves or one they brought.

The one home of that rule. The claim, dispute and spam-report services ask it before they
decide, and raise their own error with its words, so the admin shows them; this module imports
no other service, so any of them can call it.
"""

from collections.abc import Iterable

from profiles.models import User

SELF_DECISION = (
    "You cannot decide this: it is about you, or you brought it. Another moderator must decide it."
)


def decision_allowed(*, actor: User | None, subject_user_ids: Iterable[int | None]) -> bool:
    """Whether `actor` may decide a case whose subjects (the claimant, the holder of a disputed
    claim, whoever opened a dispute or filed a report, the reported account) are these users.
    No actor is the site itself deciding (a limit reached, an account suspended)."""
    return actor is None or actor.pk not in set(subject_user_ids)


def decision_refusal(*, actor: User | None, subject_user_ids: Iterable[int | None]) -> str | None:
    """The words for "no" when `actor` may not decide the case (decision_allowed), else None."""
    if decision_allowed(actor=actor, subject_user_ids=subject_user_ids):
        return None
    return SELF_DECISION
