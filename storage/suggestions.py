"""Suggestions for the list's maintainers and what they decided."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from feeds.model import Reason, Suggestion, SuggestionStatus
from storage.db import Database, utc_now
from storage.scores import dump_reasons, load_reasons


def add_suggestion(
    db: Database, arxiv_id: str, title: str, section: str, target_section: str,
    score: float, reasons: Sequence[Reason], line: str,
) -> int | None:
    """Store a new suggestion; None when the paper was suggested before."""
    before = db.table("suggestions").count
    db.table("suggestions").insert(
        {
            "arxiv_id": arxiv_id, "title": title, "section": section,
            "target_section": target_section, "score": score,
            "reasons": dump_reasons(reasons), "line": line,
            "created_at": utc_now(),
        },
        ignore=True,
    )
    if db.table("suggestions").count == before:
        return None
    return int(next(db.query("select id from suggestions where arxiv_id = ?", [arxiv_id]))["id"])


def suggested_ids(db: Database) -> set[str]:
    """Every arXiv id ever suggested."""
    return {row["arxiv_id"] for row in db.query("select arxiv_id from suggestions")}


def get_suggestion(db: Database, suggestion_id: int) -> Suggestion | None:
    """Return one suggestion."""
    rows = list(db.query("select * from suggestions where id = ?", [suggestion_id]))
    return _suggestion(rows[0]) if rows else None


def _suggestion(row: dict[str, Any]) -> Suggestion:
    return Suggestion(
        row["id"], row["arxiv_id"], row["title"], row["section"], row["target_section"],
        row["score"], load_reasons(row["reasons"]), row["line"], SuggestionStatus(row["status"]),
    )


def with_status(db: Database, *statuses: SuggestionStatus) -> list[Suggestion]:
    """Return suggestions in these statuses, best score first."""
    marks = ",".join("?" * len(statuses))
    sql = f"select * from suggestions where status in ({marks}) order by score desc, id"
    return [_suggestion(row) for row in db.query(sql, list(statuses))]


def decide(db: Database, suggestion_id: int, status: SuggestionStatus, user_id: int) -> bool:
    """Record a maintainer's decision; False for an unknown suggestion."""
    with db.atomic():
        cursor = db.execute(
            "update suggestions set status = ?, decided_at = ?, decided_by = ? where id = ?",
            [status, utc_now(), user_id, suggestion_id],
        )
    return cursor.rowcount > 0
