"""Which of the new papers a chat gets, grouped by its subscriptions (pure).

A topic group holds the papers that fit the topic well enough to be shown (one of their one or
two topics, with a fit at or above the topic's bar, feeds/rank/topics.py show_bar: fewer when few
fit, never padded), most important first: the fit bar decides whether a paper is shown, its
importance (feeds/rank/ranker.py `importance`, moved by the chat's 👍/👎) where, the fit only
breaks ties; a keyword group the papers whose title
holds the phrase or whose abstract is about it (feeds/keywords.py), title matches first. Each
paper goes to one group, the topic it fits best. How many of a group a digest shows is the
renderer's business; the rest stays reachable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from feeds.keywords import KeywordMatch, keyword_matches
from feeds.model import Candidate, Scored, Subscription, SubscriptionKind
from feeds.rank.ranker import importance
from feeds.rank.topics import show_bar
from feeds.topic_identity import heading_fit, identity_of_heading


@dataclass(frozen=True)
class Group:
    """One subscription's papers in a digest, best first."""

    label: str  # the topic's current heading, or “phrase” for a keyword
    kind: SubscriptionKind
    papers: tuple[Candidate, ...]


def topics_of(subs: Sequence[Subscription]) -> set[str]:
    """The topic identities a chat follows."""
    return {identity_of_heading(s.value) for s in subs if s.kind is SubscriptionKind.TOPIC}


def _importance(candidate: Candidate) -> float:
    return importance(candidate.scored)


def topic_fit(scored: Scored | None, identity: str) -> float:
    """How well a scored paper fits a followed topic (its identity, or any heading of it; 0
    unless routed there)."""
    if scored is None:
        return 0.0
    return heading_fit(scored.topics or ((scored.section, scored.section_prob),),
                       identity_of_heading(identity))


def group_for_chat(
    subs: Sequence[Subscription], candidates: Iterable[Candidate],
    weight: Callable[[Candidate], float] = _importance, headings: Mapping[str, str] | None = None,
) -> list[Group]:
    """Group a chat's matching papers by its subscriptions (each paper once), best first:
    a topic's papers over its fit bar by `weight` (fit breaks ties), a keyword's title matches
    before abstract matches, each by `weight`.

    `weight` is how much a paper matters (0..1; a chat's 👍/👎 move it); topics come first in
    the order the chat follows them, then keywords. `headings` names each topic identity by
    its current heading (a paper routed under an older heading still fits its topic).
    """
    headings = headings or {}
    topics = [s.value for s in subs if s.kind is SubscriptionKind.TOPIC]
    phrases = [s.value for s in subs if s.kind is SubscriptionKind.KEYWORD]
    by_topic: dict[str, list[tuple[tuple[float, float], Candidate]]] = {t: [] for t in topics}
    by_phrase: dict[str, list[tuple[tuple[float, float], Candidate]]] = {p: [] for p in phrases}
    for candidate in candidates:
        fits = [(fit, t) for t in topics  # the fit bar gates: a weak fit is never shown
                if (fit := topic_fit(candidate.scored, t)) > 0 and fit >= show_bar(t)]
        best_fit, topic = max(fits, default=(0.0, ""))
        if best_fit > 0:
            by_topic[topic].append(((weight(candidate), best_fit), candidate))
            continue
        for phrase in phrases:
            found = keyword_matches(phrase, candidate.paper)
            if found is not None:
                title_first = 1.0 if found is KeywordMatch.TITLE else 0.0
                by_phrase[phrase].append(((title_first, weight(candidate)), candidate))
                break
    groups = [Group(headings.get(t, t), SubscriptionKind.TOPIC, _best_first(by_topic[t]))
              for t in topics]
    groups += [Group(f"“{p}”", SubscriptionKind.KEYWORD, _best_first(by_phrase[p]))
               for p in phrases]
    return [g for g in groups if g.papers]


def _best_first(items: list[tuple[tuple[float, float], Candidate]]) -> tuple[Candidate, ...]:
    """By the first key, then the second, highest first (stable: ties keep their order)."""
    return tuple(c for _, c in sorted(items, key=lambda item: (-item[0][0], -item[0][1])))
