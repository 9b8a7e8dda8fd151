"""Ranker results per paper: routed section, list-worthiness score and its reasons."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from feeds.model import Reason, Scored
from feeds.topic_identity import topic_for_heading
from storage.db import Database, utc_now

OTHER = "other"

# Bumped when routing or scoring changes meaning: older scores are judged again, newest first.
RANKER_VERSION = 3


def save_scores(db: Database, scores: Iterable[Scored]) -> int:
    """Upsert scores in one transaction; return how many were written.

    Beside each routed section's heading goes its stable topic, which /papers asks by."""
    now = utc_now()
    rows = [
        {
            "arxiv_id": s.paper_id, "section": s.section, "section_prob": s.section_prob,
            "section2": s.topics[1][0] if len(s.topics) > 1 else None,
            "section2_prob": s.topics[1][1] if len(s.topics) > 1 else None,
            "topic": topic_for_heading(s.section),
            "topic2": topic_for_heading(s.topics[1][0]) if len(s.topics) > 1 else None,
            "score": s.score, "impact": s.impact, "reasons": dump_reasons(s.reasons),
            "list_version": s.list_version, "scored_at": now, "ranker_version": RANKER_VERSION,
        }
        for s in scores
    ]
    with db.atomic():
        db.table("scores").upsert_all(rows, pk="arxiv_id")
    return len(rows)


def dump_reasons(reasons: Iterable[Reason]) -> str:
    """Reasons as stored: a JSON list of {"key", "values"}."""
    return json.dumps([r.to_json() for r in reasons], ensure_ascii=False)


def load_reasons(text: str | None) -> tuple[Reason, ...]:
    """Stored reasons back as records (plain strings from older versions become text reasons)."""
    return tuple(Reason.from_json(item) for item in json.loads(text or "[]"))


def get_score(db: Database, arxiv_id: str) -> Scored | None:
    """Return the stored score of one paper."""
    rows = list(db.query("select * from scores where arxiv_id = ?", [arxiv_id]))
    return _score(rows[0]) if rows else None


def _score(row: dict[str, Any]) -> Scored:
    first = (row["section"], row["section_prob"] or 0.0)
    topics: tuple[tuple[str, float], ...] = (
        (first,) if row["section"] and row["section"] != OTHER else ())
    if row.get("section2"):
        topics += ((row["section2"], row["section2_prob"] or 0.0),)
    return Scored(
        paper_id=row["arxiv_id"], score=row["score"], section=row["section"],
        section_probs=(first,), reasons=load_reasons(row["reasons"]),
        list_version=row["list_version"], topics=topics, impact=row.get("impact"),
    )


def unscored_ids(db: Database, limit: int = 5000) -> list[str]:
    """Return ids of stored papers the ranker has not seen yet."""
    sql = (
        "select papers.arxiv_id from papers left join scores using (arxiv_id) "
        "where scores.arxiv_id is null order by papers.first_seen desc limit ?"
    )
    return [row["arxiv_id"] for row in db.query(sql, [limit])]


def outdated_ids(db: Database, limit: int) -> list[str]:
    """Ids of papers scored by an older ranker, most recently seen first."""
    sql = (
        "select scores.arxiv_id from scores join papers using (arxiv_id) "
        "where scores.ranker_version < ? order by papers.first_seen desc limit ?"
    )
    return [row["arxiv_id"] for row in db.query(sql, [RANKER_VERSION, limit])]


def top_in_section(
    db: Database, topic: str, limit: int = 10, offset: int = 0, bar: float = 0.0,
) -> list[tuple[str, Scored]]:
    """Return the newest papers routed to a topic (whatever its heading was when they were
    routed) whose fit for it reaches `bar`, most important first within a day."""
    # The newest `offset + limit` of each topic column on its (topic, announced) index, then
    # the rest of the last day among them, so the within-day order is exact.
    wanted = offset + limit
    newest = ("select *, announced as day from scores where {column} = ? and {prob} >= ? "
              "and announced is not null order by announced desc limit ?")
    rows = [row for column, prob in (("topic", "section_prob"), ("topic2", "section2_prob"))
            for row in db.query(newest.format(column=column, prob=prob), [topic, bar, wanted])]
    rows.sort(key=lambda row: row["day"], reverse=True)
    rows = rows[:wanted]
    if rows and len(rows) == wanted:
        rest = ("select *, announced as day from scores where announced = ? and "
                "((topic = ? and section_prob >= ?) or (topic2 = ? and section2_prob >= ?))")
        seen = {row["arxiv_id"] for row in rows}
        last_day = db.query(rest, [rows[-1]["day"], topic, bar, topic, bar])
        rows += [r for r in last_day if r["arxiv_id"] not in seen]
    rows.sort(key=lambda row: (row["day"], _importance(row), row["score"]), reverse=True)
    return [(row["arxiv_id"], _score(row)) for row in rows[offset : offset + limit]]


def _importance(row: dict[str, Any]) -> float:
    """Most important first within a day: by impact (scores from before it last)."""
    return row["impact"] if row.get("impact") is not None else -99.0


def count_in_section(db: Database, topic: str) -> int:
    """Return how many stored papers are routed to a topic."""
    sql = "select count(*) as n from scores where topic = ? or topic2 = ?"
    return next(db.query(sql, [topic, topic]))["n"]


def rename_sections(db: Database, renamed: dict[str, str]) -> int:
    """Give routed papers their section's new heading (old -> new); return rows changed.

    Call inside the caller's transaction."""
    changed = 0
    for old, new in renamed.items():
        for column, topic in (("section", "topic"), ("section2", "topic2")):
            changed += db.execute(
                f"update scores set {column} = ?, {topic} = coalesce(?, {topic}) "
                f"where {column} = ?", [new, topic_for_heading(new), old]).rowcount
    return changed


def scores_for(db: Database, ids: list[str]) -> dict[str, Scored]:
    """Return the stored scores of these papers."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = db.query(f"select * from scores where arxiv_id in ({marks})", ids)
    return {row["arxiv_id"]: _score(row) for row in rows}


def unsuggested_above(db: Database, bar: float, limit: int) -> list[Scored]:
    """Papers whose impact reaches `bar` and that were never suggested, most important first."""
    sql = ("select scores.* from scores where scores.impact >= ? and not exists "
           "(select 1 from suggestions where suggestions.arxiv_id = scores.arxiv_id) "
           "order by scores.impact desc, scores.arxiv_id limit ?")
    return [_score(row) for row in db.query(sql, [bar, limit])]
