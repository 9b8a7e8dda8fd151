"""The citation cache: counts per arXiv id and which are stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feeds.model import CitationCount
from storage.citations import get_citations, save_citations, stale_ids
from storage.db import open_db


def test_cache_keeps_counts_and_knows_what_is_stale() -> None:
    db = open_db()
    then = datetime(2024, 1, 1, tzinfo=UTC)
    save_citations(db, [CitationCount("a", 10, 1, "2023-05-01", then.isoformat()),
                        CitationCount("b", None, None, "", then.isoformat())])
    cached = get_citations(db, ["a", "b", "c"])
    assert cached["a"].citations == 10 and cached["b"].citations is None and "c" not in cached
    assert stale_ids(db, ["a", "b", "c"], then + timedelta(days=1)) == ["c"]
    assert stale_ids(db, ["a", "b", "c"], then + timedelta(days=8)) == ["a", "b", "c"]
    save_citations(db, [CitationCount("a", 12, 1, "2023-05-01", (then + timedelta(days=8))
                                      .isoformat())])
    assert get_citations(db, ["a"])["a"].citations == 12
