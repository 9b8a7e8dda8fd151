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

from feeds.model import Candidate, Reason, ReasonKey, Scored
from feeds.names import author_key, short_name
from feeds.rank.text import terms

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


def title_terms(title: str) -> tuple[str, ...]:
    """The salient terms of a title that votes learn from (at most eight)."""
    return tuple(dict.fromkeys(terms(title)))[:8]


def shift_for(item: Candidate, prefs: Preferences) -> tuple[float, tuple[Reason, ...]]:
    """How far a chat's preferences move this paper, and why."""
    reasons = []
    paper_section = item.section
    shift = OWN_VOTE_POINTS * _saturate(prefs.papers[item.paper.arxiv_id] * 4)
    section = _saturate(prefs.sections[paper_section]) * SECTION_POINTS
    if abs(section) >= 0.1:
        key = ReasonKey.LIKED_SECTION if section > 0 else ReasonKey.DISLIKED_SECTION
        reasons.append(Reason(key, {"section": paper_section}))
    keys = {author_key(name): name for name in item.paper.authors}
    authors = [(prefs.authors[k], name) for k, name in keys.items() if prefs.authors[k]]
    author = _saturate(sum(n for n, _ in authors)) * AUTHOR_POINTS
    if authors:
        best = max(authors, key=lambda a: abs(a[0]))
        key = ReasonKey.LIKED_AUTHOR if best[0] > 0 else ReasonKey.DISLIKED_AUTHOR
        reasons.append(Reason(key, {"name": short_name(best[1])}))
    words = set(title_terms(item.paper.title))
    term = _saturate(sum(prefs.terms[t] for t in words) / 2) * TERM_POINTS
    total = max(-MAX_SHIFT, min(MAX_SHIFT, shift + section + author + term))
    return total, tuple(reasons)


def personalise(candidates: Sequence[Candidate], votes: Iterable[Vote]) -> list[Candidate]:
    """Reorder one chat's candidates by its votes; every candidate stays in the result."""
    prefs = learn_preferences(votes)
    adjusted = []
    for item in candidates:
        shift, reasons = shift_for(item, prefs)
        scored = item.scored or Scored(item.paper.arxiv_id, 0.0, "")
        adjusted.append(replace(item, scored=replace(
            scored, score=scored.score + shift, reasons=reasons + scored.reasons)))
    return sorted(adjusted, key=lambda c: -c.value)
