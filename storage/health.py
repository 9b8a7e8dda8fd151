"""Is the bot alive? A heartbeat write and the age of the last successful poll (Docker's check).

Opens the database file itself (never creating one), so it works from a second process while
the bot runs.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Migrations

from storage.schema import LEGACY_TABLE as LEGACY_MIGRATIONS_TABLE
from storage.schema import unknown_migrations

MIGRATIONS_TABLE = Migrations.migrations_table
HEARTBEAT_TABLE = "health"
CONNECT_TIMEOUT = 10.0  # seconds to wait for the bot's write lock; Docker waits 30 s
POLL_JOBS = ("poll_list", "poll_arxiv")
# Each query gives the newest successful poll it knows of; a missing table is skipped.
_POLL_QUERIES = {
    "job_runs": "select max(last_ok_at) from job_runs where name in (?, ?)",
    "feed_polls": "select max(checked_at) from feed_polls where status != 'error'",
    "list_versions": "select max(fetched_at) from list_versions where source_url not like "
                     "'bundled:%'",
}


@dataclass(frozen=True)
class HealthReport:
    """Whether the bot looks alive, and why, in one line."""

    ok: bool
    reason: str

    def line(self) -> str:
        """Return the line `papers-bot health` prints."""
        return f"{'ok' if self.ok else 'unhealthy'}: {self.reason}"


def check_health(
    path: str | Path, max_age: float, now: datetime, timeout: float = CONNECT_TIMEOUT
) -> HealthReport:
    """Write a heartbeat to the database and judge how long ago the last poll succeeded."""
    if not Path(path).is_file():
        return HealthReport(False, f"no database at {path}")
    try:
        conn = connect_existing(path, timeout)
        try:
            tables = _table_names(conn)
            if not tables & {MIGRATIONS_TABLE, LEGACY_MIGRATIONS_TABLE}:
                return HealthReport(False, f"{path} is not a papers-bot database")
            if HEARTBEAT_TABLE not in tables:
                return HealthReport(False, f"{path} was made by an older version: start "
                                           "`papers-bot run` once to migrate it")
            damage = integrity_problem(conn)
            if damage:
                return HealthReport(False, f"{path} is damaged (PRAGMA quick_check: {damage})")
            newer = schema_newer(conn, tables)
            if newer:
                return HealthReport(False, f"{path} was migrated by a newer papers-bot "
                                           f"({newer}): upgrade papers-bot")
            write_heartbeat(conn, now)
            created = database_created(conn, tables)
            last_poll = last_successful_poll(conn, tables)
            failed = failed_polls(conn, tables) if last_poll is None else 0
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:  # "file is not a database", "disk I/O error", locked
        return HealthReport(False, f"db not writable: {path}: {exc}")
    if failed:  # a young database is given time to poll, not a pass for polls that failed
        return HealthReport(False, f"every poll since start failed ({failed} failed, none "
                                   "succeeded): see the log")
    return judge_freshness(last_poll, created, now, max_age)


def failed_polls(conn: sqlite3.Connection, tables: set[str]) -> int:
    """How many list or arXiv polls have failed (job_runs counts them)."""
    if "job_runs" not in tables:
        return 0
    found = conn.execute("select coalesce(sum(failures), 0) from job_runs where name in (?, ?)",
                         POLL_JOBS).fetchone()[0]
    return int(found or 0)


def integrity_problem(conn: sqlite3.Connection) -> str:
    """'' when `PRAGMA quick_check` finds the file sound, else its first finding."""
    first = conn.execute("pragma quick_check(1)").fetchone()
    if first and first[0] == "ok":
        return ""
    finding = str(first[0]) if first else "no answer"
    return " ".join(finding.replace("*** in database main ***", "").split())


def schema_newer(conn: sqlite3.Connection, tables: set[str]) -> str:
    """The migrations this code does not know, comma-separated ('' when none)."""
    if MIGRATIONS_TABLE not in tables:
        return ""
    applied = {row[0] for row in conn.execute(f"select name from {MIGRATIONS_TABLE}")}
    return ", ".join(unknown_migrations(applied))


def connect_existing(path: str | Path, timeout: float) -> sqlite3.Connection:
    """Open an existing database file without creating one; transactions are explicit."""
    uri = Path(path).resolve().as_uri() + "?mode=rw"
    return sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)


def write_heartbeat(conn: sqlite3.Connection, now: datetime) -> None:
    """Take the write lock and record a heartbeat row, in one transaction."""
    conn.execute("begin immediate")
    try:
        conn.execute(
            "insert into health (name, beat_at) values ('healthcheck', ?) "
            "on conflict(name) do update set beat_at = excluded.beat_at",
            [now.astimezone(UTC).replace(microsecond=0).isoformat()],
        )
        conn.execute("commit")
    except sqlite3.Error:
        conn.execute("rollback")
        raise


def _table_names(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}


def database_created(conn: sqlite3.Connection, tables: set[str]) -> datetime | None:
    """When the database got its first migration."""
    table = MIGRATIONS_TABLE if MIGRATIONS_TABLE in tables else LEGACY_MIGRATIONS_TABLE
    first = conn.execute(f"select min(applied_at) from {table}").fetchone()[0]
    return _stamp(str(first).replace(" ", "T")) if first else None


def last_successful_poll(conn: sqlite3.Connection, tables: set[str]) -> datetime | None:
    """Return when the list or arXiv was last polled successfully, if ever."""
    found = []
    for table, sql in _POLL_QUERIES.items():
        if table in tables:
            params = POLL_JOBS if table == "job_runs" else ()
            found.append(_stamp(conn.execute(sql, params).fetchone()[0]))
    return max((stamp for stamp in found if stamp), default=None)


def _stamp(value: str | None) -> datetime | None:
    if not value:
        return None
    stamp = datetime.fromisoformat(value)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def judge_freshness(
    last_poll: datetime | None, created: datetime | None, now: datetime, max_age: float
) -> HealthReport:
    """Healthy when the last poll, or a fresh install's creation, is at most max_age s old."""
    limit = f"limit {max_age / 3600:g} h"
    if last_poll is not None:
        hours = _hours_since(last_poll, now)
        if hours * 3600 <= max_age:
            return HealthReport(True, f"db writable, last poll {hours:.1f} h ago")
        return HealthReport(False, f"last poll {hours:.1f} h ago ({limit})")
    if created is None:
        return HealthReport(False, "never polled")
    hours = _hours_since(created, now)
    if hours * 3600 <= max_age:
        return HealthReport(True, f"db writable, no poll yet (database created {hours:.1f} h ago)")
    return HealthReport(False, f"never polled in the {hours:.1f} h since the database was created "
                               f"({limit})")


def _hours_since(stamp: datetime, now: datetime) -> float:
    return max(0.0, (now - stamp).total_seconds() / 3600)
