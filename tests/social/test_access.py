"""Every follow, feed and invitation URL as anonymous, another user, the sender, the recipient
and staff: the answer each gets, that no GET changes anything, and that refusals change
nothing either."""

import pytest

from social import services
from social.models import Block, Follow, Invitation
from tests.access import LOGIN, AccessMatrix
from tests.factories import ResearcherFactory, UserFactory
from tests.social.support import claimed, login_next, snapshot

LOGIN_PROFILE = "login-profile"  # ... that comes back to the profile (the follow button)

ROLES = ("anonymous", "other", "sender", "recipient", "staff")
SENDER_ONLY = (LOGIN, 404, 302, 302, 404)  # the other party's refusal is a message, not 404
# (url, GET answers, POST answers, POST data); answers in the order of ROLES.
CASES = {
    "profile": ("/researchers/{slug}/", (200, 200, 200, 200, 200), None, {}),
    "follow": (
        "/researchers/{slug}/follow/",
        (405, 405, 405, 405, 405),
        (LOGIN_PROFILE, 302, 302, 302, 302),
        {},
    ),
    "unfollow": (
        "/researchers/{slug}/unfollow/",
        (405, 405, 405, 405, 405),
        (LOGIN_PROFILE, 302, 302, 302, 302),
        {},
    ),
    "invite": (
        "/researchers/{target_slug}/invite/",
        (LOGIN, 200, 200, 200, 200),
        # Without a claim of one's own the form answers 400 with the reason.
        (LOGIN, 400, 302, 302, 400),
        {"subject": "Work together", "message": "Shall we?"},
    ),
    "invite_unclaimed": (
        "/researchers/{unclaimed_slug}/invite/",
        (LOGIN, 200, 200, 200, 200),
        (LOGIN, 400, 400, 400, 400),
        {"subject": "Work together", "message": "Shall we?"},
    ),
    "invite_unknown": (
        "/researchers/no-such-person/invite/",
        (LOGIN, 404, 404, 404, 404),
        (LOGIN, 404, 404, 404, 404),
        {"subject": "Work together", "message": "Shall we?"},
    ),
    "feed": ("/feed/", (LOGIN, 200, 200, 200, 200), (LOGIN, 405, 405, 405, 405), {}),
    "following": ("/following/", (LOGIN, 200, 200, 200, 200), (LOGIN, 405, 405, 405, 405), {}),
    "digest": (
        "/following/digest/",
        (LOGIN, 405, 405, 405, 405),
        (LOGIN, 302, 302, 302, 302),
        {"weekly": "on"},
    ),
    "inbox": ("/invitations/", (LOGIN, 200, 200, 200, 200), (LOGIN, 405, 405, 405, 405), {}),
    "sent": ("/invitations/sent/", (LOGIN, 200, 200, 200, 200), (LOGIN, 405, 405, 405, 405), {}),
    "blocked": (
        "/invitations/blocked/",
        (LOGIN, 200, 200, 200, 200),
        (LOGIN, 405, 405, 405, 405),
        {},
    ),
    "unblock": (
        "/invitations/blocked/{blocked_id}/unblock/",
        (LOGIN, 405, 405, 405, 405),
        (LOGIN, 302, 302, 302, 302),
        {},
    ),
    "detail": (
        "/invitations/{pk}/",
        (LOGIN, 404, 200, 200, 404),
        (LOGIN, 405, 405, 405, 405),
        {},
    ),
    "detail_unknown": (
        "/invitations/{missing_pk}/",
        (LOGIN, 404, 404, 404, 404),
        (LOGIN, 405, 405, 405, 405),
        {},
    ),
    **{
        action: (
            f"/invitations/{{pk}}/{action}/",
            (LOGIN, 405, 405, 405, 405),
            SENDER_ONLY,
            {},
        )
        for action in ("accept", "decline", "block", "report", "withdraw")
    },
    "unknown_action": (
        "/invitations/{pk}/frobnicate/",
        (LOGIN, 405, 405, 405, 405),
        (LOGIN, 404, 404, 404, 404),
        {},
    ),
}
MATRIX = AccessMatrix(CASES, ROLES)


