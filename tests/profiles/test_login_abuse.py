"""The admin has no password form of its own: staff log in through the site's throttled login.
Sign-up costs the same password hashing whether or not the address is registered."""

import urllib.parse

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import MD5PasswordHasher

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture
def private_cache(settings):
    # Rate limits are counted in the cache; a private one keeps other test runs that clear the
    # shared Redis database from resetting the count halfway (as in test_accounts.py).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def staff():
    user = UserFactory(
        username="moderator", email="mod@example.org", password=PASSWORD, is_staff=True
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def hashing(monkeypatch):
    """How often the test run's password hasher hashes or checks a password."""
    calls = []
    for method in ("encode", "verify"):
        original = getattr(MD5PasswordHasher, method)

        def spy(self, *args, _original=original, _method=method, **kwargs):
            calls.append(_method)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(MD5PasswordHasher, method, spy)
    return calls


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_admin_login_sends_staff_to_the_site_login_and_back(client, staff):
    response = client.get("/admin/")
    response = client.get(response.url)

    assert response.status_code == 302
    location = urllib.parse.urlparse(response.url)
    assert location.path == "/accounts/login/"
    assert urllib.parse.parse_qs(location.query)["next"] == ["/admin/"]
    response = client.post(response.url, {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_login_checks_no_password(client, staff, hashing):
    # Without the redirect (profiles.admin_site), Django's admin form checks the password:
    # hashing is not empty and the right password logs in.
    for _ in range(30):
        client.post("/admin/login/", {"username": "moderator", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "moderator", "password": PASSWORD})

    assert response.status_code == 302
    assert urllib.parse.urlparse(response.url).path == "/accounts/login/"
    assert hashing == []
    assert not logged_in(client)


def test_thirty_wrong_passwords_then_the_right_one_is_throttled(client, staff, private_cache):
    login = "/accounts/login/?next=/admin/"
    for _ in range(30):
        client.post(login, {"login": staff.email, "password": "wrong"})

    response = client.post(login, {"login": staff.email, "password": PASSWORD})

    # Past the per-IP limit allauth answers 429; past the per-address one, the form says so.
    assert response.status_code == 429 or "Too many failed login attempts" in (
        response.content.decode()
    )
    assert not logged_in(client)
    assert client.get("/admin/").status_code == 302


def test_a_logged_in_account_without_staff_rights_is_refused_without_a_loop(client):
    client.force_login(UserFactory(password=None))

    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 403
    assert "not a staff account" in response.content.decode()


def test_admin_login_keeps_next_on_this_site_only(client):
    response = client.get("/admin/login/", {"next": "https://evil.example/"})

    assert urllib.parse.parse_qs(urllib.parse.urlparse(response.url).query)["next"] == ["/admin/"]


def sign_up(client, email: str):
    return client.post(
        "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


def test_sign_up_hashes_the_same_whether_or_not_the_address_exists(client, hashing):
    taken_user = UserFactory(email="taken@example.org", password=None)
    EmailAddress.objects.create(email=taken_user.email, user=taken_user, verified=True)

    new = sign_up(client, "new@example.org")
    new_hashing = list(hashing)
    hashing.clear()
    taken = sign_up(client, "taken@example.org")

    # Without profiles.accounts.SignupForm the taken address costs no hash at all.
    assert new_hashing == hashing == ["encode"]
    assert (new.status_code, new.url) == (taken.status_code, taken.url)
