"""Open the SQLite database: WAL mode, foreign keys and migrations applied."""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

Migration = tuple[str, Callable[[sqlite_utils.Database], None]]

# Each module lists its own migrations as MIGRATIONS = [(name, fn), ...]; they run in this order
# and each name runs once per database.
MIGRATION_MODULES = (
    "storage.lists",
    "storage.chats",
    "storage.papers",
    "storage.scores",
    "storage.outbox",
    "storage.job_runs",
    "storage.suggestions",
    "storage.citations",
)


class StorageError(Exception):
    """The database cannot be opened or written."""


def open_db(path: str | Path = ":memory:") -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path` with every migration applied."""
    try:
        if str(path) == ":memory:":
            db = sqlite_utils.Database(memory=True)
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
            db = sqlite_utils.Database(conn)
            db.enable_wal()
            db.execute("PRAGMA synchronous = NORMAL")  # WAL: durable across process crashes
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 30000")
        migrate(db)
    except (sqlite3.Error, OSError) as exc:  # OSError: its folder cannot be created
        raise StorageError(f"cannot open database {path}: {exc}") from exc
    return db


def all_migrations() -> list[Migration]:
    """Collect the migrations of every storage module, in order."""
    found: list[Migration] = []
    for name in MIGRATION_MODULES:
        found.extend(importlib.import_module(name).MIGRATIONS)
    return found


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations this database has not seen yet; return their names."""
    if "migrations" not in db.table_names():
        db["migrations"].create({"name": str, "applied_at": str}, pk="name")
    done = {row["name"] for row in db["migrations"].rows}
    applied = []
    for name, step in all_migrations():
        if name in done:
            continue
        with db.atomic():
            step(db)
            db["migrations"].insert({"name": name, "applied_at": utc_now()})
        applied.append(name)
    return applied


def utc_now() -> str:
    """Return the current UTC time as an ISO-8601 string (seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()
