"""Bring arXiv papers in: the daily RSS announcement, and a resumable backfill from the API."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import httpx
from tqdm import tqdm

from bot.config import Config
from bot.pipeline import batches
from feeds.arxiv_api import ApiPage, api_query_url, parse_arxiv_api
from feeds.arxiv_calendar import describe_quiet_day, feed_day, next_announcement, quiet_reason
from feeds.arxiv_limiter import ARXIV_LIMITER, ArxivLimiter
from feeds.arxiv_rss import FeedError, RssFeed, parse_arxiv_rss
from feeds.http import ARXIV_POLICY, FetchError, FetchResult, RetryPolicy, client_or_new, get
from feeds.model import Paper, PollStatus
from storage import arxiv_polls, papers
from storage.arxiv_polls import BackfillCursor, FeedPoll
from storage.db import DB_ERRORS, Database
from storage.papers import StoreReport, store_papers

logger = logging.getLogger(__name__)

# Failures that are part of life: logged as one line and recorded, never raised.
EXPECTED_ERRORS: tuple[type[Exception], ...] = (FetchError, FeedError, *DB_ERRORS)


@dataclass(frozen=True)
class ArxivSyncReport:
    """The outcome of one RSS poll."""

    status: PollStatus
    url: str = ""
    items: int = 0
    new: int = 0
    replaced: int = 0
    cross: int = 0
    skipped: int = 0
    reason: str = ""  # weekend | holiday, when there was no announcement
    message: str = ""
    next_announcement: datetime | None = None
    storage: bool = False  # the database refused the papers (a full disk): so it will the rest

    @property
    def waiting(self) -> bool:
        """The day's feed has not been read yet (unchanged since the last poll, or failed)."""
        return self.status in (PollStatus.NOT_MODIFIED, PollStatus.ERROR)

    def summary(self) -> str:
        """Say in one line what the poll did."""
        if self.status is PollStatus.OK:
            return (
                f"arXiv: {self.new} new, {self.replaced} replaced, {self.cross} cross, "
                f"{self.skipped} skipped"
            )
        if self.status is PollStatus.NO_ANNOUNCEMENT:
            return f"arXiv: no announcement ({self.reason})"
        if self.status is PollStatus.NOT_MODIFIED:
            return "arXiv: feed unchanged since the last check"
        return f"arXiv: error: {self.message}"


async def sync_arxiv(
    db: Database,
    config: Config,
    *,
    client: httpx.AsyncClient | None = None,
    limiter: ArxivLimiter | None = None,
    now: datetime | None = None,
    policy: RetryPolicy | None = None,
    next_step: str | None = "trying again at the next poll",
) -> ArxivSyncReport:
    """Fetch the arXiv RSS politely, store its papers once and record the poll; never raise.
    A failure is logged in one line with `next_step`, unless the caller prints the summary
    itself (next_step None: `papers-bot sync`, so it is told once)."""
    now = now or datetime.now(UTC)
    url = config.arxiv_rss_url
    result: FetchResult | None = None
    try:
        etag, last_modified = arxiv_polls.last_validators(db, url)
        async with client_or_new(client, config.http_timeout) as http:
            result = await get(
                http, url, etag=etag, last_modified=last_modified, timeout=config.http_timeout,
                limiter=limiter or ARXIV_LIMITER, policy=policy or ARXIV_POLICY,
                limits=config.download_limits,
            )
        # The parse is pure CPU (a 20 MB feed takes seconds): in a worker thread, so replies
        # keep flowing; storing stays on this thread with the database, in short batches.
        feed = None if result.not_modified else await asyncio.to_thread(parse_arxiv_rss,
                                                                          result.body)
        report = await _ingest_rss(db, feed, url, now)
    except EXPECTED_ERRORS as exc:
        report = ArxivSyncReport(PollStatus.ERROR, url, message=_one_line(exc),
                                 storage=isinstance(exc, DB_ERRORS))
        if next_step is not None:
            logger.warning("arXiv sync of %s failed: %s; %s", url, report.message, next_step)
        result = None
    except Exception as exc:  # a bug must not kill the scheduler; it is logged with its trace
        report = ArxivSyncReport(PollStatus.ERROR, url,
                                 message=f"{type(exc).__name__}: {_one_line(exc)}")
        logger.exception("arXiv sync of %s crashed", url)
        result = None
    _record(db, report, result)
    return report


