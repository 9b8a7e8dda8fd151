"""Open the SQLite database: WAL mode, foreign keys and every migration applied."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from storage.schema import SchemaNewer, migrate

__all__ = ["DB_ERRORS", "Database", "StorageError", "database_file", "end_transaction",
           "is_locked", "limit_lock_wait", "open_db", "open_writer_db", "utc_now",
           "writable_hint"]


class StorageError(Exception):
    """The database cannot be opened or written."""


# What a database call can raise when the file is locked, full or broken: callers outside
# storage/ catch these without importing sqlite3.
DB_ERRORS: tuple[type[Exception], ...] = (StorageError, sqlite3.Error)


BUSY_TIMEOUT_MS = 30_000  # a one-shot command (sync, backup, ask) waits this long for the lock
EVENT_LOOP_BUSY_MS = 500  # the bot's own connection: a job's write waits at most this long
WRITER_BUSY_MS = 100  # the writer thread tries again itself, with backoff
MIN_FREE_BYTES = 16 * 1024 * 1024  # below this SQLite's WAL index cannot grow: refuse to start


def open_db(path: str | Path = ":memory:") -> Database:
    """Open (creating if needed) the database at `path` with every migration applied."""
    if str(path) != ":memory:":
        check_free_space(Path(path))
    try:
        if str(path) == ":memory:":
            db = Database(memory=True)
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
            db = Database(conn)
            db.enable_wal()
            db.execute("PRAGMA synchronous = NORMAL")  # WAL: durable across process crashes
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        migrate(db)
    except SchemaNewer as exc:
        raise StorageError(f"cannot open database {path}: {exc}") from None
    except (sqlite3.Error, OSError) as exc:  # OSError: its folder cannot be created
        raise StorageError(f"cannot open database {path}: {exc}"
                           f"{writable_hint(Path(path).parent)}") from None
    return db


def open_writer_db(path: Path) -> Database:
    """A second connection to an opened (migrated) database file, for the writer thread: a
    short busy_timeout, since the writer retries a held lock itself."""
    conn = sqlite3.connect(str(path), timeout=WRITER_BUSY_MS / 1000)
    db = Database(conn)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA busy_timeout = {WRITER_BUSY_MS}")
    return db


def limit_lock_wait(db: Database, milliseconds: int = EVENT_LOOP_BUSY_MS) -> None:
    """Let a write on this connection wait at most `milliseconds` for another process's lock
    (the event loop's: its reads never wait in WAL, and a job's write fails fast instead of
    freezing every reply)."""
    db.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")


def database_file(db: Database) -> Path | None:
    """The file behind `db` (None: an in-memory database)."""
    name = db.conn.execute("PRAGMA database_list").fetchone()[2]
    return Path(name) if name else None


def is_locked(exc: BaseException) -> bool:
    """True when a database call failed only because another connection holds the lock."""
    code = getattr(exc, "sqlite_errorcode", None)  # the primary code is its low byte
    return isinstance(exc, sqlite3.OperationalError) and code is not None and (
        code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED))


def end_transaction(db: Database) -> None:
    """Roll back what a failed write left open (its read snapshot would go stale)."""
    if db.conn.in_transaction:
        db.conn.rollback()


def check_free_space(path: Path, minimum: int = MIN_FREE_BYTES) -> None:
    """Refuse in one line when the database's disk is (nearly) full: SQLite maps its WAL index
    into memory, and growing it on a full disk kills the process with SIGBUS, no message."""
    folder = next((p for p in (path.parent, *path.parent.parents) if p.exists()), Path("."))
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # cannot tell: let SQLite report what it finds
    if free < minimum:
        raise StorageError(f"cannot open database {path}: only {free // 1024:,} KB free on its "
                           f"disk ({folder}); free some space (at least "
                           f"{minimum // (1024 * 1024)} MB)")


def writable_hint(folder: Path) -> str:
    """When `folder` exists but this process may not write there, say whose it is and what to
    run (a Docker bind mount owned by root is the usual case); else ''."""
    try:
        if not folder.is_dir() or os.access(folder, os.W_OK):
            return ""
        owner = folder.stat().st_uid
    except OSError:
        return ""
    uid, gid = os.getuid(), os.getgid()
    return (f" ({folder} is owned by uid {owner} and this process runs as uid {uid}: "
            f"run `chown -R {uid}:{gid} {folder}` on the host, or mount a volume)")


def utc_now() -> str:
    """Return the current UTC time as an ISO-8601 string (seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()
