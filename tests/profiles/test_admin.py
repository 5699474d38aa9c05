"""The admin goes through the services: what they own is read-only there."""

import pytest
from django.forms.models import model_to_dict

from profiles import services
from profiles.models import Claim
from tests.factories import ResearcherFactory, UserFactory
from works.models import Researcher


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(password=None, is_staff=True, is_superuser=True))
    return client


def test_researcher_change_form_saves_only_what_staff_may_edit(staff_client):
    researcher = ResearcherFactory(openalex_id="A5000000001", works_count=7, trust_score=21)
    other = ResearcherFactory()
    url = f"/admin/works/researcher/{researcher.pk}/change/"
    before = model_to_dict(Researcher.objects.get(pk=researcher.pk))

    page = staff_client.get(url)
    response = staff_client.post(
        url,
        {
            "bio": "Moderated.",
            # Records start closed (opt-in); staff may open one.
            "open_to_collaborate": "on",
            "arxiv_name_forms": '["Ada L."]',
            # Service-owned: ignored even when posted.
            "is_claimed": "on",
            "verification_level": "3",
            "primary": other.pk,
            "openalex_id": "A5999999999",
            "slug": "someone-else",
            "works_count": "999",
            "trust_score": "100",
            "trust_assessments-TOTAL_FORMS": "0",
            "trust_assessments-INITIAL_FORMS": "0",
        },
    )

    assert page.status_code == 200
    assert response.status_code == 302, response.content.decode()[:2000]
    after = model_to_dict(Researcher.objects.get(pk=researcher.pk))
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"bio", "open_to_collaborate", "arxiv_name_forms"}


def test_records_are_not_added_and_claims_not_deleted_in_the_admin(staff_client):
    claim = services.claim_evidence_submit(
        user=UserFactory(password=None),
        researcher=ResearcherFactory(),
        links=["https://example.org/cv"],
        note="",
    )

    assert staff_client.get("/admin/works/researcher/add/").status_code == 403
    assert staff_client.get(f"/admin/profiles/claim/{claim.pk}/delete/").status_code == 403
    staff_client.post(
        "/admin/profiles/claim/", {"action": "delete_selected", "_selected_action": [claim.pk]}
    )
    assert Claim.objects.filter(pk=claim.pk).exists()
