"""One bot per database: an OS lock on a file beside it, freed by the kernel when the process
ends (a SIGKILL leaves no stale lock)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from storage.db import StorageError, writable_hint


class LockHeld(StorageError):
    """Another process holds the database's lock; `pid` is that process (0 when unknown)."""

    def __init__(self, path: str, pid: int) -> None:
        who = f"pid {pid}" if pid else "another process"
        super().__init__(f"another papers-bot ({who}) is running on database {path}: one bot "
                         "per database - stop it first")
        self.path, self.pid = path, pid


def hold(db_path: str | Path) -> IO[str] | None:
    """Take the database's lock for this process's life and return its open file (keep it).

    An in-memory database needs none (None). Raise LockHeld when another process has it.
    """
    if str(db_path) == ":memory:":
        return None
    # The file itself, not the name typed: a symlink, a relative path or a bind of the same
    # folder reach the same lock (two bots on one file through a symlink sent digests twice).
    lock_path = Path(f"{Path(db_path).resolve()}.lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path, "a+")  # noqa: SIM115 - held open until the process ends
    except OSError as exc:
        raise StorageError(f"cannot open database {db_path}: {exc.strerror or exc}"
                           f"{writable_hint(lock_path.parent)}") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        text = handle.read().strip()
        handle.close()
        raise LockHeld(str(db_path), int(text) if text.isdigit() else 0) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
