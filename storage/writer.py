"""The bot's one writer: writes from the event loop never wait on another process's lock.

Each write is a function of a `Database`, run on the writer's own thread and connection in one
short transaction (`BEGIN IMMEDIATE` ... `COMMIT`), in the order they were handed over. When
another process holds SQLite's write lock (a backup, a sync, `papers-bot ask`), the writer
keeps the write and tries again with backoff until the lock is released: nothing is lost, and
the event loop goes on answering from its own connection (WAL lets it read meanwhile). A write
that must wait says so at once (`Pending.settle` returns False), so a reply that only needs
reads is sent without it. An in-memory database has no other process: its writes run inline.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from storage.db import Database, StorageError, database_file, is_locked, open_writer_db

__all__ = ["Pending", "Writer"]

T = TypeVar("T")
log = logging.getLogger(__name__)

FIRST_BACKOFF = 0.02  # seconds between tries on a held lock, doubling up to MAX_BACKOFF
MAX_BACKOFF = 1.0
IDLE_SECONDS = 5.0  # the thread (and its connection) ends after this long with nothing to do


@dataclass(eq=False)
class Pending(Generic[T]):
    """A write handed to the writer: its result once it lands, and whether it had to wait."""

    work: Callable[[Database], T]
    done: concurrent.futures.Future[T] = field(default_factory=concurrent.futures.Future)
    delayed: concurrent.futures.Future[None] = field(default_factory=concurrent.futures.Future)

    @property
    def landed(self) -> bool:
        """True once the write is committed (or failed for a reason other than a lock)."""
        return self.done.done()

    async def settle(self) -> bool:
        """Wait until the write lands (True) or is found waiting on a lock (False: it lands
        later, retried off the loop)."""
        await _first_of(self.done, self.delayed)
        return self.landed

    async def result(self) -> T:
        """Wait until the write lands and return what its function returned."""
        await _first_of(self.done)
        return self.done.result()


async def _first_of(*futures: concurrent.futures.Future[Any]) -> None:
    loop = asyncio.get_running_loop()
    woken: asyncio.Future[None] = loop.create_future()

    def wake_here() -> None:
        if not woken.done():
            woken.set_result(None)

    def wake(_: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits any more
            loop.call_soon_threadsafe(wake_here)

    for future in futures:
        future.add_done_callback(wake)
    await woken


class Writer:
    """One thread with its own connection that runs every write handed to it, in order."""

    def __init__(self, path: Path | None = None, inline: Database | None = None) -> None:
        self._path, self._inline = path, inline
        self._queue: deque[Pending[Any]] = deque()
        self._lock = threading.Condition()
        self._thread: threading.Thread | None = None
        self._blocked_since: float | None = None
        self._closing = False

    @classmethod
    def for_db(cls, db: Database) -> Writer:
        """The writer for `db`'s file (inline for an in-memory database)."""
        path = database_file(db)
        return cls(path) if path else cls(inline=db)

    @property
    def waiting(self) -> int:
        """How many writes are handed over and not yet landed."""
        with self._lock:
            return len(self._queue)

    def submit(self, work: Callable[[Database], T]) -> Pending[T]:
        """Hand a write over; it runs in one transaction, retried until it lands."""
        pending: Pending[T] = Pending(work)
        if self._inline is not None:
            _land_inline(self._inline, pending)
            return pending
        with self._lock:
            if self._closing:
                raise StorageError("the database writer is closed")
            self._queue.append(pending)
            if self._blocked_since is not None:
                pending.delayed.set_result(None)
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="db-writer",
                                                daemon=True)
                self._thread.start()
            self._lock.notify()
        return pending

    async def settle(self, work: Callable[[Database], T]) -> Pending[T]:
        """Hand a write over and wait until it lands or must wait for a lock."""
        pending = self.submit(work)
        await pending.settle()
        return pending

    def close(self, timeout: float = 10.0) -> int:
        """Land what is handed over (for at most `timeout` s); return how many could not."""
        with self._lock:
            self._closing = True
            thread = self._thread
            self._lock.notify()
        if thread is not None:
            thread.join(timeout)
        with self._lock:
            lost = len(self._queue)
            for pending in self._queue:  # the thread gives up its try at its next backoff
                if not pending.done.done():
                    pending.done.set_exception(StorageError("the database stayed locked"))
            self._queue.clear()
        if lost:
            log.warning("%d database writes could not land before stopping: another process "
                        "held the write lock for %.0f s", lost, timeout)
        return lost

    def _serve(self) -> None:
        db = open_writer_db(self._path) if self._path else None
        assert db is not None
        try:
            while (pending := self._next()) is not None:
                self._land(db, pending)
        finally:
            db.close()

    def _next(self) -> Pending[Any] | None:
        with self._lock:
            while not self._queue:
                if self._closing or not self._lock.wait(IDLE_SECONDS) and not self._queue:
                    self._thread = None
                    return None
            return self._queue[0]  # stays queued until it lands: `waiting` counts it

    def _land(self, db: Database, pending: Pending[Any]) -> None:
        backoff = FIRST_BACKOFF
        try:
            while not self._begin(db):
                with self._lock:
                    if self._closing and pending not in self._queue:
                        return  # given up by close()
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            result = pending.work(db)
            db.conn.execute("COMMIT")
        except BaseException as exc:  # the caller sees it; the writer goes on
            if db.conn.in_transaction:
                db.conn.rollback()
            self._settled(pending, None, exc)
        else:
            self._settled(pending, result, None)

    def _settled(self, pending: Pending[Any], result: Any, error: BaseException | None) -> None:
        with self._lock:
            if self._queue and self._queue[0] is pending:
                self._queue.popleft()
            if pending.done.done():  # close() gave up on it
                return
            if error is not None:
                pending.done.set_exception(error)
            else:
                pending.done.set_result(result)

    def _begin(self, db: Database) -> bool:
        """Take the write lock; False (and the waiting writes marked delayed) when another
        process holds it."""
        try:
            db.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if not is_locked(exc):
                raise
            self._mark_blocked()
            return False
        self._mark_unblocked()
        return True

    def _mark_blocked(self) -> None:
        with self._lock:
            for pending in self._queue:
                if not pending.delayed.done():
                    pending.delayed.set_result(None)
            if self._blocked_since is None:
                self._blocked_since = time.monotonic()
                log.warning("the database is locked by another process: %d writes wait and "
                            "are retried; replies go on", len(self._queue))

    def _mark_unblocked(self) -> None:
        with self._lock:
            if self._blocked_since is not None:
                log.info("the database lock was released after %.1f s: %d waiting writes land "
                         "now", time.monotonic() - self._blocked_since, len(self._queue))
                self._blocked_since = None


def _land_inline(db: Database, pending: Pending[Any]) -> None:
    try:
        with db.atomic():
            result = pending.work(db)
    except Exception as exc:
        pending.done.set_exception(exc)
    else:
        pending.done.set_result(result)
