"""The profile's record: why each work is there, the owner's "different works", co-authors,
and a number of queries that does not grow with the works."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles import services
from tests.factories import AuthorshipFactory, ResearcherFactory, UserFactory
from works.ingest import ingest_works
from works.models import Researcher, VersionSplit, Work
from works.sources.records import AuthorRecord, AuthorshipRecord, WorkRecord

PRIEM = "A5023888391"


def test_each_work_says_why_it_is_here(client, demo):
    priem = Researcher.objects.get(openalex_id=PRIEM)
    body = client.get(priem.get_absolute_url()).content.decode()

    why = body.split("<summary>Why is this here?</summary>", 1)[1].split("</details>", 1)[0]
    assert "Supplied by OpenAlex (last synced <time" in why
    assert "by OpenAlex author id" in why
    assert "Confidence: High" in why


def test_a_name_only_match_says_so(client, demo):
    # The demo's arXiv co-authors are matched by name alone.
    work = Work.objects.filter(openalex_id__isnull=True, arxiv_id__isnull=False).first()
    authorship = work.authorships.exclude(match_method="openalex").first()
    assert authorship.match_method in {"name", "pinned", "name_coauthor"}
    assert authorship.match_confidence.startswith(("Low", "Medium"))


def versions_of_one_paper(*, citations=(5, 50)):
    author = AuthorRecord(display_name="Ada Example", openalex_id="A1")
    byline = (AuthorshipRecord(author=author, raw_author_name="Ada Example"),)
    return [
        WorkRecord(
            title="A long enough title for versions",
            openalex_id="W1",
            type="preprint",
            publication_year=2020,
            citation_count=citations[0],
            authorships=byline,
            source="openalex",
        ),
        WorkRecord(
            title="A long enough title for versions",
            openalex_id="W2",
            doi="10.1/journal",
            type="article",
            publication_year=2021,
            citation_count=citations[1],
            authorships=byline,
            source="openalex",
        ),
    ]


def test_the_owner_splits_versions_and_a_re_import_keeps_them_apart(client, db):
    ingest_works(versions_of_one_paper())
    preprint, article = Work.objects.get(openalex_id="W1"), Work.objects.get(openalex_id="W2")
    assert preprint.version_of == article
    researcher = Researcher.objects.get(openalex_id="A1")
    assert list(Work.objects.shown_on([researcher.pk])) == [article]

    owner = UserFactory()
    claim = services.claim_evidence_submit(
        user=owner, researcher=researcher, links=["https://example.org/ada"], note=""
    )
    services.claim_approve(claim=claim, actor=None)
    client.force_login(owner)
    page = client.get(researcher.get_absolute_url()).content.decode()
    assert "<summary>2 versions</summary>" in page
    response = client.post(f"/researchers/{researcher.slug}/works/{preprint.slug}/split/")

    assert response.status_code == 302
    assert VersionSplit.objects.filter(work=preprint, other=article).exists()
    ingest_works(versions_of_one_paper(citations=(6, 51)))
    preprint.refresh_from_db()
    assert preprint.version_of is None
    assert Work.objects.shown_on([researcher.pk]).count() == 2


def test_only_the_owner_may_split(client, db):
    ingest_works(versions_of_one_paper())
    researcher = Researcher.objects.get(openalex_id="A1")
    client.force_login(UserFactory())

    response = client.post(f"/researchers/{researcher.slug}/works/w1/split/")

    assert response.status_code == 404
    assert not VersionSplit.objects.exists()


def test_coauthors_page_lists_every_collaborator_with_counts_and_years(client, demo):
    priem = Researcher.objects.get(openalex_id=PRIEM)
    body = client.get(f"/researchers/{priem.slug}/coauthors/").content.decode()

    assert "Co-authors" in body
    piwowar = Researcher.objects.get(openalex_id="A5048491430")
    row = body.split(f'href="/researchers/{piwowar.slug}/"', 1)[1].split("</tr>", 1)[0]
    shared = Work.objects.shown_on([priem.pk]).filter(authorships__researcher=piwowar).count()
    assert f'<td class="num">{shared}</td>' in row


def profile_queries(client, researcher) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(researcher.get_absolute_url()).status_code == 200
    return len(queries)


@pytest.mark.parametrize("more", [12])
def test_profile_queries_do_not_grow_with_works(client, db, more):
    researcher = ResearcherFactory()
    for _ in range(3):
        AuthorshipFactory(researcher=researcher)
    few = profile_queries(client, researcher)
    for _ in range(more):
        AuthorshipFactory(researcher=researcher)

    assert profile_queries(client, researcher) == few


def test_year_ticks_name_the_first_and_last_year_and_about_eight_in_all():
    from types import SimpleNamespace

    from profiles.selectors import _year_ticks

    years = [SimpleNamespace(year=2000 + i) for i in range(18)]
    ticks = [tick["year"] for tick in _year_ticks(years)]

    assert ticks[0] == 2000 and ticks[-1] == 2017
    assert 4 <= len(ticks) <= 9
    assert ticks == sorted(set(ticks))
    assert [tick["year"] for tick in _year_ticks(years[:1])] == [2000]
