"""Ranker results per paper: routed section, list-worthiness score and its reasons."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from storage.db import utc_now


def _create_scores(db: sqlite_utils.Database) -> None:
    db["scores"].create(
        {
            "arxiv_id": str, "section": str, "section_prob": float, "score": float,
            "reasons": str, "list_version": int, "scored_at": str,
        },
        pk="arxiv_id",
    )
    db["scores"].create_index(["section", "score"])


MIGRATIONS = [("scores_001_scores", _create_scores)]


@dataclass(frozen=True)
class StoredScore:
    """What the ranker said about one paper."""

    arxiv_id: str
    section: str
    section_prob: float
    score: float
    reasons: tuple[str, ...]
    list_version: int | None = None


def save_scores(db: sqlite_utils.Database, scores: Iterable[StoredScore]) -> int:
    """Upsert scores in one transaction; return how many were written."""
    now = utc_now()
    rows = [
        {
            "arxiv_id": s.arxiv_id, "section": s.section, "section_prob": s.section_prob,
            "score": s.score, "reasons": json.dumps(list(s.reasons), ensure_ascii=False),
            "list_version": s.list_version, "scored_at": now,
        }
        for s in scores
    ]
    with db.atomic():
        db["scores"].upsert_all(rows, pk="arxiv_id")
    return len(rows)


def get_score(db: sqlite_utils.Database, arxiv_id: str) -> StoredScore | None:
    """Return the stored score of one paper."""
    rows = list(db.query("select * from scores where arxiv_id = ?", [arxiv_id]))
    return _score(rows[0]) if rows else None


def _score(row: dict) -> StoredScore:
    return StoredScore(
        row["arxiv_id"], row["section"], row["section_prob"], row["score"],
        tuple(json.loads(row["reasons"] or "[]")), row["list_version"],
    )


def unscored_ids(db: sqlite_utils.Database, limit: int = 5000) -> list[str]:
    """Return ids of stored papers the ranker has not seen yet."""
    sql = (
        "select papers.arxiv_id from papers left join scores using (arxiv_id) "
        "where scores.arxiv_id is null order by papers.first_seen desc limit ?"
    )
    return [row["arxiv_id"] for row in db.query(sql, [limit])]


def top_in_section(
    db: sqlite_utils.Database, section: str, limit: int = 10, offset: int = 0
) -> list[tuple[str, StoredScore]]:
    """Return the newest routed papers of a section, best score first within a day."""
    # Walk papers newest first on the announced index (CROSS JOIN keeps papers outermost) and
    # stop after enough rows, then add the rest of the last day so within-day order is exact.
    newest = (
        "select scores.*, papers.announced as day from papers cross join scores "
        "on scores.arxiv_id = papers.arxiv_id where papers.announced is not null "
        "and scores.section = ? order by papers.announced desc limit ?"
    )
    rows = list(db.query(newest, [section, offset + limit]))
    if rows and len(rows) == offset + limit:
        rest = ("select scores.*, papers.announced as day from papers cross join scores "
                "on scores.arxiv_id = papers.arxiv_id where papers.announced = ? "
                "and scores.section = ? order by scores.score desc limit ?")
        seen = {row["arxiv_id"] for row in rows}
        last_day = db.query(rest, [rows[-1]["day"], section, offset + limit])
        rows += [r for r in last_day if r["arxiv_id"] not in seen]
    rows.sort(key=lambda row: (row["day"], row["score"]), reverse=True)
    return [(row["arxiv_id"], _score(row)) for row in rows[offset : offset + limit]]


def count_in_section(db: sqlite_utils.Database, section: str) -> int:
    """Return how many stored papers are routed to a section."""
    return next(db.query("select count(*) as n from scores where section = ?", [section]))["n"]


def scores_for(db: sqlite_utils.Database, ids: list[str]) -> dict[str, StoredScore]:
    """Return the stored scores of these papers."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = db.query(f"select * from scores where arxiv_id in ({marks})", ids)
    return {row["arxiv_id"]: _score(row) for row in rows}
