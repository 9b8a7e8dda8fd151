"""Per-chat ordering from 👍/👎: lift what a chat liked, lower what it disliked, never hide.

A chat's votes teach three small preferences: sections, authors (by name key) and title terms.
Each candidate's score moves by a bounded amount, so a strong list-worthiness score still shows
and nothing drops out of the list; the order changes, the set does not.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from feeds.authors import author_key
from feeds.model import Scored
from feeds.signals import short_name

SECTION_POINTS = 1.5  # at saturation (several votes the same way)
AUTHOR_POINTS = 1.5
TERM_POINTS = 0.5
OWN_VOTE_POINTS = 3.0  # the very paper voted on
MAX_SHIFT = 4.0  # no feedback moves a paper more than this


@dataclass(frozen=True)
class Vote:
    """One 👍 (+1) or 👎 (-1) of a chat on a paper, with what the paper was about."""

    paper_id: str
    vote: int
    section: str = ""
    authors: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Preferences:
    """Net votes per section, author key and term."""

    sections: Counter[str] = field(default_factory=Counter)
    authors: Counter[str] = field(default_factory=Counter)
    terms: Counter[str] = field(default_factory=Counter)
    papers: Counter[str] = field(default_factory=Counter)


def learn_preferences(votes: Iterable[Vote]) -> Preferences:
    """Sum the votes per section, author and term (the latest vote per paper counts)."""
    latest = {v.paper_id: v for v in votes if v.vote}
    prefs = Preferences()
    for vote in latest.values():
        sign = 1 if vote.vote > 0 else -1
        prefs.papers[vote.paper_id] += sign
        if vote.section:
            prefs.sections[vote.section] += sign
        for key in {author_key(name) for name in vote.authors} - {""}:
            prefs.authors[key] += sign
        for term in set(vote.terms):
            prefs.terms[term] += sign
    return prefs


def _saturate(net: float) -> float:
    """-1..1: one vote counts ~0.46, three ~0.9."""
    return math.tanh(net / 2)


def shift_for(item: Scored, prefs: Preferences) -> tuple[float, tuple[str, ...]]:
    """How far a chat's preferences move this paper, and why."""
    reasons = []
    shift = OWN_VOTE_POINTS * _saturate(prefs.papers[item.paper_id] * 4)
    section = _saturate(prefs.sections[item.section]) * SECTION_POINTS
    if abs(section) >= 0.1:
        word = "liked" if section > 0 else "disliked"
        reasons.append(f"you {word} papers in {item.section}")
    keys = {author_key(name): name for name in item.authors}
    authors = [(prefs.authors[k], name) for k, name in keys.items() if prefs.authors[k]]
    author = _saturate(sum(n for n, _ in authors)) * AUTHOR_POINTS
    if authors:
        best = max(authors, key=lambda a: abs(a[0]))
        word = "liked" if best[0] > 0 else "disliked"
        reasons.append(f"you {word} papers by {short_name(best[1])}")
    term = _saturate(sum(prefs.terms[t] for t in set(item.terms)) / 2) * TERM_POINTS
    total = max(-MAX_SHIFT, min(MAX_SHIFT, shift + section + author + term))
    return total, tuple(reasons)


def personalise(scored: Sequence[Scored], votes: Iterable[Vote]) -> list[Scored]:
    """Reorder one chat's candidates by its votes; every candidate stays in the result."""
    prefs = learn_preferences(votes)
    adjusted = []
    for item in scored:
        shift, reasons = shift_for(item, prefs)
        adjusted.append(replace(item, score=item.score + shift,
                                reasons=reasons + item.reasons))
    return sorted(adjusted, key=lambda s: -s.score)
