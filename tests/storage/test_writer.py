"""The one writer: writes land in order, in one transaction each, and wait out another
connection's write lock off the caller's thread without being lost."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import chats
from storage.db import Database, StorageError, open_db
from storage.writer import Writer


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    opened = open_db(tmp_path / "bot.db")
    yield opened
    opened.close()


def other_process(db: Database) -> sqlite3.Connection:
    """A second connection holding the write lock (as a backup or a sync would)."""
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


async def test_writes_land_in_order_and_return_their_results(db) -> None:
    writer = Writer.for_db(db)
    first = writer.submit(lambda w: chats.ensure_chat(w, 1, lang=None).chat_id)
    second = writer.submit(lambda w: chats.subscribe(w, 1, "keyword", "gan"))
    assert await first.result() == 1 and await second.result() is True
    assert [s.value for s in chats.subscriptions(db, 1)] == ["gan"]  # seen by the reader
    assert writer.waiting == 0 and writer.close() == 0


async def test_a_held_lock_delays_the_write_and_it_lands_once_released(db, caplog) -> None:
    caplog.set_level(logging.INFO, "storage.writer")
    writer = Writer.for_db(db)
    other = other_process(db)
    pending = writer.submit(lambda w: chats.ensure_chat(w, 7))
    assert await pending.settle() is False  # told at once that it waits...
    later = writer.submit(lambda w: chats.subscribe(w, 7, "keyword", "gan"))
    assert await later.settle() is False  # ...and so is what queues behind it
    assert chats.get_chat(db, 7) is None and writer.waiting == 2  # nothing lost, nothing yet
    other.rollback()
    assert (await pending.result()).chat_id == 7 and await later.result() is True
    assert db.table("chats").count_where("chat_id = 7") == 1 and writer.waiting == 0
    messages = [r.getMessage() for r in caplog.records if r.name == "storage.writer"]
    assert len(messages) == 2 and "locked by another process" in messages[0]
    assert "released" in messages[1]
    writer.close()


async def test_a_failing_write_is_rolled_back_and_the_next_one_lands(db) -> None:
    writer = Writer.for_db(db)

    def half_then_fail(w: Database) -> None:
        chats.ensure_chat(w, 3)
        raise ValueError("no")

    failed = writer.submit(half_then_fail)
    with pytest.raises(ValueError, match="no"):
        await failed.result()
    assert await writer.submit(lambda w: chats.ensure_chat(w, 4).chat_id).result() == 4
    assert chats.get_chat(db, 3) is None and chats.get_chat(db, 4) is not None
    writer.close()


async def test_an_in_memory_database_writes_inline() -> None:
    memory = open_db()
    pending = Writer.for_db(memory).submit(lambda w: chats.ensure_chat(w, 5).chat_id)
    assert pending.landed and await pending.settle() and await pending.result() == 5


async def test_closing_while_the_lock_is_held_names_what_could_not_land(db, caplog) -> None:
    writer = Writer.for_db(db)
    other = other_process(db)
    pending = writer.submit(lambda w: chats.ensure_chat(w, 9))
    assert await pending.settle() is False
    assert writer.close(timeout=0.2) == 1
    with pytest.raises(StorageError, match="locked"):
        await pending.result()
    assert "1 database writes could not land" in caplog.text
    other.rollback()
    with pytest.raises(StorageError, match="closed"):
        writer.submit(lambda w: None)
