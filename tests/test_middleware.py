import pytest
from django.core import checks

from bzpeer.checks import security_middleware_settings


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost:8000", "[::1]:8000"])
def test_loopback_requests_are_served_over_plain_http(client, settings, host, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "bzpeer.example"]

    response = client.get("/", headers={"host": host})

    assert response.status_code == 200


def test_other_hosts_are_redirected_to_https(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["bzpeer.example"]

    response = client.get("/researchers/", headers={"host": "bzpeer.example"})

    assert response.status_code == 301
    assert response["Location"] == "https://bzpeer.example/researchers/"


def test_deploy_check_notices_a_missing_security_middleware(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "SecurityMiddleware" not in m]

    assert [message.id for message in security_middleware_settings(None)] == ["bzpeer.W001"]
    assert all(isinstance(m, checks.Warning) for m in security_middleware_settings(None))


@pytest.mark.parametrize(
    ("path", "status"),
    [("/", 200), ("/researchers/", 200), ("/no-such-page/", 404), ("/explore/api/node/", 400)],
)
def test_every_response_denies_the_browser_features_the_site_does_not_use(client, db, path, status):
    # Fails without SecurityMiddleware.process_response's Permissions-Policy line.
    response = client.get(path)

    assert response.status_code == status
    policy = dict(
        item.strip().split("=", 1) for item in response.headers["Permissions-Policy"].split(",")
    )
    for feature in ["camera", "microphone", "geolocation", "payment", "usb", "interest-cohort"]:
        assert policy[feature] == "()"


def test_redirects_carry_the_permissions_policy_too(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["bzpeer.example"]

    response = client.get("/", headers={"host": "bzpeer.example"})

    assert response.status_code == 301
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize("path", ["/no-such-page-here/", "/researchers/no-such-researcher/"])
def test_with_debug_on_a_missing_page_is_the_sites_own_404(client, settings, db, path):
    # The quick start runs with DEBUG on: no technical page listing the URL patterns.
    settings.DEBUG = True

    response = client.get(path)

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert "URLconf" not in response.content.decode()
    assert "404.html" in [template.name for template in response.templates]


def test_with_debug_on_a_missing_slash_is_still_added(client, settings, db):
    settings.DEBUG = True

    response = client.get("/researchers")

    assert response.status_code == 301
    assert response["Location"] == "/researchers/"


def test_html_is_compressed_for_clients_that_accept_gzip(client, db):
    plain = client.get("/")
    compressed = client.get("/", headers={"accept-encoding": "gzip, br"})

    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert len(compressed.content) < len(plain.content) / 2


def test_favicon_ico_leads_to_the_sites_icon(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].startswith("/static/favicon.") and response["Location"].endswith(
        ".svg"
    )
