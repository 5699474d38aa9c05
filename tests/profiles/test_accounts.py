"""Accounts through django-allauth: sign-up with a verified e-mail, log in and out, password
reset, throttled logins and "Sign in with ORCID"."""

import re
import urllib.parse

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from profiles.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-Battery-9"


def verified_user(email: str = "ada@example.org") -> User:
    user = UserFactory(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def log_in(client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def link_in(message, path: str) -> str:
    """The path of the first link in a mail that starts with `path`."""
    url = re.search(rf"https?://[^\s]+{re.escape(path)}[^\s]+", message.body).group(0)
    return urllib.parse.urlparse(url).path


def test_sign_up_sends_a_verification_link_that_lets_the_user_log_in(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "grace@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert not is_logged_in(client)
    user = User.objects.get(email="grace@example.org")
    assert user.username  # derived, never asked for

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["grace@example.org"]
    confirm_path = link_in(mail.outbox[0], "/accounts/confirm-email/")

    confirm_page = client.get(confirm_path)
    assert confirm_page.status_code == 200
    assert not EmailAddress.objects.get(email="grace@example.org").verified  # GET changes nothing
    client.post(confirm_path)
    assert EmailAddress.objects.get(email="grace@example.org").verified

    response = log_in(client, "grace@example.org")
    assert response.status_code == 302
    assert is_logged_in(client)
    assert "Log out" in client.get("/").content.decode()


def test_login_before_verification_is_refused_with_an_explanation(client):
    client.post(
        "/accounts/signup/",
        {"email": "grace@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )

    response = client.post(
        "/accounts/login/",
        {"login": "grace@example.org", "password": PASSWORD},
        follow=True,
    )

    assert not is_logged_in(client)
    page = response.content.decode()
    assert "Verify your e-mail address" in page
    assert "until then you cannot log in" in page


def test_wrong_password_is_announced_on_the_form(client):
    verified_user()

    response = log_in(client, "ada@example.org", "not-the-password")

    assert response.status_code == 200
    assert not is_logged_in(client)
    assert 'role="alert"' in response.content.decode()


def test_logout_takes_a_post(client):
    verified_user()
    log_in(client, "ada@example.org")

    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    assert is_logged_in(client)

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not is_logged_in(client)


def test_header_offers_a_logout_button_that_posts(client):
    verified_user()
    log_in(client, "ada@example.org")

    page = client.get("/").content.decode()

    assert re.search(r'<form method="post" action="/accounts/logout/">', page)


def test_password_reset_mails_a_link_that_sets_a_new_password(client):
    verified_user()

    response = client.post("/accounts/password/reset/", {"email": "ada@example.org"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    reset_path = link_in(mail.outbox[0], "/accounts/password/reset/key/")
    form_page = client.get(reset_path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else reset_path,
        {"password1": "A-new-Horse-Battery-7", "password2": "A-new-Horse-Battery-7"},
    )
    assert log_in(client, "ada@example.org", "A-new-Horse-Battery-7").status_code == 302
    assert is_logged_in(client)


def test_repeated_failed_logins_are_throttled(client, settings):
    # Rate limits are counted in the cache. A private one keeps other test runs that clear the
    # shared Redis database from resetting the count halfway.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    verified_user()
    for _ in range(5):
        response = log_in(client, "ada@example.org", "not-the-password")
        assert "Too many failed login attempts" not in response.content.decode()

    response = log_in(client, "ada@example.org", PASSWORD)

    assert "Too many failed login attempts" in response.content.decode()
    assert not is_logged_in(client)


def test_login_page_offers_orcid_even_when_it_is_not_configured(client, settings):
    settings.ORCID_CLIENT_ID = ""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "orcid": {**settings.SOCIALACCOUNT_PROVIDERS["orcid"], "APPS": []}
    }

    page = client.get("/accounts/login/").content.decode()

    assert "Sign in with ORCID" in page
    assert "ORCID sign-in is not configured on this server" in page
    response = client.post("/accounts/orcid/login/")
    assert response.status_code == 503
    assert "not configured on this server" in response.content.decode()


@pytest.fixture
def orcid_app(settings):
    def configure(base_domain: str):
        settings.ORCID_CLIENT_ID = "APP-TESTCLIENT0001"
        settings.ORCID_BASE_DOMAIN = base_domain
        settings.SOCIALACCOUNT_PROVIDERS = {
            "orcid": {
                **settings.SOCIALACCOUNT_PROVIDERS["orcid"],
                "BASE_DOMAIN": base_domain,
                "APPS": [{"client_id": "APP-TESTCLIENT0001", "secret": "s3cret", "key": ""}],
            }
        }

    return configure


def test_configured_orcid_sign_in_is_a_post_button(client, orcid_app):
    orcid_app("orcid.example.test")

    page = client.get("/accounts/login/").content.decode()

    assert re.search(r'<form method="post" action="/accounts/orcid/login/[^"]*">', page)
    assert "not configured" not in page


@pytest.mark.parametrize(
    ("base_domain", "authorize"),
    [
        ("sandbox.orcid.org", "https://sandbox.orcid.org/oauth/authorize"),
        ("orcid.example.test", "https://orcid.example.test/oauth/authorize"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765/oauth/authorize"),
    ],
)
def test_orcid_login_redirects_to_the_configured_authorize_url(
    client, orcid_app, base_domain, authorize
):
    orcid_app(base_domain)

    response = client.post("/accounts/orcid/login/")

    assert response.status_code == 302
    location = urllib.parse.urlparse(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == authorize
    query = urllib.parse.parse_qs(location.query)
    assert query["client_id"] == ["APP-TESTCLIENT0001"]
    assert query["state"][0]
    assert query["redirect_uri"][0].endswith("/accounts/orcid/login/callback/")
    assert query["scope"] == ["/authenticate"]


def test_orcid_callback_with_an_unknown_state_is_refused(client, orcid_app):
    orcid_app("orcid.example.test")

    response = client.get("/accounts/orcid/login/callback/", {"code": "abc", "state": "forged"})

    assert response.status_code == 401
    assert not is_logged_in(client)
    assert "Third-Party Login Failure" in response.content.decode()
