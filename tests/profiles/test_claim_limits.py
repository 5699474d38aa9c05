"""Claim-code limits under concurrency: code e-mails per address, per account and per record,
and wrong codes per record across claims, each crossed by threads that start together.

Real transactions (transaction=True) and threads, so the locks in
profiles.services.claim_email are what keep the counts right; each test names the line that,
removed, makes it fail. Rounds of at most WIDTH threads: PostgreSQL's 100 connections are
shared with other test runs (the pattern of tests/social/test_limits.py).
"""

import re
import threading

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection

from profiles import services
from profiles.models import Claim, ClaimEvent, User
from profiles.services import ClaimError
from tests.factories import InstitutionFactory, ResearcherFactory, UserFactory
from works.models import Researcher

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 25
UNI = "uni.example.edu"


def run_together(jobs: list) -> list:
    """Run the callables in rounds of WIDTH threads that each wait at a barrier, so the calls
    of a round overlap. Each returns "ok" or the ClaimError's message; each thread closes its
    own database connection."""
    results = [None] * len(jobs)
    errors = []
    for start in range(0, len(jobs), WIDTH):
        batch = list(enumerate(jobs))[start : start + WIDTH]
        barrier = threading.Barrier(len(batch))

        def work(index, job, barrier=barrier):
            try:
                barrier.wait(timeout=60)
                job()
                results[index] = "ok"
            except ClaimError as refusal:
                results[index] = str(refusal)
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=item) for item in batch]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    return results


def users(count: int) -> list[User]:
    # No passwords: hashing them would be most of this test's time.
    return [UserFactory(password=None) for _ in range(count)]


def records(count: int) -> list[Researcher]:
    institution = InstitutionFactory(email_domains=[UNI])
    return [ResearcherFactory(institution=institution) for _ in range(count)]


def email_claim(user: User, researcher: Researcher) -> Claim:
    return services.claim_start(user=user, researcher=researcher, method=Claim.Method.EMAIL)


def send(claim: Claim, email: str):
    return lambda: services.claim_email_code_send(claim=claim, email=email)


def sent_codes() -> int:
    return ClaimEvent.objects.filter(kind=ClaimEvent.Kind.CODE_SENT).count()


def test_concurrent_sends_to_one_address_stop_at_its_daily_limit():
    # Twenty-five accounts, each on its own record, all naming one third party's mailbox: no
    # account or record limit is near, so only the address's limit stops them.
    # Fails without `_address_lock(email=email)` in claim_email_code_send.
    claims = [
        email_claim(user, researcher)
        for user, researcher in zip(users(WIDTH), records(WIDTH), strict=True)
    ]
    jobs = [
        send(claim, f"victim@{UNI}" if n % 2 else f"Victim@{UNI.upper()}")
        for n, claim in enumerate(claims)
    ]

    results = run_together(jobs)

    limit = settings.CLAIM_CODES_PER_ADDRESS_PER_DAY
    assert results.count("ok") == limit == sent_codes()
    refusals = [result for result in results if result != "ok"]
    assert all(f"has been sent {limit} codes in the past 24 hours" in r for r in refusals)
    assert len(mail.outbox) == limit


def test_concurrent_sends_by_one_account_stop_at_its_daily_limit():
    # One account on twenty-five records, each address different.
    # Fails without `claimant_lock(user=claim.user)` in claim_email_code_send.
    user = users(1)[0]
    claims = [email_claim(user, researcher) for researcher in records(WIDTH)]
    jobs = [send(claim, f"person{n}@{UNI}") for n, claim in enumerate(claims)]

    results = run_together(jobs)

    limit = settings.CLAIM_CODES_PER_ACCOUNT_PER_DAY
    assert results.count("ok") == limit == sent_codes()
    refusals = [result for result in results if result != "ok"]
    assert all(f"You have asked for {limit} codes" in refusal for refusal in refusals)


def test_concurrent_sends_for_one_record_stop_at_its_daily_limit():
    # Twenty-five accounts on one record, each address different.
    # Fails without `_record_lock(claim=claim)` in claim_email_code_send.
    researcher = records(1)[0]
    claims = [email_claim(user, researcher) for user in users(WIDTH)]
    jobs = [send(claim, f"person{n}@{UNI}") for n, claim in enumerate(claims)]

    results = run_together(jobs)

    limit = settings.CLAIM_CODES_PER_RECORD_PER_DAY
    assert results.count("ok") == limit == sent_codes()
    refusals = [result for result in results if result != "ok"]
    assert all(f"This record has been sent {limit} codes" in refusal for refusal in refusals)


