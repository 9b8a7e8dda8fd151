"""The one HTTP edge of feeds/: GET (conditional) and POST with retries, Retry-After and limits.

Every source goes through `get` or `post_json`: the arXiv RSS and API (with the arXiv limiter),
the list's README and the citation API. A failure is a `FetchError` whose `status` (None for
network errors) decides whether to try again; its text is one line naming the URL and cause.
"""

from __future__ import annotations

import asyncio
import logging
import random
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from feeds.arxiv_limiter import ArxivLimiter

log = logging.getLogger(__name__)
USER_AGENT = "awesome-papers-bot/0.1 (+https://github.com/terryum/awesome-deep-learning-papers)"
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class FetchResult:
    """A response worth acting on: 2xx with a body, or 304 Not Modified."""

    status: int
    body: bytes
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """True when the server answered 304."""
        return self.status == 304


class FetchError(Exception):
    """A request failed; str() is one line that names the URL and the cause."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None,
                 retryable: bool = True):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.retryable = retryable  # False: asking again now cannot help (the deadline passed)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry a failed request."""

    attempts: int = 4
    base_delay: float = 5.0  # first backoff; doubles each attempt
    max_delay: float = 120.0  # cap on one backoff
    jitter: float = 0.25  # up to +25% random extra, so restarted bots do not stampede
    max_retry_after: float = 900.0  # a longer Retry-After means: give up now, try next run

    def backoff(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return delay * (1.0 + self.jitter * rng())

    def delay_after(
        self, error: FetchError, attempt: int, rng: Callable[[], float] = random.random
    ) -> float | None:
        """Seconds to wait before the next attempt, or None to give up."""
        if attempt >= self.attempts or not error.retryable:
            return None
        if error.status is not None and error.status not in RETRYABLE_STATUSES:
            return None  # 400, 403, 404...: asking again will not help
        if error.retry_after is not None:
            return None if error.retry_after > self.max_retry_after else max(error.retry_after, 0)
        return self.backoff(attempt, rng)


@dataclass(frozen=True)
class Limits:
    """Bounds on one download: its whole duration, and its size on the wire and inflated."""

    total_seconds: float = 120.0  # per attempt, from the request to the body's last byte
    max_bytes: int = 50 * 1024 * 1024  # compressed and inflated alike
    max_redirects: int = 5


DEFAULT_LIMITS = Limits()
# Headers that carry a credential: never sent on to another origin after a redirect.
CREDENTIALS = frozenset({"authorization", "x-api-key", "cookie"})

ONCE = RetryPolicy(attempts=1)
ARXIV_POLICY = RetryPolicy()
CITATIONS_POLICY = RetryPolicy(attempts=5, base_delay=1.0, max_delay=300.0, jitter=0.0,
                               max_retry_after=300.0)


@asynccontextmanager
async def client_or_new(
    client: httpx.AsyncClient | None, seconds: float
) -> AsyncIterator[httpx.AsyncClient]:
    """Use the caller's client (left open) or a new one with this timeout (closed after)."""
    if client is not None:
        yield client
        return
    async with new_client(seconds) as owned:
        yield owned


def new_client(timeout: float = 30.0) -> httpx.AsyncClient:
    """Return an HTTP client with our user agent, redirects followed and a timeout."""
    return httpx.AsyncClient(
        # only the codings Inflater undoes (httpx would also offer br/zstd when installed)
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        follow_redirects=False,  # _send follows them, dropping credentials across origins
        timeout=httpx.Timeout(timeout),
    )


async def get(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float | None = None,  # noqa: ASYNC109 - httpx applies it per request
    policy: RetryPolicy = ONCE,
    limiter: ArxivLimiter | None = None,
    rng: Callable[[], float] = random.random,
    sleep: Sleep = asyncio.sleep,
    limits: Limits = DEFAULT_LIMITS,
) -> FetchResult:
    """GET `url` with If-None-Match/If-Modified-Since and retries; raise FetchError.

    A `file:` URL is read from disk instead (feeds/local_file.py), in a worker thread, under
    the same size cap and with the file's own validators."""
    from feeds import local_file  # here: it builds on this module's FetchResult and Limits

    if local_file.is_file_url(url):
        return await asyncio.to_thread(local_file.read_file_url, url, etag=etag,
                                       last_modified=last_modified, limits=limits)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    async def once() -> FetchResult:
        return await _send(client, "GET", url, headers=headers, timeout=timeout,
                           validators=(etag, last_modified), limits=limits)

    return await _with_retries(once, url, policy, limiter, rng, sleep)


async def post_json(
    client: httpx.AsyncClient,
    url: str,
    payload: Any,
    *,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,  # noqa: ASYNC109 - httpx applies it per request
    policy: RetryPolicy = ONCE,
    sleep: Sleep = asyncio.sleep,
    limits: Limits = DEFAULT_LIMITS,
) -> FetchResult:
    """POST a JSON body with retries; raise FetchError."""

    async def once() -> FetchResult:
        return await _send(client, "POST", url, headers=dict(headers or {}), timeout=timeout,
                           json=payload, params=dict(params or {}), limits=limits)

    return await _with_retries(once, url, policy, None, random.random, sleep)


async def _with_retries(
    once: Callable[[], Awaitable[FetchResult]], url: str, policy: RetryPolicy,
    limiter: ArxivLimiter | None, rng: Callable[[], float], sleep: Sleep,
) -> FetchResult:
    """Run one request until it succeeds or the policy gives up (inside the limiter, if any)."""
    for attempt in range(1, policy.attempts + 1):
        try:
            if limiter is None:
                return await once()
            async with limiter:
                return await once()
        except FetchError as exc:
            delay = policy.delay_after(exc, attempt, rng)
            if delay is None:
                raise _final(exc, attempt) from None
            log.debug("attempt %d on %s failed (%s); retrying in %.1f s", attempt, url, exc, delay)
            if limiter is not None:
                limiter.hold_off(delay)
            else:
                await sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


async def _send(
    client: httpx.AsyncClient, method: str, url: str, *, headers: dict[str, str],
    timeout: float | None, validators: tuple[str | None, str | None] = (None, None),  # noqa: ASYNC109
    limits: Limits = DEFAULT_LIMITS, **request: Any,
) -> FetchResult:
    """One request: its result on 2xx (or 304), else FetchError (status None: network).

    The whole exchange, redirects and body included, must end within `limits.total_seconds`
    (httpx's own timeout is per read: a server trickling a byte a second would never end) and
    stay under `limits.max_bytes` on the wire and inflated (a gzip bomb stops at the cap).
    """
    verb = "fetching" if method == "GET" else "posting to"
    if timeout is not None:
        request["timeout"] = timeout
    try:
        async with asyncio.timeout(limits.total_seconds):
            return await _exchange(client, method, url, headers, validators, limits, request)
    except TimeoutError:  # not retried: each attempt would take the whole deadline again
        raise FetchError(f"{verb} {url} took longer than {limits.total_seconds:g} s "
                         "(HTTP_TOTAL_TIMEOUT)", retryable=False) from None
    except httpx.TimeoutException:
        raise FetchError(f"timeout {verb} {url}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"network error {verb} {url}: {type(exc).__name__}: {exc}") from None


async def _exchange(
    client: httpx.AsyncClient, method: str, url: str, headers: dict[str, str],
    validators: tuple[str | None, str | None], limits: Limits, request: dict[str, Any],
) -> FetchResult:
    origin = httpx.URL(url)
    for _ in range(limits.max_redirects + 1):
        async with client.stream(method, url, headers=headers, **request) as response:
            if response.is_redirect and response.next_request is not None:
                target = response.next_request.url
                if (target.scheme, target.host, target.port) != (
                        origin.scheme, origin.host, origin.port):
                    headers = {k: v for k, v in headers.items() if k.lower() not in CREDENTIALS}
                url = str(target)
                if response.status_code == 303:
                    method, request = "GET", {k: v for k, v in request.items()
                                              if k not in ("json", "content", "data")}
                continue
            if response.status_code == 304 and method == "GET":
                return FetchResult(304, b"", *validators)
            if not 200 <= response.status_code < 300:
                retry = parse_retry_after(response.headers.get("Retry-After"))
                raise FetchError(f"HTTP {response.status_code} from {url}", response.status_code,
                                 retry)
            body = await _read_capped(response, url, limits.max_bytes)
            return FetchResult(response.status_code, body, response.headers.get("ETag"),
                               response.headers.get("Last-Modified"))
    raise FetchError(f"too many redirects from {url}")


async def _read_capped(response: httpx.Response, url: str, cap: int) -> bytes:
    """The body, inflated, refusing it once the wire bytes or any layer's inflated bytes pass
    `cap`.

    The raw bytes are inflated here, layer by layer and at most CHUNK bytes a step, instead of
    by httpx: its decoder inflates a whole network chunk at once, so 16 KB of `gzip, gzip`
    became 3.7 GB before any cap could look at it.
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        raise FetchError(f"download from {url} is {int(declared):,} bytes, over the "
                         f"{cap:,}-byte cap (HTTP_MAX_MB)")
    inflater = Inflater(response.headers.get("Content-Encoding", ""), cap, url)
    chunks, wire = [], 0
    try:
        async for raw in response.aiter_raw():
            wire += len(raw)
            if wire > cap:
                raise FetchError(f"download from {url} passed the {cap:,}-byte cap "
                                 "(HTTP_MAX_MB)")
            chunks.extend(inflater.feed(raw))
    except httpx.StreamConsumed:  # a body a transport had already read and decoded (a mock)
        if len(response.content) > cap:
            raise FetchError(f"download from {url} passed the {cap:,}-byte cap "
                             "(HTTP_MAX_MB)") from None
        return response.content
    chunks.extend(inflater.finish())
    return b"".join(chunks)


CHUNK = 64 * 1024  # the most any one inflating step may produce


class Inflater:
    """Undo a Content-Encoding chain (`gzip`, `deflate`, `gzip, gzip`, ...) in bounded steps.

    Every layer's output counts against `cap` on its own, so no layer can grow a small body
    past it, and no step holds more than CHUNK inflated bytes.
    """

    def __init__(self, header: str, cap: int, url: str) -> None:
        codings = [c.strip().lower() for c in header.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        unknown = [c for c in codings if c not in ("gzip", "x-gzip", "deflate")]
        if unknown:
            raise FetchError(f"download from {url} has an unsupported Content-Encoding: "
                             f"{', '.join(unknown)[:60]}")
        # applied in the order listed, so undone last first; wbits 32+: gzip or zlib header
        self._layers = [zlib.decompressobj(zlib.MAX_WBITS | 32) for _ in reversed(codings)]
        self._sizes = [0] * len(self._layers)
        self._cap, self._url = cap, url

    def feed(self, data: bytes) -> list[bytes]:
        """The inflated bytes this raw chunk yields (in pieces of at most CHUNK)."""
        out: list[bytes] = []
        self._push(0, data, out)
        return out

    def finish(self) -> list[bytes]:
        """What the layers still hold at the end of the body."""
        out: list[bytes] = []
        for level, layer in enumerate(self._layers):
            self._push(level + 1, layer.flush(), out)
        return out

    def _push(self, level: int, data: bytes, out: list[bytes]) -> None:
        if not data:
            return
        if level == len(self._layers):
            out.append(data)
            return
        layer = self._layers[level]
        try:
            piece = layer.decompress(data, CHUNK)
            while True:
                self._count(level, piece)
                self._push(level + 1, piece, out)
                if not layer.unconsumed_tail:
                    break
                piece = layer.decompress(layer.unconsumed_tail, CHUNK)
        except zlib.error as exc:
            raise FetchError(f"download from {self._url} is not valid compressed data: "
                             f"{exc}") from None

    def _count(self, level: int, piece: bytes) -> None:
        self._sizes[level] += len(piece)
        if self._sizes[level] > self._cap:
            raise FetchError(f"download from {self._url} passed the {self._cap:,}-byte cap "
                             "(HTTP_MAX_MB)")


def _final(exc: FetchError, attempt: int) -> FetchError:
    message = str(exc)
    if attempt > 1:
        message += f" (gave up after {attempt} attempts)"
    if exc.retry_after is not None:
        message += f" (server asked to retry after {exc.retry_after:.0f} s)"
    return FetchError(message, exc.status, exc.retry_after, exc.retryable)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
