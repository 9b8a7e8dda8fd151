"""Which of the new papers a chat gets, grouped by its subscriptions (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from feeds.model import Candidate, Subscription, SubscriptionKind


def keyword_pattern(phrase: str) -> re.Pattern[str]:
    """Compile a keyword phrase into a whole-word, case-insensitive pattern (no user regex)."""
    words = [re.escape(word) for word in phrase.split()]
    return re.compile(r"(?<!\w)" + r"[\W_]+".join(words) + r"(?!\w)", re.IGNORECASE)


def topics_of(subs: Sequence[Subscription]) -> set[str]:
    """The sections a chat follows."""
    return {s.value for s in subs if s.kind is SubscriptionKind.TOPIC}


def group_for_chat(
    subs: Sequence[Subscription], candidates: Iterable[Candidate]
) -> dict[str, list[Candidate]]:
    """Group a chat's matching papers by its subscriptions (each paper once), keeping the
    given order (best first for this chat)."""
    topics = topics_of(subs)
    keywords = [(s.value, keyword_pattern(s.value)) for s in subs
                if s.kind is SubscriptionKind.KEYWORD]
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        label = _label(candidate, topics, keywords)
        if label is not None:
            groups.setdefault(label, []).append(candidate)
    return groups


def _label(
    candidate: Candidate, topics: set[str], keywords: list[tuple[str, re.Pattern[str]]]
) -> str | None:
    if candidate.section in topics:
        return candidate.section
    text = f"{candidate.paper.title}\n{candidate.paper.abstract}"
    for phrase, pattern in keywords:
        if pattern.search(text):
            return f"“{phrase}”"
    return None