def wrong(claim: Claim) -> str:
    """A code that is not the one mailed for this claim."""
    body = next(message.body for message in reversed(mail.outbox) if message.to == [claim.email])
    right = int(re.search(r"\b(\d{6})\b", body).group(1))
    return f"{(right + 1) % 1_000_000:06d}"


def test_concurrent_guesses_on_one_record_stop_at_its_daily_limit():
    # Five claims on one record, each with a code waiting and five attempts of its own: 25
    # wrong guesses at once, of which the record takes only its daily number.
    # Fails without `_record_lock(claim=claim)` in claim_email_code_verify.
    researcher = records(1)[0]
    claims = [email_claim(user, researcher) for user in users(5)]
    for n, claim in enumerate(claims):
        services.claim_email_code_send(claim=claim, email=f"person{n}@{UNI}")
        claim.refresh_from_db()
    codes = {claim.pk: wrong(claim) for claim in claims}
    jobs = [
        (lambda claim=claim: services.claim_email_code_verify(claim=claim, code=codes[claim.pk]))
        for claim in claims
        for _ in range(5)
    ]

    results = run_together(jobs)

    limit = settings.CLAIM_CODE_GUESSES_PER_RECORD_PER_DAY
    failed = ClaimEvent.objects.filter(kind=ClaimEvent.Kind.CODE_FAILED)
    assert failed.count() == limit
    assert sum("too many wrong codes in the past 24 hours" in r for r in results) == 25 - limit


def test_a_new_claim_does_not_reset_the_record_s_guesses():
    # Two claims spend their five attempts each; a third claimant, on a new claim, is refused
    # even with the right code until the day is over.
    # Fails without the `_record_guesses_left(claim=claim) <= 0` check in
    # claim_email_code_verify.
    researcher = records(1)[0]
    first, second, third = users(3)
    for n, user in enumerate([first, second]):
        claim = email_claim(user, researcher)
        services.claim_email_code_send(claim=claim, email=f"person{n}@{UNI}")
        claim.refresh_from_db()
        for _ in range(5):
            with pytest.raises(ClaimError, match="not right"):
                services.claim_email_code_verify(claim=claim, code=wrong(claim))
    claim = email_claim(third, researcher)
    services.claim_email_code_send(claim=claim, email=f"person2@{UNI}")
    claim.refresh_from_db()
    right = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)

    with pytest.raises(ClaimError, match="too many wrong codes in the past 24 hours"):
        services.claim_email_code_verify(claim=claim, code=right)

    assert Claim.objects.get(pk=claim.pk).state == Claim.State.PENDING
    researcher.refresh_from_db()
    assert not researcher.is_claimed


NAMES = [
    "Ada Lovelace",
    "Bob Smith",
    "Carol Wu",
    "Dmitri Ivanov",
    "Emma Noether",
    "Farid Haddad",
    "Grace Hopper",
    "Hiro Tanaka",
    "Ines Garcia",
    "Jonas Berg",
]


def test_one_account_verifying_unrelated_records_at_once_gets_one():
    # One account with a code waiting on ten records of ten different people, each address
    # naming its record: entered at once, one approves and nine go to a moderator.
    # Fails without `claimant_lock(user=claim.user)` in claim_email_code_verify.
    user = users(1)[0]
    institution = InstitutionFactory(email_domains=[UNI])
    claims = []
    for name in NAMES:
        claim = email_claim(user, ResearcherFactory(display_name=name, institution=institution))
        services.claim_email_code_send(claim=claim, email=f"{name.replace(' ', '.')}@{UNI}")
        claim.refresh_from_db()
        claims.append(claim)
    codes = {
        claim.pk: re.search(r"\b(\d{6})\b", mail.outbox[n].body).group(1)
        for n, claim in enumerate(claims)
    }
    jobs = [
        (lambda claim=claim: services.claim_email_code_verify(claim=claim, code=codes[claim.pk]))
        for claim in claims
    ]

    results = run_together(jobs)

    assert results.count("ok") == 1 == Claim.objects.approved().count()
    assert sum("your account already holds" in result for result in results) == len(NAMES) - 1
    assert Claim.objects.pending().filter(method="evidence").count() == len(NAMES) - 1
