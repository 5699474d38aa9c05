"""A profile as the open web and a visitor read it: Person JSON-LD expanded by pyld, the
unclaimed page's honesty and its "Report a problem" form (no account, attack inputs, limits,
the moderators' queue), the holder's and the moderators' visibility switches (noindex, out of
the site's search, audited), search result pages noindex, robots.txt, and the profile's
streamed exports."""

import json
import re

import jsonschema
import pytest
import rispy
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import override_settings
from pybtex.database import parse_string
from pyld import jsonld

from profiles import services
from profiles.models import ProblemReport, VisibilityEvent
from profiles.services.visibility import researcher_visibility_moderate
from tests.conftest import FIXTURES
from tests.factories import (
    AuthorshipFactory,
    InstitutionFactory,
    ResearcherFactory,
    UserFactory,
    WorkFactory,
)
from works.models import HiddenWork, Researcher

pytestmark = pytest.mark.django_db

SCHEMA_ORG = "https://schema.org/"
CSL_SCHEMA = json.loads((FIXTURES / "schemas" / "csl-data.json").read_text(encoding="utf-8"))
ATTACK_INPUTS = FIXTURES / "attack-inputs"
ATTACKS = json.loads((ATTACK_INPUTS / "naughty-strings.json").read_text(encoding="utf-8")) + [
    line
    for name in ("xss-shared.txt", "sqli-shared.txt")
    for line in (ATTACK_INPUTS / name).read_text(encoding="utf-8").splitlines()
]
NOINDEX = '<meta name="robots" content="noindex">'


def local_schema_org(url, options=None):
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"@vocab": SCHEMA_ORG}},
    }


@pytest.fixture
def researcher(db) -> Researcher:
    return ResearcherFactory(
        display_name="Ada Lovelace",
        named=True,
        openalex_id="A5000000001",
        orcid="0000-0002-1825-0097",
        institution=InstitutionFactory(name="Analytical Engines"),
    )


@pytest.fixture
def owner(researcher):
    user = UserFactory(email="ada@example.org")
    claim = services.claim_evidence_submit(
        user=user, researcher=researcher, links=["https://example.org/ada"], note=""
    )
    services.claim_approve(claim=claim, actor=None)
    researcher.refresh_from_db()
    return user


def page(client, researcher) -> str:
    return client.get(researcher.get_absolute_url()).content.decode()


@override_settings(SITE_URL="https://bzpeer.example")
def test_profile_carries_a_person_that_a_json_ld_processor_expands(client, researcher):
    html = page(client, researcher)
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    [node] = jsonld.expand(json.loads(block), {"documentLoader": local_schema_org})

    assert node["@type"] == [SCHEMA_ORG + "Person"]
    assert node[SCHEMA_ORG + "name"][0]["@value"] == "Ada Lovelace"
    assert [s["@value"] for s in node[SCHEMA_ORG + "sameAs"]] == [
        "https://orcid.org/0000-0002-1825-0097",
        "https://openalex.org/A5000000001",
    ]
    affiliation = node[SCHEMA_ORG + "affiliation"][0]
    assert affiliation[SCHEMA_ORG + "name"][0]["@value"] == "Analytical Engines"
    assert '<link rel="canonical" href="https://bzpeer.example/researchers/ada-lovelace/">' in html
    assert '<meta property="og:type" content="profile">' in html
    assert NOINDEX not in html


def test_an_unclaimed_profile_says_it_was_generated_and_offers_claim_and_report(client, researcher):
    html = page(client, researcher)
    notice = html.split('id="unclaimed-notice"', 1)[1].split("</p>", 1)[0]

    assert "generated automatically from OpenAlex and arXiv" in notice
    assert "has not been claimed" in notice
    assert "Is this you? Claim it" in notice
    assert f'href="/researchers/{researcher.slug}/report/">Report a problem' in notice


def test_a_claimed_profile_drops_the_notice_but_keeps_the_report_link(client, researcher, owner):
    html = page(client, researcher)
    assert 'id="unclaimed-notice"' not in html
    assert f"/researchers/{researcher.slug}/report/" in html


def report(client, researcher, address="127.0.0.1", **data):
    data = {"reason": "not_theirs", "evidence": "The 2019 paper is by another Ada.", **data}
    return client.post(f"/researchers/{researcher.slug}/report/", data, REMOTE_ADDR=address)


