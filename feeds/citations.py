"""Citation counts from the Semantic Scholar Graph API batch endpoint.

`POST {base}/paper/batch?fields=...` with `{"ids": ["ARXIV:1703.06870", ...]}` (at most 500 ids)
answers a JSON array in request order, `null` where the id is unknown. The parser is pure; the
fetcher backs off on 429 (honouring Retry-After) and on 5xx, and gives up on a chunk rather than on
the whole run: missing counts never block ranking.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from feeds.http import FetchError, parse_retry_after

log = logging.getLogger(__name__)

FIELDS = "citationCount,influentialCitationCount,year,publicationDate,externalIds"
BATCH_LIMIT = 500
MAX_WAIT = 300.0


@dataclass(frozen=True)
class CitationCount:
    """What the citation service knows about one arXiv paper (None: unknown to it)."""

    arxiv_id: str
    citations: int | None
    influential: int | None = None
    publication_date: str = ""  # YYYY-MM-DD when known
    fetched_at: str = ""


@dataclass(frozen=True)
class CitationFetch:
    """The outcome of a fetch: counts for the ids answered, and the ids that failed."""

    counts: tuple[CitationCount, ...]
    failed: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


def batch_url(base_url: str) -> str:
    """The batch endpoint under the configured API base URL."""
    return f"{base_url.rstrip('/')}/paper/batch"


def parse_batch(
    body: bytes | str, requested: Sequence[str], fetched_at: str = ""
) -> list[CitationCount]:
    """Pair a batch response with the arXiv ids requested, in order; null -> unknown counts."""
    data = json.loads(body)
    if not isinstance(data, list) or len(data) != len(requested):
        raise ValueError(f"expected a list of {len(requested)} records, got {type(data).__name__}")
    pairs = zip(requested, data, strict=True)
    return [_record(arxiv_id, item, fetched_at) for arxiv_id, item in pairs]


def _record(arxiv_id: str, item: Any, fetched_at: str) -> CitationCount:
    if not isinstance(item, Mapping):
        return CitationCount(arxiv_id, None, None, "", fetched_at)
    date = item.get("publicationDate") or (str(item["year"]) if item.get("year") else "")
    return CitationCount(
        arxiv_id=arxiv_id,
        citations=_int(item.get("citationCount")),
        influential=_int(item.get("influentialCitationCount")),
        publication_date=str(date),
        fetched_at=fetched_at,
    )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_citations_file(data: Any) -> dict[str, CitationCount]:
    """Read counts given by hand: {"id": 412}, {"id": {"citationCount": 412}} or S2 records."""
    if isinstance(data, Mapping):
        pairs = [(str(k), v if isinstance(v, Mapping) else {"citationCount": v})
                 for k, v in data.items()]
    elif isinstance(data, list):
        pairs = [((item.get("externalIds") or {}).get("ArXiv", ""), item)
                 for item in data if isinstance(item, Mapping)]
    else:
        raise ValueError("citations must be a JSON object or a list of records")
    return {arxiv_id: _record(arxiv_id, item, "") for arxiv_id, item in pairs if arxiv_id}


Sleep = Callable[[float], Awaitable[None]]


async def fetch_citations(
    client: httpx.AsyncClient,
    base_url: str,
    arxiv_ids: Sequence[str],
    api_key: str = "",
    fetched_at: str = "",
    retries: int = 4,
    sleep: Sleep = asyncio.sleep,
) -> CitationFetch:
    """Fetch counts in chunks of 500; a chunk that keeps failing is reported, not raised."""
    counts: list[CitationCount] = []
    failed: list[str] = []
    errors: list[str] = []
    for start in range(0, len(arxiv_ids), BATCH_LIMIT):
        chunk = list(arxiv_ids[start : start + BATCH_LIMIT])
        try:
            body = await post_batch(client, base_url, chunk, api_key, retries, sleep)
            counts.extend(parse_batch(body, chunk, fetched_at))
        except (FetchError, ValueError) as exc:
            reason = str(exc) if isinstance(exc, FetchError) else (
                f"unreadable answer from {batch_url(base_url)}: {exc}")  # FetchError names it
            log.warning("citations: %d ids skipped: %s", len(chunk), reason)
            failed.extend(chunk)
            errors.append(reason)
    return CitationFetch(tuple(counts), tuple(failed), tuple(errors))


async def post_batch(
    client: httpx.AsyncClient,
    base_url: str,
    arxiv_ids: Sequence[str],
    api_key: str = "",
    retries: int = 4,
    sleep: Sleep = asyncio.sleep,
) -> bytes:
    """POST one batch; wait and retry on 429/5xx/network errors; raise FetchError at the end."""
    url = batch_url(base_url)
    headers = {"x-api-key": api_key} if api_key else {}
    payload = {"ids": [f"ARXIV:{i}" for i in arxiv_ids]}
    for attempt in range(retries + 1):
        try:
            return await _post_once(client, url, payload, headers)
        except FetchError as error:
            if not _retryable(error) or attempt == retries:
                raise
            wait = error.retry_after if error.retry_after is not None else 2.0**attempt
            await sleep(min(MAX_WAIT, wait))
    raise AssertionError("unreachable")


async def _post_once(
    client: httpx.AsyncClient, url: str, payload: dict[str, Any], headers: dict[str, str]
) -> bytes:
    """One POST: the body on 200, else FetchError (status None for network errors)."""
    try:
        response = await client.post(url, params={"fields": FIELDS}, json=payload,
                                     headers=headers)
    except httpx.HTTPError as exc:
        raise FetchError(f"network error posting to {url}: {type(exc).__name__}: {exc}") from None
    if response.status_code == 200:
        return response.content
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    raise FetchError(f"HTTP {response.status_code} from {url}", response.status_code, retry_after)


def _retryable(error: FetchError) -> bool:
    """Rate limits, server errors and network errors are worth another try; 4xx are not."""
    return error.status is None or error.status == 429 or error.status >= 500
