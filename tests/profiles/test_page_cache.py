"""The profile page is served from the page cache (works/templatetags/page_cache.py), keyed by
Researcher.page_version, which Postgres triggers move (works migration 0017). Each test caches
the page, changes something through the service that really changes it, and reads the page
again: the change shows at once."""

import gzip
import io
import json
import re

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client

from graph.models import Collaboration
from profiles import services
from profiles.models import ProblemReport
from profiles.services.visibility import researcher_visibility_set
from profiles.stats import researcher_trust_refresh
from social import services as social_services
from tests.factories import AuthorshipFactory, ResearcherFactory, UserFactory
from tests.works.test_import_services import lay_out_snapshot
from tests.works.test_snapshot_load import BENCH_LINES
from works.models import Researcher
from works.services import records_import
from works.sources.records import AuthorRecord, AuthorshipRecord, WorkRecord
from works.templatetags.page_cache import FragmentNotPublic


@pytest.fixture
def owner(db):
    return UserFactory(email="ada@example.org")


@pytest.fixture
def researcher(db) -> Researcher:
    return ResearcherFactory(display_name="Ada Byron", slug="ada-byron")


@pytest.fixture
def works(researcher):
    return [AuthorshipFactory(researcher=researcher).work for _ in range(3)]


def claimed(owner, researcher):
    claim = services.claim_evidence_submit(
        user=owner, researcher=researcher, links=["https://example.org/ada"], note=""
    )
    return services.claim_approve(claim=claim, actor=None)


