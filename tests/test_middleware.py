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
