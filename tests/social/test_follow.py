"""Following a researcher: the button with and without JavaScript, through login, exact counts,
the feed of followed researchers' works and the page of whom one follows."""

import datetime
import re
from html import unescape

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.db.models import F
from django.utils import timezone

from profiles.models import User
from profiles.services import claim_approve, claim_evidence_submit
from profiles.stats import researcher_stats_refresh
from profiles.tasks import trust_batch_task
from social.models import DigestSubscription, Follow
from social.receivers import PENDING_FOLLOW_KEY
from social.selectors import feed_works
from social.services import follow
from tests.factories import (
    AuthorshipFactory,
    ResearcherFactory,
    UserFactory,
    WorkFactory,
    established_follower,
)
from tests.social.support import claimed, login_next
from works.models import HiddenWork, Researcher, Work

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture
def researcher():
    return ResearcherFactory(display_name="Ada Lovelace")


@pytest.fixture
def user():
    return UserFactory(password=None)


def followers(researcher) -> int:
    return Researcher.objects.get(pk=researcher.pk).followers_count


STAT = re.compile(r'<(\w+)([^>]*)\bid="followers-stat"([^>]*)>(\d+)</\1>')


def followers_stat(html: str, *, oob: bool = False) -> tuple[str, int]:
    """The element showing the count (its tag, its number); exactly one in the page or
    fragment, marked out-of-band in an HTMX fragment."""
    found = STAT.findall(html)
    assert len(found) == 1, found
    tag, before, after, count = found[0]
    assert ('data-hx-swap-oob="true"' in before + after) == oob
    return tag, int(count)


def follow_url(researcher, action="follow") -> str:
    return f"/researchers/{researcher.slug}/{action}/"


# --- The button ---------------------------------------------------------------------------


def test_profile_shows_a_plain_form_that_posts_to_follow(client, user, researcher):
    client.force_login(user)
    page = client.get(researcher.get_absolute_url()).content.decode()

    assert f'action="{follow_url(researcher)}"' in page
    assert f'data-hx-post="{follow_url(researcher)}"' in page
    assert followers_stat(page)[1] == 0
    assert "Follow researcher" in page


def test_plain_post_follows_and_goes_back_to_the_profile(client, user, researcher):
    client.force_login(user)

    response = client.post(follow_url(researcher))

    assert response.status_code == 302
    assert response.url == researcher.get_absolute_url() + "#actions"
    assert Follow.objects.filter(user=user, researcher=researcher).count() == 1
    assert followers(researcher) == 1
    page = client.get(response.url).content.decode()
    assert "You now follow Ada Lovelace." in page
    assert "Unfollow researcher" in page
    assert followers_stat(page)[1] == 1


def test_plain_post_goes_back_to_a_safe_next(client, user, researcher):
    client.force_login(user)

    response = client.post(follow_url(researcher), {"next": "/following/?page=2"})

    assert response.url == "/following/?page=2"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "",
    ],
)
def test_plain_post_never_goes_to_an_unsafe_next(client, user, researcher, next_url):
    client.force_login(user)

    for action in ("follow", "unfollow"):
        response = client.post(follow_url(researcher, action), {"next": next_url})

        assert response.status_code == 302
        assert response.url == researcher.get_absolute_url() + "#actions"


