"""Live trust (issue 4, item 4): the nightly batch in SQL agrees with profiles.trust, writes only
what changed, and the per-researcher task is debounced on commit and safe to run twice."""

import base64
import json
import random

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from bench import data
from bzpeer.celery import app
from profiles.models import TrustAssessment
from profiles.services import trust_refresh_enqueue
from profiles.stats import (
    researcher_stats_refresh,
    trust_batch_recompute,
    trust_debounce_key,
    trust_facts,
)
from profiles.tasks import researcher_trust_refresh_task
from profiles.trust import compute_trust
from tests.factories import AuthorshipFactory, ResearcherFactory, established_follower
from works.models import Researcher, VerificationLevel

GENERATED = 1_000
# Followers at and around the points' steps and the cap, and works around the cap of 20 points.
FOLLOWER_CHOICES = [0, 1, 2, 9, 10, 11, 99, 100, 101, 299, 300, 999, 1000, 1001, 50_000]
WORK_CHOICES = [0, 1, 2, 3, 5, 7, 10, 15, 16, 20, 22, 29, 30, 31, 33, 34, 1_000]
TASK_NAME = "profiles.tasks.researcher_trust_refresh_task"
QUEUE = "celery"


def facts_at_the_steps(rng: random.Random) -> dict:
    """Trust facts at and around the formula's steps and caps half the time, any level, some
    records claimed."""
    return {
        "verification_level": rng.choice(list(VerificationLevel)),
        "is_claimed": rng.random() < 0.3,
        "works_count": rng.choice(WORK_CHOICES) if rng.random() < 0.5 else rng.randint(0, 200),
        "verified_collaborators_count": rng.choice([0, 0, 1, 2, 4, 5, 6, 40]),
        "trusted_followers_count": rng.choice(FOLLOWER_CHOICES)
        if rng.random() < 0.5
        else int(10 ** rng.uniform(0, 4)),
        "open_disputes_count": rng.choice([0, 0, 0, 0, 1, 2, 7]),
    }


def generated_researchers(count: int, seed: int = 20260601) -> list[Researcher]:
    return Researcher.objects.bulk_create(
        data.researchers(count, seed=seed, facts=facts_at_the_steps), batch_size=500
    )


def disagreements(researchers) -> list[str]:
    """Rows whose stored trust differs from compute_trust on the same facts."""
    differ = []
    for researcher in researchers:
        expected = compute_trust(trust_facts(researcher))
        stored = (researcher.trust_score, researcher.trust_band, researcher.trust_components)
        if stored != (expected.score, expected.band, expected.components_as_dicts()):
            differ.append(f"{researcher.slug}: {stored} != {expected}")
    return differ


def test_batch_agrees_with_compute_trust_on_generated_researchers(db):
    ids = [researcher.pk for researcher in generated_researchers(GENERATED)]

    assert trust_batch_recompute() == GENERATED

    researchers = list(Researcher.objects.filter(pk__in=ids))
    assert disagreements(researchers) == []
    # The sample covers every band and every component away from zero.
    assert {r.trust_band for r in researchers} == {"emerging", "established", "trusted"}
    assert {r.trust_score for r in researchers} >= {0, 100}
    assessments = {
        a.researcher_id: a for a in TrustAssessment.objects.filter(researcher_id__in=ids)
    }
    assert len(assessments) == GENERATED
    for researcher in researchers:
        assessment = assessments[researcher.pk]
        assert (assessment.score, assessment.band, assessment.components) == (
            researcher.trust_score,
            researcher.trust_band,
            researcher.trust_components,
        )


def test_batch_writes_only_changed_rows_and_a_second_run_changes_nothing(db):
    ids = [researcher.pk for researcher in generated_researchers(200)]
    generated = Researcher.objects.filter(pk__in=ids)
    assessments = TrustAssessment.objects.filter(researcher_id__in=ids)
    trust_batch_recompute()
    first_computed = dict(generated.values_list("pk", "trust_computed_at"))

    assert trust_batch_recompute() == 0
    assert assessments.count() == 200

    followed, disputed, untouched = generated.order_by("pk")[:3]
    Researcher.objects.filter(pk=followed.pk).update(
        trusted_followers_count=followed.trusted_followers_count + 1
    )
    Researcher.objects.filter(pk=disputed.pk).update(
        open_disputes_count=disputed.open_disputes_count + 1
    )

    assert trust_batch_recompute() == 2
    new = TrustAssessment.objects.filter(researcher_id__in=[followed.pk, disputed.pk])
    assert new.count() == 4
    assert assessments.count() == 202
    assert disagreements(generated) == []
    untouched.refresh_from_db()
    assert untouched.trust_computed_at == first_computed[untouched.pk]
    assert trust_batch_recompute() == 0


