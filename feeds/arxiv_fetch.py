"""Fetch from arXiv politely: shared limiter, conditional GET, Retry-After, capped backoff."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from feeds.arxiv_limiter import ARXIV_LIMITER, ArxivLimiter
from feeds.http import FetchError, FetchResult, fetch_conditional

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry a failed arXiv request."""

    attempts: int = 4
    base_delay: float = 5.0  # first backoff; doubles each attempt
    max_delay: float = 120.0  # cap on one backoff
    jitter: float = 0.25  # up to +25% random extra, so restarted bots do not stampede
    max_retry_after: float = 900.0  # a longer Retry-After means: give up now, try next poll

    def backoff(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return delay * (1.0 + self.jitter * rng())


async def polite_fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    request_timeout: float = 30.0,
    limiter: ArxivLimiter | None = None,
    policy: RetryPolicy | None = None,
    rng: Callable[[], float] = random.random,
) -> FetchResult:
    """GET an arXiv URL within the limiter, retrying transient failures; raise FetchError."""
    limiter = limiter or ARXIV_LIMITER
    policy = policy or RetryPolicy()
    for attempt in range(1, policy.attempts + 1):
        try:
            async with limiter:
                return await fetch_conditional(client, url, etag, last_modified, request_timeout)
        except FetchError as exc:
            delay = _retry_delay(exc, attempt, policy, rng)
            if delay is None:
                raise _final(exc, attempt) from None
            logger.debug("arXiv attempt %d failed (%s); retrying in %.1f s", attempt, exc, delay)
            limiter.hold_off(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def _retry_delay(
    exc: FetchError, attempt: int, policy: RetryPolicy, rng: Callable[[], float]
) -> float | None:
    """Seconds to wait before the next attempt, or None to give up."""
    if attempt >= policy.attempts:
        return None
    if exc.status is not None and exc.status not in RETRYABLE_STATUSES:
        return None  # 400, 403, 404...: asking again will not help
    if exc.retry_after is not None:
        if exc.retry_after > policy.max_retry_after:
            return None
        return max(exc.retry_after, 0.0)
    return policy.backoff(attempt, rng)


def _final(exc: FetchError, attempt: int) -> FetchError:
    message = str(exc)
    if attempt > 1:
        message += f" (gave up after {attempt} attempts)"
    if exc.retry_after is not None:
        message += f" (server asked to retry after {exc.retry_after:.0f} s)"
    return FetchError(message, exc.status, exc.retry_after)