@pytest.mark.smoke
def test_htmx_follow_returns_the_button_and_the_new_count_out_of_band(client, user, researcher):
    client.force_login(user)

    response = client.post(follow_url(researcher), headers=HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('id="follow-control"') == 1
    assert f'action="{follow_url(researcher, "unfollow")}"' in body
    # The same element as the profile's, swapped in by id.
    profile_tag, _ = followers_stat(client.get(researcher.get_absolute_url()).content.decode())
    assert followers_stat(body, oob=True) == (profile_tag, 1)
    assert "<html" not in body  # a fragment, not the page
    assert "You now follow" not in body  # no flash message left over for the next page
    assert "You now follow" not in client.get(researcher.get_absolute_url()).content.decode()

    response = client.post(follow_url(researcher, "unfollow"), headers=HTMX)

    body = response.content.decode()
    assert f'action="{follow_url(researcher)}"' in body
    assert followers_stat(body, oob=True)[1] == 0
    assert not Follow.objects.exists()
    assert followers(researcher) == 0


def test_follow_and_unfollow_are_idempotent(client, user, researcher):
    client.force_login(user)

    for _ in range(3):
        client.post(follow_url(researcher))
    assert Follow.objects.count() == 1
    assert followers(researcher) == 1

    for _ in range(3):
        client.post(follow_url(researcher, "unfollow"))
    assert Follow.objects.count() == 0
    assert followers(researcher) == 0


def test_counts_are_per_researcher_and_per_user(client, researcher):
    other_researcher = ResearcherFactory()
    for user in UserFactory.create_batch(3, password=None):
        client.force_login(user)
        client.post(follow_url(researcher), headers=HTMX)
    client.post(follow_url(other_researcher), headers=HTMX)

    assert followers(researcher) == 3
    assert followers(other_researcher) == 1


def test_follow_query_count_is_bounded(client, user, researcher, django_assert_max_num_queries):
    client.force_login(user)
    with django_assert_max_num_queries(16):
        client.post(follow_url(researcher), headers=HTMX)


def test_unknown_researcher_is_not_found(client, user):
    client.force_login(user)
    assert client.post("/researchers/nobody-here/follow/").status_code == 404
    assert client.post("/researchers/nobody-here/unfollow/").status_code == 404


def test_following_your_own_profile_is_refused_with_a_message(client):
    owner, record = claimed()
    client.force_login(owner)

    response = client.post(follow_url(record), follow=True)

    assert "This is your own profile: there is nothing to follow." in response.content.decode()
    assert not Follow.objects.exists()
    assert followers(record) == 0

    response = client.post(follow_url(record), headers=HTMX)

    assert response.status_code == 200
    assert "This is your own profile: there is nothing to follow." in response.content.decode()
    assert followers_stat(response.content.decode(), oob=True)[1] == 0
    assert not Follow.objects.exists()


# --- Anonymous, through login -------------------------------------------------------------


def verified_user(email="ada@example.org"):
    user = UserFactory(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_anonymous_post_changes_nothing_and_asks_to_log_in(client, researcher):
    response = client.post(follow_url(researcher))

    assert login_next(response) == researcher.get_absolute_url()
    assert not Follow.objects.exists()
    assert followers(researcher) == 0
    assert client.session[PENDING_FOLLOW_KEY] == researcher.pk


def test_anonymous_htmx_post_redirects_the_whole_page_to_login(client, researcher):
    response = client.post(follow_url(researcher), headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    assert not Follow.objects.exists()


def test_logging_in_completes_the_follow(client, researcher):
    user = verified_user()
    response = client.post(follow_url(researcher))
    next_url = login_next(response)

    response = client.post(
        "/accounts/login/", {"login": "ada@example.org", "password": PASSWORD, "next": next_url}
    )

    assert response.status_code == 302
    assert response.url == researcher.get_absolute_url()
    assert list(Follow.objects.values_list("user", "researcher")) == [(user.pk, researcher.pk)]
    assert followers(researcher) == 1
    assert PENDING_FOLLOW_KEY not in client.session
    page = client.get(response.url).content.decode()
    assert "You now follow Ada Lovelace." in page
    assert followers_stat(page)[1] == 1

    # Logging in again later follows nothing more.
    client.logout()
    client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert Follow.objects.count() == 1
    assert followers(researcher) == 1


def test_a_login_with_nothing_pending_follows_nobody(client, researcher):
    verified_user()
    client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert not Follow.objects.exists()


def test_logging_in_as_the_profiles_owner_follows_nothing(client):
    user = verified_user()
    _, record = claimed(user)
    client.post(follow_url(record))

    response = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert not Follow.objects.exists()
    assert followers(record) == 0


def test_a_failed_login_keeps_the_wish_and_follows_nothing(client, researcher):
    verified_user()
    client.post(follow_url(researcher))

    client.post("/accounts/login/", {"login": "ada@example.org", "password": "wrong"})

    assert not Follow.objects.exists()
    client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert Follow.objects.count() == 1


# --- The feed -----------------------------------------------------------------------------


def work_by(*researchers, day: int, title: str | None = None):
    work = WorkFactory(
        publication_date=datetime.date(2024, 1, 1) + datetime.timedelta(days=day),
        **({"title": title} if title else {}),
    )
    for position, record in enumerate(researchers):
        AuthorshipFactory(work=work, researcher=record, position=position)
    return work


def feed_titles(client, path="/feed/") -> list[str]:
    html = client.get(path).content.decode()
    return re.findall(r'<h3 class="work__title"><a href="[^"]*">([^<]*)</a>', html)


def pager_link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]*)" rel="{rel}">', html)
    return "/feed/" + unescape(found.group(1)) if found else None


def test_feed_lists_followed_researchers_works_newest_first_in_pages_of_20(client, user):
    followed = ResearcherFactory(display_name="Grace Hopper")
    works = [work_by(followed, day=day, title=f"Paper on day {day}") for day in range(25)]
    work_by(ResearcherFactory(), day=30, title="Not followed")
    Follow.objects.create(user=user, researcher=followed)
    client.force_login(user)

    newest_first = [work.title for work in reversed(works)]
    html = client.get("/feed/").content.decode()
    assert feed_titles(client) == newest_first[:20]
    assert html.count("Because you follow Grace Hopper") == 20
    assert "Not followed" not in html
    assert pager_link(html, "prev") is None
    older = pager_link(html, "next")
    assert feed_titles(client, older) == newest_first[20:]
    last = client.get(older).content.decode()
    assert pager_link(last, "next") is None
    assert feed_titles(client, pager_link(last, "prev")) == newest_first[:20]


def test_feed_pages_split_ties_without_repeating_or_losing_a_work(client, user):
    """Same date, same import time to the microsecond (the cursor keeps it): the id decides."""
    followed = ResearcherFactory()
    works = [work_by(followed, day=1, title=f"Tied {n}") for n in range(45)]
    Work.objects.update(created_at=timezone.now().replace(microsecond=123456))
    Follow.objects.create(user=user, researcher=followed)
    client.force_login(user)

    seen, path = [], "/feed/"
    while path:
        seen.extend(feed_titles(client, path))
        path = pager_link(client.get(path).content.decode(), "next")

    assert seen == [work.title for work in sorted(works, key=lambda work: -work.pk)]


def test_feed_orders_by_publication_date_or_year_never_by_import_time(client, user):
    """An undated 2019 preprint imported today comes after a 2024 paper imported last year."""
    followed = ResearcherFactory()
    work_by(followed, day=0, title="Published 2024, imported long ago")
    Work.objects.filter(title="Published 2024, imported long ago").update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )
    old = WorkFactory(title="From 2019, imported today", publication_year=2019)
    AuthorshipFactory(work=old, researcher=followed)
    undated = WorkFactory(title="No date at all", publication_year=None)
    AuthorshipFactory(work=undated, researcher=followed)
    same_year = [WorkFactory(title=f"2019 import {n}", publication_year=2019) for n in (1, 2)]
    for work in same_year:
        AuthorshipFactory(work=work, researcher=followed)
    Work.objects.filter(pk=same_year[0].pk).update(
        created_at=timezone.now() + datetime.timedelta(minutes=1)
    )
    Follow.objects.create(user=user, researcher=followed)
    client.force_login(user)

    assert feed_titles(client) == [
        "Published 2024, imported long ago",
        # The same year: the one imported last first.
        "2019 import 1",
        "2019 import 2",
        "From 2019, imported today",
        "No date at all",
    ]