@pytest.fixture
def world(db) -> dict:
    sender, sender_record = claimed()
    recipient, recipient_record = claimed()
    _, target = claimed()
    spammer = UserFactory(password=None)
    Block.objects.create(blocker=recipient, blocked=spammer)
    invitation = services.invitation_send(
        sender=sender, recipient_researcher=recipient_record, subject="Hi", message="Join me."
    )
    return {
        "users": {
            "anonymous": None,
            "other": UserFactory(password=None),
            "sender": sender,
            "recipient": recipient,
            "staff": UserFactory(password=None, is_staff=True, is_superuser=True),
        },
        "slug": recipient_record.slug,
        "profile_url": recipient_record.get_absolute_url(),
        "target_slug": target.slug,
        "unclaimed_slug": ResearcherFactory().slug,
        "blocked_id": spammer.pk,
        "pk": invitation.pk,
        "missing_pk": invitation.pk + 1000,
    }


def assert_answer(world, url, expected, response):
    if expected == LOGIN:
        assert login_next(response) == url, response
    elif expected == LOGIN_PROFILE:
        assert login_next(response) == world["profile_url"], response
    else:
        assert response.status_code == expected, response
        if expected == 302:
            assert login_next(response) is None


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("role", ROLES)
def test_get_answers_and_changes_nothing(client, world, role, case, htmx):
    headers = {"HX-Request": "true"} if htmx else None
    before = snapshot()

    url, expected, response = MATRIX.request(client, world, role, "get", case, headers)

    if htmx and expected == LOGIN:
        # django-htmx leaves login_required alone: still a redirect to the login page.
        assert login_next(response) == url
    else:
        assert_answer(world, url, expected, response)
    assert snapshot() == before


@pytest.mark.parametrize("case", [case for case in CASES if CASES[case][2] is not None])
@pytest.mark.parametrize("role", ROLES)
def test_post_answers_and_refusals_change_nothing(client, world, role, case):
    before = snapshot()

    url, expected, response = MATRIX.request(client, world, role, "post", case)

    assert_answer(world, url, expected, response)
    if expected in (LOGIN, LOGIN_PROFILE, 400, 404, 405):
        assert snapshot() == before


@pytest.mark.parametrize("action", ["accept", "decline", "block", "report"])
def test_the_sender_cannot_answer_their_own_invitation(client, world, action):
    client.force_login(world["users"]["sender"])
    before = snapshot()

    response = client.post(f"/invitations/{world['pk']}/{action}/", follow=True)

    assert snapshot() == before
    assert "Only the invitation&#x27;s recipient can answer it." in response.content.decode()


def test_the_recipient_cannot_withdraw(client, world):
    client.force_login(world["users"]["recipient"])
    before = snapshot()

    response = client.post(f"/invitations/{world['pk']}/withdraw/", follow=True)

    assert snapshot() == before
    assert "Only the invitation&#x27;s sender can withdraw it." in response.content.decode()


@pytest.mark.parametrize("role", ["other", "staff"])
def test_other_peoples_invitations_are_not_found_in_any_form(client, world, role):
    client.force_login(world["users"][role])
    pk = world["pk"]

    assert client.get(f"/invitations/{pk}/").status_code == 404
    for action in ("accept", "decline", "block", "report", "withdraw", "frobnicate"):
        assert client.post(f"/invitations/{pk}/{action}/").status_code == 404
        response = client.post(f"/invitations/{pk}/{action}/", headers={"HX-Request": "true"})
        assert response.status_code == 404
    for box in ("/invitations/", "/invitations/sent/"):
        assert f"/invitations/{pk}/" not in client.get(box).content.decode()
    assert Invitation.objects.get(pk=pk).state == Invitation.State.PENDING


def test_unblock_only_removes_the_users_own_block(client, world):
    client.force_login(world["users"]["other"])
    client.post(f"/invitations/blocked/{world['blocked_id']}/unblock/")
    assert Block.objects.count() == 1

    client.force_login(world["users"]["recipient"])
    client.post(f"/invitations/blocked/{world['blocked_id']}/unblock/")
    assert Block.objects.count() == 0


def test_follow_posts_by_each_role(client, world):
    for role in ("other", "sender", "staff", "recipient"):
        client.force_login(world["users"][role])
        client.post(f"/researchers/{world['slug']}/follow/")

    # The recipient owns the profile: refused. The three others follow once each.
    assert sorted(Follow.objects.values_list("user__username", flat=True)) == sorted(
        world["users"][role].username for role in ("other", "sender", "staff")
    )