def page(client, researcher) -> str:
    response = client.get(f"/researchers/{researcher.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def cached_page(client, researcher) -> str:
    """The page twice: the second time from the cache, and the same."""
    first = page(client, researcher)
    assert _without_tokens(page(client, researcher)) == _without_tokens(first)
    return first


def _without_tokens(html: str) -> str:
    """Each response masks the CSRF token afresh (in the live parts: the cache holds none)."""
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def followers_stat(html: str) -> str:
    return re.search(r'id="followers-stat">(\d+)<', html).group(1)


def test_a_warm_profile_runs_one_query(client, seed_researcher, django_assert_num_queries):
    page(client, seed_researcher)
    with django_assert_num_queries(1):
        page(client, seed_researcher)


def test_the_claim_shows_once_approved(client, owner, researcher, works):
    assert 'id="unclaimed-notice"' in cached_page(client, researcher)
    claimed(owner, researcher)
    html = page(client, researcher)
    assert 'id="unclaimed-notice"' not in html
    assert "Claimed author" in html


def test_a_hidden_work_leaves_and_comes_back(client, owner, researcher, works):
    claimed(owner, researcher)
    assert works[0].title in cached_page(client, researcher)
    services.work_hide(researcher=researcher, user=owner, work=works[0], reason="Not mine.")
    assert works[0].title not in page(client, researcher)
    services.work_unhide(researcher=researcher, user=owner, work=works[0])
    assert works[0].title in page(client, researcher)


def test_an_imported_work_shows_at_once(client, seed_researcher):
    assert "Freshly imported result" not in cached_page(client, seed_researcher)
    author = AuthorRecord(
        display_name=seed_researcher.display_name, openalex_id=seed_researcher.openalex_id
    )
    records_import(
        records=[
            WorkRecord(
                title="Freshly imported result",
                arxiv_id="2611.00001",
                publication_year=2026,
                authorships=(AuthorshipRecord(author=author),),
            )
        ]
    )
    assert "Freshly imported result" in page(client, seed_researcher)


def test_a_co_author_renamed_shows_in_the_byline(client, researcher, works):
    co_author = AuthorshipFactory(work=works[0], position=1).researcher
    assert co_author.display_name in cached_page(client, researcher)
    co_author.display_name = "Charles Babbage"
    co_author.save()
    assert "Charles Babbage" in page(client, researcher)


def test_a_follow_counts_at_once_and_the_button_stays_the_viewers(client, researcher, works):
    follower = UserFactory()
    assert followers_stat(cached_page(client, researcher)) == "0"
    social_services.follow(user=follower, researcher=researcher)
    assert followers_stat(page(client, researcher)) == "1"
    client.force_login(follower)
    assert "Unfollow researcher" in page(client, researcher)
    client.logout()
    html = page(client, researcher)
    assert "Unfollow researcher" not in html
    assert "Follow researcher" in html


def test_a_trust_recompute_shows_the_new_score(
    client, owner, researcher, works, django_capture_on_commit_callbacks
):
    researcher_trust_refresh(researcher_id=researcher.pk)
    before = re.search(r"Trust (\d+) -", cached_page(client, researcher)).group(1)
    # The claim's own trust refresh is held back, so the page is cached in between.
    with django_capture_on_commit_callbacks(execute=False):
        claimed(owner, researcher)
    assert re.search(r"Trust (\d+) -", page(client, researcher)).group(1) == before
    researcher_trust_refresh(researcher_id=researcher.pk)
    after = Researcher.objects.get(pk=researcher.pk).trust_score
    assert after != int(before)
    html = page(client, researcher)
    assert f"Trust {after} -" in html
    assert "How the score changed" in html


def test_a_profile_edit_and_visibility_show_at_once(client, owner, researcher, works):
    claimed(owner, researcher)
    cached_page(client, researcher)
    services.researcher_update(
        researcher=researcher, user=owner, bio="Poetical science.", open_to_collaborate=True
    )
    researcher_visibility_set(researcher=researcher, user=owner, noindex=True, unlisted=False)
    html = page(client, researcher)
    assert "Poetical science." in html
    assert "Open to collaborate" in html
    assert '<meta name="robots" content="noindex">' in html


def test_the_owner_sees_their_own_links_not_the_visitors_copy(client, owner, researcher, works):
    claimed(owner, researcher)
    assert "Hide from my profile" not in cached_page(client, researcher)
    client.force_login(owner)
    html = page(client, researcher)
    assert "Hide from my profile" in html
    assert "Edit your profile" in html


def test_the_graph_slice_follows_a_new_collaboration(client, researcher, works):
    def graph() -> str:
        return client.get(f"/researchers/{researcher.slug}/graph/", HTTP_HX_REQUEST="true")

    assert "Nearby people" in graph().content.decode()
    assert "Grace Hopper" not in graph().content.decode()
    other = ResearcherFactory(display_name="Grace Hopper")
    Collaboration.objects.create(
        researcher_a=researcher, researcher_b=other, shared_works=3, strength=1.0
    )
    assert "Grace Hopper" in graph().content.decode()


def test_a_stale_save_cannot_take_the_version_back(researcher, works):
    stale = Researcher.objects.get(pk=researcher.pk)
    AuthorshipFactory(researcher=researcher)
    touched = Researcher.objects.get(pk=researcher.pk).page_version
    assert touched > stale.page_version
    stale.bio = "Written from an old copy."
    stale.save()
    assert Researcher.objects.get(pk=researcher.pk).page_version > touched


def test_a_fragment_holding_a_csrf_token_is_refused(rf, researcher):
    request = rf.get("/")
    template = Template(
        "{% load page_cache %}{% page_cache 'x' researcher %}{% csrf_token %}{% endpage_cache %}"
    )
    with pytest.raises(FragmentNotPublic):
        template.render(Context({"researcher": researcher, "request": request, "csrf_token": "t"}))


def test_a_visitors_cached_page_carries_a_working_csrf_token_and_their_message(researcher, works):
    visitor = Client(enforce_csrf_checks=True)
    cached_page(visitor, researcher)
    html = page(visitor, researcher)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    assert "\x00" not in html
    response = visitor.post(
        f"/researchers/{researcher.slug}/report/",
        {"reason": ProblemReport.Reason.choices[0][0], "evidence": "Two people in one record."},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 302
    assert "your report is with the moderators" in page(visitor, researcher)
    assert "your report is with the moderators" not in page(visitor, researcher)


def test_a_visitor_who_accepts_gzip_gets_the_same_page_compressed_with_a_working_token(
    researcher, works
):
    visitor = Client(enforce_csrf_checks=True)
    pages = []
    for _ in range(2):  # rendered, then from the cache
        response = visitor.get(f"/researchers/{researcher.slug}/", HTTP_ACCEPT_ENCODING="gzip")
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        pages.append(gzip.decompress(response.content).decode())  # checks the CRC and length
    html = pages[-1]
    assert "\x00" not in html
    assert (
        _without_tokens(pages[0])
        == _without_tokens(html)
        == _without_tokens(page(visitor, researcher))
    )
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    response = visitor.post(
        f"/researchers/{researcher.slug}/report/",
        {"reason": ProblemReport.Reason.choices[0][0], "evidence": "Two people in one record."},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 302


def test_a_snapshot_load_shows_at_once(db, client, tmp_path):
    """The snapshot loader defers the triggers' touches (works.ingest.bulk): a title changed by
    a later snapshot still shows on its author's cached page once the load is done."""
    lines = list(BENCH_LINES)
    index, work = next(
        (i, json.loads(line))
        for i, line in enumerate(lines)
        if json.loads(line).get("authorships") and json.loads(line).get("title")
    )
    first_snapshot = lay_out_snapshot(tmp_path / "a", [lines])
    call_command("import_snapshot", str(first_snapshot), stdout=io.StringIO(), stderr=io.StringIO())
    author = Researcher.objects.get(
        openalex_id=work["authorships"][0]["author"]["id"].rsplit("/", 1)[-1]
    )
    assert work["title"] in cached_page(client, author)

    lines[index] = json.dumps({**work, "title": "Retitled by a later snapshot"}) + "\n"
    later = lay_out_snapshot(tmp_path / "b", [lines])
    call_command("import_snapshot", str(later), stdout=io.StringIO(), stderr=io.StringIO())

    assert "Retitled by a later snapshot" in page(client, author)
