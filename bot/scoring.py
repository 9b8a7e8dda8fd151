"""Score stored papers that the ranker has not seen yet (glue between storage and feeds/rank)."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import httpx
import sqlite_utils

from bot.config import Config
from feeds.authors import (
    AuthorActivity,
    AuthorIndex,
    build_author_index,
    full_name_key,
    list_paper_authors,
    merge_arxiv_authors,
)
from feeds.citations import CitationCount, fetch_citations
from feeds.http import client_or_new
from feeds.list_papers import bundled_bib, bundled_list_papers, known_list_papers
from feeds.model import ListSnapshot, Paper, Scored
from feeds.rank import rank_candidates
from feeds.routing import Router, train_router
from storage import citations as citation_store
from storage import lists, papers, scores
from storage.scores import StoredScore

BATCH = 2000


@lru_cache(maxsize=4)
def ranker_inputs(
    snapshot: ListSnapshot, fetched: tuple[Paper, ...] = ()
) -> tuple[AuthorIndex, tuple[Paper, ...], Router]:
    """Author index, known list papers and router for a list version (cached per snapshot).

    `fetched` are arXiv records of list entries the bot stored (full author lists, abstracts).
    """
    bib = bundled_bib()
    records = bundled_list_papers() + fetched
    known = tuple(known_list_papers(snapshot, bib, records))
    authors = merge_arxiv_authors(list_paper_authors(snapshot, bib), records)
    return build_author_index(authors, snapshot), known, train_router(snapshot, known)


def rank_papers(
    found: Sequence[Paper], snapshot: ListSnapshot,
    citations: Mapping[str, CitationCount] | None = None, today: date | None = None,
    activity: AuthorActivity | None = None, fetched: tuple[Paper, ...] = (),
) -> list[Scored]:
    """Rank papers against the list, best first, each with its reasons."""
    index, known, router = ranker_inputs(snapshot, fetched)
    return rank_candidates(found, snapshot, index, citations,
                           today or datetime.now(UTC).date(), known, router,
                           activity=activity)


def stored_list_papers(db: sqlite_utils.Database, snapshot: ListSnapshot) -> tuple[Paper, ...]:
    """The stored arXiv records of the list's entries (fetched by the list_papers job)."""
    ids = sorted({e.arxiv_id for e in snapshot.entries if e.arxiv_id})
    found = papers.get_papers(db, ids)
    return tuple(found[i] for i in ids if i in found)


def stored_activity(db: sqlite_utils.Database, found: Sequence[Paper]) -> AuthorActivity:
    """The publication dates of these papers' authors among every paper the bot has stored.

    Looked up per author with the full-text index instead of indexing every stored author in
    memory (that index costs ~36 MB at 100,000 papers; this costs nothing between polls).
    """
    wanted = {full_name_key(name): name for paper in found for name in paper.authors}
    wanted.pop("", None)
    dates: dict[str, list[str]] = {}
    sql = ("select papers.authors, papers.published from papers_fts join papers "
           "on papers.rowid = papers_fts.rowid where papers_fts match ?")
    for key, name in wanted.items():
        parts = name.split() or [""]
        # first given name and every token of the surname ("Li Fei-Fei": li, fei, fei); the
        # matched rows are then checked against the key, which ignores middle names
        words = re.findall(r"[^\W_]+", parts[0])[:1] + re.findall(r"[^\W_]+", parts[-1])
        if not words:
            continue
        phrase = "authors : (" + " AND ".join(f'"{word}"' for word in words) + ")"
        for row in db.query(sql, [phrase]):
            names = (row["authors"] or "").split(", ")
            if any(full_name_key(other) == key for other in names):
                dates.setdefault(key, []).append(sys.intern((row["published"] or "")[:10]))
    return AuthorActivity({key: tuple(sorted(days)) for key, days in dates.items()})


def score_unscored(
    db: sqlite_utils.Database, snapshot: ListSnapshot,
    citations: Mapping[str, CitationCount] | None = None,
) -> int:
    """Rank every stored paper the ranker has not seen and store the results."""
    latest = lists.latest_version(db)
    total = 0
    while ids := scores.unscored_ids(db, BATCH):
        found = list(papers.get_papers(db, ids).values())
        ranked = rank_papers(found, snapshot, citations, activity=stored_activity(db, found),
                             fetched=stored_list_papers(db, snapshot))
        total += scores.save_scores(db, [_stored(s, latest.id if latest else None) for s in ranked])
        if len(ids) < BATCH:
            break
    return total


def _stored(scored: Scored, version: int | None) -> StoredScore:
    probability = dict(scored.section_probs).get(scored.section, 0.0)
    return StoredScore(scored.paper_id, scored.section, probability, scored.score,
                       scored.reasons, version)


async def refresh_citations(
    db: sqlite_utils.Database, config: Config, snapshot: ListSnapshot, now: datetime,
    client: httpx.AsyncClient | None = None, limit: int = 5000,
) -> str:
    """Refresh citation counts of papers under six months old, then rescore them."""
    since = (now - timedelta(days=183)).date().isoformat()
    ids = [row["arxiv_id"] for row in db.query(
        "select arxiv_id from papers where published >= ? order by first_seen desc limit ?",
        [since, limit])]
    stale = citation_store.stale_ids(db, ids, now)
    failed = 0
    if stale:
        async with client_or_new(client, config.http_timeout) as http:
            fetched = await fetch_citations(http, config.citations_api_url, stale,
                                            config.citations_api_key, now.isoformat())
        citation_store.save_citations(db, fetched.counts)
        failed = len(fetched.failed)
    counts = citation_store.get_citations(db, ids)
    found = list(papers.get_papers(db, list(counts)).values())
    latest = lists.latest_version(db)
    ranked = rank_papers(found, snapshot, counts, now.date(), stored_activity(db, found),
                         stored_list_papers(db, snapshot))
    scores.save_scores(db, [_stored(s, latest.id if latest else None) for s in ranked])
    return (f"citations: {len(ids)} recent papers, {len(stale) - failed} refreshed, "
            f"{failed} failed (kept for the next run), {len(ranked)} rescored")

