"""Scheduled jobs on python-telegram-bot's JobQueue (APScheduler): one scheduler, one line each.

Every job records its run in `job_runs`; on start, jobs whose last success is older than their
period run once (missed runs after downtime are caught up once, not replayed).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime

import sqlite_utils
from telegram.ext import Application, ContextTypes

from bot.compose import compose_digests
from bot.config import Config
from bot.delivery import Deliverer
from bot.ingest import fetch_list_papers, sync_arxiv
from bot.list_watch import current_snapshot, sync_list
from bot.maintainers import enqueue_suggestions, make_suggestions
from bot.scoring import refresh_citations, score_unscored
from feeds.arxiv_calendar import EASTERN, feed_day, is_announcement_day
from feeds.arxiv_limiter import ARXIV_LIMITER, ArxivLimiter
from storage import job_runs, outbox

log = logging.getLogger(__name__)
ARXIV_RETRY_MINUTES = 15
ARXIV_RETRIES = 12  # keep looking for the day's feed for three hours


@dataclass
class Services:
    """What the jobs share: the database, settings, one arXiv limiter, the deliverer."""

    db: sqlite_utils.Database
    config: Config
    deliverer: Deliverer
    limiter: ArxivLimiter = field(default_factory=lambda: ARXIV_LIMITER)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)


async def run_recorded(
    services: Services, name: str, work: Callable[[], Awaitable[str]]
) -> str:
    """Run a job body, log one line (what it did, how long) and record the run."""
    started = time.monotonic()
    try:
        summary, ok = await work(), True
    except Exception as exc:  # a failing job must not stop the scheduler
        summary, ok = f"failed: {type(exc).__name__}: {exc}", False
        log.exception("job %s failed", name)
    seconds = time.monotonic() - started
    job_runs.record_run(services.db, name, ok, summary, seconds)
    log.info("job %s: %s [%.2fs]", name, summary, seconds)
    return summary


async def poll_arxiv(services: Services) -> str:
    """Fetch the day's arXiv feed, score new papers, queue instant digests, deliver."""
    report = await sync_arxiv(services.db, services.config, limiter=services.limiter)
    scored = score_unscored(services.db, current_snapshot(services.db))
    composed = compose_digests(services.db, "instant", services.clock())
    delivered = await services.deliverer.deliver_pending()
    return (f"{report.summary()}; {scored} scored; {composed} instant digests; "
            f"{delivered.summary()}")


async def poll_list(services: Services) -> str:
    """Poll the list's README; list news goes out with the next digests."""
    report = await sync_list(services.db, services.config)
    if report.status == "stored":
        compose_digests(services.db, "instant", services.clock())
        await services.deliverer.deliver_pending()
    return report.summary()


async def send_digests(services: Services) -> str:
    """Compose the daily (and on Mondays weekly) digests due this hour, then deliver."""
    now = services.clock()
    daily = compose_digests(services.db, "daily", now)
    weekly = compose_digests(services.db, "weekly", now)
    delivered = await services.deliverer.deliver_pending()
    return f"{daily} daily, {weekly} weekly digests; {delivered.summary()}"


async def citations(services: Services) -> str:
    """Refresh citation counts of recent papers and rescore them (daily)."""
    return await refresh_citations(services.db, services.config,
                                   current_snapshot(services.db), services.clock())


async def list_papers(services: Services) -> str:
    """Fetch the arXiv records of list entries the bot lacks (full author lists), once each."""
    snapshot = current_snapshot(services.db)
    ids = sorted({e.arxiv_id for e in snapshot.entries if e.arxiv_id})
    return await fetch_list_papers(services.db, services.config, ids, limiter=services.limiter)


async def deliver(services: Services) -> str:
    """Send whatever the outbox holds (resumes after a restart)."""
    return (await services.deliverer.deliver_pending()).summary()


async def suggest(services: Services) -> str:
    """Make this week's suggestions and queue them for every maintainer."""
    made = make_suggestions(services.db, current_snapshot(services.db), services.clock())
    queued = enqueue_suggestions(services.db, made, services.config.maintainer_ids)
    await services.deliverer.deliver_pending()
    return f"{len(made)} suggestions, {queued} messages queued"


async def refresh(services: Services) -> str:
    """Everything now: list, arXiv, scoring, instant digests, suggestions, delivery."""
    parts = [await poll_list(services), await poll_arxiv(services)]
    made = make_suggestions(services.db, current_snapshot(services.db), services.clock())
    queued = enqueue_suggestions(services.db, made, services.config.maintainer_ids)
    await services.deliverer.deliver_pending()
    parts.append(f"{len(made)} new suggestions ({queued} messages)")
    return "; ".join(parts)


