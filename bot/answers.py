"""What the bot answers: command logic shared by Telegram handlers and `papers-bot ask`.

Each answer takes an `Asker` (who asks, where, with what rights) and the argument text, reads
storage, and returns `Reply` records; rendering is pure and sending is the caller's job.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlite_utils

from bot.i18n import t
from bot.list_watch import current_snapshot
from bot.personal import personal_order
from bot.render import Button, Reply, esc, render_entry, render_paper_line, split_blocks
from feeds.arxiv_calendar import EASTERN, feed_day, next_announcement
from feeds.authors import author_key, list_paper_authors
from feeds.bundled import chinese_section_names
from feeds.list_papers import bundled_bib
from feeds.model import ListEntry, ListSnapshot, Paper, Section
from feeds.signals import short_name
from feeds.topics import match_topic, suggest_topics
from storage import chats, lists, papers, scores
from storage.chats import Chat

PAGE_SIZE = 8
ROUTED_PER_TOPIC = 16


@dataclass(frozen=True)
class Asker:
    """Who asks and where: the chat, the user, and what they may change."""

    db: sqlite_utils.Database
    chat: Chat
    user_id: int
    can_change_settings: bool = True
    is_maintainer: bool = False
    now: datetime | None = None

    @property
    def lang(self) -> str:
        """The chat's language."""
        return self.chat.lang

    def snapshot(self) -> ListSnapshot:
        """The newest list (bundled before the first sync)."""
        return current_snapshot(self.db)

    def clock(self) -> datetime:
        """The time of the question."""
        return self.now or datetime.now(UTC)


def section_name(section: Section, lang: str) -> str:
    """A section's name in the chat's language."""
    return chinese_section_names().get(section.name, section.name) if lang == "zh" else section.name


def section_token(snapshot: ListSnapshot, section: Section) -> str:
    """A short stable token for callback data: index plus a hash of the name."""
    index = snapshot.sections.index(section)
    return f"{index}.{hashlib.sha1(section.name.encode()).hexdigest()[:4]}"


def section_from_token(snapshot: ListSnapshot, token: str) -> Section | None:
    """Resolve a callback token; None when forged or from an older list version."""
    index_text, _, digest = token.partition(".")
    if not index_text.isdigit() or int(index_text) >= len(snapshot.sections):
        return None
    section = snapshot.sections[int(index_text)]
    return section if section_token(snapshot, section) == f"{index_text}.{digest}" else None


def paper_sections(snapshot: ListSnapshot) -> list[Section]:
    """Sections a user can browse: every section that holds papers (not lectures)."""
    return [s for s in snapshot.sections if s.entries and "lecture" not in s.name.lower()]


def unknown_topic(asker: Asker, text: str) -> list[Reply]:
    """Explain that a topic is unknown and suggest close matches."""
    close = suggest_topics(text, paper_sections(asker.snapshot()))
    names = ", ".join(section_name(s, asker.lang) for s in close)
    suggest = t(asker.lang, "did_you_mean", names=esc(names)) if close else ""
    return [Reply(t(asker.lang, "unknown_topic", topic=esc(_short(text)), suggest=suggest))]


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def answer_start(asker: Asker, args: str) -> list[Reply]:
    """Welcome the user and offer topics to subscribe with one tap."""
    snapshot = asker.snapshot()
    buttons = [
        Button(f"➕ {section_name(s, asker.lang)}", f"s:{section_token(snapshot, s)}")
        for s in snapshot.top100()
    ]
    return [Reply(t(asker.lang, "welcome"), _rows(buttons, 2))]


def _rows(buttons: list[Button], per_row: int) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


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
    return [Reply("\n".join(lines), _rows(buttons, 1))]


def answer_papers(asker: Asker, args: str) -> list[Reply]:
    """Show a topic's list papers and its newest routed arXiv papers, page 1."""
    if not args.strip():
        return [Reply(t(asker.lang, "need_topic", command="papers"))]
    section = match_topic(args, paper_sections(asker.snapshot()))
    if section is None:
        return unknown_topic(asker, args)
    return [papers_page(asker, section, 0)]


