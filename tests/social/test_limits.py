"""Limits under load: the daily invitation limit over 1,000 sequential posts and under
concurrent posts, one follow however many posts race, one open invitation per pair.

Real transactions (transaction=True) and threads, so the row locks and constraints are what
keeps the counts right. PostgreSQL allows 100 connections, shared with other test runs, so the
concurrent posts go out in rounds of up to WIDTH threads that start together at a barrier.
"""

import threading

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client

from bzpeer.celery import app
from profiles.models import Claim, User
from social import services
from social.models import Follow, Invitation
from tests.factories import ResearcherFactory, UserFactory
from tests.social.support import claimed
from works.models import Researcher

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 25
LIMIT_MESSAGE = "invitations in the past 24 hours, the most allowed"
ALREADY_OPEN = "There is already an open invitation between you and"
DATA = {"subject": "Work together?", "message": "I would like to work with you."}


@pytest.fixture(autouse=True)
def eager_celery(monkeypatch):
    # The e-mail tasks run in the request's thread (locmem outbox), not through a broker.
    monkeypatch.setitem(app.conf, "task_always_eager", True)


def claimed_people(count: int) -> list[tuple[User, Researcher]]:
    """`count` users, each holding the approved claim of an open researcher record."""
    users = User.objects.bulk_create(
        [UserFactory.build(password=None, username=f"bulk{n}") for n in range(count)]
    )
    records = Researcher.objects.bulk_create(
        [
            ResearcherFactory.build(
                is_claimed=True,
                open_to_collaborate=True,
                slug=f"bulk-researcher-{n}",
                display_name=f"Bulk Researcher{n}",
            )
            for n in range(count)
        ]
    )
    Claim.objects.bulk_create(
        [
            Claim(user=user, researcher=record, method="email", state=Claim.State.APPROVED)
            for user, record in zip(users, records, strict=True)
        ]
    )
    return list(zip(users, records, strict=True))


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def run_together(jobs: list) -> list:
    """Run the callables in rounds of WIDTH threads that each wait at a barrier, so the
    requests of a round overlap. Each thread closes its own database connection."""
    results = [None] * len(jobs)
    errors = []
    for start in range(0, len(jobs), WIDTH):
        batch = list(enumerate(jobs))[start : start + WIDTH]
        barrier = threading.Barrier(len(batch))

        def work(index, job, barrier=barrier):
            try:
                barrier.wait(timeout=60)
                results[index] = job()
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=item) for item in batch]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    return results


def post(client: Client, url: str, data=None):
    return lambda: client.post(url, data or {})


def test_a_thousand_sequential_posts_send_exactly_the_daily_limit():
    sender, _ = claimed()
    people = claimed_people(30)
    client = logged_in(sender)
    limit = settings.INVITATIONS_PER_DAY

    answers = []
    for attempt in range(1000):
        _, record = people[attempt % len(people)]
        answers.append(client.post(f"/researchers/{record.slug}/invite/", DATA))

    assert Invitation.objects.filter(sender=sender).count() == limit
    assert [answer.status_code for answer in answers[:limit]] == [302] * limit
    refused = answers[limit:]
    assert {answer.status_code for answer in refused} == {400}
    invited = set(Invitation.objects.values_list("recipient_researcher__slug", flat=True))
    for attempt, answer in enumerate(refused, start=limit):
        slug = people[attempt % len(people)][1].slug
        body = answer.content.decode()
        # Someone not yet invited is refused for the limit; someone invited already, for that.
        assert (LIMIT_MESSAGE if slug not in invited else ALREADY_OPEN) in body
    assert sum(LIMIT_MESSAGE in answer.content.decode() for answer in refused) > 300
    assert len(mail.outbox) == limit


def test_concurrent_posts_send_no_more_than_the_daily_limit():
    sender, _ = claimed()
    people = claimed_people(30)
    jobs = [
        post(logged_in(sender), f"/researchers/{people[n % len(people)][1].slug}/invite/", DATA)
        for n in range(200)
    ]

    answers = run_together(jobs)

    sent = Invitation.objects.filter(sender=sender).count()
    assert sent <= settings.INVITATIONS_PER_DAY
    # Every post is answered, and with 30 recipients the limit is what stops the sender.
    assert sent == settings.INVITATIONS_PER_DAY
    assert sorted(answer.status_code for answer in answers) == [302] * sent + [400] * (200 - sent)
    assert len(mail.outbox) == sent


def test_concurrent_follow_posts_make_one_follow_and_an_exact_count(monkeypatch):
    # The trust refresh recounts followers; left out, the count is the follow's own work.
    monkeypatch.setattr(services, "trust_refresh_enqueue", lambda **kwargs: None)
    user = UserFactory(password=None)
    researchers = ResearcherFactory.create_batch(4)
    jobs = [
        post(logged_in(user), f"/researchers/{researcher.slug}/follow/")
        for researcher in researchers
        for _ in range(WIDTH)
    ]

    answers = run_together(jobs)

    assert {answer.status_code for answer in answers} == {302}
    for researcher in researchers:
        assert Follow.objects.filter(user=user, researcher=researcher).count() == 1
        researcher.refresh_from_db()
        assert researcher.followers_count == 1


def test_concurrent_unfollow_posts_leave_an_exact_count(monkeypatch):
    monkeypatch.setattr(services, "trust_refresh_enqueue", lambda **kwargs: None)
    researcher = ResearcherFactory()
    users = UserFactory.create_batch(3, password=None)
    for user in users:
        services.follow(user=user, researcher=researcher)
    jobs = [
        post(logged_in(users[0]), f"/researchers/{researcher.slug}/unfollow/") for _ in range(WIDTH)
    ]

    run_together(jobs)

    researcher.refresh_from_db()
    assert researcher.followers_count == 2
    assert Follow.objects.filter(researcher=researcher).count() == 2


def test_crossing_invitations_leave_exactly_one_open():
    pairs = [claimed_pair for claimed_pair in zip(*[iter(claimed_people(20))] * 2, strict=True)]
    jobs = []
    for (a, a_record), (b, b_record) in pairs:
        jobs.append(post(logged_in(a), f"/researchers/{b_record.slug}/invite/", DATA))
        jobs.append(post(logged_in(b), f"/researchers/{a_record.slug}/invite/", DATA))

    answers = run_together(jobs)

    for (a, _), (b, _) in pairs:
        between = Invitation.objects.filter(sender__in=[a, b], recipient__in=[a, b])
        assert between.filter(state="pending").count() == 1
    assert sorted(answer.status_code for answer in answers) == [302] * 10 + [400] * 10
    for answer in answers:
        if answer.status_code == 400:
            assert ALREADY_OPEN in answer.content.decode()


def test_a_double_submitted_invitation_is_sent_once():
    sender, _ = claimed()
    people = claimed_people(5)
    client = logged_in(sender)
    jobs = [
        post(
            client if copy == 0 else logged_in(sender), f"/researchers/{record.slug}/invite/", DATA
        )
        for _, record in people
        for copy in range(2)
    ]

    answers = run_together(jobs)

    assert Invitation.objects.count() == 5
    for _, record in people:
        assert Invitation.objects.filter(recipient_researcher=record).count() == 1
    assert sorted(answer.status_code for answer in answers) == [302] * 5 + [400] * 5
    assert len(mail.outbox) == 5
