"""A researcher's works as an Atom feed."""

import json
from datetime import date, timedelta

import pytest
from defusedxml import ElementTree
from django.conf import settings
from django.utils import timezone

from profiles.selectors import researcher_works
from social.feeds import FEED_MAX_ENTRIES, SUMMARY_MAX_CHARS
from tests.conftest import FIXTURES
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory
from works.models import HiddenWork, Work
from works.sanitize import sanitize_html

ATOM = "{http://www.w3.org/2005/Atom}"
ATOM_TAGS = {
    ATOM + tag
    for tag in (
        "feed", "title", "link", "id", "updated", "author", "name", "subtitle", "entry",
        "published", "summary",
    )
}  # fmt: skip
ATTACKS = FIXTURES / "attack-inputs"
XSS = [line.decode() for line in (ATTACKS / "xss-shared.txt").read_bytes().split(b"\n") if line]
NAUGHTY = json.loads((ATTACKS / "naughty-strings.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.django_db


def _feed(client, researcher):
    response = client.get(f"/researchers/{researcher.slug}/works.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content), response


def _work_by(researcher, *, days_ago, **fields):
    work = AuthorshipFactory(researcher=researcher, work=WorkFactory(**fields)).work
    Work.objects.filter(pk=work.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return work


def test_feed_lists_shown_works_newest_import_first(client):
    researcher = ResearcherFactory(display_name="Ada Example")
    linked = ResearcherFactory(primary=researcher)
    older = _work_by(
        researcher, days_ago=10, title="Imported long ago", publication_date=date(2024, 5, 1)
    )
    newer = _work_by(
        linked, days_ago=1, title="Imported yesterday", publication_date=date(2019, 1, 2)
    )
    hidden = _work_by(researcher, days_ago=0, title="Not theirs")
    HiddenWork.objects.create(researcher=researcher, work=hidden, reason="Another Ada")

    feed, _ = _feed(client, researcher)

    assert feed.tag == ATOM + "feed"
    assert feed.findtext(ATOM + "title") == "Ada Example — new works on BZPEER"
    alternate = feed.find(ATOM + "link[@rel='alternate']").get("href")
    assert alternate == settings.SITE_URL + researcher.get_absolute_url()
    entries = feed.findall(ATOM + "entry")
    assert [entry.findtext(ATOM + "title") for entry in entries] == [
        "Imported yesterday",
        "Imported long ago",
    ]
    first = entries[0]
    assert first.findtext(ATOM + "id") == settings.SITE_URL + newer.get_absolute_url()
    assert first.find(ATOM + "link").get("href") == settings.SITE_URL + newer.get_absolute_url()
    assert first.findtext(ATOM + "author/" + ATOM + "name") == "Ada Example"
    assert first.findtext(ATOM + "published").startswith("2019-01-02T00:00:00")
    assert entries[1].findtext(ATOM + "id") == settings.SITE_URL + older.get_absolute_url()
    assert all(entry.findtext(ATOM + "updated") for entry in entries)


def test_published_falls_back_to_the_import_time(client):
    researcher = ResearcherFactory()
    work = _work_by(researcher, days_ago=3, publication_date=None)
    work.refresh_from_db()

    feed, _ = _feed(client, researcher)

    published = feed.find(ATOM + "entry").findtext(ATOM + "published")
    assert published.startswith(work.created_at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_summary_is_the_plain_abstract_cut_short(client):
    researcher = ResearcherFactory()
    _work_by(
        researcher, days_ago=1, abstract="<p>We <em>prove</em> that a &lt; b. " + "x" * 900 + "</p>"
    )
    _work_by(researcher, days_ago=2, abstract="")

    feed, _ = _feed(client, researcher)

    with_abstract, without = feed.findall(ATOM + "entry")
    summary = with_abstract.find(ATOM + "summary")
    # type="html": the reader decodes the escaped text, and sees "a < b" as text.
    assert summary.get("type") == "html"
    assert summary.text.startswith("We prove that a &lt; b. xxx")
    assert len(summary.text) <= SUMMARY_MAX_CHARS + len("&lt;") - 1
    assert summary.text.endswith("…")
    assert without.find(ATOM + "summary") is None


def test_feed_holds_at_most_fifty_entries(client):
    researcher = ResearcherFactory()
    for day in range(FEED_MAX_ENTRIES + 2):
        _work_by(researcher, days_ago=day)

    feed, _ = _feed(client, researcher)

    assert len(feed.findall(ATOM + "entry")) == FEED_MAX_ENTRIES


def test_seed_researcher_feed(client, seed_researcher):
    feed, _ = _feed(client, seed_researcher)

    shown = researcher_works(researcher=seed_researcher).count()
    assert len(feed.findall(ATOM + "entry")) == min(shown, FEED_MAX_ENTRIES) > 0


@pytest.mark.parametrize("start", range(0, len(XSS) + len(NAUGHTY), FEED_MAX_ENTRIES))
def test_hostile_titles_and_abstracts_are_escaped(client, start):
    researcher = ResearcherFactory(display_name='Eve <script>alert("name")</script>')
    hostile = (XSS + NAUGHTY)[start : start + FEED_MAX_ENTRIES]
    works = [
        # Stored as ingest stores them.
        _work_by(
            researcher,
            days_ago=0,
            title=sanitize_html(raw) or "Untitled",
            abstract=sanitize_html(raw),
        )
        for raw in hostile
    ]

    feed, response = _feed(client, researcher)

    # Parsed as XML 1.0 above; only Atom's own elements, whatever the titles held.
    assert {element.tag for element in feed.iter()} <= ATOM_TAGS
    assert b"<script" not in response.content.lower()
    entries = feed.findall(ATOM + "entry")
    assert len(entries) == len(works)
    for entry in entries:
        # Summaries are escaped HTML: decoding them once gives text with no markup.
        summary = entry.findtext(ATOM + "summary") or ""
        assert "<" not in summary and ">" not in summary
    assert feed.findtext(ATOM + "title").startswith('Eve <script>alert("name")</script>')


def test_unknown_slug_is_404(client):
    response = client.get("/researchers/nobody-by-this-name/works.atom")

    assert response.status_code == 404


def test_openalex_id_redirects_to_the_slug(client):
    researcher = ResearcherFactory(openalex_id="A5000000001")

    response = client.get("/researchers/A5000000001/works.atom")

    assert response.status_code == 301
    assert response["Location"] == f"/researchers/{researcher.slug}/works.atom"
