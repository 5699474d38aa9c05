"""social.rules.invitation_refusal: every reason, and which comes first, without a database."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from social.rules import InvitationFacts, invitation_refusal

VIEWER, HOLDER = 1, 2
# A logged-in researcher with a claimed record, looking at Rita's claimed, open record: nothing
# stands in the way.
ELIGIBLE = InvitationFacts(
    recipient_name="Rita Recipient",
    recipient_open=True,
    holder_id=HOLDER,
    viewer_id=VIEWER,
    viewer_record_id=10,
    blocked=False,
    open_invitation_id=None,
    open_invitation_sender_id=None,
    sent_in_window=19,
    oldest_sent_in_window=datetime(2026, 3, 4, 9, 30, tzinfo=UTC),
    daily_limit=20,
)

CASES = {
    "unclaimed": (
        {"holder_id": None},
        "Rita Recipient has not claimed this record yet, so it takes no invitations. If "
        "you are Rita Recipient, claim this record; otherwise follow it to see new works.",
    ),
    "owner, open": (
        {"viewer_id": HOLDER},
        "This is your profile. Researchers with a claimed profile can invite you here while you "
        "are open to collaborate.",
    ),
    "owner, not open": (
        {"viewer_id": HOLDER, "recipient_open": False},
        'This is your profile. You are not taking invitations: turn on "Open to collaborate" in '
        "your profile to let researchers with a claimed profile invite you.",
    ),
    "not open": (
        {"recipient_open": False},
        "Rita Recipient is not taking invitations at the moment. You can follow Rita Recipient "
        "to see new works.",
    ),
    "not logged in": (
        {"viewer_id": None, "viewer_record_id": None, "sent_in_window": 0},
        "To invite Rita Recipient, log in with an account that holds a claimed researcher profile.",
    ),
    "no claimed record": (
        {"viewer_record_id": None},
        "To invite Rita Recipient, you need a claimed researcher profile of your own: find your "
        "record and claim it.",
    ),
    "blocked": ({"blocked": True}, "Rita Recipient is not taking invitations from you."),
    "open, sent by the viewer": (
        {"open_invitation_id": 5, "open_invitation_sender_id": VIEWER},
        "There is already an open invitation between you and Rita Recipient.",
    ),
    "open, sent by the holder": (
        {"open_invitation_id": 5, "open_invitation_sender_id": HOLDER},
        "There is already an open invitation between you and Rita Recipient.",
    ),
    "daily limit": (
        {"sent_in_window": 20},
        "You have sent 20 invitations in the past 24 hours, the most allowed. You can send "
        "another after 5 Mar 2026, 09:30 UTC.",
    ),
    "over a lowered limit": (
        {"sent_in_window": 20, "daily_limit": 5},
        "You have sent 20 invitations in the past 24 hours, the most allowed. You can send "
        "another after 5 Mar 2026, 09:30 UTC.",
    ),
    "no invitations allowed at all": (
        {"sent_in_window": 0, "oldest_sent_in_window": None, "daily_limit": 0},
        "You have sent 0 invitations in the past 24 hours, the most allowed.",
    ),
}


def test_an_eligible_sender_is_not_refused():
    assert invitation_refusal(facts=ELIGIBLE) is None


def test_a_first_invitation_is_not_refused():
    first = replace(ELIGIBLE, sent_in_window=0, oldest_sent_in_window=None)

    assert invitation_refusal(facts=first) is None


@pytest.mark.parametrize("case", CASES)
def test_each_reason_in_plain_words(case):
    changes, reason = CASES[case]

    assert invitation_refusal(facts=replace(ELIGIBLE, **changes)) == reason


# Every fact that can stand in the way, in the order the rule weighs them: with all of them
# true, the first is the reason; take it away and the next one is.
IN_ORDER = [
    ({"holder_id": None}, "Rita Recipient has not claimed this record"),
    ({"viewer_id": HOLDER}, "This is your profile."),
    ({"recipient_open": False}, "Rita Recipient is not taking invitations at the moment."),
    ({"viewer_record_id": None}, "To invite Rita Recipient, you need a claimed"),
    ({"blocked": True}, "Rita Recipient is not taking invitations from you."),
    ({"open_invitation_id": 5}, "There is already an open invitation"),
    ({"sent_in_window": 20}, "You have sent 20 invitations"),
]


@pytest.mark.parametrize("first", range(len(IN_ORDER)))
def test_reasons_come_in_a_fixed_order(first):
    facts = ELIGIBLE
    for changes, _ in IN_ORDER[first:]:
        facts = replace(facts, **changes)

    assert invitation_refusal(facts=facts).startswith(IN_ORDER[first][1])


def test_a_visitor_hears_about_the_record_before_being_asked_to_log_in():
    visitor = replace(ELIGIBLE, viewer_id=None, viewer_record_id=None)

    unclaimed = invitation_refusal(facts=replace(visitor, holder_id=None))
    assert unclaimed.startswith("Rita Recipient has not claimed this record")
    assert invitation_refusal(facts=replace(visitor, recipient_open=False)).startswith(
        "Rita Recipient is not taking invitations at the moment."
    )
    assert invitation_refusal(facts=visitor).startswith("To invite Rita Recipient, log in")
