"""The shared arXiv limiter and the polite fetch: spacing, one at a time, retries."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from feeds.arxiv_limiter import ARXIV_LIMITER, ARXIV_MIN_INTERVAL, ArxivLimiter
from feeds.http import ARXIV_POLICY, FetchError, FetchResult, RetryPolicy, get
from tests.support.feedserver import FakeTime, FeedServer, Reply


async def polite_fetch(
    client: httpx.AsyncClient, url: str, *, limiter: ArxivLimiter,
    policy: RetryPolicy = ARXIV_POLICY, request_timeout: float | None = None,
) -> FetchResult:
    """A GET as the arXiv jobs make it: inside the limiter, with arXiv's retry policy."""
    return await get(client, url, limiter=limiter, policy=policy, timeout=request_timeout)


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def limiter(fake: FakeTime) -> ArxivLimiter:
    return ArxivLimiter(clock=fake.clock, sleep=fake.sleep)


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


def stamping_client(fake: FakeTime, stamps: list[float]) -> httpx.AsyncClient:
    """A client that notes the fake time at which each request leaves."""

    async def stamp(request: httpx.Request) -> None:
        stamps.append(fake.now)

    return httpx.AsyncClient(event_hooks={"request": [stamp]})


def test_the_process_wide_limiter_keeps_arxiv_terms():
    assert ARXIV_LIMITER.interval == ARXIV_MIN_INTERVAL == 3.0


async def test_first_call_does_not_wait(limiter, fake):
    async with limiter:
        pass
    assert fake.sleeps == []


async def test_back_to_back_calls_are_three_seconds_apart(limiter, fake):
    entered = []
    for _ in range(3):
        async with limiter:
            entered.append(fake.now)
            fake.now += 0.4  # the request itself takes a while
    assert entered[1] - entered[0] >= 3.0
    assert entered[2] - entered[1] >= 3.0
    assert sum(fake.sleeps) == pytest.approx(6.0)  # 3 s after each end, nothing more


async def test_one_request_at_a_time_even_when_called_concurrently(limiter, fake):
    active, most, entered = 0, 0, []

    async def call() -> None:
        nonlocal active, most
        async with limiter:
            active += 1
            most = max(most, active)
            entered.append(fake.now)
            await fake.sleep(0.5)  # other tasks run while this request is in flight
            active -= 1

    await asyncio.gather(*(call() for _ in range(4)))
    assert most == 1
    gaps = [b - a for a, b in zip(entered, entered[1:], strict=False)]
    assert len(gaps) == 3 and all(gap >= 3.0 for gap in gaps)


async def test_hold_off_delays_the_next_request(limiter, fake):
    start = fake.now
    limiter.hold_off(42)
    async with limiter:
        assert fake.now - start >= 42


def test_timing_and_lock_survive_a_new_event_loop(fake):
    limiter = ArxivLimiter(clock=fake.clock, sleep=fake.sleep)

    async def once() -> float:
        async with limiter:
            return fake.now

    first = asyncio.run(once())  # each CLI command runs its own loop
    second = asyncio.run(once())
    assert second - first >= 3.0


async def test_two_http_calls_are_three_seconds_apart_without_real_sleep(server, fake, limiter):
    server.script("/rss", Reply(b"<rss/>"))
    stamps: list[float] = []
    async with stamping_client(fake, stamps) as client:
        for _ in range(2):
            await polite_fetch(client, server.url("/rss"), limiter=limiter)
    assert len(server.requests) == 2
    assert stamps[1] - stamps[0] >= 3.0


async def test_503_retry_after_is_honoured_on_the_fake_clock(server, fake, limiter):
    server.script("/rss", Reply(status=503, headers={"Retry-After": "7"}), Reply(b"ok"))
    stamps: list[float] = []
    async with stamping_client(fake, stamps) as client:
        result = await polite_fetch(client, server.url("/rss"), limiter=limiter)
    assert result.body == b"ok"
    assert stamps[1] - stamps[0] >= 7.0


async def test_503_retry_after_is_honoured_in_real_time(server):
    server.script("/rss", Reply(status=503, headers={"Retry-After": "1"}), Reply(b"ok"))
    limiter = ArxivLimiter(interval=0.05)
    async with httpx.AsyncClient() as client:
        result = await polite_fetch(client, server.url("/rss"), limiter=limiter)
    assert result.body == b"ok"
    first, second = server.requests
    assert second.at - first.at >= 1.0


async def test_429_without_retry_after_backs_off_exponentially(server, fake, limiter):
    server.script("/rss", Reply(status=429), Reply(status=429), Reply(b"ok"))
    stamps: list[float] = []
    policy = RetryPolicy(attempts=3, base_delay=5, max_delay=60, jitter=0.25)
    async with stamping_client(fake, stamps) as client:
        await polite_fetch(client, server.url("/rss"), limiter=limiter, policy=policy)
    assert 5.0 <= stamps[1] - stamps[0] <= 5.0 * 1.25 + 3.0
    assert 10.0 <= stamps[2] - stamps[1] <= 10.0 * 1.25 + 3.0


async def test_attempts_are_bounded_then_fetch_error(server, limiter):
    server.script("/rss", Reply(status=503))
    async with httpx.AsyncClient() as client:
        with pytest.raises(FetchError, match=r"HTTP 503 .*\(gave up after 3 attempts\)"):
            await polite_fetch(
                client, server.url("/rss"), limiter=limiter, policy=RetryPolicy(attempts=3)
            )
    assert len(server.requests) == 3


async def test_client_errors_are_not_retried(server, limiter):
    server.script("/rss", Reply(status=404))
    async with httpx.AsyncClient() as client:
        with pytest.raises(FetchError, match="HTTP 404"):
            await polite_fetch(client, server.url("/rss"), limiter=limiter)
    assert len(server.requests) == 1


async def test_a_very_long_retry_after_gives_up_at_once(server, limiter):
    server.script("/rss", Reply(status=503, headers={"Retry-After": "86400"}))
    async with httpx.AsyncClient() as client:
        with pytest.raises(FetchError, match="retry after 86400 s"):
            await polite_fetch(client, server.url("/rss"), limiter=limiter)
    assert len(server.requests) == 1


async def test_every_request_has_a_timeout(server, limiter):
    server.script("/rss", Reply(b"late", delay=1.0))
    async with httpx.AsyncClient(timeout=None) as client:
        with pytest.raises(FetchError, match="timeout fetching .* after 2 attempts"):
            await polite_fetch(
                client, server.url("/rss"), limiter=limiter, request_timeout=0.2,
                policy=RetryPolicy(attempts=2),
            )


def test_backoff_grows_is_capped_and_jittered():
    policy = RetryPolicy(base_delay=2, max_delay=10, jitter=0.5)
    assert [policy.backoff(n, rng=lambda: 0.0) for n in (1, 2, 3, 4, 5)] == [2, 4, 8, 10, 10]
    assert policy.backoff(1, rng=lambda: 1.0) == 3.0