def papers_page(asker: Asker, section: Section, page: int) -> Reply:
    """Render one page of a topic: list entries first, then routed arXiv papers."""
    snapshot = asker.snapshot()
    items = [render_entry(e) for e in section.entries]
    routed = _routed_papers(asker, section)
    pages = max(1, -(-(len(items) + len(routed)) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    start = page * PAGE_SIZE
    blocks = _page_blocks(asker.lang, items, routed, start, start + PAGE_SIZE)
    header = t(asker.lang, "papers_title", topic=esc(section_name(section, asker.lang)),
               page=page + 1, pages=pages)
    token = section_token(snapshot, section)
    nav = []
    if page > 0:
        nav.append(Button(t(asker.lang, "prev"), f"p:{token}:{page - 1}"))
    if page < pages - 1:
        nav.append(Button(t(asker.lang, "next"), f"p:{token}:{page + 1}"))
    keyboard = [tuple(nav)] if nav else []
    if section.kind == "top100":
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
    found = scores.top_in_section(asker.db, section.name, ROUTED_PER_TOPIC)
    stored = papers.get_papers(asker.db, [arxiv_id for arxiv_id, _ in found])
    return [
        render_paper_line(stored[arxiv_id], note=f"score {score.score:.2f}")
        for arxiv_id, score in found if arxiv_id in stored
    ]


def answer_search(asker: Asker, args: str) -> list[Reply]:
    """Full-text search over the list's entries and stored arXiv papers."""
    tokens = papers.query_tokens(args)
    if not tokens:
        return [Reply(t(asker.lang, "need_words"))]
    entries = _search_list(asker, tokens)
    found = papers.search_papers(asker.db, args, limit=10)
    listed = {e.arxiv_id for e in entries if e.arxiv_id}
    blocks = [
        render_entry(e, i + 1) + f"\n   <i>{esc(e.section)}</i>" for i, e in enumerate(entries)
    ]
    blocks += [
        render_paper_line(p, len(blocks) + i + 1) for i, p in enumerate(found)
        if p.arxiv_id not in listed
    ]
    query = esc(_short(args))
    if not blocks:
        return [Reply(t(asker.lang, "no_results", query=query))]
    header = t(asker.lang, "search_title", query=query)
    return [Reply(text) for text in split_blocks(blocks, header)]


def _search_list(asker: Asker, tokens: list[str]) -> list[ListEntry]:
    latest = lists.latest_version(asker.db)
    if latest is None:
        return []
    found = lists.search_entries(asker.db, " ".join(tokens), latest.id, limit=10)
    if not found and len(tokens) > 1:
        found = lists.search_entries(asker.db, " OR ".join(tokens), latest.id, limit=10)
    return found


_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5})(?:v\d+)?")


def answer_paper(asker: Asker, args: str) -> list[Reply]:
    """Show one paper (by arXiv id or title): authors, links, section, score and reasons."""
    query = args.strip()
    if not query:
        return [Reply(t(asker.lang, "need_paper"))]
    found = _ARXIV_ID.search(query)
    paper = papers.get_paper(asker.db, found.group(1)) if found else None
    entry = _list_entry_for(asker, found.group(1) if found else None, query)
    if paper is None and entry is None and not found:
        hits = papers.search_papers(asker.db, query, limit=1)
        paper = hits[0] if hits else None
    if paper is None and entry is None:
        return [Reply(t(asker.lang, "paper_not_found", query=esc(_short(query))))]
    return [_paper_card(asker, paper, entry)]


def _list_entry_for(asker: Asker, arxiv_id: str | None, query: str) -> ListEntry | None:
    entries = asker.snapshot().entries
    if arxiv_id:
        return next((e for e in entries if e.arxiv_id == arxiv_id), None)
    tokens = papers.query_tokens(query)
    hits = _search_list(asker, tokens) if tokens else []
    return hits[0] if hits else None


