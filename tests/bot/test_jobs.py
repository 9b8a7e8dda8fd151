"""The scheduler: every job on the one JobQueue, catch-up after downtime, one line per run."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta

from bot.app import build_application
from bot.config import Config
from bot.jobs import (
    ARXIV_RETRY_MINUTES,
    LOCKED_RETRY_SECONDS,
    Job,
    Outcome,
    Scheduler,
    Services,
    run_recorded,
)
from bot.pipeline.arxiv_sync import ArxivSyncReport
from bot.pipeline.list_sync import seed_bundled
from feeds.arxiv_calendar import EASTERN
from feeds.model import PollStatus
from storage import job_runs
from storage.db import limit_lock_wait, open_db
from tests.support.fakebotapi import FakeBotApi


def app_for(api: FakeBotApi, db):
    config = Config.from_env({"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url})
    return build_application(config, db)


def scheduled(app) -> set[str]:
    return {job.name for job in app.job_queue.jobs()}


async def test_every_job_is_on_the_one_job_queue() -> None:
    with FakeBotApi() as api:
        db = open_db()
        seed_bundled(db)
        app = app_for(api, db)
        async with app:
            await app.job_queue.start()
            assert {"poll_list", "poll_arxiv", "digests", "deliver", "suggestions",
                    "citations"} <= scheduled(app)
            arxiv = next(j for j in app.job_queue.jobs() if j.name == "poll_arxiv")
            when = arxiv.next_t.astimezone(EASTERN)
            assert (when.hour, when.minute) == (20, 5) and when.weekday() in (6, 0, 1, 2, 3)
            await app.job_queue.stop()


async def test_missed_runs_are_caught_up_once() -> None:
    with FakeBotApi() as api:
        db = open_db()
        seed_bundled(db)
        job_runs.record_run(db, "poll_arxiv", True, "ok", 1.0)
        job_runs.record_run(db, "suggestions", True, "ok", 1.0)
        long_ago = (datetime.now(UTC) - timedelta(days=9)).replace(microsecond=0).isoformat()
        db.execute("update job_runs set last_ok_at = ?", [long_ago])
        app = app_for(api, db)
        assert {"poll_arxiv_catchup", "suggestions_catchup"} <= scheduled(app)
        fresh = open_db()
        seed_bundled(fresh)
        job_runs.record_run(fresh, "poll_arxiv", True, "ok", 1.0)
        assert not any(name.endswith("_catchup") for name in scheduled(app_for(api, fresh)))


async def test_a_job_run_is_one_log_line_and_recorded(caplog) -> None:
    db = open_db()

    async def work(services: Services) -> Outcome:
        return Outcome("3 new")

    async def broken(services: Services) -> Outcome:
        raise RuntimeError("disk full")

    services = Services(db, Config.from_env({}), deliverer=None)  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO, logger="bot.jobs"):
        done = await run_recorded(services, Job("poll_arxiv", work, timedelta(days=1)))
        assert done == Outcome("3 new")
        await run_recorded(services, Job("poll_list", broken, timedelta(hours=6)))
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert lines[0].startswith("job poll_arxiv: 3 new [") and lines[0].endswith("s]")
    runs = job_runs.last_runs(db)
    assert runs["poll_arxiv"].last_ok_at and runs["poll_list"].failures == 1
    assert runs["poll_list"].last_ok_at is None
    assert "failed: RuntimeError: disk full" in runs["poll_list"].last_summary


def test_the_arxiv_poll_waits_while_the_feed_is_unchanged_or_failing() -> None:
    assert ArxivSyncReport(PollStatus.NOT_MODIFIED).waiting
    assert ArxivSyncReport(PollStatus.ERROR).waiting
    assert not ArxivSyncReport(PollStatus.OK).waiting
    assert not ArxivSyncReport(PollStatus.NO_ANNOUNCEMENT).waiting


async def test_an_unchanged_feed_on_an_announcement_evening_is_polled_again() -> None:
    from types import SimpleNamespace

    queued = []
    queue = SimpleNamespace(run_once=lambda cb, when, data, name: queued.append((when, data)))
    db = open_db()
    sunday_evening = datetime(2026, 11, 29, 20, 5, tzinfo=EASTERN)
    friday_evening = datetime(2026, 11, 27, 20, 5, tzinfo=EASTERN)
    for now, waiting in [(sunday_evening, True), (sunday_evening, False),
                         (friday_evening, True)]:

        async def poll(services: Services, waiting: bool = waiting) -> Outcome:
            return Outcome("arXiv: ...", waiting=waiting)

        job = Job("poll_arxiv", poll, timedelta(days=1), retry_while_waiting=True)
        services = Services(db, Config.from_env({}), deliverer=None,  # type: ignore[arg-type]
                            clock=lambda now=now: now)
        scheduler = Scheduler(SimpleNamespace(job_queue=queue), services,  # type: ignore[arg-type]
                              {job.name: job})
        context = SimpleNamespace(job=SimpleNamespace(data={"attempt": 2}))
        await scheduler.callback(job)(context)  # type: ignore[arg-type]
    assert queued == [(timedelta(minutes=ARXIV_RETRY_MINUTES), {"attempt": 3})]


async def test_a_job_that_meets_another_process_lock_runs_again_soon(tmp_path, caplog) -> None:
    """A job's write on the event loop's connection waits only briefly for another process's
    lock, then the job is one line and runs again in a minute (nothing it fetched is lost:
    the next run fetches it again)."""
    from types import SimpleNamespace

    db = open_db(tmp_path / "bot.db")
    limit_lock_wait(db, 0)
    other = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    other.execute("begin immediate")

    async def store(services: Services) -> Outcome:
        job_runs.record_run(services.db, "a write on the loop's connection", True, "", 0.0)
        return Outcome("stored")

    job = Job("poll_list", store, timedelta(hours=6))
    queued: list[tuple[float, object, str]] = []
    queue = SimpleNamespace(run_once=lambda cb, when, data, name: queued.append((when, data,
                                                                                 name)))
    services = Services(db, Config.from_env({}), deliverer=None)  # type: ignore[arg-type]
    scheduler = Scheduler(SimpleNamespace(job_queue=queue), services,  # type: ignore[arg-type]
                          {job.name: job})
    context = SimpleNamespace(job=SimpleNamespace(data={"reply_to": None}))
    with caplog.at_level(logging.INFO, logger="bot.jobs"):
        await scheduler.callback(job)(context)  # type: ignore[arg-type]
    assert queued == [(LOCKED_RETRY_SECONDS, {"reply_to": None}, "poll_list_locked")]
    assert not db.conn.in_transaction  # no stale snapshot left on the loop's connection
    (line,) = [r.getMessage() for r in caplog.records if r.name == "bot.jobs"]
    assert "locked by another process" in line and not any(r.exc_info for r in caplog.records)
    assert services.writes().waiting == 1  # its record waits on the writer, not the loop
    other.rollback()
    assert services.writes().close() == 0
    assert job_runs.last_runs(db)["poll_list"].failures == 1
