"""The whole claim journey in a real Chromium: sign up, confirm the e-mail from the outbox,
connect ORCID against a local stub, claim the seed researcher and see L3 on the profile."""

import re
import urllib.parse

import pytest
from django.core import mail
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from werkzeug import Response

from works.models import Researcher

pytestmark = pytest.mark.browser

ORCID = "0000-0002-1825-0097"
SLUG = "jascha-sohl-dickstein"
EMAIL = "jascha@example.org"
PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture
def orcid_stub(httpserver, settings):
    """A local ORCID: authorize sends the browser straight back with a code, token and record
    answer as ORCID would for the seed researcher's iD."""

    def authorize(request):
        query = urllib.parse.urlencode({"code": "stub-code", "state": request.args["state"]})
        return Response(status=302, headers={"Location": f"{request.args['redirect_uri']}?{query}"})

    httpserver.expect_request("/oauth/authorize", method="GET").respond_with_handler(authorize)
    httpserver.expect_request("/oauth/token", method="POST").respond_with_json(
        {
            "access_token": "stub-access-token",
            "token_type": "bearer",
            "orcid": ORCID,
            "name": "Jascha Sohl-Dickstein",
            "expires_in": 3600,
            "scope": "/authenticate",
        }
    )
    httpserver.expect_request(f"/v3.0/{ORCID}/record", method="GET").respond_with_json(
        {
            "orcid-identifier": {
                "uri": f"https://orcid.org/{ORCID}",
                "path": ORCID,
                "host": "orcid.org",
            },
            "person": {
                "name": {
                    "given-names": {"value": "Jascha"},
                    "family-name": {"value": "Sohl-Dickstein"},
                },
                "emails": {"email": []},
            },
        }
    )

    base = httpserver.url_for("/").rstrip("/")
    settings.ORCID_CLIENT_ID = "APP-TESTCLIENT0001"
    settings.ORCID_SECRET = "s3cret"
    settings.ORCID_BASE_DOMAIN = base
    settings.SOCIALACCOUNT_PROVIDERS = {
        "orcid": {
            **settings.SOCIALACCOUNT_PROVIDERS["orcid"],
            "BASE_DOMAIN": base,
            "APPS": [{"client_id": "APP-TESTCLIENT0001", "secret": "s3cret", "key": ""}],
        }
    }
    # The live server speaks plain HTTP: e-mailed links and the OAuth redirect_uri must too.
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
    return httpserver


def test_sign_up_confirm_connect_orcid_and_claim_the_seed_record(site, orcid_stub, page_at):
    Researcher.objects.filter(slug=SLUG).update(orcid=ORCID)
    mail.outbox.clear()
    page = page_at(1280)

    page.goto(f"{site.url}/accounts/signup/")
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="Sign up", exact=True).click()
    page.wait_for_url("**/accounts/confirm-email/")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == [EMAIL]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(site.url + urllib.parse.urlparse(link).path)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(lambda url: "/confirm-email/" not in url)

    # The claim page needs a signed-in user: the login page sends us back to it.
    page.goto(f"{site.url}/researchers/{SLUG}/claim/")
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(f"**/researchers/{SLUG}/claim/")

    page.get_by_role("link", name="Connect your ORCID iD").click()
    # allauth's confirmation page posts to /accounts/orcid/login/, which redirects to ORCID:
    # the page's CSP form-action must allow that redirect, or Chromium stops here.
    page.get_by_role("button", name="Continue").click()
    try:
        page.wait_for_url(f"**/researchers/{SLUG}/claim/", timeout=10_000)
        stuck = False
    except PlaywrightTimeoutError:
        stuck = True
    if stuck:
        pytest.fail(f"ORCID connect never came back; stuck at {page.url}: {page.problems}")
    assert any(r.path == "/oauth/token" for r, _ in orcid_stub.log)

    page.get_by_role("button", name="Claim with my ORCID iD").click()
    page.wait_for_url(f"**/researchers/{SLUG}/")

    trust = page.locator("#trust")
    assert "Claimed author" in trust.inner_text()
    assert "Verification L3" in trust.inner_text()
    assert page.problems == []
