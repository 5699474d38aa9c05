"""Who may invite whom. The rule is a pure function of facts that social.selectors gathers, so
the send service and the profile's panel refuse for the same reasons in the same words."""

from dataclasses import dataclass
from datetime import datetime, timedelta

# The daily limit counts the invitations a sender made within this window.
INVITATION_WINDOW = timedelta(hours=24)
ALREADY_OPEN = "There is already an open invitation between you and {name}."


@dataclass(frozen=True)
class InvitationFacts:
    """What is known about a would-be sender (the viewer) and a researcher's record."""

    recipient_name: str
    recipient_open: bool
    # The user holding the record's approved claim.
    holder_id: int | None
    # None for a visitor who is not logged in.
    viewer_id: int | None
    # The record the viewer is known by: their approved claim's.
    viewer_record_id: int | None
    # The holder blocked the viewer.
    blocked: bool
    # An invitation awaiting an answer between the viewer and the holder, either way.
    open_invitation_id: int | None
    open_invitation_sender_id: int | None
    sent_in_window: int
    oldest_sent_in_window: datetime | None
    daily_limit: int

    @property
    def viewer_is_holder(self) -> bool:
        return self.viewer_id is not None and self.viewer_id == self.holder_id


def invitation_refusal(*, facts: InvitationFacts) -> str | None:
    """Why the viewer cannot invite this researcher, in plain words; None if they can."""
    name = facts.recipient_name
    if facts.holder_id is None:
        return (
            f"{name} has not claimed this record yet, so it takes no invitations. "
            f"If you are {name}, claim this record; otherwise follow it to see new works."
        )
    if facts.viewer_is_holder:
        if facts.recipient_open:
            return (
                "This is your profile. Researchers with a claimed profile can invite you here "
                "while you are open to collaborate."
            )
        return (
            'This is your profile. You are not taking invitations: turn on "Open to '
            'collaborate" in your profile to let researchers with a claimed profile invite you.'
        )
    if not facts.recipient_open:
        return (
            f"{name} is not taking invitations at the moment. You can follow {name} to see "
            "new works."
        )
    if facts.viewer_id is None:
        return f"To invite {name}, log in with an account that holds a claimed researcher profile."
    if facts.viewer_record_id is None:
        return (
            f"To invite {name}, you need a claimed researcher profile of your own: find your "
            "record and claim it."
        )
    if facts.blocked:
        return f"{name} is not taking invitations from you."
    if facts.open_invitation_id is not None:
        return ALREADY_OPEN.format(name=name)
    if facts.sent_in_window >= facts.daily_limit:
        refusal = (
            f"You have sent {facts.sent_in_window} invitations in the past 24 hours, "
            "the most allowed."
        )
        if facts.oldest_sent_in_window is None:
            return refusal
        next_at = facts.oldest_sent_in_window + INVITATION_WINDOW
        return f"{refusal} You can send another after {next_at:%-d %b %Y, %H:%M} UTC."
    return None
