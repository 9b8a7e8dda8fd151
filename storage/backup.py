"""An online, verified copy of the live database (SQLite's backup API)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from storage.db import StorageError
from storage.health import CONNECT_TIMEOUT, connect_existing

BACKUP_STEP_PAGES = 256  # 1 MiB at SQLite's default 4 KiB pages
Progress = Callable[[int, int, int], object]  # sqlite3's backup progress(status, left, total)


class BackupRefused(ValueError):
    """The backup cannot start (no source, target exists, ...); the message is one line."""


@dataclass(frozen=True)
class BackupResult:
    """A verified copy of the database."""

    path: Path
    size: int
    row_counts: dict[str, int]


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
    if not source.is_file():
        raise BackupRefused(f"no database at {source}")
    if target.exists() and not force:
        raise BackupRefused(f"{target} exists: pass --force to overwrite it")
    if target.exists() and target.resolve() == source.resolve():
        raise BackupRefused(f"{target} is the live database itself")
    if not target.parent.is_dir():
        raise BackupRefused(f"cannot write {target}: {target.parent} is not a directory")


def _copy_and_verify(
    source: Path, partial: Path, step_pages: int, progress: Progress | None
) -> dict[str, int]:
    src = connect_existing(source, CONNECT_TIMEOUT)
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
