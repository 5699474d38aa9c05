"""Polite HTTP for the sources: one session, timeouts, spacing, bounded retries with jitter.

Errors say what went wrong in words an operator can act on; the import run stores them.
"""

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

USER_AGENT = "BZPEER/0.1 (research discovery; https://github.com/bzpeer)"


class SourceError(Exception):
    """A request to a source failed. Nothing from it may be written."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class PageInvalid(SourceError):
    """The source answered, but not with a usable page (not JSON, fields missing, an arXiv
    error entry, a page shorter than the total implies). Worth asking again, a few times."""

    retryable = True


class RetriesExhausted(SourceError):
    """Server errors, timeouts or "slow down" answers outlasted the retry bound."""

    retryable = True


class BudgetExhausted(SourceError):
    """The day's request budget is spent; ask again at resume_at, not before."""

    def __init__(self, message: str, *, resume_at: datetime.datetime, status: int = 429):
        super().__init__(message, status=status)
        self.resume_at = resume_at


class RequestRejected(SourceError):
    """The source refused the request itself (400, 401, 404 …); asking again will not help."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    retry_after_cap: float = 300.0
    # (connect, read) seconds.
    timeout: tuple[float, float] = (5.0, 30.0)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: between half and all of base·2^(attempt-1)."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return ceiling * (0.5 + random.random() / 2)


def _seconds(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value not in (None, "") else None
    except ValueError:
        return None


def _next_midnight_utc(now: datetime.datetime) -> datetime.datetime:
    return datetime.datetime.combine(
        now.date() + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
    )


class HttpSource:
    """Base of the source clients. Subclasses build URLs and parse bodies."""

    def __init__(
        self,
        *,
        base_url: str,
        session: requests.Session | None = None,
        policy: RetryPolicy | None = None,
        min_interval: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.policy = policy or RetryPolicy()
        self.min_interval = min_interval
        self.sleep = sleep
        self.clock = clock
        self.requests_made = 0
        self._last_request_end: float | None = None

    def _wait_turn(self) -> None:
        if self.min_interval and self._last_request_end is not None:
            wait = self._last_request_end + self.min_interval - self.clock()
            if wait > 0:
                self.sleep(wait)

    def _budget_resume_at(self, response: requests.Response) -> datetime.datetime:
        now = datetime.datetime.now(datetime.UTC)
        reset = _seconds(response.headers.get("X-RateLimit-Reset"))
        if reset is not None:
            # Either an epoch timestamp or seconds from now.
            if reset > 1_000_000_000:
                return datetime.datetime.fromtimestamp(reset, datetime.UTC)
            return now + datetime.timedelta(seconds=reset)
        retry_after = _seconds(response.headers.get("Retry-After"))
        if retry_after is not None:
            return now + datetime.timedelta(seconds=retry_after)
        return _next_midnight_utc(now)

    def get(self, url: str, *, params: dict | None = None) -> requests.Response:
        """GET with the retry policy. Returns only a 200 response; raises SourceError."""
        policy = self.policy
        problem = ""
        for attempt in range(1, policy.max_attempts + 1):
            self._wait_turn()
            delay = policy.backoff(attempt)
            try:
                response = self.session.get(url, params=params, timeout=policy.timeout)
            except requests.Timeout:
                problem = f"timed out after {policy.timeout[1]:g} s"
            except requests.ConnectionError as error:
                problem = f"could not connect ({type(error).__name__})"
            else:
                status = response.status_code
                if status == 200:
                    return response
                if status == 429:
                    if response.headers.get("X-RateLimit-Remaining", "").strip() == "0":
                        resume_at = self._budget_resume_at(response)
                        raise BudgetExhausted(
                            f"request budget spent (429); resuming at {resume_at:%Y-%m-%d %H:%M} "
                            "UTC",
                            resume_at=resume_at,
                        )
                    retry_after = _seconds(response.headers.get("Retry-After"))
                    if retry_after is not None:
                        delay = min(retry_after, policy.retry_after_cap)
                    problem = "rate limited (429)"
                elif status == 403:
                    # OpenAlex answers 403 to clients it wants to slow down.
                    delay *= 2
                    problem = "asked to slow down (403)"
                elif status >= 500:
                    problem = f"server error {status}"
                else:
                    raise RequestRejected(
                        f"rejected with {status}: {response.text[:300].strip()}", status=status
                    )
            finally:
                self._last_request_end = self.clock()
                self.requests_made += 1
            if attempt == policy.max_attempts:
                break
            self.sleep(delay)
        raise RetriesExhausted(f"{problem}; gave up after {policy.max_attempts} attempts")
