"""Authors' earlier records from the citation API (Semantic Scholar's author batch endpoint).

The author ids come from the paper batch the citations job asks anyway (stored per paper by
bot/pipeline/citations.py). Ids never fetched, or fetched over 30 days ago, are asked in chunks
of 1000. Once a chunk fails (429s that do not stop, 403, 5xx, an unreadable answer), the rest
wait for the next run: one warning, nothing raised, ranking and digests go on without them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime

import httpx

from bot.config import Config
from feeds.author_impact import (
    AUTHOR_BATCH_LIMIT,
    AUTHOR_FIELDS,
    AuthorFetch,
    author_batch_payload,
    author_batch_url,
    parse_author_batch,
)
from feeds.http import (
    CITATIONS_POLICY,
    DEFAULT_LIMITS,
    FetchError,
    Limits,
    RetryPolicy,
    Sleep,
    client_or_new,
    post_json,
)
from feeds.model import AuthorImpact
from storage import author_impact as author_store
from storage.db import Database

log = logging.getLogger(__name__)


async def fetch_author_impacts(
    client: httpx.AsyncClient,
    base_url: str,
    author_ids: Sequence[str],
    api_key: str = "",
    as_of: str = "",
    policy: RetryPolicy = CITATIONS_POLICY,
    sleep: Sleep = asyncio.sleep,
    limits: Limits = DEFAULT_LIMITS,
) -> AuthorFetch:
    """Fetch records in chunks of 1000; from the first chunk that fails on, report, not raise."""
    found: list[AuthorImpact] = []
    unknown: list[str] = []
    failed: list[str] = []
    errors: list[str] = []
    url = author_batch_url(base_url)
    headers = {"x-api-key": api_key} if api_key else {}
    for start in range(0, len(author_ids), AUTHOR_BATCH_LIMIT):
        chunk = list(author_ids[start : start + AUTHOR_BATCH_LIMIT])
        if failed:  # the service is down or refuses us: the rest wait, unasked
            failed.extend(chunk)
            continue
        try:
            result = await post_json(client, url, author_batch_payload(chunk),
                                     params={"fields": AUTHOR_FIELDS}, headers=headers,
                                     policy=policy, sleep=sleep, limits=limits)
            answers = parse_author_batch(result.body, chunk, as_of)
        except (FetchError, ValueError) as exc:
            errors.append(_reason(exc, url, api_key))
            failed.extend(chunk)
            continue
        found.extend(a for a in answers if a is not None)
        unknown.extend(i for i, a in zip(chunk, answers, strict=True) if a is None)
    if failed:
        log.warning("author impact: %d author ids skipped (asked again next run): %s",
                    len(failed), errors[0])
    return AuthorFetch(tuple(found), tuple(unknown), tuple(failed), tuple(errors))


def _reason(exc: Exception, url: str, api_key: str) -> str:
    if not isinstance(exc, FetchError):
        return f"unreadable answer from {url}: {exc}"  # a FetchError names the URL itself
    hint = " (refused: is CITATIONS_API_KEY right?)" if exc.status == 403 and api_key else ""
    return f"{exc}{hint}"


async def refresh_author_impact(
    db: Database, config: Config, arxiv_ids: Sequence[str], now: datetime,
    client: httpx.AsyncClient | None = None,
) -> str:
    """Refresh the records of these papers' authors that are missing or stale; one-line summary."""
    listed = author_store.paper_authors(db, arxiv_ids)
    names = {a.author_id: a.name for authors in listed.values() for a in authors}
    stale = author_store.stale_author_ids(db, list(names), now)
    fetched = AuthorFetch(())
    if stale:
        as_of = now.date().isoformat()
        async with client_or_new(client, config.http_timeout) as http:
            fetched = await fetch_author_impacts(http, config.citations_api_url, stale,
                                                 config.citations_api_key, as_of,
                                                 limits=config.download_limits)
        unknown = [AuthorImpact(names[i], None, None, None, as_of, i) for i in fetched.unknown]
        author_store.save_author_impacts(db, [*fetched.records, *unknown], now.isoformat())
    return (f"author impact: {len(names)} authors of {len(listed)} papers, "
            f"{len(stale) - len(fetched.failed)} asked, {len(fetched.unknown)} unknown to the "
            f"API, {len(fetched.failed)} skipped (asked again next run)")
