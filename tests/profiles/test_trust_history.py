"""The profile says when and why the trust score changed."""

from profiles.models import Claim
from profiles.services import claim_approve, claim_start, researcher_stats_refresh
from tests.factories import UserFactory


def test_profile_lists_score_changes_with_the_components_that_moved(client, seed_researcher):
    claim = claim_start(
        user=UserFactory(), researcher=seed_researcher, method=Claim.Method.EVIDENCE
    )
    claim_approve(claim=claim, actor=UserFactory(is_staff=True))
    researcher_stats_refresh(researcher_ids=[seed_researcher.pk])

    page = client.get("/researchers/jascha-sohl-dickstein/").content.decode()

    assert "How the score changed" in page
    assert "41 (Established) · Verification L2 +20" in page
    assert "21 (Emerging) · First computation" in page


def test_profile_query_count_includes_history_once(
    client, seed_researcher, django_assert_num_queries
):
    # The visitor cache's version lookup (a miss), then six (a visitor holds no claim, so none
    # is looked up), plus the metrics, the filters' types and topics, and the works' versions;
    # then the page cache serves the same page from the version lookup alone.
    with django_assert_num_queries(11):
        client.get("/researchers/jascha-sohl-dickstein/")
    with django_assert_num_queries(1):
        client.get("/researchers/jascha-sohl-dickstein/")
