"""Suggestions for the list's maintainers and what they decided."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from storage.db import utc_now

STATUSES = ("pending", "accepted", "rejected", "later")


def _create_suggestions(db: sqlite_utils.Database) -> None:
    db["suggestions"].create(
        {
            "id": int, "arxiv_id": str, "title": str, "section": str, "target_section": str,
            "score": float, "reasons": str, "line": str, "status": str, "created_at": str,
            "decided_at": str, "decided_by": int,
        },
        pk="id", defaults={"status": "pending"},
    )
    db["suggestions"].create_index(["arxiv_id"], unique=True)


MIGRATIONS = [("suggestions_001", _create_suggestions)]


@dataclass(frozen=True)
class Suggestion:
    """A paper proposed for the list, with the exact markdown line to add."""

    id: int
    arxiv_id: str
    title: str
    section: str
    target_section: str
    score: float
    reasons: tuple[str, ...]
    line: str
    status: str = "pending"


def add_suggestion(
    db: sqlite_utils.Database, arxiv_id: str, title: str, section: str, target_section: str,
    score: float, reasons: tuple[str, ...], line: str,
) -> int | None:
    """Store a new suggestion; None when the paper was suggested before."""
    before = db["suggestions"].count
    db["suggestions"].insert(
        {
            "arxiv_id": arxiv_id, "title": title, "section": section,
            "target_section": target_section, "score": score,
            "reasons": json.dumps(list(reasons), ensure_ascii=False), "line": line,
            "created_at": utc_now(),
        },
        ignore=True,
    )
    if db["suggestions"].count == before:
        return None
    return int(next(db.query("select id from suggestions where arxiv_id = ?", [arxiv_id]))["id"])


def suggested_ids(db: sqlite_utils.Database) -> set[str]:
    """Every arXiv id ever suggested."""
    return {row["arxiv_id"] for row in db.query("select arxiv_id from suggestions")}


def get_suggestion(db: sqlite_utils.Database, suggestion_id: int) -> Suggestion | None:
    """Return one suggestion."""
    rows = list(db.query("select * from suggestions where id = ?", [suggestion_id]))
    return _suggestion(rows[0]) if rows else None


def _suggestion(row: dict) -> Suggestion:
    return Suggestion(
        row["id"], row["arxiv_id"], row["title"], row["section"], row["target_section"],
        row["score"], tuple(json.loads(row["reasons"] or "[]")), row["line"], row["status"],
    )


def with_status(db: sqlite_utils.Database, *statuses: str) -> list[Suggestion]:
    """Return suggestions in these statuses, best score first."""
    marks = ",".join("?" * len(statuses))
    sql = f"select * from suggestions where status in ({marks}) order by score desc, id"
    return [_suggestion(row) for row in db.query(sql, list(statuses))]


def decide(db: sqlite_utils.Database, suggestion_id: int, status: str, user_id: int) -> bool:
    """Record a maintainer's decision; False for an unknown suggestion or status."""
    if status not in STATUSES:
        return False
    with db.atomic():
        cursor = db.execute(
            "update suggestions set status = ?, decided_at = ?, decided_by = ? where id = ?",
            [status, utc_now(), user_id, suggestion_id],
        )
    return cursor.rowcount > 0
