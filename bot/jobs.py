"""Scheduled jobs on python-telegram-bot's JobQueue (APScheduler): one table, one scheduler.

Each row says what a job does, when it runs, whether a missed run is caught up at start and
whether it tries again soon when its source has not published yet. Every run is recorded in
`job_runs`; on start, jobs whose last success is older than their period run once (missed runs
after downtime are caught up once, not replayed).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from typing import TYPE_CHECKING, Any, Protocol

from bot.config import Config
from bot.delivery import DeliveryReport, send_reply
from bot.pipeline.arxiv_sync import date_first_versions, fetch_list_papers, sync_arxiv
from bot.pipeline.citations import refresh_citations
from bot.pipeline.digests import compose_digests
from bot.pipeline.list_sync import ListSyncStatus, sync_list
from bot.pipeline.scoring import score_unscored_off_loop
from bot.pipeline.suggestions import enqueue_suggestions, make_suggestions
from bot.render.html import esc
from bot.render.job_summary import job_title, readable_summary
from bot.render.reply import Reply
from bot.render.strings import t
from feeds.arxiv_calendar import EASTERN, feed_day, is_announcement_day
from feeds.arxiv_limiter import ARXIV_LIMITER, ArxivLimiter
from feeds.model import DigestMode, PollStatus
from storage import chats, job_runs, outbox
from storage.db import DB_ERRORS, Database, end_transaction, is_locked
from storage.lists import current_snapshot
from storage.outbox import OutboxStatus
from storage.writer import Writer

if TYPE_CHECKING:
    from telegram.ext import Application

    from bot.app import BotContext

log = logging.getLogger(__name__)
ARXIV_RETRY_MINUTES = 15
ARXIV_RETRIES = 12  # keep looking for the day's feed for three hours
LOCKED_RETRY_SECONDS = 60  # a job that met another process's write lock runs again this soon


class Sends(Protocol):
    """What the jobs need of a deliverer: one pass over the outbox."""

    async def deliver_pending(self) -> DeliveryReport:
        """Send what is due; say what was done."""
        ...


class HeldOutbox:
    """A deliverer that sends nothing (the offline console): what jobs queue stays in the
    outbox for the running bot or `papers-bot deliver`, and rows another process has on the
    wire are left alone."""

    async def deliver_pending(self) -> DeliveryReport:
        """Send nothing."""
        return DeliveryReport()


@dataclass
class Services:
    """What the jobs share: the database, settings, one arXiv limiter, the deliverer."""

    db: Database
    config: Config
    deliverer: Sends
    limiter: ArxivLimiter = field(default_factory=lambda: ARXIV_LIMITER)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    # One list poll and one arXiv poll at a time (a /refresh beside the scheduled poll): two
    # at once would both compare with the same stored version and both store the new one.
    list_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    arxiv_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    writer: Writer | None = None  # None: made for `db` on first use

    def writes(self) -> Writer:
        """The one writer for the database (writes that must not block the event loop)."""
        if self.writer is None:
            self.writer = Writer.for_db(self.db)
        return self.writer


@dataclass(frozen=True)
class Outcome:
    """What a job run came to: one line, and whether its source is still to publish."""

    summary: str
    waiting: bool = False  # e.g. the evening's arXiv feed is not out yet: look again soon
    failed: bool = False  # its source could not be read: a failed run (health counts it)
    locked: bool = False  # another process held the write lock: run again soon


async def poll_arxiv(services: Services) -> Outcome:
    """Fetch the day's arXiv feed, score new papers, queue instant digests, deliver."""
    async with services.arxiv_lock:
        report = await sync_arxiv(services.db, services.config, limiter=services.limiter)
        if report.storage:  # its one line said so; the steps below would only fail the same way
            return Outcome(report.summary(), waiting=report.waiting, failed=True)
        dated = await date_first_versions(services.db, services.config, services.clock(),
                                          limiter=services.limiter)
        scored = await score_unscored_off_loop(services.db, current_snapshot(services.db))
        composed = compose_digests(services.db, DigestMode.INSTANT, services.clock(),
                                   services.config.digest_papers_per_topic)
    delivered = await services.deliverer.deliver_pending()
    return Outcome(f"{report.summary()}; {dated}; {scored} scored; {composed} instant "
                   f"digests; {delivered.summary()}", waiting=report.waiting,
                   failed=report.status is PollStatus.ERROR)


async def poll_list(services: Services) -> Outcome:
    """Poll the list's README; list news goes out with the next digests."""
    async with services.list_lock:
        report = await sync_list(services.db, services.config)
        if report.status is ListSyncStatus.STORED:
            compose_digests(services.db, DigestMode.INSTANT, services.clock(),
                            services.config.digest_papers_per_topic)
        await services.deliverer.deliver_pending()
    return Outcome(report.summary(), failed=report.status is ListSyncStatus.ERROR)