def test_feed_is_read_in_the_order_of_its_index(user):
    """The feed's ORDER BY is the work_feed_order index's expression, so Postgres can use it."""
    followed = ResearcherFactory()
    work_by(followed, day=1)
    Follow.objects.create(user=user, researcher=followed)
    sql = str(feed_works(user=user).query)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'work_feed_order'")
        (indexdef,) = cursor.fetchone()
    expression = "COALESCE(publication_date, make_date((publication_year)::integer, 1, 1), "
    assert expression + "'0001-01-01'::date) DESC, created_at DESC, id DESC" in indexdef
    assert (
        'COALESCE("works_work"."publication_date", make_date("works_work"."publication_year", '
        "1, 1), DATE '0001-01-01')" in sql
    )
    assert sql.endswith('DESC, "works_work"."created_at" DESC, "works_work"."id" DESC')


def test_feed_queries_do_not_grow_with_the_works(client, user, django_assert_max_num_queries):
    researchers = ResearcherFactory.create_batch(3)
    for day in range(20):
        work_by(researchers[day % 3], ResearcherFactory(), day=day)
    for record in researchers:
        Follow.objects.create(user=user, researcher=record)
    client.force_login(user)

    with django_assert_max_num_queries(12):
        response = client.get("/feed/")

    assert response.content.decode().count('class="work"') == 20


