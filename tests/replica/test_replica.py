"""Reads from a real streaming replica, writes to the primary, read-your-writes (bzpeer.db_router,
bzpeer.middleware.ReadReplicaMiddleware). Replay paused on the replica stands for lag: what the
replica serves then is what it had before."""

import socket
import time

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from bzpeer.db_router import REPLICA_DB_ALIAS, replica_reads
from bzpeer.middleware import ReadReplicaMiddleware
from social.models import Follow
from tests.factories import ResearcherFactory, UserFactory
from tests.replica.conftest import replay, wait_for_replica
from works.models import Researcher

pytestmark = [
    pytest.mark.skipif(
        REPLICA_DB_ALIAS not in settings.DATABASES,
        reason="bin/test-replica runs these against a streaming replica (make test)",
    ),
    pytest.mark.usefixtures("committed_db"),
]

COOKIE = ReadReplicaMiddleware.COOKIE


@pytest.fixture
def researcher():
    return ResearcherFactory(display_name="Ada Lovelace")


@pytest.fixture
def user():
    user = UserFactory(password=None)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def page(client, url) -> str:
    # No cached fragment may stand in for the database the page was read from.
    cache.clear()
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def listed(client, researcher) -> bool:
    """Whether /following/ lists the researcher (a link to them, not the flash message)."""
    link = f'<a href="{researcher.get_absolute_url()}">{researcher.display_name}</a>'
    return link in page(client, "/following/")


def test_anonymous_pages_are_read_from_the_replica(client, researcher):
    wait_for_replica()
    replay(paused=True)
    Researcher.objects.filter(pk=researcher.pk).update(display_name="Ada King")

    lagging = page(client, researcher.get_absolute_url())
    # Outside a request (a Celery task, a management command) reads come from the primary.
    assert Researcher.objects.get(pk=researcher.pk).display_name == "Ada King"
    replay(paused=False)
    wait_for_replica()
    caught_up = page(client, researcher.get_absolute_url())

    assert "Ada Lovelace" in lagging and "Ada King" not in lagging
    assert "Ada King" in caught_up
    assert COOKIE not in client.cookies


def test_whoever_just_followed_sees_the_follow_while_the_replica_lags(client, researcher, user):
    elsewhere = type(client)()  # the same account in another browser, which wrote nothing
    client.force_login(user)
    elsewhere.force_login(user)
    wait_for_replica()
    replay(paused=True)

    response = client.post(f"/researchers/{researcher.slug}/follow/")
    assert response.status_code == 302
    assert client.cookies[COOKIE]["max-age"] == settings.READ_YOUR_WRITES_SECONDS
    assert Follow.objects.filter(user=user, researcher=researcher).exists()

    assert listed(client, researcher)
    assert not listed(elsewhere, researcher)
    replay(paused=False)
    wait_for_replica()
    assert listed(elsewhere, researcher)


def test_after_the_window_the_user_reads_from_the_replica_again(client, researcher, user, settings):
    settings.READ_YOUR_WRITES_SECONDS = 1
    client.force_login(user)
    wait_for_replica()
    replay(paused=True)
    client.post(f"/researchers/{researcher.slug}/follow/")

    # The signed cookie carries its time; a browser that keeps sending it gains nothing.
    time.sleep(2.1)

    assert COOKIE in client.cookies
    assert not listed(client, researcher)


def test_a_safe_request_that_writes_reads_its_own_write_after_it(researcher):
    wait_for_replica()
    replay(paused=True)

    def rename(request):
        Researcher.objects.filter(pk=researcher.pk).update(display_name="Ada King")
        return HttpResponse(Researcher.objects.get(pk=researcher.pk).display_name)

    def read(request):
        return HttpResponse(Researcher.objects.get(pk=researcher.pk).display_name)

    wrote = ReadReplicaMiddleware(rename)(RequestFactory().get("/"))
    read_only = ReadReplicaMiddleware(read)(RequestFactory().get("/"))

    assert wrote.content == b"Ada King" and COOKIE in wrote.cookies
    assert read_only.content == b"Ada Lovelace" and COOKIE not in read_only.cookies


def test_reads_in_a_transaction_on_the_primary_stay_there():
    wait_for_replica()
    replay(paused=True)

    with replica_reads():
        with transaction.atomic():
            created = ResearcherFactory(display_name="Grace Hopper")
            in_transaction = Researcher.objects.filter(pk=created.pk).exists()
        after_commit = Researcher.objects.filter(pk=created.pk).exists()

    assert in_transaction
    assert not after_commit  # the replica's, which has not replayed the commit yet


def test_an_unreachable_replica_leaves_the_reads_to_the_primary(client, researcher):
    replica = connections[REPLICA_DB_ALIAS]
    port = replica.settings_dict["PORT"]
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        nothing_listens = unused.getsockname()[1]
    replica.close()
    replica.settings_dict["PORT"] = nothing_listens
    try:
        Researcher.objects.filter(pk=researcher.pk).update(display_name="Ada King")
        served = page(client, researcher.get_absolute_url())
    finally:
        replica.close()
        replica.settings_dict["PORT"] = port

    assert "Ada King" in served
