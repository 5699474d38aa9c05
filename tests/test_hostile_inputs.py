"""No input reaches a 500: every URL pattern of the site, its path converters filled with hostile
values (the lists in tests/fixtures/attack-inputs/, NUL, a lone surrogate, Unicode digits,
10,000 characters), and every query parameter a view reads, as an anonymous visitor and as a
signed-in user, by GET and by POST, and the admin as staff. Any answer is fine but a server
error.

The test client re-raises a view's exception, so a failure names the input that caused it.
Every payload goes through one path converter and one query parameter; the others get a fixed
sample (every SAMPLE_STEP-th line), so the walk stays at some tens of thousands of requests."""

import json
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import FIXTURES, SEED_SLUG
from tests.factories import UserFactory
from works.models import Institution, Topic, Work

ATTACKS = FIXTURES / "attack-inputs"
SAMPLE_STEP = 40
LONG = 10_000

# Already percent-encoded, sent as they are: bytes that are no UTF-8 (a lone surrogate's).
RAW = ["%ED%A0%80", "a%ED%A0%80b", "%C0%AF", "%FF"]
SPECIAL = [
    "\x00",
    "a\x00b",
    "\ud800",
    "²",
    "٣",
    "１２",
    "𝟗",
    "٢٠٢٠",
    "1²",
    "-1",
    "0",
    "99999999999999999999999",
    "1" * LONG,
    "x" * LONG,
    "é" * LONG,
    "\u200b",
    "\u202eevil",
    " ",
    "",
]


def _lines(name: str) -> list[str]:
    # PROVENANCE.md: split on b"\n" only, never str.splitlines().
    return [line.decode() for line in (ATTACKS / name).read_bytes().split(b"\n") if line]


NAUGHTY = json.loads((ATTACKS / "naughty-strings.json").read_text(encoding="utf-8"))
EVERY_PAYLOAD = [*SPECIAL, *NAUGHTY, *_lines("xss-shared.txt"), *_lines("sqli-shared.txt")]
SAMPLE = [*SPECIAL, *EVERY_PAYLOAD[len(SPECIAL) :: SAMPLE_STEP]]

# Every name a view reads from request.GET (grep "request.GET" in the apps) and the names
# allauth's pages read; the POST fields of every form on the site.
QUERY_PARAMETERS = [
    "q",
    "page",
    "focus",
    "kinds",
    "limit",
    "id",
    "from",
    "to",
    "next",
    "kind",
    "after",
    "year_from",
    "topic",
]
POST_FIELDS = [
    "method",
    "email",
    "code",
    "links",
    "note",
    "bio",
    "open_to_collaborate",
    "records",
    "reason",
    "subject",
    "message",
    "action",
    "weekly",
    "next",
    "login",
    "password",
    "password1",
    "password2",
]

_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _template(pattern) -> str:
    """A route or regex as a str.format template: "researchers/{slug}/"."""
    text = str(pattern).removeprefix("^").removesuffix("$")
    return _CONVERTER.sub(r"{\1}", _GROUP.sub(r"{\1}", text))


def _walk(patterns, prefix: str = "") -> list[str]:
    templates = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            templates += _walk(entry.url_patterns, prefix + _template(entry.pattern))
        elif isinstance(entry, URLPattern):
            templates.append("/" + prefix + _template(entry.pattern))
    return list(dict.fromkeys(templates))


ROUTES = _walk(get_resolver().url_patterns)
SITE_ROUTES = [route for route in ROUTES if not route.startswith("/admin/")]


