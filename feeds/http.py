"""Conditional HTTP GET with one-line errors: the only place feeds touch the network."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

USER_AGENT = "awesome-papers-bot/0.1 (+https://github.com/terryum/awesome-deep-learning-papers)"


@dataclass(frozen=True)
class FetchResult:
    """A response worth acting on: 200 with a body, or 304 Not Modified."""

    status: int
    body: bytes
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """True when the server answered 304."""
        return self.status == 304


class FetchError(Exception):
    """A fetch failed; str() is one line that names the URL and the cause."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


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
        headers={"User-Agent": USER_AGENT},
        follow_redirects=True,
        timeout=httpx.Timeout(timeout),
    )


async def fetch_conditional(
    client: httpx.AsyncClient,
    url: str,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float | None = None,  # noqa: ASYNC109 - httpx applies it per request
) -> FetchResult:
    """GET `url` with If-None-Match/If-Modified-Since; raise FetchError on any failure."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    kwargs = {"timeout": timeout} if timeout is not None else {}
    try:
        response = await client.get(url, headers=headers, **kwargs)
    except httpx.TimeoutException:
        raise FetchError(f"timeout fetching {url}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"network error fetching {url}: {type(exc).__name__}: {exc}") from None
    if response.status_code == 304:
        return FetchResult(304, b"", etag, last_modified)
    if response.status_code >= 400 or response.status_code < 200:
        retry = parse_retry_after(response.headers.get("Retry-After"))
        raise FetchError(
            f"HTTP {response.status_code} from {url}", response.status_code, retry
        )
    return FetchResult(
        response.status_code,
        response.content,
        response.headers.get("ETag"),
        response.headers.get("Last-Modified"),
    )


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
