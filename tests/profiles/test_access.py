"""Every claim, code, owner-edit and dispute URL, as anonymous, another user, the owner and
staff: the answer each gets, and that no GET changes anything."""

import pytest
from django.forms.models import model_to_dict

from profiles import services
from profiles.models import Claim, ClaimDispute, ClaimEvent
from tests.access import LOGIN, AccessMatrix
from tests.factories import AuthorshipFactory, ResearcherFactory, UserFactory
from works.models import HiddenWork, Researcher

# (url, GET answers, POST answers, POST data); answers are for anonymous, another user, the
# owner and staff. "login" is a redirect to the login page that comes back to the URL.
CASES = {
    "claim": (
        "/researchers/{slug}/claim/",
        (LOGIN, 200, 200, 200),
        (LOGIN, 200, 200, 200),
        {"method": "evidence", "links": "https://example.org/me", "note": ""},
    ),
    "claim_code": (
        "/researchers/{slug}/claim/{claim_id}/code/",
        (LOGIN, 404, 200, 404),
        (LOGIN, 404, 400, 404),
        {"code": "123456"},
    ),
    "edit": (
        "/researchers/{slug}/edit/",
        (LOGIN, 404, 200, 404),
        (LOGIN, 404, 302, 404),
        {"bio": "Changed.", "open_to_collaborate": "on"},
    ),
    "work_hide": (
        "/researchers/{slug}/works/{work_slug}/hide/",
        (LOGIN, 404, 200, 404),
        (LOGIN, 404, 302, 404),
        {"reason": "Not mine."},
    ),
    "work_unhide": (
        "/researchers/{slug}/works/{hidden_slug}/unhide/",
        (LOGIN, 404, 405, 404),
        (LOGIN, 404, 302, 404),
        {},
    ),
    "dispute": (
        "/researchers/{slug}/dispute/",
        (LOGIN, 200, 404, 200),
        (LOGIN, 302, 404, 302),
        {"links": "https://example.org/me", "note": "I am this person."},
    ),
    "dispute_unclaimed": (
        "/researchers/{unclaimed_slug}/dispute/",
        (LOGIN, 404, 404, 404),
        (LOGIN, 404, 404, 404),
        {"links": "https://example.org/me", "note": "I am this person."},
    ),
}
ROLES = ("anonymous", "other", "owner", "staff")
MATRIX = AccessMatrix(CASES, ROLES)


def snapshot() -> dict[str, list[dict]]:
    return {
        model.__name__: [model_to_dict(row) for row in model.objects.order_by("pk")]
        for model in (Claim, ClaimEvent, HiddenWork, ClaimDispute, Researcher)
    }


@pytest.fixture
def world(db) -> dict:
    # No passwords: force_login needs none, and hashing them would be most of this test's time.
    owner = UserFactory(password=None)
    researcher = ResearcherFactory()
    work = AuthorshipFactory(researcher=researcher).work
    hidden = AuthorshipFactory(researcher=researcher).work
    claim = services.claim_start(user=owner, researcher=researcher, method=Claim.Method.EMAIL)
    services.claim_approve(claim=claim, actor=None)
    services.work_hide(researcher=researcher, user=owner, work=hidden, reason="Not mine.")
    return {
        "users": {
            "anonymous": None,
            "other": UserFactory(password=None),
            "owner": owner,
            "staff": UserFactory(password=None, is_staff=True, is_superuser=True),
        },
        "slug": researcher.slug,
        "claim_id": claim.pk,
        "work_slug": work.slug,
        "hidden_slug": hidden.slug,
        "unclaimed_slug": ResearcherFactory().slug,
    }


def assert_answer(url, expected, response):
    if expected == LOGIN:
        assert response.status_code == 302 and response.url == f"/accounts/login/?next={url}"
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("role", ROLES)
def test_get_answers_and_changes_nothing(client, world, role, case):
    before = snapshot()

    url, expected, response = MATRIX.request(client, world, role, "get", case)

    assert_answer(url, expected, response)
    assert snapshot() == before


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("role", ROLES)
def test_post_answers_and_refusals_change_nothing(client, world, role, case):
    before = snapshot()

    url, expected, response = MATRIX.request(client, world, role, "post", case)

    assert_answer(url, expected, response)
    if expected in (LOGIN, 404):
        assert snapshot() == before


def test_owner_posts_do_what_they_say(client, world):
    client.force_login(world["users"]["owner"])
    slug = world["slug"]

    client.post(f"/researchers/{slug}/edit/", {"bio": "Changed."})
    client.post(f"/researchers/{slug}/works/{world['work_slug']}/hide/", {"reason": "No."})
    client.post(f"/researchers/{slug}/works/{world['hidden_slug']}/unhide/")

    assert Researcher.objects.get(slug=slug).bio == "Changed."
    assert list(HiddenWork.objects.values_list("work__slug", flat=True)) == [world["work_slug"]]


def test_dispute_posts_open_one_dispute_each(client, world):
    for role in ("other", "staff"):
        client.force_login(world["users"][role])
        client.post(
            f"/researchers/{world['slug']}/dispute/",
            {"links": "https://example.org/me", "note": "Me."},
        )

    assert ClaimDispute.objects.filter(state="open").count() == 2
    # Neither account is verified, and no moderator accepted them: they do not weigh (issue 11).
    assert Researcher.objects.get(slug=world["slug"]).open_disputes_count == 0
