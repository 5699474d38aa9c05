"""Reads for following, the feed and invitations."""

from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.urls import reverse
from django.utils import timezone

from bzpeer.keyset import KeysetPage, keyset_page
from profiles.models import Claim, User
from social.models import Block, Follow, Invitation
from social.rules import INVITATION_WINDOW, InvitationFacts, invitation_refusal
from works.models import Authorship, Researcher, Work, feed_date
from works.selectors import works_in_order


def is_following(*, user: User, researcher: Researcher) -> bool:
    return (
        user.is_authenticated and Follow.objects.filter(user=user, researcher=researcher).exists()
    )


def follows(*, user: User) -> QuerySet[Follow]:
    """Whom the user follows, most recent first."""
    return (
        Follow.objects.filter(user=user)
        .select_related("researcher__institution")
        .order_by("-created_at", "-pk")
    )


def _followed_records(user: User) -> list[int]:
    """The ids of the records the user follows and of those linked to them (one person, split
    records). Two index look-ups: one subquery ORing the two columns scanned every
    researcher."""
    followed = list(Follow.objects.filter(user=user).values_list("researcher_id", flat=True))
    linked = Researcher.objects.filter(primary_id__in=followed).values_list("pk", flat=True)
    return followed + list(linked)


# The feed's order, newest first, as keys of keyset pages (bzpeer.keyset, descending).
FEED_KEYS = ("sort_date", "created_at", "pk")


def _feed(user: User, since: datetime | None) -> QuerySet[Work]:
    shown = (
        Authorship.objects.filter(researcher__in=_followed_records(user))
        .shown()
        .order_by()
        .values_list("work_id", flat=True)
        .distinct()
    )
    works = Work.objects.filter(pk__in=shown)
    if since is not None:
        works = works.filter(created_at__gt=since)
    # The expressions of the work_feed_order index, so Postgres can read the feed in order.
    # Works with no date or year come last, by import time.
    return works.annotate(sort_date=feed_date()).order_by("-sort_date", "-created_at", "-pk")


def feed_works(*, user: User, since: datetime | None = None) -> QuerySet[Work]:
    """Works by the researchers the user follows, newest first by publication date (then
    import time: works.models.feed_date); with `since`, only those
    imported after it (the digest). Works the researcher hid as misattributed are left out.

    A page costs what the followed records wrote, whatever the size of the site: Postgres
    finds their shown works by the bylines index and sorts those. It walked the feed index
    through every newer work of anyone instead (9,000 works, 0.4-1.3 s at 3,000,000 works)
    until works migration 0021 stated how many bylines a researcher has; reading the ids into
    Python first, as the workaround did, then cost more than the query (64 ms to send back
    6,400 ids at 10^6 researchers)."""
    return _feed(user, since).defer("source_payload").prefetch_related(feed_byline())


def feed_page(*, user: User, size: int, after: str = "", before: str = "") -> KeysetPage:
    """A keyset page of feed_works. The page is found on the works' sort keys alone, which the
    work_keys index holds (works migration 0026), then only its works' rows are read: sorting
    the full rows of everything the followed people wrote (6,400 works for 500 people at 10^6
    researchers) read them all from the table."""
    keys = keyset_page(
        _feed(user, None).only("pk", "publication_date", "publication_year", "created_at"),
        FEED_KEYS,
        size=size,
        after=after,
        before=before,
        descending=True,
    )
    items = works_in_order([work.pk for work in keys.items])
    prefetch_related_objects(items, feed_byline())
    return replace(keys, items=items)


def feed_byline() -> Prefetch:
    """Each feed work's authors in byline order, with what feed_entries needs of them."""
    byline = Authorship.objects.select_related("researcher").only(
        "work_id",
        "position",
        "researcher__display_name",
        "researcher__slug",
        "researcher__primary_id",
    )
    return Prefetch("authorships", queryset=byline.order_by("position"))


@dataclass
class FeedEntry:
    work: Work
    # The records among the work's authors that the user follows, or that are linked to a
    # followed record, in byline order (the byline stresses them).
    followed: list[Researcher]
    # Imported after the user started following one of them.
    is_new: bool
    # The followed researchers these records belong to: whom "Because you follow" names.
    people: list[Researcher]

    @property
    def record_ids(self) -> set[int]:
        return {researcher.pk for researcher in self.followed}

    @property
    def why(self) -> str:
        names = [researcher.display_name for researcher in self.people]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"Because you follow {listed}" + (" · new since you followed" if self.is_new else "")


def feed_entries(*, user: User, works) -> list[FeedEntry]:
    """Says why each work is in the feed: which followed researchers wrote it."""
    follows_by_record = {
        f.researcher_id: f
        for f in Follow.objects.filter(user=user)
        .select_related("researcher")
        .only("created_at", "researcher", "researcher__display_name", "researcher__slug")
    }
    entries = []
    for work in works:
        followed, people, followed_at = [], [], []
        for authorship in work.authorships.all():
            record = authorship.researcher
            person = record.pk if record.pk in follows_by_record else record.primary_id
            if person not in follows_by_record:
                continue
            if record not in followed:
                followed.append(record)
            follow = follows_by_record[person]
            if follow.researcher not in people:
                people.append(follow.researcher)
                followed_at.append(follow.created_at)
        is_new = bool(followed_at) and work.created_at > min(followed_at)
        entries.append(FeedEntry(work=work, followed=followed, is_new=is_new, people=people))
    return entries


# --- Invitations -------------------------------------------------------------------------------