def test_feed_names_every_followed_author_of_a_work(client, user):
    ada, grace = ResearcherFactory(display_name="Ada L"), ResearcherFactory(display_name="Grace H")
    work_by(grace, ResearcherFactory(display_name="Someone Else"), ada, day=1)
    Follow.objects.create(user=user, researcher=ada)
    Follow.objects.create(user=user, researcher=grace)
    client.force_login(user)

    html = client.get("/feed/").content.decode()

    assert "Because you follow Grace H and Ada L" in html
    assert html.count('class="work"') == 1


def test_feed_leaves_out_works_the_researcher_hid(client, user):
    followed = ResearcherFactory()
    shown = work_by(followed, day=1, title="Really theirs")
    hidden = work_by(followed, day=2, title="Misattributed")
    HiddenWork.objects.create(researcher=followed, work=hidden, reason="Not mine.")
    Follow.objects.create(user=user, researcher=followed)
    client.force_login(user)

    assert feed_titles(client) == [shown.title]


def test_feed_keeps_a_work_hidden_by_one_followed_author_but_not_by_another(client, user):
    ada, grace = ResearcherFactory(), ResearcherFactory(display_name="Grace H")
    work = work_by(ada, grace, day=1, title="Shared paper")
    HiddenWork.objects.create(researcher=ada, work=work, reason="Not mine.")
    Follow.objects.create(user=user, researcher=ada)
    client.force_login(user)
    assert feed_titles(client) == []

    Follow.objects.create(user=user, researcher=grace)
    assert feed_titles(client) == ["Shared paper"]


def test_feed_includes_the_works_of_linked_records(client, user):
    primary = ResearcherFactory(display_name="John Smith")
    linked = ResearcherFactory(display_name="J. Smith", primary=primary)
    work_by(linked, day=1, title="Written as J. Smith")
    work_by(primary, day=0, title="Written as John Smith")
    Follow.objects.create(user=user, researcher=primary)
    client.force_login(user)

    assert feed_titles(client) == ["Written as J. Smith", "Written as John Smith"]
    html = client.get("/feed/").content.decode()
    # The reason names whom the user follows; the byline stresses the record that wrote it.
    assert html.count("Because you follow John Smith") == 2
    assert "Because you follow J. Smith" not in html
    assert "<strong>J. Smith</strong>" in html


def test_feed_of_someone_following_nobody_says_how_to_start(client, user):
    client.force_login(user)
    html = client.get("/feed/").content.decode()
    assert "You follow nobody yet." in html


def test_feed_is_only_the_users_own(client, user):
    followed = ResearcherFactory()
    work_by(followed, day=1, title="For the other user")
    Follow.objects.create(user=UserFactory(password=None), researcher=followed)
    client.force_login(user)

    assert feed_titles(client) == []


@pytest.mark.parametrize(
    "query",
    ["?page=99", "?after=abc", "?before=%00", "?after=WzEsMiwzXQ", "?after=WyJ4IiwieSIsMV0"],
)
def test_feed_with_an_unreadable_cursor_shows_the_first_page(client, user, query):
    """Old page-number links, garbage, and cursors of the wrong shape or types."""
    followed = ResearcherFactory()
    work_by(followed, day=1, title="Only one")
    Follow.objects.create(user=user, researcher=followed)
    client.force_login(user)

    assert feed_titles(client, "/feed/" + query) == ["Only one"]


# --- Whom one follows, and the digest -----------------------------------------------------


