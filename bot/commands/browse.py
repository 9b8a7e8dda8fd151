"""Browse the list: /start, /topics, /papers (with pages), /authors and /researchers."""

from __future__ import annotations

import hashlib
from collections import Counter

from bot.commands.base import Asker, ButtonResult, number
from bot.render.cards import render_entry, render_paper_line, standing
from bot.render.html import esc, link, split_blocks
from bot.render.reply import Button, Reply, rows
from bot.render.strings import section_name, t
from feeds.list_papers import bundled_bib
from feeds.model import ListSnapshot, Section
from feeds.names import author_key, short_name
from feeds.rank.authors import list_paper_authors
from feeds.rank.ranker import importance
from feeds.rank.topics import show_bar
from feeds.topic_identity import topic_for_heading
from feeds.topics import match_topic, suggest_topics
from storage import papers, scores

PAGE_SIZE = 8
ROUTED_PER_TOPIC = 16


def section_token(snapshot: ListSnapshot, section: Section) -> str:
    """A short stable token for callback data: index plus a hash of the name."""
    index = snapshot.sections.index(section)
    return f"{index}.{hashlib.sha1(section.name.encode()).hexdigest()[:4]}"


def section_from_token(snapshot: ListSnapshot, token: str) -> Section | None:
    """Resolve a callback token; None when forged or from an older list version."""
    index_text, _, digest = token.partition(".")
    index = number(index_text, below=len(snapshot.sections))
    if index is None:
        return None
    section = snapshot.sections[index]
    return section if section_token(snapshot, section) == f"{index_text}.{digest}" else None


def paper_sections(snapshot: ListSnapshot) -> list[Section]:
    """Sections a user can browse: every section that holds papers (not lectures)."""
    return [s for s in snapshot.sections if s.entries and "lecture" not in s.name.lower()]


def unknown_topic(asker: Asker, text: str) -> list[Reply]:
    """Explain that a topic is unknown and suggest close matches."""
    close = suggest_topics(text, paper_sections(asker.snapshot()))
    names = ", ".join(section_name(s, asker.lang) for s in close)
    suggest = t(asker.lang, "did_you_mean", names=esc(names)) if close else ""
    return [Reply(t(asker.lang, "unknown_topic", topic=esc(short(text)), suggest=suggest))]


def short(text: str, limit: int = 60) -> str:
    """One line of at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def answer_start(asker: Asker, args: str) -> list[Reply]:
    """Welcome the user and offer topics to subscribe with one tap."""
    snapshot = asker.snapshot()
    buttons = [
        Button(f"➕ {section_name(s, asker.lang)}", f"s:{section_token(snapshot, s)}")
        for s in snapshot.followable()
    ]
    return [Reply(t(asker.lang, "welcome"), rows(buttons, 2))]


def answer_topics(asker: Asker, args: str) -> list[Reply]:
    """List the sections with their paper counts; each is a button."""
    snapshot = asker.snapshot()
    sections = paper_sections(snapshot)
    lines = [t(asker.lang, "topics_title")]
    lines += [f"• {esc(section_name(s, asker.lang))} ({len(s.entries)})" for s in sections]
    buttons = [
        Button(f"{section_name(s, asker.lang)} ({len(s.entries)})",
               f"p:{section_token(snapshot, s)}:0")
        for s in sections
    ]
    return [Reply("\n".join(lines), rows(buttons, 1))]


def answer_papers(asker: Asker, args: str) -> list[Reply]:
    """Show a topic's list papers and its newest routed arXiv papers, page 1."""
    if not args.strip():
        return [Reply(t(asker.lang, "need_topic", command="papers"))]
    section = match_topic(args, paper_sections(asker.snapshot()))
    if section is None:
        return unknown_topic(asker, args)
    return [papers_page(asker, section, 0)]