async def _ingest_rss(
    db: Database, feed: RssFeed | None, url: str, now: datetime
) -> ArxivSyncReport:
    upcoming = next_announcement(now)
    if feed is None:  # 304 Not Modified
        return ArxivSyncReport(PollStatus.NOT_MODIFIED, url, next_announcement=upcoming)
    day = feed.pub_date or feed_day(now)
    if feed.empty:
        message = describe_quiet_day(day, upcoming)
        logger.info("arXiv: %s", message)
        return ArxivSyncReport(
            PollStatus.NO_ANNOUNCEMENT, url, reason=quiet_reason(day), message=message,
            next_announcement=upcoming,
        )
    stored = await store_in_batches(db, feed.papers, day)
    if feed.bad_items:
        logger.warning("arXiv: %d item(s) of %s skipped, the rest stored: %s",
                       len(feed.bad_items), url, feed.bad_items[0])
    return ArxivSyncReport(
        PollStatus.OK, url, items=len(feed.papers), new=stored.new, replaced=stored.replaced,
        cross=stored.cross, skipped=stored.skipped, next_announcement=upcoming,
    )


async def store_in_batches(db: Database, found: Sequence[Paper], day: date) -> StoreReport:
    """Store a listing STORE_BATCH papers per transaction, letting the loop answer between
    them (a 12,935-item day in one transaction held replies for seconds). An interrupted
    store keeps what it stored; the feed's validators are recorded only after the last batch,
    so the next poll reads the feed again and stores the rest."""
    newest = list(papers.newest_per_id(found).values())
    total = StoreReport()
    for start in range(0, len(newest), batches.STORE_BATCH):
        if start:
            await batches.breathe()
        total += store_papers(db, newest[start : start + batches.STORE_BATCH], announced=day)
    return total


def _record(db: Database, report: ArxivSyncReport, result: FetchResult | None) -> None:
    poll = FeedPoll(
        url=report.url, status=report.status, items=report.items, new=report.new,
        replaced=report.replaced, cross=report.cross, skipped=report.skipped,
        message=report.message,
        # Validators only after a body was fully handled: a failed store refetches next time.
        etag=result.etag if result else None,
        last_modified=result.last_modified if result else None,
    )
    try:
        arxiv_polls.record_poll(db, poll)
    except DB_ERRORS as exc:  # after a failed sync its warning said it all (a full disk)
        level = logging.DEBUG if report.status is PollStatus.ERROR else logging.WARNING
        logger.log(level, "arXiv poll of %s not recorded: %s", report.url, _one_line(exc))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


@dataclass(frozen=True)
class BackfillReport:
    """The outcome of one backfill run."""

    query: str
    since: date
    pages: int = 0
    fetched: int = 0
    new: int = 0
    replaced: int = 0
    skipped: int = 0
    next_start: int = 0
    done: bool = False
    error: str = ""

    def summary(self) -> str:
        """Say in one line what the backfill did."""
        state = "complete" if self.done else f"paused at result {self.next_start}"
        line = (
            f"backfill {self.query} since {self.since}: {self.pages} pages, {self.new} new, "
            f"{self.replaced} replaced, {self.skipped} skipped; {state}"
        )
        return f"{line}; error: {self.error} (rerun to continue)" if self.error else line


def backfill_query(categories: tuple[str, ...] | list[str]) -> str:
    """Return the API search query for papers in any of `categories`."""
    return " OR ".join(f"cat:{category}" for category in categories)


@dataclass
class _Run:
    """One backfill in progress: its settings, its cursor and what it has done so far."""

    db: Database
    config: Config
    limiter: ArxivLimiter | None
    policy: RetryPolicy | None
    page_size: int
    max_pages: int | None
    cursor: BackfillCursor
    report: BackfillReport

    def more(self) -> bool:
        """True while there are pages left to fetch in this run."""
        capped = self.max_pages is not None and self.report.pages >= self.max_pages
        return not self.cursor.done and not capped


async def backfill(
    db: Database,
    config: Config,
    since: date,
    categories: tuple[str, ...] | list[str] | None = None,
    *,
    client: httpx.AsyncClient | None = None,
    limiter: ArxivLimiter | None = None,
    policy: RetryPolicy | None = None,
    page_size: int = 100,
    max_pages: int | None = None,
    progress: bool = True,
    restart: bool = False,
) -> BackfillReport:
    """Page through the API newest first down to `since`, resumably; errors end in the report."""
    query = backfill_query(tuple(categories or config.arxiv_categories))
    cursor = arxiv_polls.load_cursor(db, query, since.isoformat())
    if restart:
        cursor = BackfillCursor(query, since.isoformat())
    report = BackfillReport(query, since, next_start=cursor.next_start, done=cursor.done)
    run = _Run(db, config, limiter, policy, page_size, max_pages, cursor, report)
    if not run.more():
        return run.report
    bar = tqdm(
        initial=cursor.next_start, unit="paper", desc="arXiv backfill", file=sys.stderr,
        disable=not progress, dynamic_ncols=True,
    )
    try:
        async with client_or_new(client, config.http_timeout) as http:
            while run.more():
                _store_page(run, await _fetch_page(run, http))
                bar.update(run.report.next_start - bar.n)
    except EXPECTED_ERRORS as exc:
        run.report = replace(run.report, error=_one_line(exc))
        logger.warning("arXiv backfill of %s stopped: %s", query, run.report.error)
    finally:
        bar.close()
    return run.report


