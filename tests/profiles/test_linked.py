"""A split author: one user holds the approved claims of several records, links them, and the
primary profile lists the union of their works, each once."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles import services
from profiles.models import ClaimEvent
from profiles.selectors import researcher_works
from profiles.services import ClaimError
from tests.factories import AuthorshipFactory, ResearcherFactory, UserFactory
from tests.profiles.test_views import parse, researcher_with_works, work_titles
from works.models import Researcher


def approve(user, researcher):
    claim = services.claim_evidence_submit(
        user=user, researcher=researcher, links=["https://example.org/me"], note=""
    )
    return services.claim_approve(claim=claim, actor=None)


@pytest.fixture
def owner(db):
    return UserFactory(email="ada@example.org")


@pytest.fixture
def primary(owner) -> Researcher:
    researcher = ResearcherFactory(display_name="Ada Lovelace")
    approve(owner, researcher)
    return researcher


@pytest.fixture
def other(owner) -> Researcher:
    researcher = ResearcherFactory(display_name="A. Lovelace")
    approve(owner, researcher)
    return researcher


def link(owner, primary, *others):
    return services.researcher_link_records(user=owner, primary=primary, others=others)


# --- Who may link ----------------------------------------------------------------------------


def test_linking_by_a_user_who_does_not_hold_every_claim_is_refused(db, owner, primary, other):
    stranger = UserFactory()
    strangers_record = ResearcherFactory()
    approve(stranger, strangers_record)

    with pytest.raises(PermissionDenied):
        link(stranger, primary, other)
    with pytest.raises(PermissionDenied):
        link(owner, primary, strangers_record)
    with pytest.raises(PermissionDenied):
        link(owner, ResearcherFactory(), other)

    assert not Researcher.objects.exclude(primary=None).exists()


def test_linking_by_a_non_owner_through_the_edit_page_is_not_found(client, primary, other):
    client.force_login(UserFactory())

    response = client.post(
        f"/researchers/{primary.slug}/edit/", {"action": "link", "records": [other.pk]}
    )

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.primary is None


def test_owner_links_a_record_and_each_link_is_audited(db, owner, primary, other):
    link(owner, primary, other)

    other.refresh_from_db()
    assert other.primary == primary
    claim = other.claims.get(state="approved")
    assert list(claim.events.values_list("kind", flat=True))[-1] == ClaimEvent.Kind.LINKED
    assert not primary.claims.get().events.filter(kind=ClaimEvent.Kind.LINKED).exists()


def test_a_record_cannot_be_primary_and_linked_at_once(db, owner, primary, other):
    third = ResearcherFactory()
    approve(owner, third)
    link(owner, primary, other)

    with pytest.raises(ClaimError):
        link(owner, other, third)  # other is linked, so it cannot be a primary
    with pytest.raises(ClaimError):
        link(owner, third, primary)  # primary has linked records, so it cannot be linked
    with pytest.raises(ClaimError):
        link(owner, primary, primary)


def test_unchecking_a_record_unlinks_it(db, owner, primary, other):
    link(owner, primary, other)

    link(owner, primary)

    other.refresh_from_db()
    assert other.primary is None
    claim = other.claims.get(state="approved")
    assert list(claim.events.values_list("kind", flat=True))[-1] == ClaimEvent.Kind.UNLINKED


def test_owner_links_from_the_edit_page(client, owner, primary, other):
    client.force_login(owner)

    page = client.get(f"/researchers/{primary.slug}/edit/").content.decode()
    assert "These records are also me" in page
    assert "A. Lovelace" in page

    response = client.post(
        f"/researchers/{primary.slug}/edit/", {"action": "link", "records": [other.pk]}
    )

    assert response.status_code == 302
    other.refresh_from_db()
    assert other.primary == primary


def test_edit_page_does_not_offer_records_of_someone_else(client, owner, primary):
    strangers_record = ResearcherFactory(display_name="Charles Babbage")
    approve(UserFactory(), strangers_record)
    client.force_login(owner)

    page = client.get(f"/researchers/{primary.slug}/edit/").content.decode()
    response = client.post(
        f"/researchers/{primary.slug}/edit/",
        {"action": "link", "records": [strangers_record.pk]},
    )

    assert "Charles Babbage" not in page
    assert response.status_code == 400
    strangers_record.refresh_from_db()
    assert strangers_record.primary is None


# --- The union of works ----------------------------------------------------------------------


def test_primary_lists_the_union_without_duplicates_and_without_hidden_works(
    db, owner, primary, other
):
    own = AuthorshipFactory(researcher=primary).work
    theirs = AuthorshipFactory(researcher=other).work
    shared = AuthorshipFactory(researcher=primary).work
    AuthorshipFactory(researcher=other, work=shared, position=1)
    hidden_on_primary = AuthorshipFactory(researcher=primary).work
    hidden_on_other = AuthorshipFactory(researcher=other).work
    services.work_hide(researcher=primary, user=owner, work=hidden_on_primary, reason="Not me.")
    services.work_hide(researcher=other, user=owner, work=hidden_on_other, reason="Not me.")
    assert {work.pk for work in researcher_works(researcher=primary)} == {own.pk, shared.pk}

    link(owner, primary, other)

    works = list(researcher_works(researcher=primary))
    assert sorted(work.pk for work in works) == sorted([own.pk, theirs.pk, shared.pk])
    assert {work.pk: work.record_slug for work in works}[theirs.pk] == other.slug
    # The linked record's own list is unchanged.
    assert {work.pk for work in researcher_works(researcher=other)} == {theirs.pk, shared.pk}


def test_profile_counts_the_union_in_published_work(client, owner, primary, other):
    shared = AuthorshipFactory(researcher=primary).work
    AuthorshipFactory(researcher=other, work=shared, position=1)
    AuthorshipFactory(researcher=other)
    link(owner, primary, other)

    page = parse(client.get(primary.get_absolute_url()))

    assert "2 published items" in page.find("section", id="works").text
    assert len(work_titles(page)) == 2


# --- The notices -----------------------------------------------------------------------------


def test_notices_link_the_records_both_ways(client, owner, primary, other):
    link(owner, primary, other)

    linked_page = client.get(other.get_absolute_url()).content.decode()
    primary_page = client.get(primary.get_absolute_url()).content.decode()

    assert (
        f'This record is linked to <a href="{primary.get_absolute_url()}">Ada Lovelace</a> '
        "by its researcher" in linked_page
    )
    assert f'Also appears as: <a href="{other.get_absolute_url()}">A. Lovelace</a>' in primary_page
    assert "Also appears as" not in linked_page
    assert "This record is linked to" not in primary_page


def test_no_notices_on_records_that_are_not_linked(client, primary, other):
    page = client.get(primary.get_absolute_url()).content.decode()

    assert "Also appears as" not in page
    assert "This record is linked to" not in page


def test_revoking_a_claim_removes_its_links(db, owner, primary, other):
    link(owner, primary, other)
    dispute = services.claim_dispute_open(
        user=UserFactory(), researcher=other, links=["https://example.org/x"], note="Mine."
    )

    services.claim_dispute_revoke(dispute=dispute, actor=None, reason="Not theirs.")

    other.refresh_from_db()
    assert other.primary is None


# --- Queries ---------------------------------------------------------------------------------


def test_linked_profile_query_count_does_not_grow_with_works(db, client):
    counts = []
    client.get("/")  # warm anything loaded once per process
    for size in (16, 2000):
        owner = UserFactory()
        primary, other = researcher_with_works(size), researcher_with_works(size)
        approve(owner, primary)
        approve(owner, other)
        link(owner, primary, other)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(primary.get_absolute_url())
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert f"{2 * 2000} published items" in parse(response).find("section", id="works").text