def test_a_visitor_without_an_account_reports_a_problem_into_the_queue(client, researcher):
    form = client.get(f"/researchers/{researcher.slug}/report/")
    assert form.status_code == 200 and NOINDEX in form.content.decode()

    response = report(client, researcher, reason="merged", reporter_email="me@example.org")

    assert response.status_code == 302
    [stored] = ProblemReport.objects.all()
    assert (
        stored.researcher,
        stored.reason,
        stored.state,
        stored.reporter_email,
        stored.reporter,
    ) == (researcher, "merged", "open", "me@example.org", None)


def test_a_report_needs_a_reason_and_visible_evidence(client, researcher):
    assert report(client, researcher, reason="because").status_code == 400
    assert report(client, researcher, evidence="\u200b\u200b ").status_code == 400
    assert not ProblemReport.objects.exists()


@override_settings(PROBLEM_REPORTS_PER_ADDRESS=2, PROBLEM_REPORTS_PER_RECORD=3)
def test_reports_are_limited_per_address_and_per_record(client, researcher):
    other = ResearcherFactory()
    assert [report(client, researcher).status_code for _ in range(3)] == [302, 302, 429]
    # Another address may still report the record until the record's own limit.
    assert report(client, researcher, address="10.0.0.2").status_code == 302
    assert report(client, researcher, address="10.0.0.3").status_code == 429
    assert report(client, other, address="10.0.0.3").status_code == 302
    assert ProblemReport.objects.filter(researcher=researcher).count() == 3


@override_settings(PROBLEM_REPORTS_PER_ADDRESS=10_000, PROBLEM_REPORTS_PER_RECORD=10_000)
def test_the_report_form_under_attack_inputs(client, researcher):
    for payload in ATTACKS:
        response = report(client, researcher, evidence=payload)
        assert response.status_code in (302, 400), payload
        assert report(client, researcher, reporter_email=payload[:254]).status_code in (302, 400)
        if response.status_code == 400:
            assert "<script>alert" not in response.content.decode().split("<main", 1)[1]
    stored = ProblemReport.objects.count()
    assert stored > 100
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get("/admin/profiles/problemreport/")
    assert listing.status_code == 200
    report_page = client.get(
        f"/admin/profiles/problemreport/{ProblemReport.objects.last().pk}/change/"
    )
    assert report_page.status_code == 200


def test_moderators_resolve_reports_in_the_admin(client, researcher):
    report(client, researcher)
    moderator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(moderator)
    client.post(
        "/admin/profiles/problemreport/",
        {"action": "resolve", ACTION_CHECKBOX_NAME: [ProblemReport.objects.get().pk]},
    )
    stored = ProblemReport.objects.get()
    assert (stored.state, stored.resolved_by) == ("resolved", moderator)


def test_the_holder_takes_the_profile_out_of_search_engines_and_site_search(
    client, researcher, owner
):
    assert researcher.get_absolute_url() in client.get("/search/?q=lovelace").content.decode()
    client.force_login(owner)
    response = client.post(
        f"/researchers/{researcher.slug}/edit/",
        {"action": "visibility", "noindex": "on", "unlisted": "on"},
    )
    assert response.status_code == 302
    researcher.refresh_from_db()
    assert researcher.noindex and researcher.unlisted
    [event] = VisibilityEvent.objects.all()
    assert (event.actor, event.noindex, event.unlisted) == (owner, True, True)

    client.logout()
    assert NOINDEX in page(client, researcher)
    for search in (
        "/researchers/?q=lovelace",
        "/search/?q=lovelace",
        "/search/suggest/?q=lovelace",
    ):
        assert researcher.get_absolute_url() not in client.get(search).content.decode(), search
    assert "/researchers/ada-lovelace/" not in client.get("/").content.decode()

    client.force_login(owner)
    edit = client.get(f"/researchers/{researcher.slug}/edit/").content.decode()
    assert "The holder&#x27;s choice on the edit page." in edit


def test_nobody_else_changes_a_profiles_visibility(client, researcher, owner):
    client.force_login(UserFactory())
    response = client.post(
        f"/researchers/{researcher.slug}/edit/", {"action": "visibility", "noindex": "on"}
    )
    assert response.status_code == 404
    researcher.refresh_from_db()
    assert not researcher.noindex and not VisibilityEvent.objects.exists()


