"""Linked records: one person split across several author records (a split author) says they
are the same, so the primary record's profile lists the works of all of them."""

from collections.abc import Collection

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from profiles.models import Claim, ClaimEvent, User
from profiles.services.claims import ClaimError, claim_event_add
from works.models import Researcher


def researcher_link_records(
    *, user: User, primary: Researcher, others: Collection[Researcher]
) -> Researcher:
    """Mark `others` as records of the same person as `primary` (a split author), so the
    primary's profile lists the works of all of them. `others` is the whole set: records
    linked to `primary` before and left out are unlinked. The user must hold the approved claim
    of every record (PermissionDenied otherwise); a record cannot be primary and linked at once.
    Each newly linked or unlinked record's claim gets a "linked" or "unlinked" audit event."""
    other_ids = {other.pk for other in others}
    if primary.pk in other_ids:
        raise ClaimError("A record cannot be linked to itself.")
    with transaction.atomic(durable=True):
        locked = {
            researcher.pk: researcher
            for researcher in Researcher.objects.select_for_update()
            .filter(Q(pk__in=[primary.pk, *other_ids]) | Q(primary_id=primary.pk))
            .order_by("pk")
        }
        claims = {
            claim.researcher_id: claim for claim in Claim.objects.holding(primary.pk, *other_ids)
        }
        if not user.is_authenticated or any(
            pk not in claims or claims[pk].user_id != user.pk for pk in [primary.pk, *other_ids]
        ):
            raise PermissionDenied
        if locked[primary.pk].primary_id is not None:
            raise ClaimError(
                f"{locked[primary.pk]} is linked to another record; manage the links there."
            )
        leaders = sorted(
            str(locked[pk])
            for pk in Researcher.objects.filter(
                primary_id__in=other_ids,
            ).values_list("primary_id", flat=True)
        )
        if leaders:
            raise ClaimError(
                f"{', '.join(dict.fromkeys(leaders))} already has records linked to it; "
                "link from that record instead."
            )
        previous = {pk for pk, record in locked.items() if record.primary_id == primary.pk}
        added, removed = other_ids - previous, previous - other_ids
        now = timezone.now()
        if added:
            Researcher.objects.filter(pk__in=added).update(primary=primary, updated_at=now)
        if removed:
            Researcher.objects.filter(pk__in=removed).update(primary=None, updated_at=now)
        removed_claims = {claim.researcher_id: claim for claim in Claim.objects.holding(*removed)}
        for pk in sorted(added):
            claim_event_add(
                claim=claims[pk],
                kind=ClaimEvent.Kind.LINKED,
                actor=user,
                message=f"Linked to {primary} ({primary.slug}).",
            )
        for pk in sorted(removed):
            if pk in removed_claims:
                claim_event_add(
                    claim=removed_claims[pk],
                    kind=ClaimEvent.Kind.UNLINKED,
                    actor=user,
                    message=f"Unlinked from {primary} ({primary.slug}).",
                )
    return primary


def records_unlink(*, researcher_id: int) -> None:
    """A record whose claim is revoked is no longer known to be the same person as the others:
    its links go, both ways. Inside the caller's transaction."""
    Researcher.objects.filter(Q(pk=researcher_id) | Q(primary_id=researcher_id)).exclude(
        primary=None
    ).update(primary=None, updated_at=timezone.now())