def _paper_card(asker: Asker, paper: Paper | None, entry: ListEntry | None) -> Reply:
    lines = []
    if paper is not None:
        lines.append(render_paper_line(paper))
        lines.append(f"<i>{esc(', '.join(paper.authors))}</i>"[:1500])
        stored = scores.get_score(asker.db, paper.arxiv_id)
        if stored is not None:
            lines.append(f"→ {esc(stored.section)} · score {stored.score:.2f}")
            lines += [f"  • {esc(reason)}" for reason in stored.reasons[:6]]
    if entry is not None:
        lines.append(f"{render_entry(entry)}\n📌 {esc(section_name_of(asker, entry))}")
    paper_id = paper.arxiv_id if paper else (entry.arxiv_id if entry else None)
    keyboard = ((Button("👍", f"v:+:{paper_id}"), Button("👎", f"v:-:{paper_id}")),)
    return Reply("\n".join(lines)[:4000], keyboard if paper_id else ())


def section_name_of(asker: Asker, entry: ListEntry) -> str:
    """The section of a list entry, in the chat's language."""
    section = asker.snapshot().section(entry.section)
    return section_name(section, asker.lang) if section else entry.section


def answer_new(asker: Asker, args: str) -> list[Reply]:
    """Today's top ranked papers, or why there are none."""
    now = asker.clock()
    day = feed_day(now)
    todays = papers.papers_announced_on(asker.db, day)
    when = next_announcement(now).astimezone(EASTERN).strftime("%a %d %b %H:%M US/Eastern")
    if not todays:
        key = "no_announcement" if _quiet_day(asker, day) else "nothing_new"
        return [Reply(t(asker.lang, key, when=when))]
    ranked = _ranked(asker, todays)[:10]
    blocks = [render_paper_line(p, i + 1, note) for i, (p, note) in enumerate(ranked)]
    header = t(asker.lang, "new_title", date=day.isoformat())
    return [Reply(text) for text in split_blocks(blocks, header)]


def _quiet_day(asker: Asker, day: date) -> bool:
    """A weekend, or a weekday whose feed came back empty (arXiv holiday), per the last poll."""
    if day.weekday() >= 5:  # the feeds dated Saturday and Sunday carry nothing
        return True
    last = next(asker.db.query(
        "select status, checked_at from feed_polls order by id desc limit 1"), None)
    return bool(last and last["status"] == "no_announcement"
                and feed_day(datetime.fromisoformat(last["checked_at"])) == day)


def _ranked(asker: Asker, found: list[Paper]) -> list[tuple[Paper, str]]:
    """Order by the ranker's score, moved by this chat's 👍/👎, with a note for each."""
    stored = scores.scores_for(asker.db, [p.arxiv_id for p in found])
    ordered = personal_order(asker.db, asker.chat.chat_id, asker.snapshot(),
                             [(p, stored.get(p.arxiv_id)) for p in found])
    return [(p, f"{s.section} · {s.score:.2f}" if s else "") for p, s in ordered]


_QUOTED = re.compile(r"^[\"“”'‘’«»](.+)[\"“”'‘’«»]$")


def parse_subscription(asker: Asker, args: str) -> tuple[str, str] | Reply:
    """Turn `/subscribe` arguments into (kind, value), or a reply explaining the problem."""
    text = " ".join(args.split())
    if not text:
        return Reply(t(asker.lang, "need_subscription"))
    quoted = _QUOTED.match(text)
    if quoted:
        phrase = " ".join(re.findall(r"[^\W_]+(?:[-'][^\W_]+)*", quoted.group(1).casefold()))
        if not 2 <= len(phrase) <= 60:
            return Reply(t(asker.lang, "bad_keyword"))
        return ("keyword", phrase)
    section = match_topic(text, [s for s in asker.snapshot().sections if s.kind == "top100"])
    if section is None:
        return unknown_topic(asker, text)[0]
    return ("topic", section.name)


