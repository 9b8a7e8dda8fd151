"""Citation counts from the citation API (Semantic Scholar's batch endpoint), then rescoring.

Chunks of 500 ids; a chunk that keeps failing is reported and retried at the next run, never
raised: missing counts never block ranking or a digest. The same answers list each paper's
authors, whose earlier records are refreshed (bot/pipeline/author_impact.py) before rescoring.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

import httpx

from bot.config import Config
from bot.pipeline.author_impact import refresh_author_impact
from bot.pipeline.scoring import score_papers_off_loop
from feeds.citations import (
    BATCH_LIMIT,
    FIELDS,
    CitationFetch,
    batch_payload,
    batch_url,
    parse_batch,
    parse_paper_authors,
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
from feeds.model import CitationCount, ListSnapshot, PaperAuthor
from storage import author_impact as author_store
from storage import citations as citation_store
from storage import papers
from storage.db import Database

log = logging.getLogger(__name__)
RECENT_DAYS = 183


async def fetch_citations(
    client: httpx.AsyncClient,
    base_url: str,
    arxiv_ids: Sequence[str],
    api_key: str = "",
    fetched_at: str = "",
    policy: RetryPolicy = CITATIONS_POLICY,
    sleep: Sleep = asyncio.sleep,
    limits: Limits = DEFAULT_LIMITS,
) -> CitationFetch:
    """Fetch counts and authors in chunks of 500; a chunk that keeps failing is reported."""
    counts: list[CitationCount] = []
    authors: dict[str, tuple[PaperAuthor, ...]] = {}
    failed: list[str] = []
    errors: list[str] = []
    url = batch_url(base_url)
    headers = {"x-api-key": api_key} if api_key else {}
    for start in range(0, len(arxiv_ids), BATCH_LIMIT):
        chunk = list(arxiv_ids[start : start + BATCH_LIMIT])
        try:
            result = await post_json(client, url, batch_payload(chunk), params={"fields": FIELDS},
                                     headers=headers, policy=policy, sleep=sleep, limits=limits)
            counts.extend(parse_batch(result.body, chunk, fetched_at))
            authors.update(parse_paper_authors(result.body, chunk))
        except (FetchError, ValueError) as exc:
            reason = str(exc) if isinstance(exc, FetchError) else (
                f"unreadable answer from {url}: {exc}")  # FetchError names it
            log.warning("citations: %d ids skipped: %s", len(chunk), reason)
            failed.extend(chunk)
            errors.append(reason)
    return CitationFetch(tuple(counts), tuple(failed), tuple(errors), authors)


async def refresh_citations(
    db: Database, config: Config, snapshot: ListSnapshot, now: datetime,
    client: httpx.AsyncClient | None = None, limit: int = 5000,
) -> str:
    """Refresh citation counts of papers under six months old and their authors; rescore."""
    since = (now - timedelta(days=RECENT_DAYS)).date().isoformat()
    ids = papers.recent_ids(db, since, limit)
    stale = citation_store.stale_ids(db, ids, now)
    ask = stale + _without_authors(db, ids, set(stale))
    fetched = CitationFetch(())
    async with client_or_new(client, config.http_timeout) as http:
        if ask:
            fetched = await fetch_citations(http, config.citations_api_url, ask,
                                            config.citations_api_key, now.isoformat(),
                                            limits=config.download_limits)
            citation_store.save_citations(db, fetched.counts)
            author_store.save_paper_authors(db, fetched.authors, now.isoformat())
        if ask and len(fetched.failed) == len(ask):
            authors = "author impact: not asked, the citation API did not answer"
        else:
            authors = await refresh_author_impact(db, config, ids, now, http)
    counts = citation_store.get_citations(db, ids)
    found = list(papers.get_papers(db, list(counts)).values())
    ranked = await score_papers_off_loop(db, found, snapshot, counts, now.date())
    failed = len(fetched.failed)
    return (f"citations: {len(ids)} recent papers, {len(ask) - failed} refreshed, "
            f"{failed} failed (kept for the next run), {len(ranked)} rescored; {authors}")


def _without_authors(db: Database, ids: Sequence[str], asked: set[str]) -> list[str]:
    """Papers the API knows whose authors were never stored (counts fetched before they were)."""
    missing = [i for i in author_store.papers_without_authors(db, ids) if i not in asked]
    known = citation_store.get_citations(db, missing)
    return [i for i in missing if i in known and known[i].citations is not None]