def _placeholders(route: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", route)


def _encoded(values: list[str]) -> list[str]:
    return [quote(value, safe="", errors="surrogatepass") for value in values] + RAW


@pytest.fixture(autouse=True)
def orcid_configured(settings):
    """ORCID sign-in as in production (unconfigured it answers 503 on purpose), its origin a
    closed local port, as the test machine has no network."""
    origin = "http://127.0.0.1:9"
    settings.ORCID_CLIENT_ID = "APP-TESTCLIENT0001"
    settings.ORCID_BASE_DOMAIN = origin
    settings.SOCIALACCOUNT_PROVIDERS = {
        "orcid": {
            **settings.SOCIALACCOUNT_PROVIDERS["orcid"],
            "BASE_DOMAIN": origin,
            "APPS": [{"client_id": "APP-TESTCLIENT0001", "secret": "s3cret", "key": ""}],
        }
    }


@pytest.fixture
def real_values(demo) -> dict[str, str]:
    """A real value for each placeholder, so a hostile value in one reaches the code behind
    the others."""
    work = Work.objects.filter(authorships__researcher__slug=SEED_SLUG).first()
    return {
        "slug": SEED_SLUG,
        "work_slug": work.slug,
        "openalex_id": Institution.objects.first().openalex_id,
        "pk": str(Topic.objects.first().pk),
        "claim_id": "1",
        "user_id": "1",
        "action": "accept",
        "token": "x",
        "key": "x",
        "uidb36": "1",
        "app_label": "works",
        "url": "works/",
        "content_type_id": "1",
        "object_id": "1",
        "fmt": "bibtex",
        "section": "researchers",
        "number": "1",
    }


@pytest.fixture(params=["anonymous", "signed-in"])
def visitor(request, demo) -> Client:
    client = Client()
    if request.param == "signed-in":
        client.force_login(UserFactory())
    return client


def _send(client: Client, url: str, *, post_value: str | None = None) -> None:
    if post_value is None:
        response = client.get(url)
    else:
        # Encoded here, not by the client: a lone surrogate goes as the bytes a browser can send.
        body = _query(post_value, POST_FIELDS)
        response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500, url


def _query(value: str, names=QUERY_PARAMETERS) -> str:
    encoded = quote(value, safe="", errors="surrogatepass")
    return "&".join(f"{name}={encoded}" for name in names)


@pytest.mark.parametrize("route", [route for route in ROUTES if _placeholders(route)])
def test_hostile_path_values_never_answer_500(visitor, real_values, route):
    values = _encoded(EVERY_PAYLOAD if route == "/researchers/{slug}/" else SAMPLE)
    if route.startswith("/admin/"):
        values = _encoded(SPECIAL)
    for placeholder in _placeholders(route):
        for value in values:
            url = route.format(**(real_values | {placeholder: value}))
            _send(visitor, url)
            if not route.startswith("/admin/"):
                _send(visitor, url, post_value="x")


@pytest.mark.parametrize("route", SITE_ROUTES)
def test_hostile_query_and_form_values_never_answer_500(visitor, real_values, route):
    url = route.format(**real_values)
    for value in SAMPLE:
        _send(visitor, f"{url}?{_query(value)}")
        _send(visitor, url, post_value=value)
    for raw in RAW:
        _send(visitor, f"{url}?" + "&".join(f"{name}={raw}" for name in QUERY_PARAMETERS))


# /search/ runs all four kinds (the suggestions run the same code on fewer rows).
@pytest.mark.parametrize("path", ["/researchers/", "/search/"])
def test_every_payload_in_the_search_query(visitor, path):
    for value in EVERY_PAYLOAD:
        _send(visitor, f"{path}?{_query(value, ['q'])}")


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/researchers/", "page"),
        ("/explore/", "focus"),
        (f"/explore/api/node/?id=person:{SEED_SLUG}", "limit"),
        (f"/explore/api/node/?id=person:{SEED_SLUG}", "from"),
        (f"/explore/api/node/?id=person:{SEED_SLUG}", "to"),
        (f"/explore/api/node/?id=person:{SEED_SLUG}", "kinds"),
    ],
)
def test_one_parameter_at_a_time(visitor, path, name):
    # Alone, so no other hostile parameter answers first.
    joiner = "&" if "?" in path else "?"
    for value in SAMPLE:
        _send(visitor, f"{path}{joiner}{_query(value, [name])}")


@pytest.mark.parametrize("kind", ["person", "paper", "topic", "institution"])
def test_explorer_node_ids(visitor, kind):
    for value in SAMPLE:
        _send(visitor, f"/explore/api/node/?{_query(f'{kind}:{value}', ['id'])}")


@pytest.mark.parametrize("route", [route for route in ROUTES if route.startswith("/admin/")])
def test_the_admin_as_staff(real_values, route):
    # Anonymous and signed-in visitors only reach the admin's login page; staff reach its views.
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    admin_parameters = ["q", "p", "o", "e", "_changelist_filters", "next"]
    for value in SPECIAL:
        for placeholder in _placeholders(route) or [None]:
            hostile = {} if placeholder is None else {placeholder: _encoded([value])[0]}
            url = route.format(**(real_values | hostile))
            _send(staff, url)
            _send(staff, f"{url}?{_query(value, admin_parameters)}")
