"""Operations: `health`, `backup` while the bot writes, and the Docker files checked statically."""

from __future__ import annotations

import inspect
import re
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Config
from bot.pipeline.list_sync import seed_bundled
from storage import job_runs
from storage.arxiv_polls import FeedPoll, record_poll
from storage.backup import backup_database, row_counts
from storage.db import open_db
from storage.health import check_health, judge_freshness
from tests.conftest import ROOT

HOUR = timedelta(hours=1)


@pytest.fixture
def db_path(tmp_path, monkeypatch) -> Path:
    """A migrated database holding the bundled list, named by PAPERS_BOT_DB."""
    path = tmp_path / "bot.db"
    db = open_db(path)
    seed_bundled(db)
    db.conn.close()
    monkeypatch.setenv("PAPERS_BOT_DB", str(path))
    return path


def run_sql(path: Path, sql: str, params: tuple = ()) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(sql, params)
    conn.close()


def ago(hours: float) -> str:
    return (datetime.now(UTC) - hours * HOUR).replace(microsecond=0).isoformat()


def health(capsys, *args: str) -> tuple[int, str]:
    code = main(["health", *args])
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out
    return code, out.strip()


# health


def test_fresh_install_that_never_polled_is_healthy(db_path, capsys) -> None:
    assert health(capsys) == (0, "ok: db writable, no poll yet (database created 0.0 h ago)")
    rows = sqlite3.connect(db_path).execute("select name, beat_at from health").fetchall()
    assert len(rows) == 1 and rows[0][0] == "healthcheck"  # a real write happened


def test_recent_successful_poll_is_healthy(db_path, capsys) -> None:
    db = open_db(db_path)
    job_runs.record_run(db, "poll_list", True, "list: not modified", 0.2)
    run_sql(db_path, "update job_runs set last_ok_at = ?", (ago(2.1),))
    assert health(capsys) == (0, "ok: db writable, last poll 2.1 h ago")


def test_old_last_poll_is_unhealthy(db_path, capsys) -> None:
    db = open_db(db_path)
    job_runs.record_run(db, "poll_arxiv", True, "arxiv: 12 new", 3.0)
    run_sql(db_path, "update job_runs set last_ok_at = ?", (ago(30),))
    assert health(capsys) == (1, "unhealthy: last poll 30.0 h ago (limit 26 h)")
    assert health(capsys, "--max-age", "48") == (0, "ok: db writable, last poll 30.0 h ago")
    assert main(["health", "--max-age", "0"]) == 2
    assert "--max-age must be a positive" in capsys.readouterr().err


def test_long_list_poll_interval_widens_the_default_limit(db_path, monkeypatch, capsys) -> None:
    db = open_db(db_path)
    job_runs.record_run(db, "poll_list", True, "list: not modified", 0.2)
    run_sql(db_path, "update job_runs set last_ok_at = ?", (ago(30),))
    monkeypatch.setenv("LIST_POLL_HOURS", "24")
    assert health(capsys) == (0, "ok: db writable, last poll 30.0 h ago")  # limit 48 h
    run_sql(db_path, "update job_runs set last_ok_at = ?", (ago(49),))
    assert health(capsys) == (1, "unhealthy: last poll 49.0 h ago (limit 48 h)")


def test_failed_polls_do_not_count(db_path, capsys) -> None:
    db = open_db(db_path)
    job_runs.record_run(db, "poll_list", True, "ok", 0.1)
    run_sql(db_path, "update job_runs set last_ok_at = ?", (ago(40),))
    job_runs.record_run(db, "poll_list", False, "failed: timeout", 30.0)  # run now, not ok
    job_runs.record_run(db, "digests", True, "3 digests", 0.1)  # not a poll
    record_poll(db, FeedPoll("http://127.0.0.1/rss", "error", message="503"))
    code, line = health(capsys)
    assert (code, line) == (1, "unhealthy: last poll 40.0 h ago (limit 26 h)")
    record_poll(db, FeedPoll("http://127.0.0.1/rss", "not_modified"))  # a good answer counts
    assert health(capsys) == (0, "ok: db writable, last poll 0.0 h ago")


def test_a_young_install_whose_every_poll_failed_is_unhealthy(db_path, capsys) -> None:
    """Hostile case 7: 75 s after start, every poll had failed and health said "ok ... no poll
    yet". Failed polls since start make it unhealthy, however young the database."""
    db = open_db(db_path)
    job_runs.record_run(db, "digests", False, "no chats", 0.1)  # not a poll: still young, ok
    assert health(capsys)[0] == 0
    job_runs.record_run(db, "poll_arxiv", False, "failed: network error", 30.0)
    job_runs.record_run(db, "poll_list", False, "failed: HTTP 503", 1.0)
    assert health(capsys) == (1, "unhealthy: every poll since start failed (2 failed, none "
                                 "succeeded): see the log")
    job_runs.record_run(db, "poll_list", True, "list: 1 version", 1.0)  # one success: ok
    assert health(capsys) == (0, "ok: db writable, last poll 0.0 h ago")