JOBS: dict[str, tuple[Callable[[Services], Awaitable[str]], timedelta]] = {
    "poll_list": (poll_list, timedelta(hours=6)),
    "poll_arxiv": (poll_arxiv, timedelta(days=1)),
    "digests": (send_digests, timedelta(hours=1)),
    "deliver": (deliver, timedelta(seconds=30)),
    "citations": (citations, timedelta(days=1)),
    "list_papers": (list_papers, timedelta(days=1)),
    "suggestions": (suggest, timedelta(days=7)),
    "refresh": (refresh, timedelta(0)),
}


def _callback(name: str) -> Callable[[ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    async def callback(context: ContextTypes.DEFAULT_TYPE) -> None:
        services: Services = context.bot_data["services"]
        summary = await run_recorded(services, name, lambda: JOBS[name][0](services))
        data = context.job.data if context.job else None
        if isinstance(data, dict) and data.get("reply_to"):
            await context.bot.send_message(data["reply_to"], f"{name}: {summary}"[:4000])
        if name == "poll_arxiv":
            _maybe_retry_arxiv(context, services, summary)

    callback.__name__ = f"job_{name}"
    return callback


def _maybe_retry_arxiv(
    context: ContextTypes.DEFAULT_TYPE, services: Services, summary: str
) -> None:
    """On an announcement evening, look again until the day's feed has appeared."""
    attempt = (context.job.data or {}).get("attempt", 0) if context.job else 0
    evening = feed_day(services.clock())  # the US/Eastern date of this 20:05 poll
    waiting = "not_modified" in summary or "unchanged" in summary or "error" in summary
    if waiting and is_announcement_day(evening) and attempt < ARXIV_RETRIES:
        context.job_queue.run_once(
            _callback("poll_arxiv"), timedelta(minutes=ARXIV_RETRY_MINUTES),
            data={"attempt": attempt + 1}, name="poll_arxiv_retry",
        )


def schedule_jobs(app: Application, services: Services) -> None:
    """Put every recurring job on the application's JobQueue."""
    queue = app.job_queue
    app.bot_data["services"] = services
    list_every = timedelta(hours=services.config.list_poll_hours)
    queue.run_repeating(_callback("poll_list"), list_every, first=timedelta(seconds=20),
                        name="poll_list")
    queue.run_daily(_callback("poll_arxiv"), dtime(20, 5, tzinfo=EASTERN), days=(0, 1, 2, 3, 4),
                    name="poll_arxiv")
    queue.run_repeating(_callback("digests"), timedelta(hours=1), first=_next_hour(services),
                        name="digests")
    queue.run_repeating(_callback("deliver"), timedelta(seconds=30), first=timedelta(seconds=5),
                        name="deliver")
    queue.run_daily(_callback("suggestions"), dtime(9, 0, tzinfo=UTC), days=(1,),
                    name="suggestions")
    queue.run_daily(_callback("citations"), dtime(6, 0, tzinfo=UTC), name="citations")
    queue.run_repeating(_callback("list_papers"), timedelta(days=1),
                        first=timedelta(minutes=2), name="list_papers")
    _catch_up(app, services)


def _next_hour(services: Services) -> datetime:
    now = services.clock()
    return now.replace(minute=0, second=5, microsecond=0) + timedelta(hours=1)


def _catch_up(app: Application, services: Services) -> None:
    """Run once now every periodic job whose last success is older than its period."""
    runs = job_runs.last_runs(services.db)
    now = services.clock()
    for name in ("poll_arxiv", "suggestions", "citations"):
        period = JOBS[name][1]
        age = job_runs.age_seconds(runs[name].last_ok_at if name in runs else None, now)
        if age is not None and age > period.total_seconds():
            app.job_queue.run_once(_callback(name), timedelta(seconds=30), name=f"{name}_catchup")
            log.info("catching up %s (last success %.1f hours ago)", name, age / 3600)
    if outbox.counts(services.db).get("pending"):
        app.job_queue.run_once(_callback("deliver"), timedelta(seconds=1), name="deliver_resume")


def run_job_now(app: Application, name: str, reply_to: int | None = None) -> None:
    """Queue a job to run immediately (e.g. /refresh), reporting back to a chat."""
    app.job_queue.run_once(_callback(name), 0, data={"reply_to": reply_to}, name=f"{name}_now")