def test_batch_leaves_rows_the_per_researcher_path_wrote(db):
    """Both paths write the same components, so neither undoes the other."""
    researcher = ResearcherFactory(followers_count=12, open_disputes_count=1)
    AuthorshipFactory(researcher=researcher)
    researcher_stats_refresh(researcher_ids=[researcher.pk])

    assert trust_batch_recompute() == 0
    assert TrustAssessment.objects.filter(researcher=researcher).count() == 1


def test_batch_with_no_researchers(db):
    assert trust_batch_recompute() == 0


# --- The debounced task ----------------------------------------------------------------------


@pytest.fixture
def broker(monkeypatch):
    """The test Redis that Celery sends to (REDIS_URL), its default queue emptied."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(QUEUE)
    yield client
    client.delete(QUEUE)


def sent_tasks(client) -> list[dict]:
    """The trust refresh messages waiting in the queue: their arguments and countdown's eta."""
    sent = []
    for raw in client.lrange(QUEUE, 0, -1):
        message = json.loads(raw)
        if message["headers"]["task"] != TASK_NAME:
            continue
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        sent.append({"args": args, "eta": message["headers"]["eta"]})
    return sent


def test_calls_in_one_transaction_enqueue_one_delayed_task_per_researcher(
    db, broker, django_capture_on_commit_callbacks
):
    first, second = ResearcherFactory(), ResearcherFactory()

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(10):
            trust_refresh_enqueue(researcher_ids=[first.pk])
        trust_refresh_enqueue(researcher_ids=[second.pk, second.pk])

    sent = sent_tasks(broker)
    assert sorted(message["args"] for message in sent) == [[first.pk], [second.pk]]
    # Delayed by the debounce window, so the task sees the whole burst.
    assert all(message["eta"] > timezone.now().isoformat() for message in sent)
    assert cache.get(trust_debounce_key(first.pk)) == 1

    # Later calls inside the window send nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        trust_refresh_enqueue(researcher_ids=[first.pk])
    assert len(sent_tasks(broker)) == 2


def test_nothing_is_enqueued_before_commit_or_after_rollback(
    db, broker, django_capture_on_commit_callbacks
):
    researcher = ResearcherFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        trust_refresh_enqueue(researcher_ids=[researcher.pk])

    assert len(callbacks) == 1
    assert sent_tasks(broker) == []
    assert cache.get(trust_debounce_key(researcher.pk)) is None


def test_a_change_after_the_task_started_enqueues_again(
    db, broker, django_capture_on_commit_callbacks
):
    researcher = ResearcherFactory()
    with django_capture_on_commit_callbacks(execute=True):
        trust_refresh_enqueue(researcher_ids=[researcher.pk])

    researcher_trust_refresh_task(researcher.pk)
    with django_capture_on_commit_callbacks(execute=True):
        trust_refresh_enqueue(researcher_ids=[researcher.pk])

    assert [message["args"] for message in sent_tasks(broker)] == [[researcher.pk]] * 2


def test_task_recomputes_counts_and_trust_and_is_idempotent(db):
    researcher = ResearcherFactory()
    for _ in range(3):
        AuthorshipFactory(researcher=researcher)
    for _ in range(9):
        established_follower(researcher)
    cache.add(trust_debounce_key(researcher.pk), 1, 60)

    researcher_trust_refresh_task.run(researcher.pk)

    researcher.refresh_from_db()
    assert cache.get(trust_debounce_key(researcher.pk)) is None
    assert researcher.works_count == 3
    # L1 5 + 3 works 8 + 9 followers 5.
    assert (researcher.trust_score, researcher.trust_band) == (18, "emerging")
    assert disagreements([researcher]) == []
    computed_at = researcher.trust_computed_at

    researcher_trust_refresh_task.run(researcher.pk)

    researcher.refresh_from_db()
    assert researcher.trust_computed_at == computed_at
    assert TrustAssessment.objects.filter(researcher=researcher).count() == 1


def test_task_for_a_deleted_researcher_does_nothing(db):
    """A record deleted between the enqueue and the run: the worker's run succeeds (so it is
    not retried), writes no row for anyone, and frees the record's debounce key."""
    researcher, bystander = ResearcherFactory(), ResearcherFactory(followers_count=3)
    researcher_stats_refresh(researcher_ids=[bystander.pk])
    # The bystander's stored score is now stale: a task that recomputed anyone else would write.
    Researcher.objects.filter(pk=bystander.pk).update(trusted_followers_count=300)
    deleted_id = researcher.pk
    cache.add(trust_debounce_key(deleted_id), 1, 60)
    researcher.delete()

    def tables():
        return (
            list(Researcher.objects.order_by("pk").values()),
            list(TrustAssessment.objects.order_by("pk").values()),
        )

    before = tables()

    result = researcher_trust_refresh_task.apply(args=(deleted_id,))

    assert result.successful()
    assert tables() == before
    assert cache.get(trust_debounce_key(deleted_id)) is None
