"""The owner's edits: the holder of a record's approved claim writes a short bio, says whether
they take collaboration invitations, and hides works wrongly attributed to them."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from graph.services import collaborations_refresh, neighbourhood_refresh
from profiles.models import Claim, User
from profiles.services.claims import ClaimError
from profiles.services.trust import trust_refresh_enqueue
from works.models import Authorship, HiddenWork, Researcher, Work
from works.services import versions_split

BIO_MAX_LENGTH = 500
HIDE_REASON_MAX_LENGTH = 500


def researcher_owner_claim(*, researcher: Researcher, user: User) -> Claim:
    """The user's approved claim on this record. Raises PermissionDenied for anyone else."""
    if not user.is_authenticated:
        raise PermissionDenied
    claim = Claim.objects.holding(researcher).filter(user=user).first()
    if claim is None:
        raise PermissionDenied
    return claim


def researcher_update(
    *, researcher: Researcher, user: User, bio: str, open_to_collaborate: bool
) -> Researcher:
    """The owner's short plain-text bio and whether they take collaboration invitations."""
    researcher_owner_claim(researcher=researcher, user=user)
    bio = bio.strip()
    if len(bio) > BIO_MAX_LENGTH:
        raise ClaimError(f"Keep the bio under {BIO_MAX_LENGTH} characters.")
    Researcher.objects.filter(pk=researcher.pk).update(
        bio=bio, open_to_collaborate=open_to_collaborate, updated_at=timezone.now()
    )
    researcher.bio, researcher.open_to_collaborate = bio, open_to_collaborate
    return researcher


def work_hide(*, researcher: Researcher, user: User, work: Work, reason: str) -> HiddenWork:
    """Hide a misattributed work from the owner's profile and its counts."""
    researcher_owner_claim(researcher=researcher, user=user)
    reason = reason.strip()
    if not reason:
        raise ClaimError("Say why this work is not yours.")
    if len(reason) > HIDE_REASON_MAX_LENGTH:
        raise ClaimError(f"Keep the reason under {HIDE_REASON_MAX_LENGTH} characters.")
    if not Authorship.objects.filter(researcher=researcher, work=work).exists():
        raise ClaimError("This work is not listed on this profile.")
    try:
        with transaction.atomic(durable=True):
            hidden = HiddenWork.objects.create(
                researcher=researcher, work=work, reason=reason, hidden_by=user
            )
            _shown_bylines_changed(researcher=researcher, work=work)
    except IntegrityError:
        raise ClaimError("This work is already hidden.") from None
    return hidden


def work_unhide(*, researcher: Researcher, user: User, work: Work) -> None:
    """Show a hidden work on the owner's profile again."""
    researcher_owner_claim(researcher=researcher, user=user)
    with transaction.atomic(durable=True):
        deleted, _ = HiddenWork.objects.filter(researcher=researcher, work=work).delete()
        if deleted:
            _shown_bylines_changed(researcher=researcher, work=work)


def work_versions_split(*, researcher: Researcher, user: User, work: Work) -> None:
    """The owner says this work is a different work, not a version of the others it was
    grouped with. Kept (works.VersionSplit) so that no re-import groups them again."""
    researcher_owner_claim(researcher=researcher, user=user)
    group = [work.pk, work.version_of_id]
    if not Authorship.objects.filter(researcher=researcher, work_id__in=group).exists():
        raise ClaimError("This work is not listed on this profile.")
    with transaction.atomic(durable=True):
        changed = versions_split(work=work, researcher=researcher, user=user)
        author_ids = list(
            Authorship.objects.filter(work_id__in=changed | {work.pk})
            .values_list("researcher_id", flat=True)
            .distinct()
        )
        collaborations_refresh(researcher_ids=author_ids)
        neighbourhood_refresh(researcher_ids=author_ids)
        trust_refresh_enqueue(researcher_ids=author_ids)


def _shown_bylines_changed(*, researcher: Researcher, work: Work) -> None:
    """A hidden work makes no collaboration pair (graph.services), so hiding or showing it
    changes the graph, and the collaborator counts and trust, of every author on it; and the
    topics and institutions of the researcher's own works."""
    author_ids = list(Authorship.objects.filter(work=work).values_list("researcher_id", flat=True))
    collaborations_refresh(researcher_ids=author_ids)
    neighbourhood_refresh(researcher_ids=[researcher.pk])
    trust_refresh_enqueue(researcher_ids=author_ids)