def test_install_that_never_polled_in_time_is_unhealthy(db_path, capsys) -> None:
    run_sql(db_path, "update _sqlite_migrations set applied_at = ?", (ago(27),))
    code, line = health(capsys)
    assert code == 1
    assert line == ("unhealthy: never polled in the 27.0 h since the database was created "
                    "(limit 26 h)")


@pytest.mark.parametrize("where", ["missing", "under_a_file", "directory"])
def test_unusable_db_path_is_one_line_exit_1(tmp_path, monkeypatch, capsys, where) -> None:
    (tmp_path / "file").write_text("not a directory")
    path = {"missing": tmp_path / "none" / "bot.db", "under_a_file": tmp_path / "file" / "bot.db",
            "directory": tmp_path}[where]
    monkeypatch.setenv("PAPERS_BOT_DB", str(path))
    assert health(capsys) == (1, f"unhealthy: no database at {path}")
    assert not (tmp_path / "none").exists()  # the health check never creates a database


def test_locked_database_is_not_writable(db_path) -> None:
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("begin immediate")  # a stuck writer holds the lock
    try:
        report = check_health(db_path, 26 * 3600, datetime.now(UTC), timeout=0.1)
    finally:
        holder.execute("rollback")
        holder.close()
    assert not report.ok
    assert report.line() == f"unhealthy: db not writable: {db_path}: database is locked"


def test_damaged_database_is_unhealthy_in_one_line(db_path, capsys) -> None:
    data = bytearray(db_path.read_bytes())
    page = 4096
    data[page * 2 : page * 2 + 200] = b"\x07" * 200  # scribble over a b-tree page
    db_path.write_bytes(bytes(data))
    code, line = health(capsys)
    assert code == 1 and line.startswith("unhealthy: ") and str(db_path) in line
    assert "damaged" in line or "malformed" in line or "not a database" in line


