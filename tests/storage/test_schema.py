"""One migration set: fresh databases get every table; databases made by older code keep every
row and adopt the new bookkeeping (tests/data/legacy holds one made by main at b4d6238)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

from bot.render.strings import render_reason
from feeds.aliases import name_key, short_names
from feeds.arxiv_rss import parse_arxiv_rss
from feeds.model import DigestMode, Lang, ReasonKey, SubscriptionKind, SuggestionStatus
from storage import chats, lists, outbox, papers, scores, suggestions
from storage.db import open_db
from storage.outbox import OutboxStatus
from storage.schema import LEGACY_TABLE, MIGRATIONS, known_migrations
from storage.search import search_papers
from tests.conftest import TEST_DATA

LEGACY = TEST_DATA / "legacy" / "main-b4d6238.db"


def row_counts(path: Path) -> dict[str, int]:
    """Rows of every ordinary table but the migration bookkeeping and full-text indexes (rebuilt
    by a migration), by name."""
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' "
            "and name not in ('migrations', '_sqlite_migrations') and name not like '%\\_fts%' "
            "escape '\\'")]
        return {name: conn.execute(f'select count(*) from "{name}"').fetchone()[0]
                for name in names}
    finally:
        conn.close()


def legacy_copy(tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    shutil.copy(LEGACY, path)
    return path


def test_a_fresh_database_records_every_migration_in_the_one_set(tmp_path) -> None:
    db = open_db(tmp_path / "new.db")
    assert [m.name for m in MIGRATIONS.applied(db)] == list(known_migrations())
    assert LEGACY_TABLE not in db.table_names()
    assert {"papers", "chats", "outbox", "scores", "health"} <= set(db.table_names())


def test_an_old_database_keeps_every_row_and_runs_no_migration_twice(tmp_path) -> None:
    path = legacy_copy(tmp_path)
    before = row_counts(path)
    assert before["papers"] == 13 and before["list_entries"] > 200 and before["outbox"] == 1
    db = open_db(path)
    after = row_counts(path)
    assert {name: after[name] for name in before} == before  # nothing lost, nothing added
    derived = {"paper_names"}  # built from the stored papers by its migration
    assert all(after[name] == 0 for name in set(after) - set(before) - derived)  # new: empty
    named = {(row["arxiv_id"], row["name"]) for row in db.query("select * from paper_names")}
    assert named == {(row["arxiv_id"], name_key(name)) for row in db.query("select * from papers")
                     for name, _ in short_names(row["title"], row["abstract"] or "")}
    applied = [m.name for m in MIGRATIONS.applied(db)]
    assert applied == list(known_migrations())  # the old eleven adopted, the new one run
    assert LEGACY_TABLE not in db.table_names()
    db.conn.close()
    assert [m.name for m in MIGRATIONS.applied(open_db(path))] == applied  # a second open: same


def test_the_new_code_reads_what_the_old_code_wrote(tmp_path) -> None:
    db = open_db(legacy_copy(tmp_path))
    chat = chats.get_chat(db, 1001)
    assert chat is not None and chat.lang is Lang.ZH and chat.digest is DigestMode.INSTANT
    assert {s.kind for s in chats.subscriptions(db, 1001)} == set(SubscriptionKind)
    ids = [row["arxiv_id"] for row in db["papers"].rows]
    stored = scores.scores_for(db, ids)
    assert len(ids) == len(stored) == 13
    reasons = [r for s in stored.values() for r in s.reasons]
    assert reasons and all(r.key is ReasonKey.TEXT for r in reasons)  # stored as plain text
    assert all(render_reason(r, "zh") == r.values["text"] for r in reasons)
    decided = suggestions.with_status(db, SuggestionStatus.ACCEPTED)
    assert len(decided) == 1 and decided[0].line.startswith("- **")
    assert outbox.counts(db) == {OutboxStatus.SENT: 1}
    assert lists.current_snapshot(db).top100()


def test_an_old_database_takes_new_papers_and_finds_them(tmp_path) -> None:
    db = open_db(legacy_copy(tmp_path))
    feed = parse_arxiv_rss((TEST_DATA / "arxiv" / "rss2_ml6_2017-03-15.xml").read_bytes())
    report = papers.store_papers(db, feed.papers, announced=date(2017, 3, 15))
    assert report.total == 29 and report.skipped == 13  # the 13 of the day before are kept
    assert search_papers(db, "neural", limit=50)  # the rebuilt full-text index serves