async def send_digests(services: Services) -> Outcome:
    """Compose the daily (and on Mondays weekly) digests due this hour, then deliver."""
    now = services.clock()
    per_topic = services.config.digest_papers_per_topic
    daily = compose_digests(services.db, DigestMode.DAILY, now, per_topic)
    weekly = compose_digests(services.db, DigestMode.WEEKLY, now, per_topic)
    delivered = await services.deliverer.deliver_pending()
    return Outcome(f"{daily} daily, {weekly} weekly digests; {delivered.summary()}")


async def citations(services: Services) -> Outcome:
    """Refresh citation counts of recent papers and rescore them (daily)."""
    return Outcome(await refresh_citations(services.db, services.config,
                                           current_snapshot(services.db), services.clock()))


async def list_papers(services: Services) -> Outcome:
    """Fetch the arXiv records of list entries the bot lacks (full author lists), once each."""
    snapshot = current_snapshot(services.db)
    ids = sorted({e.arxiv_id for e in snapshot.entries if e.arxiv_id})
    return Outcome(await fetch_list_papers(services.db, services.config, ids,
                                           limiter=services.limiter))


async def deliver(services: Services) -> Outcome:
    """Send whatever the outbox holds (resumes after a restart)."""
    return Outcome((await services.deliverer.deliver_pending()).summary())


async def suggest(services: Services) -> Outcome:
    """Make this week's suggestions and queue them for every maintainer."""
    made = make_suggestions(services.db, current_snapshot(services.db), services.clock(),
                            services.config.suggestions_per_week)
    queued = enqueue_suggestions(services.db, made, services.config.maintainer_ids)
    await services.deliverer.deliver_pending()
    return Outcome(f"{len(made)} suggestions, {queued} messages queued")


async def refresh(services: Services) -> Outcome:
    """Everything now: list, arXiv, scoring, instant digests, suggestions, delivery."""
    parts = [(await poll_list(services)).summary, (await poll_arxiv(services)).summary]
    made = make_suggestions(services.db, current_snapshot(services.db), services.clock(),
                            services.config.suggestions_per_week)
    queued = enqueue_suggestions(services.db, made, services.config.maintainer_ids)
    await services.deliverer.deliver_pending()
    parts.append(f"{len(made)} new suggestions ({queued} messages)")
    return Outcome("; ".join(parts))


@dataclass(frozen=True)
class Every:
    """Run every `period`, the first time after `first` (or at `first`, a datetime)."""

    period: timedelta
    first: timedelta | Callable[[Services], datetime]


@dataclass(frozen=True)
class Daily:
    """Run at a time of day on some weekdays (0 = Monday)."""

    at: dtime
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class Job:
    """One row of the job table."""

    name: str
    body: Callable[[Services], Awaitable[Outcome]]
    period: timedelta  # how often it should succeed (catch-up and health judge by this)
    schedule: Every | Daily | None = None  # None: only on demand (/refresh)
    catch_up: bool = False  # run once at start when the last success is older than `period`
    retry_while_waiting: bool = False  # on announcement evenings, look again while `waiting`


def _next_hour(services: Services) -> datetime:
    now = services.clock()
    return now.replace(minute=0, second=5, microsecond=0) + timedelta(hours=1)


def job_table(config: Config) -> tuple[Job, ...]:
    """Every job the bot runs (the list's poll period comes from the settings)."""
    list_every = timedelta(hours=config.list_poll_hours)
    return (
        Job("poll_list", poll_list, timedelta(hours=6),
            Every(list_every, timedelta(seconds=20))),
        Job("poll_arxiv", poll_arxiv, timedelta(days=1),
            Daily(dtime(20, 5, tzinfo=EASTERN), (0, 1, 2, 3, 4)), catch_up=True,
            retry_while_waiting=True),
        Job("digests", send_digests, timedelta(hours=1), Every(timedelta(hours=1), _next_hour)),
        Job("deliver", deliver, timedelta(seconds=30),
            Every(timedelta(seconds=30), timedelta(seconds=5))),
        Job("citations", citations, timedelta(days=1), Daily(dtime(6, 0, tzinfo=UTC)),
            catch_up=True),
        Job("list_papers", list_papers, timedelta(days=1),
            Every(timedelta(days=1), timedelta(minutes=2))),
        Job("suggestions", suggest, timedelta(days=7), Daily(dtime(9, 0, tzinfo=UTC), (1,)),
            catch_up=True),
        Job("refresh", refresh, timedelta(0)),
    )


async def run_recorded(services: Services, job: Job) -> Outcome:
    """Run a job body, log one line (what it did, how long) and record the run. A database
    that refuses writes (a full disk) fails the run in that one line, recorded if it can be:
    the job runs again at its next time, and works once there is room again."""
    started = time.monotonic()
    refused = False
    try:
        outcome = await job.body(services)
        ok = not outcome.failed
    except DB_ERRORS as exc:  # not a bug: no traceback (one with -v, from the error itself)
        end_transaction(services.db)
        ok = False
        if is_locked(exc):  # another process's write lock: soon again, not at the next time
            outcome = Outcome(f"failed: the database was locked by another process; trying "
                              f"again in {LOCKED_RETRY_SECONDS} s", failed=True, locked=True)
        else:  # a full disk, a read-only file
            outcome, refused = Outcome(f"failed: the database refused a write ({exc}); "
                                       "it runs again at its next time"), True
    except Exception as exc:  # a failing job must not stop the scheduler
        end_transaction(services.db)
        ok = False
        outcome = Outcome(f"failed: {type(exc).__name__}: {exc}")
        log.exception("job %s failed", job.name)
    seconds = time.monotonic() - started
    try:
        await services.writes().settle(
            lambda db: job_runs.record_run(db, job.name, ok, outcome.summary, seconds))
        unrecorded = ""
    except DB_ERRORS as exc:  # warned once: by the body's own failure line, if it had one
        refused = refused or ok
        unrecorded = f" (this run is not recorded: {exc})"
    log.log(logging.WARNING if refused else logging.INFO, "job %s: %s%s [%.2fs]", job.name,
            outcome.summary, unrecorded, seconds)
    return outcome