def test_schema_from_a_newer_version_is_unhealthy_and_refused(db_path, capsys) -> None:
    run_sql(db_path, "insert into _sqlite_migrations (migration_set, name, applied_at) "
                     "values ('papers-bot', 'zz_999_from_the_future', '2030-01-01')")
    code, line = health(capsys)
    assert (code, line) == (1, f"unhealthy: {db_path} was migrated by a newer papers-bot "
                               "(zz_999_from_the_future): upgrade papers-bot")
    assert main(["ask", "/help"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "newer papers-bot (zz_999_from_the_future)" in err
    tables = sqlite3.connect(db_path).execute("select count(*) from sqlite_master").fetchone()
    open_error = None
    try:
        open_db(db_path)
    except Exception as exc:  # noqa: BLE001 - the one line is what is checked
        open_error = str(exc)
    assert open_error and "upgrade papers-bot" in open_error
    after = sqlite3.connect(db_path).execute("select count(*) from sqlite_master").fetchone()
    assert after == tables  # nothing written into it


def test_not_a_bot_database_is_unhealthy(tmp_path) -> None:
    path = tmp_path / "other.db"
    path.write_bytes(b"")  # an empty file is a valid, empty SQLite database
    report = check_health(path, 3600, datetime.now(UTC))
    assert report.line() == f"unhealthy: {path} is not a papers-bot database"


def test_bad_setting_is_unhealthy_not_docker_reserved_2(db_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "nonsense")
    code, line = health(capsys)
    assert code == 1 and line.startswith("unhealthy: TELEGRAM_BOT_TOKEN is malformed")


def test_judge_freshness_edges() -> None:
    now = datetime(2024, 3, 20, 12, tzinfo=UTC)
    assert judge_freshness(now - 26 * HOUR, None, now, 26 * 3600).ok
    assert not judge_freshness(now - 26.01 * HOUR, now, now, 26 * 3600).ok
    assert judge_freshness(None, now - HOUR, now, 26 * 3600).ok
    assert judge_freshness(now + HOUR, None, now, 3600).reason == "db writable, last poll 0.0 h ago"
    assert judge_freshness(None, None, now, 3600).line() == "unhealthy: never polled"


# backup


def source_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return row_counts(conn)
    finally:
        conn.close()


def test_backup_copies_verifies_and_prints_counts(db_path, tmp_path, capsys) -> None:
    target = tmp_path / "copy.db"
    assert main(["backup", str(target)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(rf"backup: {target} \(\d+\.\d MiB, [\d,]+ bytes\), integrity ok", lines[0])
    printed = {name: int(n.replace(",", "")) for name, n in (ln.split() for ln in lines[1:])}
    expected = source_counts(db_path)
    assert printed == expected and expected["list_entries"] > 200
    assert source_counts(target) == expected
    conn = sqlite3.connect(target)
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    assert conn.execute("pragma journal_mode").fetchone() == ("delete",)  # one file, no -wal
    conn.close()
    assert sorted(p.name for p in tmp_path.glob("*copy.db*")) == ["copy.db"]


def test_backup_refuses_to_overwrite_without_force(db_path, tmp_path, capsys) -> None:
    target = tmp_path / "copy.db"
    target.write_bytes(b"keep me")
    assert main(["backup", str(target)]) == 2
    assert capsys.readouterr().err == (
        f"papers-bot: error: {target} exists: pass --force to overwrite it\n"
    )
    assert target.read_bytes() == b"keep me"
    assert main(["backup", str(target), "--force"]) == 0
    assert source_counts(target) == source_counts(db_path)


def test_backup_errors_are_one_line(db_path, tmp_path, capsys) -> None:
    assert main(["backup", str(db_path), "--force"]) == 2
    assert capsys.readouterr().err == f"papers-bot: error: {db_path} is the live database itself\n"
    assert main(["backup", str(tmp_path / "no" / "copy.db")]) == 2
    assert "is not a directory" in capsys.readouterr().err


def test_backup_while_another_connection_writes(db_path, tmp_path) -> None:
    run_sql(db_path, "create table ticks (id integer primary key)")
    run_sql(db_path, "create table tocks (id integer primary key)")
    committed = threading.Semaphore(0)
    stop = threading.Event()

    def writer() -> None:
        conn = sqlite3.connect(db_path, timeout=30)
        while not stop.is_set():
            with conn:  # one transaction: ticks and tocks always agree
                conn.execute("insert into ticks default values")
                conn.execute("insert into tocks default values")
            committed.release()
        conn.close()

    steps = []

    def between_steps(status: int, remaining: int, total: int) -> None:
        steps.append(remaining)
        assert committed.acquire(timeout=10)  # the writer commits during every step

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        result = backup_database(db_path, tmp_path / "copy.db", step_pages=8,
                                 progress=between_steps)
    finally:
        stop.set()
        thread.join()
    assert len(steps) > 5
    copy = result.row_counts
    assert copy["ticks"] == copy["tocks"]  # one consistent snapshot
    live = source_counts(db_path)
    assert live["ticks"] >= copy["ticks"] + len(steps)
    assert {k: v for k, v in copy.items() if k not in ("ticks", "tocks")} == {
        k: v for k, v in live.items() if k not in ("ticks", "tocks")
    }
    conn = sqlite3.connect(result.path)
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    conn.close()


# Docker files, checked statically (Docker cannot run here)


def config_variables() -> set[str]:
    return set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', inspect.getsource(Config.from_env)))


def dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def test_dockerfile_runs_as_non_root_with_data_volume_and_health_check() -> None:
    lines = dockerfile()
    assert lines[0].startswith("FROM python:3.11-slim")
    users = [ln.split()[1] for ln in lines if ln.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert any(ln.startswith("VOLUME") and "/data" in ln for ln in lines)
    assert any(ln.startswith("ENV") and "PAPERS_BOT_DB=/data/papers-bot.db" in ln for ln in lines)
    (check,) = [ln for ln in lines if ln.startswith("HEALTHCHECK")]
    assert re.search(r'CMD \["papers-bot", "health"\]', check)
    assert lines[-1] == 'CMD ["papers-bot", "run"]'
    assert any(ln.startswith("RUN pip install") for ln in lines)


def test_compose_sets_every_config_variable_without_secrets() -> None:
    text = (ROOT / "compose.yaml").read_text()
    names = config_variables()
    assert {"TELEGRAM_BOT_TOKEN", "PAPERS_BOT_DB", "TELEGRAM_RATE_LIMIT"} <= names
    assert {name for name in names if not re.search(rf"^\s+{name}:", text, re.M)} == set()
    assert re.search(r"^\s+TELEGRAM_BOT_TOKEN: \$\{TELEGRAM_BOT_TOKEN:\?", text, re.M)
    assert not re.search(r"\d{5,}:[A-Za-z0-9_-]{20,}", text)  # no token pasted in
    assert re.search(r"^\s+PAPERS_BOT_DB: /data/papers-bot\.db$", text, re.M)


def test_compose_structure() -> None:
    yaml = pytest.importorskip("yaml")
    bot = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]["bot"]
    assert set(bot["environment"]) == config_variables()
    assert any(volume.endswith(":/data") for volume in bot["volumes"])
    assert bot["restart"] in ("unless-stopped", "always")
    assert bot["healthcheck"]["test"] == ["CMD", "papers-bot", "health"]


def test_readme_settings_table_matches_config() -> None:
    readme = (ROOT / "README.md").read_text()
    table = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, re.M))
    assert config_variables() <= table


def test_dockerignore_keeps_secrets_and_databases_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".git", ".env", "*.db", "tests"} <= set(ignored)