def test_moderators_take_an_unclaimed_record_out_of_search_with_a_reason(client, researcher):
    moderator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(moderator)
    url = "/admin/works/researcher/"
    chosen = {"action": "hide_from_search", ACTION_CHECKBOX_NAME: [researcher.pk]}

    asked = client.post(url, chosen)
    assert "Give the reason" in asked.content.decode()
    assert not VisibilityEvent.objects.exists()

    client.post(url, {**chosen, "apply": "1", "reason": "Report #4: a minor's record."})
    researcher.refresh_from_db()
    assert researcher.noindex and researcher.unlisted
    [event] = VisibilityEvent.objects.all()
    assert (event.actor, event.reason) == (moderator, "Report #4: a minor's record.")


def test_search_result_pages_are_noindex_and_the_list_itself_is_not(client, researcher):
    assert NOINDEX in client.get("/researchers/?q=ada").content.decode()
    assert NOINDEX in client.get("/search/?q=ada").content.decode()
    assert NOINDEX not in client.get("/researchers/").content.decode()


@override_settings(SITE_URL="https://bzpeer.example")
def test_robots_txt_keeps_crawlers_from_private_paths_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    lines = response.content.decode().splitlines()

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    for path in ("/admin/", "/accounts/", "/explore/api/", "/*?q="):
        assert f"Disallow: {path}" in lines
    assert lines[-1] == "Sitemap: https://bzpeer.example/sitemap.xml"


def profile_with_works(researcher, count):
    works = [
        WorkFactory(title=f"Study {n} of <i>engines</i> & gears", publication_year=2020)
        for n in range(count)
    ]
    for work in works:
        AuthorshipFactory(work=work, researcher=researcher)
    return works


def test_the_profile_exports_its_shown_works_in_each_format(client, researcher):
    works = profile_with_works(researcher, 4)
    HiddenWork.objects.create(researcher=researcher, work=works[0], reason="Not mine")
    base = f"/researchers/{researcher.slug}/export"

    bib = client.get(f"{base}/bibtex/")
    assert bib.streaming
    assert bib["Content-Disposition"] == 'attachment; filename="ada-lovelace-works.bib"'
    entries = parse_string(b"".join(bib.streaming_content).decode(), "bibtex").entries
    assert list(entries) == ["lovelace2020study", "lovelace2020studya", "lovelace2020studyb"]

    records = rispy.loads(b"".join(client.get(f"{base}/ris/").streaming_content).decode())
    assert [r["title"] for r in records] == [f"Study {n} of engines & gears" for n in (1, 2, 3)]

    items = json.loads(b"".join(client.get(f"{base}/csl-json/").streaming_content))
    jsonschema.validate(items, CSL_SCHEMA)
    assert len(items) == 3


def test_the_profile_page_links_its_exports(client, researcher):
    profile_with_works(researcher, 1)
    html = page(client, researcher)
    for fmt in ("bibtex", "ris", "csl-json"):
        assert f'href="/researchers/{researcher.slug}/export/{fmt}/" download' in html


def test_the_export_reads_in_chunks_whatever_the_size(
    client, researcher, django_assert_num_queries, monkeypatch
):
    from works import exports

    monkeypatch.setattr(exports, "EXPORT_CHUNK_SIZE", 2)
    profile_with_works(researcher, 5)
    response = client.get(f"/researchers/{researcher.slug}/export/bibtex/")
    # One query read through a server-side cursor, two rows at a time, and one query for the
    # bylines of each chunk of rows.
    with django_assert_num_queries(4):
        text = b"".join(response.streaming_content).decode()
    assert len(parse_string(text, "bibtex").entries) == 5


def test_the_researcher_admin_shows_the_visibility_history(client, researcher):
    moderator = UserFactory(is_staff=True, is_superuser=True)
    researcher_visibility_moderate(
        researcher=researcher, moderator=moderator, hidden=True, reason="Report <b>#9</b>"
    )
    client.force_login(moderator)
    html = client.get(f"/admin/works/researcher/{researcher.pk}/change/").content.decode()
    assert "out of search engines, out of site search" in html
    assert "Report &lt;b&gt;#9&lt;/b&gt;" in html