@dataclass(frozen=True)
class Scheduler:
    """The job table on one application's JobQueue."""

    app: Application[Any, Any, Any, Any, Any, Any]
    services: Services
    jobs: dict[str, Job]
    on_demand: set[str] = field(default_factory=set)  # jobs queued by run_now, not yet done

    def callback(self, job: Job) -> Callable[[BotContext], Awaitable[None]]:
        """The JobQueue callback that runs `job` (and what follows from its outcome)."""

        async def run(context: BotContext) -> None:
            data = context.job.data if context.job else None
            try:
                outcome = await run_recorded(self.services, job)
            finally:
                if isinstance(data, dict) and data.get("on_demand"):
                    self.on_demand.discard(job.name)
            if isinstance(data, dict) and data.get("reply_to"):
                await self._report(data["reply_to"], job, outcome)
            if outcome.locked:
                self._queue().run_once(self.callback(job), LOCKED_RETRY_SECONDS, data=data,
                                       name=f"{job.name}_locked")
            elif job.retry_while_waiting and outcome.waiting:
                attempt = data.get("attempt", 0) if isinstance(data, dict) else 0
                self.retry_soon(job, attempt)

        run.__name__ = f"job_{job.name}"
        return run

    async def _report(self, chat_id: int, job: Job, outcome: Outcome) -> None:
        chat = chats.get_chat(self.services.db, chat_id)
        lang = chat.lang if chat else "en"
        text = t(lang, "job_report", job=esc(job_title(job.name, lang)),
                 summary=esc(readable_summary(outcome.summary, lang)))[:4000]
        await send_reply(self.app.bot, chat_id, Reply(text))

    def retry_soon(self, job: Job, attempt: int) -> bool:
        """On an announcement evening, look again in a while (at most ARXIV_RETRIES times)."""
        evening = feed_day(self.services.clock())  # the US/Eastern date of this 20:05 poll
        if not is_announcement_day(evening) or attempt >= ARXIV_RETRIES:
            return False
        self._queue().run_once(self.callback(job), timedelta(minutes=ARXIV_RETRY_MINUTES),
                               data={"attempt": attempt + 1}, name=f"{job.name}_retry")
        return True

    def schedule(self) -> None:
        """Put every scheduled job on the JobQueue, then catch up what was missed."""
        queue = self._queue()
        for job in self.jobs.values():
            if isinstance(job.schedule, Every):
                first = job.schedule.first
                start = first if isinstance(first, timedelta) else first(self.services)
                queue.run_repeating(self.callback(job), job.schedule.period, first=start,
                                    name=job.name)
            elif isinstance(job.schedule, Daily):
                queue.run_daily(self.callback(job), job.schedule.at, days=job.schedule.days,
                                name=job.name)
        self.catch_up()

    def catch_up(self) -> None:
        """Run once now every job whose last success is older than its period."""
        runs = job_runs.last_runs(self.services.db)
        now = self.services.clock()
        for job in self.jobs.values():
            if not job.catch_up:
                continue
            age = job_runs.age_seconds(runs[job.name].last_ok_at if job.name in runs else None,
                                       now)
            if age is not None and age > job.period.total_seconds():
                self._queue().run_once(self.callback(job), timedelta(seconds=30),
                                       name=f"{job.name}_catchup")
                log.info("catching up %s (last success %.1f hours ago)", job.name, age / 3600)
        if outbox.counts(self.services.db).get(OutboxStatus.PENDING):
            self.run_now("deliver", delay=1.0, label="resume")

    def busy(self, name: str) -> bool:
        """True while a run of this job asked for by run_now is queued or running."""
        return name in self.on_demand

    def run_now(self, name: str, reply_to: int | None = None, delay: float = 0.0,
                label: str = "now") -> bool:
        """Queue a job to run at once (e.g. /refresh), reporting back to a chat; False (and
        nothing queued) while an earlier run_now of it is still queued or running."""
        if self.busy(name):
            return False
        self.on_demand.add(name)
        self._queue().run_once(self.callback(self.jobs[name]), delay,
                               data={"reply_to": reply_to, "on_demand": True},
                               name=f"{name}_{label}")
        return True

    def _queue(self) -> Any:
        queue = self.app.job_queue
        if queue is None:
            raise RuntimeError("python-telegram-bot was installed without its job-queue extra")
        return queue
