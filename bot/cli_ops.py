"""CLI: `health` (Docker's health check), `backup` (an online copy) and `trends` (a PNG chart)."""

from __future__ import annotations

import argparse
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Config, ConfigError
from storage.db import StorageError

DEFAULT_MAX_AGE_HOURS = 26.0
POLL_JOBS = ("poll_list", "poll_arxiv")
BACKUP_STEP_PAGES = 256  # 1 MiB at SQLite's default 4 KiB pages
CONNECT_TIMEOUT = 10.0  # seconds to wait for the bot's write lock; Docker waits 30 s
MAX_WEEKS = 520
Progress = Callable[[int, int, int], object]  # sqlite3's backup progress(status, left, total)
# Each query gives the newest successful poll it knows of; a missing table is skipped.
_POLL_QUERIES = {
    "job_runs": "select max(last_ok_at) from job_runs where name in (?, ?)",
    "feed_polls": "select max(checked_at) from feed_polls where status != 'error'",
    "list_versions": "select max(fetched_at) from list_versions where source_url not like "
                     "'bundled:%'",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the health, backup and trends commands."""
    health = subparsers.add_parser("health", help="exit 0 when the database is writable and "
                                   "the last poll is recent (Docker's HEALTHCHECK)")
    health.add_argument("--max-age", type=float, metavar="HOURS",
                        help=f"oldest acceptable last poll (default {DEFAULT_MAX_AGE_HOURS:g}, "
                        "or twice LIST_POLL_HOURS when that is longer)")
    health.set_defaults(func=cmd_health)
    backup = subparsers.add_parser("backup", help="copy the live database (safe while it runs)")
    backup.add_argument("file", help="where to write the copy")
    backup.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    backup.set_defaults(func=cmd_backup)
    trends = subparsers.add_parser("trends", help="chart papers per topic per week as a PNG")
    trends.add_argument("--out", required=True, metavar="FILE.png", help="PNG file to write")
    trends.add_argument("--weeks", type=int, default=12, help="weeks to show (default 12)")
    trends.add_argument("--lang", choices=("en", "zh"), default="en", help="chart language")
    trends.set_defaults(func=cmd_trends)


@dataclass(frozen=True)
class HealthReport:
    """Whether the bot looks alive, and why, in one line."""

    ok: bool
    reason: str

    def line(self) -> str:
        """Return the line `papers-bot health` prints."""
        return f"{'ok' if self.ok else 'unhealthy'}: {self.reason}"


def cmd_health(args: argparse.Namespace) -> int:
    """Print one line; exit 0 when healthy, 1 otherwise (Docker reserves 2)."""
    from bot.cli import UsageError

    if args.max_age is not None and args.max_age <= 0:
        raise UsageError("--max-age must be a positive number of hours")
    try:
        config = Config.from_env()
    except ConfigError as exc:
        report = HealthReport(False, str(exc))
    else:
        hours = args.max_age or max(DEFAULT_MAX_AGE_HOURS, 2 * config.list_poll_hours)
        report = check_health(config.db_path, hours * 3600, datetime.now(UTC))
    print(report.line())
    return 0 if report.ok else 1


def check_health(
    path: str | Path, max_age: float, now: datetime, timeout: float = CONNECT_TIMEOUT
) -> HealthReport:
    """Write a heartbeat to the database and judge how long ago the last poll succeeded."""
    if not Path(path).is_file():
        return HealthReport(False, f"no database at {path}")
    try:
        conn = _connect(path, timeout)
        try:
            write_heartbeat(conn, now)
            tables = _table_names(conn)
            if "migrations" not in tables:
                return HealthReport(False, f"{path} is not a papers-bot database")
            created = _stamp(conn.execute("select min(applied_at) from migrations").fetchone()[0])
            last_poll = last_successful_poll(conn, tables)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return HealthReport(False, f"db not writable: {path}: {exc}")
    return judge_freshness(last_poll, created, now, max_age)


def _connect(path: str | Path, timeout: float) -> sqlite3.Connection:
    """Open an existing database file without creating one; transactions are explicit."""
    uri = Path(path).resolve().as_uri() + "?mode=rw"
    return sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)


def write_heartbeat(conn: sqlite3.Connection, now: datetime) -> None:
    """Take the write lock and record a heartbeat row, in one transaction."""
    conn.execute("begin immediate")
    try:
        conn.execute("create table if not exists health (name text primary key, beat_at text)")
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


@dataclass(frozen=True)
class BackupResult:
    """A verified copy of the database."""

    path: Path
    size: int
    row_counts: dict[str, int]


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the database to FILE, verify it and print its size and row counts."""
    result = backup_database(Config.from_env().db_path, Path(args.file), force=args.force)
    print(f"backup: {result.path} ({result.size / 1_048_576:.1f} MiB, {result.size:,} bytes), "
          "integrity ok")
    width = max((len(name) for name in result.row_counts), default=0)
    for name, count in result.row_counts.items():
        print(f"  {name:<{width}}  {count:>9,}")
    return 0


def backup_database(
    source: str | Path, target: Path, force: bool = False,
    step_pages: int = BACKUP_STEP_PAGES, progress: Progress | None = None,
) -> BackupResult:
    """Copy a live database with SQLite's online backup API, then check the copy."""
    _check_backup_paths(Path(source), target, force)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        counts = _copy_and_verify(Path(source), partial, step_pages, progress)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise StorageError(f"backup of {source} failed: {exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, counts)


def _check_backup_paths(source: Path, target: Path, force: bool) -> None:
    from bot.cli import UsageError

    if not source.is_file():
        raise UsageError(f"no database at {source}")
    if target.exists() and not force:
        raise UsageError(f"{target} exists: pass --force to overwrite it")
    if target.exists() and target.resolve() == source.resolve():
        raise UsageError(f"{target} is the live database itself")
    if not target.parent.is_dir():
        raise UsageError(f"cannot write {target}: {target.parent} is not a directory")


def _copy_and_verify(
    source: Path, partial: Path, step_pages: int, progress: Progress | None
) -> dict[str, int]:
    src = _connect(source, CONNECT_TIMEOUT)
    dst = sqlite3.connect(partial, isolation_level=None)
    try:
        # Holding one read transaction pins a snapshot: the bot keeps writing (WAL), and the
        # backup never restarts because the source changed between steps.
        src.execute("begin")
        src.execute("select count(*) from sqlite_master").fetchone()
        src.backup(dst, pages=step_pages, progress=progress, sleep=0)
        src.execute("commit")
        dst.execute("pragma journal_mode = delete")  # the copy is one self-contained file
        problems = [row[0] for row in dst.execute("pragma integrity_check")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError("integrity check of the copy: " + "; ".join(problems[:3]))
        return row_counts(dst)
    finally:
        src.close()
        dst.close()


def row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Count the rows of every ordinary table (not FTS shadow tables), by name."""
    names = [row[0] for row in conn.execute(
        "select name from pragma_table_list where schema = 'main' and type = 'table' "
        "and name not like 'sqlite_%' order by name"
    )]
    return {name: conn.execute(f'select count(*) from "{name}"').fetchone()[0] for name in names}


def cmd_trends(args: argparse.Namespace) -> int:
    """Write a PNG of papers per topic per week."""
    from bot.cli import UsageError
    from bot.trends import default_title, render_trends_png, week_starts, weekly_counts
    from storage.db import open_db

    if not 1 <= args.weeks <= MAX_WEEKS:
        raise UsageError(f"--weeks must be between 1 and {MAX_WEEKS}")
    db = open_db(Config.from_env().db_path)
    counts = weekly_counts(db, args.weeks)
    png = render_trends_png(counts, default_title(args.weeks, args.lang), args.lang,
                            weeks=week_starts(args.weeks))
    out = Path(args.out)
    try:
        out.write_bytes(png)
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    papers = sum(c.count for c in counts)
    print(f"trends: {out} ({len(png):,} bytes, {papers} papers in {args.weeks} weeks)")
    return 0
