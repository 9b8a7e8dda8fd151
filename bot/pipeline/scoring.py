"""Score stored papers the ranker has not seen yet (glue between storage and feeds/rank)."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from feeds.model import CitationCount, ListSnapshot, Paper, Scored
from feeds.names import author_key, full_name_key
from feeds.rank.authors import AuthorActivity
from feeds.rank.impact import NO_IMPACTS, AuthorImpacts, ImpactLookup
from feeds.rank.inputs import inputs_for
from feeds.rank.ranker import rank_candidates
from storage import author_impact, lists, papers, scores
from storage import citations as citation_store
from storage.db import Database

BATCH = 2000


def rank_papers(
    found: Sequence[Paper], snapshot: ListSnapshot,
    citations: Mapping[str, CitationCount] | None = None, today: date | None = None,
    activity: AuthorActivity | None = None, fetched: tuple[Paper, ...] = (),
    impacts: ImpactLookup = NO_IMPACTS,
) -> list[Scored]:
    """Rank papers against the list, best first, each with its reasons.

    `fetched` are the stored arXiv records of list entries (full author lists, abstracts);
    `impacts` the authors' earlier records.
    """
    return rank_candidates(found, inputs_for(snapshot, fetched), citations,
                           today or datetime.now(UTC).date(), activity=activity,
                           impacts=impacts)


def stored_impacts(db: Database, found: Sequence[Paper]) -> AuthorImpacts:
    """The earlier records of these papers' authors that the bot has fetched.

    Where the citation API listed a paper's authors, its author ids say who is who (matched to
    the arXiv names by initial and surname within the paper); elsewhere names decide.
    """
    names = {name for paper in found for name in paper.authors}
    records = author_impact.author_impacts_for(db, names)
    by_id = {r.author_id: r for r in records if r.author_id}
    listed = author_impact.paper_authors(db, [p.arxiv_id for p in found])
    matched = []
    for paper in found:
        ids = {author_key(a.name): a.author_id for a in listed.get(paper.arxiv_id, ())}
        for name in paper.authors:
            record = by_id.get(ids.get(author_key(name), ""))
            if record is not None:
                matched.append(replace(record, name=name))
    return AuthorImpacts([*records, *matched])  # a match by id outweighs one by name


def stored_list_papers(db: Database, snapshot: ListSnapshot) -> tuple[Paper, ...]:
    """The stored arXiv records of the list's entries (fetched by the list_papers job)."""
    ids = sorted({e.arxiv_id for e in snapshot.entries if e.arxiv_id})
    found = papers.get_papers(db, ids)
    return tuple(found[i] for i in ids if i in found)


def stored_activity(db: Database, found: Sequence[Paper]) -> AuthorActivity:
    """The publication dates of these papers' authors among every paper the bot has stored.

    Looked up per author with the full-text index instead of indexing every stored author in
    memory (that index costs ~36 MB at 100,000 papers; this costs nothing between polls).
    """
    wanted = {full_name_key(name): name for paper in found for name in paper.authors}
    wanted.pop("", None)
    dates: dict[str, list[str]] = {}
    for key, name in wanted.items():
        parts = name.split() or [""]
        # first given name and every token of the surname ("Li Fei-Fei": li, fei, fei); the
        # matched rows are then checked against the key, which ignores middle names
        words = re.findall(r"[^\W_]+", parts[0])[:1] + re.findall(r"[^\W_]+", parts[-1])
        if not words:
            continue
        for authors, published in papers.rows_by_author_words(db, words):
            if any(full_name_key(other) == key for other in authors.split(", ")):
                dates.setdefault(key, []).append(sys.intern(published[:10]))
    return AuthorActivity({key: tuple(sorted(days)) for key, days in dates.items()})


def score_papers(
    db: Database, found: Sequence[Paper], snapshot: ListSnapshot,
    citations: Mapping[str, CitationCount] | None = None, today: date | None = None,
) -> list[Scored]:
    """Rank these stored papers with the authors' activity and records, and store the scores
    (with the stored citation counts unless `citations` are given)."""
    latest = lists.latest_version(db)
    if citations is None:
        citations = citation_store.get_citations(db, [p.arxiv_id for p in found])
    ranked = rank_papers(found, snapshot, citations, today, stored_activity(db, found),
                         stored_list_papers(db, snapshot), stored_impacts(db, found))
    version = latest.id if latest else None
    stored = [replace(s, list_version=version) for s in ranked]
    scores.save_scores(db, stored)
    return stored


RESCORED_PER_RUN = 20_000  # papers judged by an older ranker, judged again per run


def score_unscored(
    db: Database, snapshot: ListSnapshot, citations: Mapping[str, CitationCount] | None = None,
) -> int:
    """Rank every stored paper the ranker has not seen, and (newest first, a share per run)
    those an older ranker judged; store the results."""
    total = 0
    while ids := scores.unscored_ids(db, BATCH):
        total += _score_ids(db, ids, snapshot, citations)
        if len(ids) < BATCH:
            break
    rescored = 0
    while rescored < RESCORED_PER_RUN and (ids := scores.outdated_ids(db, BATCH)):
        rescored += _score_ids(db, ids, snapshot, citations)
    return total + rescored


def _score_ids(db: Database, ids: list[str], snapshot: ListSnapshot,
               citations: Mapping[str, CitationCount] | None) -> int:
    found = list(papers.get_papers(db, ids).values())
    return len(score_papers(db, found, snapshot, citations))
