"""Digests through the outbox to the fake Bot API: once each, in order, faults survived."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.config import Config
from bot.pipeline.digests import compose_digests, cycle_key
from bot.pipeline.list_sync import seed_bundled
from bot.pipeline.scoring import score_unscored
from feeds.arxiv_rss import parse_arxiv_rss
from feeds.bundled import bundled_snapshot
from storage import chats, lists, outbox, papers
from storage.db import open_db
from tests.conftest import ARXIV_SAMPLES, README_HISTORY, ROOT
from tests.support.fakebotapi import FakeBotApi

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def feed_papers():
    return parse_arxiv_rss((ARXIV_SAMPLES / "rss2_ml6_2017-03-14.xml").read_bytes()).papers


def stocked_db(path=":memory:"):
    """A database with the list and one real arXiv announcement, scored."""
    db = open_db(path)
    seed_bundled(db)
    return db


def ingest(db) -> None:
    papers.store_papers(db, feed_papers(), announced=datetime(2017, 3, 14).date())
    score_unscored(db, bundled_snapshot())


def keyword_chat(db, chat_id: int, phrase: str = "learning", mode: str = "instant") -> None:
    chats.ensure_chat(db, chat_id)
    chats.set_chat_setting(db, chat_id, digest=mode)
    chats.subscribe(db, chat_id, "keyword", phrase)


def queue_digests(db, *chat_ids: int) -> None:
    """Subscribe these chats, ingest a real arXiv day and compose their instant digests."""
    for chat_id in chat_ids:
        keyword_chat(db, chat_id)
    ingest(db)
    compose_digests(db, "instant", NOW)


@pytest.fixture
async def delivery() -> AsyncIterator[tuple[FakeBotApi, Application]]:
    with FakeBotApi() as api:
        config = Config.from_env({"TELEGRAM_BOT_TOKEN": api.token,
                                  "TELEGRAM_API_URL": api.base_url,
                                  "TELEGRAM_RATE_LIMIT": "500"})
        app = build_application(config, stocked_db(), with_jobs=False)
        await app.initialize()
        yield api, app
        await app.shutdown()


def deliverer(app: Application):
    return app.bot_data.services.deliverer


def test_one_digest_per_chat_per_cycle_and_marks_advance() -> None:
    db = stocked_db()
    keyword_chat(db, 1, "learning", "daily")
    keyword_chat(db, 2, "zzzz unmatched", "daily")
    ingest(db)
    assert compose_digests(db, "daily", NOW) == 1  # chat 2 matches nothing: no empty digest
    assert compose_digests(db, "daily", NOW) == 0  # same cycle: never twice
    (row,) = outbox.pending(db, time.time())
    assert row.cycle == cycle_key("daily", NOW, 0, 0) == "daily:2026-11-25"
    titles_with_learning = [p.title for p in feed_papers()
                            if "learning" in f"{p.title} {p.abstract}".lower()]
    assert titles_with_learning and all(t[:40] in row.text for t in titles_with_learning[:8])
    assert chats.get_chat(db, 1).paper_mark == db["papers"].count  # next digest starts after
    tomorrow = NOW.replace(day=26)
    assert compose_digests(db, "daily", tomorrow) == 0  # nothing new since: no digest


def test_daily_digest_waits_for_the_chats_hour() -> None:
    db = stocked_db()
    keyword_chat(db, 1, "learning", "daily")
    chats.set_chat_setting(db, 1, digest_hour=10)
    ingest(db)
    assert compose_digests(db, "daily", NOW) == 0  # 09:00 < 10:00
    assert compose_digests(db, "daily", NOW.replace(hour=11)) == 1  # caught up after 10:00


def test_list_changes_reach_chats_subscribed_to_the_section() -> None:
    db = open_db()
    old = (next(README_HISTORY.glob("113_*.md"))).read_bytes()
    new = (next(README_HISTORY.glob("114_*.md"))).read_bytes()
    from feeds.awesome_list import parse_awesome_list
    from feeds.list_diff import diff_snapshots

    lists.store_version(db, old, parse_awesome_list(old), None, "test")
    chats.ensure_chat(db, 7)
    chats.set_chat_setting(db, 7, digest="instant")
    chats.subscribe(db, 7, "topic", "Optimization / Training Techniques")
    chats.ensure_chat(db, 8)
    chats.set_chat_setting(db, 8, digest="instant")
    chats.subscribe(db, 8, "topic", "Speech / Other Domain")
    diff = diff_snapshots(parse_awesome_list(old), parse_awesome_list(new))
    lists.store_version(db, new, parse_awesome_list(new), diff, "test")
    assert compose_digests(db, "instant", NOW) == 1
    (row,) = outbox.pending(db, time.time())
    assert row.chat_id == 7 and "Training very deep networks" in row.text
    assert "moved Appendix: More than Top 100 → Optimization / Training Techniques" in row.text


def test_digests_come_in_the_chats_language() -> None:
    from feeds.awesome_list import parse_awesome_list
    from feeds.list_diff import diff_snapshots

    db = open_db()
    old = next(README_HISTORY.glob("113_*.md")).read_bytes()
    new = next(README_HISTORY.glob("114_*.md")).read_bytes()
    lists.store_version(db, old, parse_awesome_list(old), None, "test")
    chats.ensure_chat(db, 9, lang="zh")
    chats.set_chat_setting(db, 9, digest="instant")
    chats.subscribe(db, 9, "topic", "Optimization / Training Techniques")
    diff = diff_snapshots(parse_awesome_list(old), parse_awesome_list(new))
    lists.store_version(db, new, parse_awesome_list(new), diff, "test")
    assert compose_digests(db, "instant", NOW) == 1
    (row,) = outbox.pending(db, time.time())
    assert row.text.startswith("<b>📬 为你推荐的新论文</b>") and "📋 列表变更" in row.text
    assert "从 附录：前 100 篇之外 移至 优化 / 训练技术" in row.text  # both sections in Chinese


async def test_429_waits_then_delivers_once(delivery) -> None:
    api, app = delivery
    db = app.bot_data.db
    queue_digests(db, 11)
    api.fail_next("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    report = await deliverer(app).deliver_pending()
    assert report.sent == 1 and time.monotonic() - started >= 1.0
    assert len(api.sent_messages(11)) == 1
    assert outbox.counts(db) == {"sent": 1}


async def test_403_deactivates_that_chat_and_serves_the_others(delivery) -> None:
    api, app = delivery
    db = app.bot_data.db
    queue_digests(db, 21, 22, 23)
    api.block_chat(22)
    report = await deliverer(app).deliver_pending()
    assert (report.sent, report.dead_chats) == (2, 1)
    assert {m.chat_id for m in api.sent_messages()} == {21, 23}
    assert not chats.get_chat(db, 22).active and chats.get_chat(db, 21).active
    assert outbox.counts(db) == {"sent": 2, "dead": 1}
    assert compose_digests(db, "instant", NOW) == 0  # inactive chats get nothing more


async def test_server_errors_are_retried_later_not_dropped(delivery) -> None:
    api, app = delivery
    db = app.bot_data.db
    queue_digests(db, 31)
    api.fail_next("sendMessage", 500, times=5)
    sender = deliverer(app)
    first = await sender.deliver_pending()
    assert first.sent == 0 and first.retried == 1 and outbox.counts(db) == {"pending": 1}
    waiting = await sender.deliver_pending()  # backoff: not yet due
    assert (waiting.sent, waiting.retried, waiting.failed) == (0, 0, 0)
    sender.wall = lambda: time.time() + 3600  # an hour later
    api.clear_faults()
    assert (await sender.deliver_pending()).sent == 1 and len(api.sent_messages(31)) == 1


async def test_private_chat_gets_at_most_one_message_per_second(delivery) -> None:
    api, app = delivery
    db = app.bot_data.db
    chats.ensure_chat(db, 41)
    with db.atomic():
        outbox.enqueue(db, 41, "digest", "c1", ["part one", "part two", "part three"])
    await deliverer(app).deliver_pending()
    sent = api.sent_messages(41)
    assert [m.text for m in sent] == ["part one", "part two", "part three"]
    gaps = [b.time - a.time for a, b in zip(sent, sent[1:], strict=False)]
    assert all(gap >= 0.95 for gap in gaps)


async def test_a_rejected_message_does_not_block_the_chat(delivery) -> None:
    api, app = delivery
    db = app.bot_data.db
    chats.ensure_chat(db, 51)
    with db.atomic():
        outbox.enqueue(db, 51, "digest", "c1", ["<b>unclosed bold"])
        outbox.enqueue(db, 51, "digest", "c2", ["fine"])
    report = await deliverer(app).deliver_pending()
    assert report.sent == 2  # the bad HTML went out as plain text, then the next one
    assert [m.text for m in api.sent_messages(51)] == ["unclosed bold", "fine"]


def test_sigkill_during_a_200_chat_fanout_then_restart_delivers_each_once(tmp_path) -> None:
    db_path = tmp_path / "bot.db"
    db = stocked_db(db_path)
    for chat_id in range(1000, 1200):
        keyword_chat(db, chat_id)
    ingest(db)
    assert compose_digests(db, "instant", NOW) == 200
    db.close()
    # Telegram-like latency: the client is idle most of the time, as with the real API, so the
    # kill lands (like a real one would) while requests are in flight, not mid-bookkeeping.
    with FakeBotApi(latency=0.1) as api:
        env = {**os.environ, "PAPERS_BOT_DB": str(db_path), "TELEGRAM_BOT_TOKEN": api.token,
               "TELEGRAM_API_URL": api.base_url, "TELEGRAM_RATE_LIMIT": "200"}
        first = subprocess.Popen([sys.executable, "-m", "bot", "deliver"], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        api.wait_for("sendMessage", count=60, timeout=30)
        time.sleep(random.uniform(0.0, 0.05))  # a moment not tied to any reply
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = len(api.sent_messages())
        assert 60 <= killed_at < 200, "the kill must land in the middle of the fan-out"
        second = subprocess.run([sys.executable, "-m", "bot", "deliver"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120, check=False)
        assert second.returncode == 0, second.stderr
        per_chat = Counter(m.chat_id for m in api.sent_messages())
    assert set(per_chat) == set(range(1000, 1200))
    assert set(per_chat.values()) == {1}, [c for c, n in per_chat.items() if n != 1]
    final = outbox.counts(open_db(db_path))
    assert final.get("sent", 0) + final.get("unconfirmed", 0) == 200 and "pending" not in final
    assert api.token not in second.stderr + second.stdout


async def test_two_jobs_delivering_at_once_send_each_message_once(delivery) -> None:
    import asyncio

    api, app = delivery
    db = app.bot_data.db
    queue_digests(db, *range(61, 71))
    api.set_latency(0.02)
    sender = deliverer(app)
    first, second = await asyncio.gather(sender.deliver_pending(), sender.deliver_pending())
    assert first.sent + second.sent == 10
    assert sorted(m.chat_id for m in api.sent_messages()) == list(range(61, 71))


async def test_a_failure_before_the_body_left_is_retried_not_settled(delivery) -> None:
    # The guard on the other side of 'unconfirmed': nothing reached Telegram (connection
    # refused), so the message must stay pending for a retry, never be counted as delivered.
    from telegram import Bot

    from bot.delivery import Deliverer, outbox_request

    api, app = delivery
    db = app.bot_data.db
    queue_digests(db, 91)
    closed = "http://127.0.0.1:9/bot"  # nothing listens there
    request = outbox_request()
    await request.initialize()  # not Bot's own start-up: its getMe would fail there already
    try:
        bot = Bot(api.token, base_url=closed, request=request)
        report = await Deliverer(bot, db).deliver_pending()
    finally:
        await request.shutdown()
    assert (report.retried, report.unconfirmed, report.sent) == (1, 0, 0)
    assert outbox.counts(db) == {outbox.OutboxStatus.PENDING: 1}
