"""Bookkeeping of arXiv ingestion: one row per feed poll, one cursor per backfill query."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import sqlite_utils

from storage.db import utc_now

POLL_STATUSES = ("ok", "not_modified", "no_announcement", "error")
# A poll in one of these states saw a valid response, so its validators may be sent again.
_VALIDATED = ("ok", "not_modified", "no_announcement")


def _create_tables(db: sqlite_utils.Database) -> None:
    db["feed_polls"].create(
        {
            "id": int, "url": str, "checked_at": str, "status": str, "items": int, "new": int,
            "replaced": int, "cross": int, "skipped": int, "message": str, "etag": str,
            "last_modified": str,
        },
        pk="id",
        not_null={"url", "checked_at", "status"},
    )
    db["feed_polls"].create_index(["url", "id"])
    db["backfill_cursors"].create(
        {
            "query": str, "since": str, "next_start": int, "stored": int, "done": int,
            "updated_at": str,
        },
        pk=("query", "since"),
    )


MIGRATIONS = [("arxiv-polls-001-create", _create_tables)]


@dataclass(frozen=True)
class FeedPoll:
    """One check of a feed and what came of it."""

    url: str
    status: str  # ok | not_modified | no_announcement | error
    checked_at: str = ""
    items: int = 0
    new: int = 0
    replaced: int = 0
    cross: int = 0
    skipped: int = 0
    message: str = ""
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class BackfillCursor:
    """How far a backfill of one API query has got (results are newest first)."""

    query: str
    since: str
    next_start: int = 0
    stored: int = 0
    done: bool = False


def record_poll(db: sqlite_utils.Database, poll: FeedPoll) -> FeedPoll:
    """Append a poll to the history; return it with its time filled in."""
    if poll.status not in POLL_STATUSES:
        raise ValueError(f"unknown poll status {poll.status!r}")
    poll = replace(poll, checked_at=poll.checked_at or utc_now())
    with db.conn:
        db["feed_polls"].insert(asdict(poll))
    return poll


def latest_poll(db: sqlite_utils.Database, url: str) -> FeedPoll | None:
    """Return the most recent poll of `url`, if any."""
    rows = list(db.query("SELECT * FROM feed_polls WHERE url = ? ORDER BY id DESC LIMIT 1", [url]))
    if not rows:
        return None
    row = rows[0]
    row.pop("id")
    return FeedPoll(**row)


def last_validators(db: sqlite_utils.Database, url: str) -> tuple[str | None, str | None]:
    """Return (ETag, Last-Modified) of the last poll of `url` that got a valid answer."""
    marks = ",".join("?" * len(_VALIDATED))
    sql = (
        f"SELECT etag, last_modified FROM feed_polls WHERE url = ? AND status IN ({marks}) "
        "ORDER BY id DESC LIMIT 1"
    )
    rows = list(db.query(sql, [url, *_VALIDATED]))
    return (rows[0]["etag"], rows[0]["last_modified"]) if rows else (None, None)


def load_cursor(db: sqlite_utils.Database, query: str, since: str) -> BackfillCursor:
    """Return the stored cursor of this backfill, or a fresh one."""
    sql = "SELECT * FROM backfill_cursors WHERE query = ? AND since = ?"
    rows = list(db.query(sql, [query, since]))
    if not rows:
        return BackfillCursor(query, since)
    row = rows[0]
    return BackfillCursor(query, since, row["next_start"], row["stored"], bool(row["done"]))


def save_cursor(db: sqlite_utils.Database, cursor: BackfillCursor) -> None:
    """Store how far this backfill has got."""
    row = asdict(cursor)
    row.update(done=int(cursor.done), updated_at=utc_now())
    with db.conn:
        db["backfill_cursors"].upsert(row, pk=("query", "since"))
