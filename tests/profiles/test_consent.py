"""Open to collaborate is opt-in: no record is open until the holder of its claim turns it on."""

import importlib

import pytest
from django.apps import apps

from profiles import services
from profiles.models import Claim
from tests.factories import ResearcherFactory, UserFactory
from works.models import Researcher

opt_in_migration = importlib.import_module(
    "works.migrations.0008_researcher_open_to_collaborate_opt_in"
)


@pytest.mark.django_db
def test_a_new_record_is_not_open_to_collaborate():
    # Fails with the model's old default (True).
    assert ResearcherFactory().open_to_collaborate is False


@pytest.mark.django_db
def test_an_approved_claim_leaves_the_record_closed_until_the_holder_opts_in():
    researcher, user = ResearcherFactory(), UserFactory()
    claim = services.claim_evidence_submit(
        user=user, researcher=researcher, links=["https://example.org/me"], note=""
    )
    services.claim_approve(claim=claim, actor=None)
    researcher.refresh_from_db()
    assert researcher.is_claimed and researcher.open_to_collaborate is False
    assert Claim.objects.holding(researcher).get().user == user


@pytest.mark.django_db
def test_the_migration_closes_unclaimed_records_and_keeps_the_holders_choice():
    unclaimed = ResearcherFactory(open_to_collaborate=True)
    claimed_open = ResearcherFactory(open_to_collaborate=True, is_claimed=True)
    claimed_closed = ResearcherFactory(open_to_collaborate=False, is_claimed=True)
    opt_in_migration.unclaimed_records_closed(apps, None)
    values = dict(Researcher.objects.values_list("pk", "open_to_collaborate"))
    assert values == {unclaimed.pk: False, claimed_open.pk: True, claimed_closed.pk: False}
