"""Score stored papers that the ranker has not seen yet (glue between storage and feeds/rank)."""

from __future__ import annotations

import sqlite_utils

from feeds.model import ListSnapshot
from feeds.routing import route
from storage import lists, papers, scores
from storage.scores import StoredScore

BATCH = 2000


def score_unscored(db: sqlite_utils.Database, snapshot: ListSnapshot) -> int:
    """Route and score every unscored paper; return how many were scored."""
    latest = lists.latest_version(db)
    total = 0
    while ids := scores.unscored_ids(db, BATCH):
        found = [p for p in (papers.get_paper(db, i) for i in ids) if p is not None]
        rows = []
        for paper in found:
            section, probability = route(paper)[0]
            rows.append(StoredScore(paper.arxiv_id, section, probability, 0.0, (),
                                    latest.id if latest else None))
        total += scores.save_scores(db, rows)
        if len(ids) < BATCH:
            break
    return total
