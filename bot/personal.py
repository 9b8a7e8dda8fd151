"""A chat's 👍/👎 applied to what it is shown (glue from storage to feeds/feedback)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlite_utils

from feeds.feedback import Vote, personalise
from feeds.model import ListSnapshot, Paper, Scored
from feeds.routing import terms
from storage import chats, papers, scores
from storage.scores import StoredScore


def chat_votes(db: sqlite_utils.Database, chat_id: int, snapshot: ListSnapshot) -> list[Vote]:
    """A chat's votes with what each voted paper was about (stored paper, else list entry)."""
    raw = chats.votes(db, chat_id)
    if not raw:
        return []
    stored = papers.get_papers(db, list(raw))
    routed = scores.scores_for(db, list(raw))
    entries = {e.arxiv_id: e for e in snapshot.entries if e.arxiv_id}
    found = []
    for paper_id, vote in raw.items():
        paper, entry = stored.get(paper_id), entries.get(paper_id)
        if paper is not None:
            section = routed[paper_id].section if paper_id in routed else ""
            found.append(Vote(paper_id, vote, section, paper.authors, _terms(paper.title)))
        elif entry is not None:
            found.append(Vote(paper_id, vote, entry.section, (entry.authors,),
                              _terms(entry.title)))
        else:
            found.append(Vote(paper_id, vote))
    return found


def _terms(title: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(terms(title)))[:8]


def personal_order(
    db: sqlite_utils.Database, chat_id: int, snapshot: ListSnapshot,
    found: Sequence[tuple[Paper, StoredScore | None]],
) -> list[tuple[Paper, StoredScore | None]]:
    """Order papers for one chat: ranker score moved by the chat's votes; none is dropped."""
    votes = chat_votes(db, chat_id, snapshot)
    by_id = {paper.arxiv_id: (paper, score) for paper, score in found}
    as_scored = [
        Scored(paper.arxiv_id, score.score if score else 0.0, score.section if score else "",
               reasons=score.reasons if score else (), authors=paper.authors,
               terms=_terms(paper.title))
        for paper, score in found
    ]
    if not votes:
        as_scored.sort(key=lambda s: -s.score)
        return [by_id[s.paper_id] for s in as_scored]
    return [by_id[s.paper_id] for s in personalise(as_scored, votes)]