def approved_record(*, user: User) -> Researcher | None:
    """The record the user is known by: their approved claim's (the primary one, when they
    linked several records)."""
    return (
        Researcher.objects.filter(pk__in=Claim.objects.held_by(user).values("researcher_id"))
        .order_by(F("primary").asc(nulls_first=True), "pk")
        .first()
    )


def invitation_window_start(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - INVITATION_WINDOW


def invitation_facts(*, viewer: User, researcher: Researcher) -> InvitationFacts:
    """What social.rules.invitation_refusal needs to know, in at most five queries: nothing
    is asked about a visitor who is not logged in, nor between the viewer and nobody."""
    holder_id = (
        Claim.objects.holding(researcher).values_list("user_id", flat=True).first()
        if researcher.is_claimed
        else None
    )
    viewer_id = viewer.pk if viewer.is_authenticated else None
    viewer_record = approved_record(user=viewer) if viewer_id else None
    blocked, open_invitation = False, None
    if viewer_id and holder_id and viewer_id != holder_id:
        blocked = Block.objects.filter(blocker_id=holder_id, blocked_id=viewer_id).exists()
        open_invitation = (
            Invitation.objects.filter(
                Q(sender_id=viewer_id, recipient_id=holder_id)
                | Q(sender_id=holder_id, recipient_id=viewer_id),
                state=Invitation.State.PENDING,
            )
            .order_by("-created_at")
            .values_list("pk", "sender_id")
            .first()
        )
    recent = {"count": 0, "oldest": None}
    if viewer_id:
        recent = Invitation.objects.filter(
            sender_id=viewer_id, created_at__gte=invitation_window_start()
        ).aggregate(count=Count("pk"), oldest=Min("created_at"))
    return InvitationFacts(
        recipient_name=researcher.display_name,
        recipient_open=researcher.open_to_collaborate,
        holder_id=holder_id,
        viewer_id=viewer_id,
        viewer_record_id=viewer_record.pk if viewer_record else None,
        blocked=blocked,
        open_invitation_id=open_invitation[0] if open_invitation else None,
        open_invitation_sender_id=open_invitation[1] if open_invitation else None,
        sent_in_window=recent["count"],
        oldest_sent_in_window=recent["oldest"],
        daily_limit=settings.INVITATIONS_PER_DAY,
    )


@dataclass(frozen=True)
class InvitationPanel:
    """What the profile's "Direct collaboration" panel offers this viewer, and why."""

    can_invite: bool
    reason: str
    is_owner: bool = False
    # The invitation awaiting an answer between the viewer and the researcher, if any.
    open_invitation_url: str = ""
    invited_by_viewer: bool = False
    # The visitor's next step when one page takes it (claim the record, find their own).
    next_url: str = ""
    next_label: str = ""


def invitation_panel(*, viewer: User, researcher: Researcher) -> InvitationPanel:
    facts = invitation_facts(viewer=viewer, researcher=researcher)
    refusal = invitation_refusal(facts=facts)
    if refusal is None:
        return InvitationPanel(
            True, f"{researcher.display_name} is open to collaborate and takes invitations."
        )
    if facts.holder_id is None:
        return InvitationPanel(
            False,
            refusal,
            next_url=reverse("profiles:claim", kwargs={"slug": researcher.slug}),
            next_label=f"Are you {researcher.display_name}? Claim this record",
        )
    if facts.viewer_id is not None and facts.viewer_record_id is None and facts.recipient_open:
        return InvitationPanel(
            False, refusal, next_url=reverse("profiles:list"), next_label="Find your record"
        )
    if facts.open_invitation_id is None:
        return InvitationPanel(False, refusal, is_owner=facts.viewer_is_holder)
    return InvitationPanel(
        False,
        refusal,
        open_invitation_url=reverse("social:invitation", kwargs={"pk": facts.open_invitation_id}),
        invited_by_viewer=facts.open_invitation_sender_id == facts.viewer_id,
    )


def _with_people(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    return invitations.select_related(
        "sender", "recipient", "sender_researcher", "recipient_researcher", "spam_report"
    )


def inbox(*, user: User) -> QuerySet[Invitation]:
    """Invitations the user received: those awaiting an answer first, then newest first."""
    pending_first = Case(When(state=Invitation.State.PENDING, then=Value(0)), default=Value(1))
    return _with_people(Invitation.objects.filter(recipient=user)).order_by(
        pending_first, "-created_at", "-pk"
    )


def sent(*, user: User) -> QuerySet[Invitation]:
    return _with_people(Invitation.objects.filter(sender=user)).order_by("-created_at", "-pk")


def invitation_for(*, user: User, pk: int) -> Invitation:
    """The invitation if the user sent or received it; raises Invitation.DoesNotExist for
    anyone else's, so other people's invitations answer 404."""
    return _with_people(Invitation.objects.filter(Q(sender=user) | Q(recipient=user))).get(pk=pk)


def unanswered_count(*, user: User) -> int:
    return Invitation.objects.filter(recipient=user, state=Invitation.State.PENDING).count()


def blocks(*, user: User) -> QuerySet[Block]:
    """The people the user blocked, each named as in their latest invitation to the user."""
    name = (
        Invitation.objects.filter(sender=OuterRef("blocked"), recipient=user)
        .order_by("-created_at")
        .values("sender_researcher__display_name")[:1]
    )
    return (
        Block.objects.filter(blocker=user)
        .annotate(name=Subquery(name))
        .select_related("blocked")
        .order_by("-created_at", "-pk")
    )
