"""The disputes floor under concurrent disputes: real transactions and threads, as in
tests/social/test_limits.py. Each dispute recounts under the lock of the disputed claim, so
however the posts interleave the record ends with the floor, not one step per dispute."""

import pytest

from profiles.models import Claim, ClaimDispute
from profiles.services import researcher_stats_refresh
from profiles.trust import POINTS_PER_OPEN_DISPUTE, UNDECIDED_DISPUTES_MAX
from tests.factories import UserFactory
from tests.social.support import claimed
from tests.social.test_limits import claimed_people, logged_in, post, run_together
from works.models import Researcher

pytestmark = pytest.mark.django_db(transaction=True)

DISPUTE = {"links": "https://example.org/the-real-one", "note": "That is me."}


def test_forty_concurrent_disputes_take_no_more_than_the_floor():
    _, record = claimed()
    verified = [user for user, _ in claimed_people(20)]
    throwaways = [UserFactory(password=None, username=f"throwaway{n}") for n in range(20)]
    url = f"/researchers/{record.slug}/dispute/"

    answers = run_together([post(logged_in(user), url, DISPUTE) for user in verified + throwaways])

    assert {answer.status_code for answer in answers} == {302}
    assert ClaimDispute.objects.open().count() == 40
    record.refresh_from_db()
    # Remove UNDECIDED_DISPUTES_MAX's min() in profiles.trust.disputes_weighing and this is 20.
    assert record.open_disputes_count == UNDECIDED_DISPUTES_MAX
    researcher_stats_refresh(researcher_ids=[record.pk])
    components = {
        c["key"]: c["points"] for c in Researcher.objects.get(pk=record.pk).trust_components
    }
    assert components["disputes"] == POINTS_PER_OPEN_DISPUTE * UNDECIDED_DISPUTES_MAX
    assert Claim.objects.holding(record).exists()
