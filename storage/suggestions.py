"""Suggestions for the list's maintainers and what they decided."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from feeds.model import Reason, Suggestion, SuggestionStatus
from storage.db import Database, utc_now
from storage.scores import dump_reasons, load_reasons

OPEN = (SuggestionStatus.PENDING, SuggestionStatus.LATER)


def add_suggestion(
    db: Database, arxiv_id: str, title: str, section: str, target_section: str,
    score: float, reasons: Sequence[Reason], line: str, impact: float | None = None,
    created_at: str = "",
) -> int | None:
    """Store a new suggestion; None when the paper was suggested before (ever)."""
    before = db.table("suggestions").count
    db.table("suggestions").insert(
        {
            "arxiv_id": arxiv_id, "title": title, "section": section,
            "target_section": target_section, "score": score, "impact": impact,
            "reasons": dump_reasons(reasons), "line": line,
            "created_at": created_at or utc_now(),
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
        impact=row.get("impact"), decided_by=row.get("decided_by_name") or "",
        decided_at=row.get("decided_at") or "",
    )


# most important first (suggestions made before impact existed by their score), then oldest
_ORDER = "order by coalesce(impact, -99) desc, score desc, id"


def with_status(db: Database, *statuses: SuggestionStatus) -> list[Suggestion]:
    """Return suggestions in these statuses, most important first."""
    marks = ",".join("?" * len(statuses))
    sql = f"select * from suggestions where status in ({marks}) {_ORDER}"
    return [_suggestion(row) for row in db.query(sql, list(statuses))]


def open_page(db: Database, offset: int, limit: int) -> tuple[list[Suggestion], int]:
    """One page of the pending and postponed suggestions, most important first, and how many
    there are in all."""
    marks = ",".join("?" * len(OPEN))
    total = next(db.query(f"select count(*) as n from suggestions where status in ({marks})",
                          list(OPEN)))["n"]
    sql = f"select * from suggestions where status in ({marks}) {_ORDER} limit ? offset ?"
    return [_suggestion(row) for row in db.query(sql, [*OPEN, limit, offset])], total


def made_since(db: Database, since: str) -> int:
    """How many suggestions were made since a time (ISO, UTC)."""
    sql = "select count(*) as n from suggestions where created_at >= ?"
    return int(next(db.query(sql, [since]))["n"])


def decide(db: Database, suggestion_id: int, status: SuggestionStatus, user_id: int,
           user_name: str = "") -> bool:
    """Record a maintainer's decision and who made it; False for an unknown suggestion."""
    with db.atomic():
        cursor = db.execute(
            "update suggestions set status = ?, decided_at = ?, decided_by = ?, "
            "decided_by_name = ? where id = ?",
            [status, utc_now(), user_id, user_name, suggestion_id],
        )
    return cursor.rowcount > 0