def test_following_page_lists_whom_the_user_follows_newest_first(client, user):
    first, second = (
        ResearcherFactory(display_name="First One"),
        ResearcherFactory(display_name="Second One"),
    )
    ResearcherFactory(display_name="Not Followed")
    client.force_login(user)
    client.post(follow_url(first))
    client.post(follow_url(second))

    html = client.get("/following/").content.decode()
    html = html[html.index('class="follow-list"') :]  # after the flash messages

    assert "2 researchers" not in html and "Not Followed" not in html
    html = client.get("/following/").content.decode()
    assert "2 researchers" in html
    html = html[html.index('class="follow-list"') :]
    assert html.index("Second One") < html.index("First One")
    assert "Not Followed" not in html


def test_unfollow_from_the_following_page_comes_back_to_it(client, user, researcher):
    client.force_login(user)
    client.post(follow_url(researcher))

    response = client.post(follow_url(researcher, "unfollow"), {"next": "/following/"})

    assert response.url == "/following/"
    assert "You follow nobody yet." in client.get("/following/").content.decode()
    assert followers(researcher) == 0


def test_digest_opt_in_and_out(client, user):
    client.force_login(user)
    assert 'name="weekly" checked' not in client.get("/following/").content.decode()

    response = client.post("/following/digest/", {"weekly": "on"}, follow=True)

    assert DigestSubscription.objects.filter(user=user).count() == 1
    html = response.content.decode()
    assert "You will get a weekly e-mail of new works" in html
    assert 'name="weekly" checked' in html

    client.post("/following/digest/", {"weekly": "on"})
    assert DigestSubscription.objects.filter(user=user).count() == 1

    response = client.post("/following/digest/", {}, follow=True)

    assert not DigestSubscription.objects.filter(user=user).exists()
    assert "You will no longer get the weekly e-mail." in response.content.decode()
    assert 'name="weekly" checked' not in response.content.decode()


def test_a_follower_who_claims_the_record_is_no_longer_counted_among_its_followers(researcher):
    holder, other = UserFactory(password=None), UserFactory(password=None)
    follow(user=holder, researcher=researcher)
    follow(user=other, researcher=researcher)
    claim = claim_evidence_submit(
        user=holder, researcher=researcher, links=["https://uni.example.edu/~ada"], note="Me."
    )

    claim_approve(claim=claim, actor=UserFactory(is_staff=True))

    researcher.refresh_from_db()
    assert list(Follow.objects.filter(researcher=researcher).values_list("user", flat=True)) == [
        other.pk
    ]
    assert researcher.followers_count == 1


# --- Which follows trust counts -----------------------------------------------------------


def scored_followers(researcher) -> tuple[int, int, int]:
    researcher_stats_refresh(researcher_ids=[researcher.pk])
    researcher.refresh_from_db()
    return researcher.followers_count, researcher.trusted_followers_count, researcher.trust_score


def counted_follower(researcher, **account):
    established_follower(researcher, **account)
    Researcher.objects.filter(pk=researcher.pk).update(followers_count=F("followers_count") + 1)


def test_a_follow_from_a_new_or_unverified_account_is_shown_but_not_scored(researcher, settings):
    settings.TRUST_FOLLOWER_MIN_AGE_DAYS = 7
    _, _, score = scored_followers(researcher)

    follow(user=UserFactory(password=None), researcher=researcher)  # a minute old, unverified
    counted_follower(researcher, days=1)
    counted_follower(researcher, days=30, verified=False)

    assert scored_followers(researcher) == (3, 0, score)

    counted_follower(researcher, days=8)
    followers, trusted, higher = scored_followers(researcher)
    assert (followers, trusted) == (4, 1) and higher > score


def test_the_nightly_task_counts_follows_whose_accounts_came_of_age(researcher, settings):
    settings.TRUST_FOLLOWER_MIN_AGE_DAYS = 7
    follower = established_follower(researcher, days=3)
    _, _, score = scored_followers(researcher)
    User.objects.filter(pk=follower.pk).update(
        date_joined=timezone.now() - datetime.timedelta(days=8)
    )

    trust_batch_task.run()

    researcher.refresh_from_db()
    assert researcher.trusted_followers_count == 1 and researcher.trust_score > score
