"""Fault drill, hostile case 3 (issue 20): a huge arXiv day (12,935 items, 21 MB) took 101 s
to poll and held replies up to 9.7 s. The poll now stores and scores in bounded batches, each
batch one short transaction, and the loop answers between batches: checked here by the order of
events (the poll is held between two batches while a /help is answered), never by timing."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.pipeline import batches
from feeds.arxiv_rss import parse_arxiv_rss
from tests.conftest import TEST_DATA
from tests.support.feedserver import Reply
from tests.support.rig import bot_rig

WEEK = TEST_DATA / "arxiv" / "rss2_ml6_2017-W11_week-of-2000-items.xml"  # a real week, 64 items
SMALL = 16  # batches this small make a real week behave as a huge day does


def committed(path: Path, table: str) -> int:
    """Rows another process sees, and proof no write transaction is open: it can write."""
    other = sqlite3.connect(path, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")  # fails at once while the bot holds the write lock
        other.rollback()
        return int(other.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        other.close()


async def test_help_is_answered_between_the_batches_of_a_big_poll(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(batches, "STORE_BATCH", SMALL)
    monkeypatch.setattr(batches, "SCORE_BATCH", SMALL)
    items = len(parse_arxiv_rss(WEEK.read_bytes()).papers)
    path = tmp_path / "bot.db"
    events: list[tuple[str, int, int]] = []
    paused, go = asyncio.Event(), asyncio.Event()

    async def hold_at_first_pause() -> None:
        events.append(("pause", committed(path, "papers"), committed(path, "scores")))
        if not paused.is_set():
            paused.set()
            await go.wait()
        await asyncio.sleep(0)

    monkeypatch.setattr(batches, "breathe", hold_at_first_pause)
    async with bot_rig(path) as rig:
        rig.server.script("/rss", Reply(WEEK.read_bytes()))
        poll = asyncio.create_task(rig.job("poll_arxiv"))
        await asyncio.wait_for(paused.wait(), 60)
        answer = await rig.say("/help")
        events.append(("help", len(answer), 0))
        go.set()
        summary = await poll
    assert "/mysubs" in answer[0].text
    assert events[0] == ("pause", SMALL, 0)  # one batch stored and committed, the poll held
    assert events[1] == ("help", 1, 0)  # ... while /help was answered
    storing = [e for e in events[2:] if e[0] == "pause" and e[2] == 0]
    scoring = [e for e in events[2:] if e[0] == "pause" and e[2] > 0]
    assert [e[1] for e in storing] == list(range(2 * SMALL, items, SMALL))  # batch by batch
    assert [e[2] for e in scoring] == list(range(SMALL, items, SMALL))
    assert f"; {items} scored;" in summary
    assert committed(path, "papers") == committed(path, "scores") == items


@pytest.mark.parametrize("size", [1, 5, 64, 500])
async def test_batches_store_exactly_what_one_transaction_did(tmp_path, monkeypatch,
                                                             size) -> None:
    from bot.pipeline.arxiv_sync import store_in_batches
    from storage.db import open_db
    from storage.papers import store_papers

    feed = parse_arxiv_rss(WEEK.read_bytes())
    assert feed.pub_date is not None
    whole = store_papers(open_db(tmp_path / "whole.db"), feed.papers, feed.pub_date)
    monkeypatch.setattr(batches, "STORE_BATCH", size)
    db = open_db(tmp_path / f"batched{size}.db")
    assert await store_in_batches(db, feed.papers, feed.pub_date) == whole
    rows = "SELECT arxiv_id, version, announced, announce_type FROM papers ORDER BY arxiv_id"
    assert list(db.execute(rows)) == list(open_db(tmp_path / "whole.db").execute(rows))
