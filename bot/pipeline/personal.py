"""A chat's 👍/👎 applied to what it is shown (glue from storage to feeds/rank/feedback)."""

from __future__ import annotations

from collections.abc import Sequence

from feeds.model import Candidate, ListSnapshot
from feeds.rank.feedback import Vote, personalise, title_terms
from storage import chats, papers, scores
from storage.db import Database


def chat_votes(db: Database, chat_id: int, snapshot: ListSnapshot) -> list[Vote]:
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
            found.append(Vote(paper_id, vote, section, paper.authors, title_terms(paper.title)))
        elif entry is not None:
            found.append(Vote(paper_id, vote, entry.section, (entry.authors,),
                              title_terms(entry.title)))
        else:
            found.append(Vote(paper_id, vote))
    return found


def personal_order(
    db: Database, chat_id: int, snapshot: ListSnapshot, found: Sequence[Candidate],
) -> list[Candidate]:
    """Order candidates for one chat: the ranker's score moved by the chat's votes.

    None is dropped, and each keeps what the ranker said (the votes change only the order).
    """
    votes = chat_votes(db, chat_id, snapshot)
    if not votes:
        return sorted(found, key=lambda c: -c.value)
    by_id = {c.paper.arxiv_id: c for c in found}
    return [by_id[c.paper.arxiv_id] for c in personalise(found, votes)]


def personal_scores(
    db: Database, chat_id: int, snapshot: ListSnapshot, found: Sequence[Candidate],
) -> dict[str, float]:
    """Each candidate's score for one chat: the ranker's, moved by the chat's votes."""
    votes = chat_votes(db, chat_id, snapshot)
    moved = personalise(found, votes) if votes else found
    return {c.paper.arxiv_id: c.value for c in moved}
