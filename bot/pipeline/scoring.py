"""Score stored papers the ranker has not seen yet (glue between storage and feeds/rank)."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from bot.pipeline import batches
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
    job = _ranking_job(db, found, snapshot, citations, today)
    return _store(db, job.run())


async def score_papers_off_loop(
    db: Database, found: Sequence[Paper], snapshot: ListSnapshot,
    citations: Mapping[str, CitationCount] | None = None, today: date | None = None,
) -> list[Scored]:
    """score_papers for the bot: the database work on the event loop's thread, the ranking
    (pure CPU, up to seconds for a busy day) in a worker thread, so replies keep flowing."""
    job = _ranking_job(db, found, snapshot, citations, today)
    return _store(db, await asyncio.to_thread(job.run))


@dataclass(frozen=True)
class _RankingJob:
    """Everything the ranker needs, read from the database beforehand."""

    found: Sequence[Paper]
    snapshot: ListSnapshot
    citations: Mapping[str, CitationCount]
    today: date | None
    activity: AuthorActivity
    fetched: tuple[Paper, ...]
    impacts: AuthorImpacts
    list_version: int | None

    def run(self) -> list[Scored]:
        ranked = rank_papers(self.found, self.snapshot, self.citations, self.today,
                             self.activity, self.fetched, self.impacts)
        return [replace(s, list_version=self.list_version) for s in ranked]


def _ranking_job(db: Database, found: Sequence[Paper], snapshot: ListSnapshot,
                 citations: Mapping[str, CitationCount] | None, today: date | None,
                 ) -> _RankingJob:
    latest = lists.latest_version(db)
    if citations is None:
        citations = citation_store.get_citations(db, [p.arxiv_id for p in found])
    return _RankingJob(found, snapshot, citations, today, stored_activity(db, found),
                       stored_list_papers(db, snapshot), stored_impacts(db, found),
                       latest.id if latest else None)


def _store(db: Database, ranked: list[Scored]) -> list[Scored]:
    scores.save_scores(db, ranked)
    return ranked


RESCORED_PER_RUN = 20_000  # papers judged by an older ranker, judged again per run


def score_unscored(
    db: Database, snapshot: ListSnapshot, citations: Mapping[str, CitationCount] | None = None,
) -> int:
    """Rank every stored paper the ranker has not seen, and (newest first, a share per run)
    those an older ranker judged; store the results."""
    total = 0
    for ids in _batches(db):
        total += len(score_papers(db, list(papers.get_papers(db, ids).values()), snapshot,
                                  citations))
    return total


async def score_unscored_off_loop(
    db: Database, snapshot: ListSnapshot, citations: Mapping[str, CitationCount] | None = None,
) -> int:
    """score_unscored for the bot: SCORE_BATCH papers a step, each ranked in a worker thread
    and stored in one short transaction, the loop answering between steps."""
    total = 0
    for number, ids in enumerate(_batches(db, batches.SCORE_BATCH)):
        if number:
            await batches.breathe()
        found = list(papers.get_papers(db, ids).values())
        total += len(await score_papers_off_loop(db, found, snapshot, citations))
    return total


def _batches(db: Database, size: int = BATCH) -> Iterator[list[str]]:
    """Unscored ids in batches, then (a share per run) those an older ranker judged; each
    batch is read after the previous one was stored."""
    while ids := scores.unscored_ids(db, size):
        yield ids
        if len(ids) < size:
            break
    rescored = 0
    while rescored < RESCORED_PER_RUN and (ids := scores.outdated_ids(db, size)):
        yield ids
        rescored += len(ids)
