"""The one message a chat gets when a list version renamed, merged or split what it follows."""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.html import esc
from bot.render.strings import section_name, t
from feeds.model import TopicChangeKind
from feeds.topic_identity import TopicChange


def render_topic_notice(changes: Sequence[TopicChange], lang: str) -> str:
    """One line per change (a merge seen from two of its parts is said once)."""
    lines: list[str] = []
    merged_into: set[str] = set()
    for change in changes:
        if change.kind is TopicChangeKind.MERGED:
            if change.new_name in merged_into:
                continue
            merged_into.add(change.new_name)
        lines.append(t(lang, f"topic_notice_{change.kind}", old=_name(change.old_name, lang),
                       new=_name(change.new_name, lang),
                       others=", ".join(f"<b>{_name(o, lang)}</b>" for o in change.others)))
    return "\n".join(lines)


def _name(heading: str, lang: str) -> str:
    return esc(section_name(heading, lang))
