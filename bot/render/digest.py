"""Digest layout: list news, then each subscription's papers, split under Telegram's limit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bot.render.cards import render_entry, render_paper_line
from bot.render.html import esc, split_blocks
from bot.render.strings import render_reason, section_name, t
from feeds.model import Candidate, ListDiff

PER_GROUP = 8


def digest_title(mode: str, lang: str, day: str) -> str:
    """'📬 Daily digest — 2017-03-14' and the like."""
    return t(lang, f"digest_title_{mode}", date=day)


def news_lines(topics: set[str], diffs: Iterable[ListDiff], lang: str) -> list[str]:
    """Lines about list changes in the chat's topics: added to / removed from / moved."""

    def name(section: str) -> str:
        return esc(section_name(section, lang))

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
    title: str, groups: Mapping[str, Sequence[Candidate]], news: Sequence[str], lang: str = "en",
) -> list[str]:
    """Render one digest (several messages only past 4096 characters)."""
    blocks: list[str] = []
    if news:
        blocks.append(t(lang, "news_title"))
        blocks += list(news)
    for label in sorted(groups):
        shown = groups[label][:PER_GROUP]
        more = len(groups[label]) - len(shown)
        heading = esc(section_name(label, lang))
        blocks.append(f"<b>■ {heading}</b>" + (t(lang, "more_papers", n=more) if more > 0 else ""))
        blocks += [render_paper_line(c.paper, note=candidate_note(c, lang)) for c in shown]
    return split_blocks(blocks, title) if blocks else []


def candidate_note(candidate: Candidate, lang: str) -> str:
    """'score 3.21 — reason; reason' under a paper (plain text: the line escapes it)."""
    if candidate.scored is None:
        return ""
    reasons = "; ".join(render_reason(r, lang) for r in candidate.scored.reasons[:2])
    return t(lang, "score", value=f"{candidate.value:.2f}") + (f" — {reasons}" if reasons else "")
