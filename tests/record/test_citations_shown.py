"""Citations and metrics, sourced: stored from OpenAlex, shown with source and date."""

import re

from works.models import Researcher, Work

PRIEM = "A5023888391"


def test_openalex_counts_are_stored_with_their_date(demo):
    work = Work.objects.get(openalex_id="W2741809807")

    assert work.citation_count == 1021
    assert [2017, 9] in work.citations_by_year
    assert work.oa_url == "https://peerj.com/articles/4375.pdf"
    assert work.citations_synced_at is not None
    assert "openalex" in work.synced


def test_the_author_summary_is_stored(demo):
    researcher = Researcher.objects.get(openalex_id=PRIEM)

    assert researcher.openalex_summary == {
        "h_index": 17,
        "i10_index": 20,
        "2yr_mean_citedness": 6,
    }


def test_work_page_says_who_counted_and_when(client, demo):
    work = Work.objects.get(openalex_id="W2741809807")
    body = client.get(work.get_absolute_url()).content.decode()
    date = work.citations_synced_at.date().isoformat()

    assert re.search(rf"cited by 1021 · OpenAlex, <time datetime=\"{date}\">{date}</time>", body)
    assert 'href="https://peerj.com/articles/4375.pdf"' in body
    assert 'href="https://doi.org/10.7717/peerj.4375"' in body


def test_unknown_stays_unknown(client, demo):
    work = Work.objects.filter(citation_count__isnull=True).first()
    body = client.get(work.get_absolute_url()).content.decode()

    assert "citations unknown" in body or "Unknown" in body
    assert "cited by 0" not in body


def test_profile_shows_metrics_beside_openalex_own(client, demo):
    researcher = Researcher.objects.get(openalex_id=PRIEM)
    body = client.get(researcher.get_absolute_url()).content.decode()

    assert "h-index" in body and "i10-index" in body
    assert "OpenAlex&#x27;s own" in body or "OpenAlex's own" in body
    assert re.search(r'<svg class="year-chart__svg"[^>]*role="img"', body)
    assert "Works and citations per year as a table" in body
