"""Cache of citation counts per arXiv id, refreshed when older than a given age."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from feeds.model import CitationCount
from storage.db import Database, utc_now

DEFAULT_MAX_AGE = timedelta(days=7)


def save_citations(db: Database, counts: Iterable[CitationCount]) -> int:
    """Upsert counts (unknown ones too, so they are not asked for again until stale)."""
    now = utc_now()
    rows = [
        {
            "arxiv_id": c.arxiv_id, "citations": c.citations, "influential": c.influential,
            "publication_date": c.publication_date, "fetched_at": c.fetched_at or now,
        }
        for c in counts
    ]
    with db.atomic():
        db.table("citations").upsert_all(rows, pk="arxiv_id")
    return len(rows)


def get_citations(db: Database, arxiv_ids: Sequence[str]) -> dict[str, CitationCount]:
    """Cached counts for these ids (missing ids are simply absent)."""
    found: dict[str, CitationCount] = {}
    for start in range(0, len(arxiv_ids), 500):
        chunk = list(arxiv_ids[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        for row in db.query(f"select * from citations where arxiv_id in ({marks})", chunk):
            found[row["arxiv_id"]] = CitationCount(
                row["arxiv_id"], row["citations"], row["influential"],
                row["publication_date"] or "", row["fetched_at"],
            )
    return found


def stale_ids(
    db: Database,
    arxiv_ids: Sequence[str],
    now: datetime,
    max_age: timedelta = DEFAULT_MAX_AGE,
) -> list[str]:
    """The ids never fetched, or fetched longer than `max_age` before `now`, in input order."""
    cached = get_citations(db, arxiv_ids)
    limit = now - max_age
    return [i for i in dict.fromkeys(arxiv_ids)
            if i not in cached or _parse(cached[i].fetched_at) < limit]


def _parse(stamp: str) -> datetime:
    when = datetime.fromisoformat(stamp)
    return when if when.tzinfo else when.replace(tzinfo=UTC)
