"""The database's lock and the hint for a volume this process may not write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage import db as storage_db
from storage import lock


def test_a_second_hold_in_another_open_file_is_refused_with_the_holders_pid(tmp_path) -> None:
    path = tmp_path / "bot.db"
    held = lock.hold(path)
    assert held is not None
    # flock locks belong to open files: a second open file in this process models a second
    # process (tests/system/test_run.py does it with real processes)
    with pytest.raises(lock.LockHeld) as caught:
        lock.hold(path)
    assert caught.value.pid == os.getpid() and str(path) in str(caught.value)
    held.close()
    again = lock.hold(path)  # released with its file
    assert again is not None
    again.close()


def test_memory_databases_need_no_lock() -> None:
    assert lock.hold(":memory:") is None


def test_a_folder_owned_by_another_uid_gets_the_chown_hint(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(storage_db.os, "access", lambda path, mode: False)  # as for uid 10001
    hint = storage_db.writable_hint(tmp_path)
    uid, gid = os.getuid(), os.getgid()
    assert f"chown -R {uid}:{gid} {tmp_path}" in hint and "owned by uid" in hint
    assert storage_db.writable_hint(Path(tmp_path / "missing")) == ""
    monkeypatch.undo()
    assert storage_db.writable_hint(tmp_path) == ""  # writable: nothing to say


def test_a_full_disk_is_refused_in_one_line_before_sqlite_touches_it(tmp_path, monkeypatch) -> None:
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(storage_db.shutil, "disk_usage", lambda path: usage(10**9, 10**9, 4096))
    with pytest.raises(storage_db.StorageError) as caught:
        storage_db.open_db(tmp_path / "bot.db")
    message = str(caught.value)
    assert "\n" not in message and "only 4 KB free" in message and str(tmp_path) in message
    assert not (tmp_path / "bot.db").exists()  # nothing was created on the full disk


def test_the_same_database_through_a_symlink_or_a_relative_path_is_refused(tmp_path,
                                                                           monkeypatch) -> None:
    """Hostile case 4: a second `run` through a symlink was not refused (the lock was by the
    path typed) and 80 chats got their digest twice. The lock follows the file itself."""
    real = tmp_path / "data" / "bot.db"
    real.parent.mkdir()
    real.touch()
    (tmp_path / "link.db").symlink_to(real)
    (tmp_path / "alias").symlink_to(real.parent, target_is_directory=True)
    held = lock.hold(real)
    try:
        monkeypatch.chdir(tmp_path)
        for other in (tmp_path / "link.db", tmp_path / "alias" / "bot.db", "data/bot.db"):
            with pytest.raises(lock.LockHeld) as caught:
                lock.hold(other)
            assert caught.value.pid == os.getpid()
    finally:
        assert held is not None
        held.close()
    again = lock.hold(tmp_path / "link.db")  # free once the holder has gone
    assert again is not None
    again.close()
