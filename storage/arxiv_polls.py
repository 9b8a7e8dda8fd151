"""Bookkeeping of arXiv ingestion: one row per feed poll, one cursor per backfill query."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from feeds.model import PollStatus
from storage.db import Database, utc_now

_VALIDATED = tuple(status.value for status in PollStatus if status.validated)




@dataclass(frozen=True)
class FeedPoll:
    """One check of a feed and what came of it."""

    url: str
    status: PollStatus
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


def record_poll(db: Database, poll: FeedPoll) -> FeedPoll:
    """Append a poll to the history; return it with its time filled in."""
    poll = replace(poll, checked_at=poll.checked_at or utc_now())
    with db.conn:
        db.table("feed_polls").insert(asdict(poll))
    return poll


def latest_poll(db: Database, url: str) -> FeedPoll | None:
    """Return the most recent poll of `url`, if any."""
    rows = list(db.query("SELECT * FROM feed_polls WHERE url = ? ORDER BY id DESC LIMIT 1", [url]))
    if not rows:
        return None
    return _poll(rows[0])


def _poll(row: dict[str, Any]) -> FeedPoll:
    fields = {k: v for k, v in row.items() if k != "id"}
    return FeedPoll(**{**fields, "status": PollStatus(row["status"])})


def newest_poll(db: Database) -> FeedPoll | None:
    """Return the most recent poll of any feed, if any."""
    rows = list(db.query("SELECT * FROM feed_polls ORDER BY id DESC LIMIT 1"))
    return _poll(rows[0]) if rows else None


def last_validators(db: Database, url: str) -> tuple[str | None, str | None]:
    """Return (ETag, Last-Modified) of the last poll of `url` that got a valid answer."""
    marks = ",".join("?" * len(_VALIDATED))
    sql = (
        f"SELECT etag, last_modified FROM feed_polls WHERE url = ? AND status IN ({marks}) "
        "ORDER BY id DESC LIMIT 1"
    )
    rows = list(db.query(sql, [url, *_VALIDATED]))
    return (rows[0]["etag"], rows[0]["last_modified"]) if rows else (None, None)


def load_cursor(db: Database, query: str, since: str) -> BackfillCursor:
    """Return the stored cursor of this backfill, or a fresh one."""
    sql = "SELECT * FROM backfill_cursors WHERE query = ? AND since = ?"
    rows = list(db.query(sql, [query, since]))
    if not rows:
        return BackfillCursor(query, since)
    row = rows[0]
    return BackfillCursor(query, since, row["next_start"], row["stored"], bool(row["done"]))


def save_cursor(db: Database, cursor: BackfillCursor) -> None:
    """Store how far this backfill has got."""
    row = asdict(cursor)
    row.update(done=int(cursor.done), updated_at=utc_now())
    with db.conn:
        db.table("backfill_cursors").upsert(row, pk=("query", "since"))