async def _fetch_page(run: _Run, http: httpx.AsyncClient, empty_retries: int = 2) -> ApiPage:
    """Fetch the cursor's page; the API sometimes answers a page empty, so ask again a little."""
    url = api_query_url(run.config.arxiv_api_url, run.cursor.query, run.cursor.next_start,
                        run.page_size)
    for _ in range(empty_retries + 1):
        fetched = await get(
            http, url, timeout=run.config.http_timeout, limiter=run.limiter or ARXIV_LIMITER,
            policy=run.policy or ARXIV_POLICY, limits=run.config.download_limits,
        )
        page = parse_arxiv_api(fetched.body)
        if page.papers or page.start_index >= page.total_results:
            return page
    raise FeedError(f"arXiv API kept answering an empty page for {url}")


def _store_page(run: _Run, page: ApiPage) -> None:
    fresh = [paper for paper in page.papers if paper.published >= run.cursor.since]
    stored = store_papers(run.db, fresh, announced=None) if fresh else StoreReport()
    next_start = run.cursor.next_start + len(page.papers)
    done = len(fresh) < len(page.papers) or not page.papers or next_start >= page.total_results
    run.cursor = replace(
        run.cursor, next_start=next_start, stored=run.cursor.stored + len(fresh), done=done
    )
    # Saved after the papers: an interruption refetches a page, never skips one.
    arxiv_polls.save_cursor(run.db, run.cursor)
    old = run.report
    run.report = replace(
        old, pages=old.pages + 1, fetched=old.fetched + len(page.papers),
        new=old.new + stored.new + stored.cross, replaced=old.replaced + stored.replaced,
        skipped=old.skipped + stored.skipped, next_start=next_start, done=done,
    )


ID_CHUNK = 100  # ids per API request (one request every 3 s, through the limiter)
FIRST_VERSION_LOOKUPS = 500  # undated papers looked up per poll


async def _fetch_by_ids(
    db: Database, config: Config, ids: list[str], client: httpx.AsyncClient | None,
    limiter: ArxivLimiter | None,
) -> StoreReport:
    """Store the API records of these ids (chunked), adding up what was stored; raises."""
    total = StoreReport()
    async with client_or_new(client, config.http_timeout) as http:
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            url = api_query_url(config.arxiv_api_url, "", 0, len(chunk), id_list=chunk)
            result = await get(http, url, timeout=config.http_timeout,
                               limiter=limiter or ARXIV_LIMITER, policy=ARXIV_POLICY,
                               limits=config.download_limits)
            total += store_papers(db, parse_arxiv_api(result.body).papers)
    return total


async def fetch_list_papers(
    db: Database, config: Config, arxiv_ids: list[str], *,
    client: httpx.AsyncClient | None = None, limiter: ArxivLimiter | None = None,
) -> str:
    """Fetch the arXiv records (full author lists) of list entries not stored yet; never raise.

    The README names first authors only; the ranker learns the list's authors from these.
    They are stored like backfilled papers (not announced, so never in a digest).
    """
    missing = sorted(set(arxiv_ids) - papers.stored_ids(db, arxiv_ids))
    try:
        stored = (await _fetch_by_ids(db, config, missing, client, limiter)).new
    except EXPECTED_ERRORS as exc:
        logger.warning("list papers from the arXiv API failed: %s", _one_line(exc))
        return f"list papers: 0 of {len(missing)} missing fetched; failed: {_one_line(exc)}"
    return f"list papers: {len(arxiv_ids) - len(missing)} known, {stored} fetched"


async def date_first_versions(
    db: Database, config: Config, now: datetime, *, client: httpx.AsyncClient | None = None,
    limiter: ArxivLimiter | None = None,
) -> str:
    """Look up the first version's date of replacements first seen lately; never raise.

    The RSS dates a replacement by the day of its new version; the API's `published` is the
    first version's. A paper the API does not answer for keeps an unknown date (never "new").
    """
    since = (now - timedelta(days=7)).replace(microsecond=0).isoformat()
    undated = papers.undated_ids(db, since, FIRST_VERSION_LOOKUPS)
    if not undated:
        return "first versions: none to date"
    try:
        await _fetch_by_ids(db, config, undated, client, limiter)
    except EXPECTED_ERRORS as exc:
        logger.warning("first versions from the arXiv API failed: %s", _one_line(exc))
        return f"first versions: {len(undated)} to date; failed: {_one_line(exc)}"
    left = len(papers.undated_ids(db, since, FIRST_VERSION_LOOKUPS))
    return f"first versions: {len(undated) - left} of {len(undated)} dated"
