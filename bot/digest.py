"""Pure digest composition: pick a chat's papers and list news, render them grouped by topic."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.i18n import t
from bot.render import esc, render_entry, render_paper_line, split_blocks
from feeds.model import ListDiff, Paper
from storage.chats import Subscription
from storage.scores import StoredScore

PER_GROUP = 8


@dataclass(frozen=True)
class Candidate:
    """A newly announced paper with what the ranker said about it."""

    paper: Paper
    score: StoredScore | None = None

    @property
    def value(self) -> float:
        """The ranking value (0 when the paper was not scored)."""
        return self.score.score if self.score else 0.0


def keyword_pattern(phrase: str) -> re.Pattern[str]:
    """Compile a keyword phrase into a whole-word, case-insensitive pattern (no user regex)."""
    words = [re.escape(word) for word in phrase.split()]
    return re.compile(r"(?<!\w)" + r"[\W_]+".join(words) + r"(?!\w)", re.IGNORECASE)


def group_for_chat(
    subs: Sequence[Subscription], candidates: Iterable[Candidate]
) -> dict[str, list[Candidate]]:
    """Group a chat's matching papers by its subscriptions (each paper once), keeping the
    given order (best first for this chat)."""
    topics = {s.value for s in subs if s.kind == "topic"}
    keywords = [(s.value, keyword_pattern(s.value)) for s in subs if s.kind == "keyword"]
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        label = _label(candidate, topics, keywords)
        if label is not None:
            groups.setdefault(label, []).append(candidate)
    return groups


def _label(
    candidate: Candidate, topics: set[str], keywords: list[tuple[str, re.Pattern[str]]]
) -> str | None:
    if candidate.score and candidate.score.section in topics:
        return candidate.score.section
    text = f"{candidate.paper.title}\n{candidate.paper.abstract}"
    for phrase, pattern in keywords:
        if pattern.search(text):
            return f"“{phrase}”"
    return None


def news_for_chat(
    subs: Sequence[Subscription], diffs: Iterable[ListDiff], lang: str = "en",
    names: Mapping[str, str] | None = None,
) -> list[str]:
    """Lines about list changes in the chat's topics: added to / removed from the list."""
    topics = {s.value for s in subs if s.kind == "topic"}

    def name(section: str) -> str:
        return esc((names or {}).get(section, section))

    lines = []
    for diff in diffs:
        lines += [f"➕ {render_entry(e)}\n   <i>{t(lang, 'news_added', section=name(e.section))}"
                  "</i>" for e in diff.added if e.section in topics]
        lines += [f"➖ {render_entry(e)}\n   <i>{t(lang, 'news_removed', section=name(e.section))}"
                  "</i>" for e in diff.removed if e.section in topics]
        lines += [f"↪ {render_entry(m.entry)}\n   <i>"
                  f"{t(lang, 'news_moved', old=name(m.from_section), new=name(m.to_section))}</i>"
                  for m in diff.moved if topics & {m.from_section, m.to_section}]
    return lines


def render_digest(
    title: str, groups: Mapping[str, list[Candidate]], news: Sequence[str],
    names: Mapping[str, str] | None = None, lang: str = "en",
) -> list[str]:
    """Render one digest (several messages only past 4096 characters)."""
    blocks: list[str] = []
    if news:
        blocks.append(t(lang, "news_title"))
        blocks += list(news)
    for label in sorted(groups):
        shown = groups[label][:PER_GROUP]
        more = len(groups[label]) - len(shown)
        heading = esc((names or {}).get(label, label))
        blocks.append(f"<b>■ {heading}</b>" + (t(lang, "more_papers", n=more) if more > 0 else ""))
        blocks += [render_paper_line(c.paper, note=_note(c, lang)) for c in shown]
    return split_blocks(blocks, title) if blocks else []


def _note(candidate: Candidate, lang: str) -> str:
    if candidate.score is None:
        return ""
    reasons = "; ".join(candidate.score.reasons[:2])
    return t(lang, "score", value=f"{candidate.value:.2f}") + (f" — {reasons}" if reasons else "")