def answer_subscribe(asker: Asker, args: str) -> list[Reply]:
    """Subscribe the chat to a topic or a quoted keyword."""
    parsed = parse_subscription(asker, args)
    if isinstance(parsed, Reply):
        return [parsed]
    return [subscribe(asker, *parsed)]


def subscribe(asker: Asker, kind: str, value: str) -> Reply:
    """Store a subscription and confirm it."""
    what = _describe(asker, kind, value)
    added = chats.subscribe(asker.db, asker.chat.chat_id, kind, value)
    return Reply(t(asker.lang, "subscribed" if added else "already_subscribed", what=what))


def _describe(asker: Asker, kind: str, value: str) -> str:
    if kind == "keyword":
        return f"“{esc(value)}”"
    section = asker.snapshot().section(value)
    return f"<b>{esc(section_name(section, asker.lang) if section else value)}</b>"


def answer_unsubscribe(asker: Asker, args: str) -> list[Reply]:
    """Remove a topic or keyword subscription."""
    parsed = parse_subscription(asker, args)
    if isinstance(parsed, Reply):
        return [parsed]
    removed = chats.unsubscribe(asker.db, asker.chat.chat_id, *parsed)
    what = _describe(asker, *parsed)
    return [Reply(t(asker.lang, "unsubscribed" if removed else "not_subscribed", what=what))]


def answer_mysubs(asker: Asker, args: str) -> list[Reply]:
    """List the chat's subscriptions and digest settings."""
    subs = chats.subscriptions(asker.db, asker.chat.chat_id)
    lines = [t(asker.lang, "mysubs_title")] if subs else [t(asker.lang, "mysubs_none")]
    lines += [f"• {_describe(asker, s.kind, s.value)}" for s in subs]
    lines.append(t(asker.lang, "mysubs_digest", mode=asker.chat.digest, lang=asker.chat.lang))
    return [Reply("\n".join(lines))]


def answer_digest(asker: Asker, args: str) -> list[Reply]:
    """Set how often the chat gets digests."""
    mode = args.strip().lower()
    if mode not in chats.DIGEST_MODES:
        return [Reply(t(asker.lang, "digest_usage"))]
    chats.set_chat_setting(asker.db, asker.chat.chat_id, digest=mode)
    return [Reply(t(asker.lang, "digest_set", mode=mode))]


def answer_lang(asker: Asker, args: str) -> list[Reply]:
    """Set the chat's language."""
    lang = args.strip().lower()
    if lang not in chats.LANGUAGES:
        return [Reply(t(asker.lang, "lang_usage"))]
    chats.set_chat_setting(asker.db, asker.chat.chat_id, lang=lang)
    return [Reply(t(lang, "lang_set"))]


def answer_authors(asker: Asker, args: str) -> list[Reply]:
    """Author statistics of the top-100 papers, overall and per section.

    Every author counts (full author lists from the list's bib, the README's names where the bib
    has no record), which is what the list's README asks for.
    """
    snapshot = asker.snapshot()
    top = [s.name for s in snapshot.top100()]
    overall, per_section, shown = Counter(), {name: Counter() for name in top}, {}
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
        f"<b>{esc(section_name(snapshot.section(name), asker.lang))}</b>: " + ", ".join(
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
    lines += [f'• <a href="{esc(r.url)}">{esc(r.name)}</a>' for r in section.key_researchers]
    return [Reply("\n".join(lines))]


async def answer_trends(asker: Asker, args: str) -> list[Reply]:
    """A PNG chart of new papers per topic per week (drawn off the event loop)."""
    from bot.trends import default_title, trends_png

    text = args.strip()
    weeks = int(text) if text.isdigit() and 1 <= int(text) <= 104 else 12
    png = await trends_png(asker.db, weeks=weeks, lang=asker.lang, now=asker.clock())
    return [Reply(esc(default_title(weeks, asker.lang)), photo=png)]