def papers_page(asker: Asker, section: Section, page: int) -> Reply:
    """Render one page of a topic: list entries first, then the newest arXiv papers that fit it
    (at its fit bar), most important first; the page says so."""
    snapshot = asker.snapshot()
    items = [render_entry(e) for e in section.entries]
    routed = _routed_papers(asker, section)
    pages = max(1, -(-(len(items) + len(routed)) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    start = page * PAGE_SIZE
    blocks = _page_blocks(asker.lang, items, routed, start, start + PAGE_SIZE)
    header = t(asker.lang, "papers_title", topic=esc(section_name(section, asker.lang)),
               page=page + 1, pages=pages)
    header += "\n" + t(asker.lang, "papers_order", n=ROUTED_PER_TOPIC,
                       bar=f"{show_bar(section.name):.2f}")
    token = section_token(snapshot, section)
    nav = []
    if page > 0:
        nav.append(Button(t(asker.lang, "prev"), f"p:{token}:{page - 1}"))
    if page < pages - 1:
        nav.append(Button(t(asker.lang, "next"), f"p:{token}:{page + 1}"))
    keyboard = [tuple(nav)] if nav else []
    if section in snapshot.followable():
        keyboard.append((Button(t(asker.lang, "subscribe_button"), f"s:{token}"),))
    text = split_blocks(blocks or [t(asker.lang, "no_papers")], header)[0]
    return Reply(text, tuple(keyboard))


def _page_blocks(lang: str, items: list[str], routed: list[str], start: int, end: int) -> list[str]:
    blocks: list[str] = []
    for position in range(start, min(end, len(items) + len(routed))):
        if position == 0 and items:
            blocks.append(t(lang, "on_the_list"))
        if position == len(items):
            blocks.append(t(lang, "newest_routed"))
        blocks.append(items[position] if position < len(items) else routed[position - len(items)])
    return blocks


def _routed_papers(asker: Asker, section: Section) -> list[str]:
    """The newest papers over the topic's fit bar, most important first (never padded)."""
    topic = topic_for_heading(section.name)
    if topic is None:
        return []  # papers are routed only to the list's topics
    found = scores.top_in_section(asker.db, topic, ROUTED_PER_TOPIC, bar=show_bar(topic))
    found.sort(key=lambda item: -importance(item[1]))  # stable: newest first among equals
    stored = papers.get_papers(asker.db, [arxiv_id for arxiv_id, _ in found])
    return [
        render_paper_line(stored[arxiv_id], note=standing(s, asker.lang, section.name))
        for arxiv_id, s in found if arxiv_id in stored
    ]


def page_button(asker: Asker, rest: str) -> ButtonResult:
    """p:TOKEN:PAGE — turn a topic's page in place."""
    token, _, page = rest.partition(":")
    section = section_from_token(asker.snapshot(), token)
    at = number(page)
    if section is None or at is None:
        return ButtonResult(toast=t(asker.lang, "expired_button"))
    return ButtonResult(edit=papers_page(asker, section, at))


def answer_authors(asker: Asker, args: str) -> list[Reply]:
    """Author statistics of the top-100 papers, overall and per section.

    Every author counts (full author lists from the list's bib, the README's names where the bib
    has no record), which is what the list's README asks for.
    """
    snapshot = asker.snapshot()
    top = [s.name for s in snapshot.top100()]
    overall: Counter[str] = Counter()
    per_section: dict[str, Counter[str]] = {name: Counter() for name in top}
    shown: dict[str, str] = {}
    for item in list_paper_authors(snapshot, bundled_bib()):
        if item.section not in per_section:
            continue
        for name in set(item.authors):
            key = author_key(name)
            if key:
                overall[key] += 1
                per_section[item.section][key] += 1
                shown.setdefault(key, short_name(name))
    best = "\n".join(f"{i + 1}. {esc(shown[key])} — {n}"
                     for i, (key, n) in enumerate(overall.most_common(15)))
    blocks = [
        f"<b>{esc(section_name(name, asker.lang))}</b>: " + ", ".join(
            f"{esc(shown[key])} ({n})" for key, n in per_section[name].most_common(3))
        for name in top
    ]
    return [Reply(text) for text in split_blocks([best, *blocks], t(asker.lang, "authors_title"))]


def answer_researchers(asker: Asker, args: str) -> list[Reply]:
    """The key researchers of a section, with their links."""
    if not args.strip():
        return [Reply(t(asker.lang, "need_topic", command="researchers"))]
    section = match_topic(args, paper_sections(asker.snapshot()))
    if section is None:
        return unknown_topic(asker, args)
    name = esc(section_name(section, asker.lang))
    if not section.key_researchers:
        return [Reply(t(asker.lang, "no_researchers", topic=name))]
    lines = [t(asker.lang, "researchers_title", topic=name)]
    lines += [f"• {link(r.url, r.name)}" for r in section.key_researchers]
    return [Reply("\n".join(lines))]
