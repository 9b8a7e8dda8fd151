"""Compose digests into the outbox: each chat's new papers and list news, atomically."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from bot.answers import section_name
from bot.digest import Candidate, group_for_chat, news_for_chat, render_digest
from bot.list_watch import current_snapshot
from bot.personal import personal_order
from feeds.model import ListDiff
from storage import chats, lists, outbox, papers, scores
from storage.chats import Chat

MAX_CANDIDATES = 3000
TITLES = {
    ("en", "instant"): "<b>📬 New papers for you</b>",
    ("en", "daily"): "<b>📬 Daily digest — {date}</b>",
    ("en", "weekly"): "<b>📬 Weekly digest — week of {date}</b>",
    ("zh", "instant"): "<b>📬 为你推荐的新论文</b>",
    ("zh", "daily"): "<b>📬 每日论文摘要 — {date}</b>",
    ("zh", "weekly"): "<b>📬 每周论文摘要 — {date} 这一周</b>",
}


def is_due(chat: Chat, mode: str, now: datetime) -> bool:
    """Instant chats are always due; daily ones from their hour; weekly ones from Monday's."""
    if chat.digest != mode:
        return False
    if mode == "daily":
        return now.hour >= chat.digest_hour
    if mode == "weekly":
        return now.weekday() > 0 or now.hour >= chat.digest_hour
    return mode == "instant"


def cycle_key(mode: str, now: datetime, paper_top: int, list_top: int) -> str:
    """One digest per chat per cycle: a day, an ISO week, or a state of the database."""
    if mode == "daily":
        return f"daily:{now.date().isoformat()}"
    if mode == "weekly":
        year, week, _ = now.isocalendar()
        return f"weekly:{year}-W{week:02d}"
    return f"instant:{paper_top}:{list_top}"


def compose_digests(db: sqlite_utils.Database, mode: str, now: datetime) -> int:
    """Record one digest per due chat for the current cycle; return how many were recorded."""
    due = [c for c in chats.active_chats(db) if is_due(c, mode, now)]
    paper_top = next(db.query("select coalesce(max(rowid), 0) as n from papers"))["n"]
    latest = lists.latest_version(db)
    list_top = latest.id if latest else 0
    cycle = cycle_key(mode, now, paper_top, list_top)
    cache: dict[int, list[Candidate]] = {}
    snapshot = current_snapshot(db)
    names = {lang: {s.name: section_name(s, lang) for s in snapshot.sections}
             for lang in ("en", "zh")}
    composed = 0
    for chat in due:
        with db.atomic():
            if outbox.already_recorded(db, chat.chat_id, "digest", cycle):
                continue
            parts = _digest_parts(db, chat, mode, now, cache, paper_top, names)
            if parts:
                composed += bool(outbox.enqueue(db, chat.chat_id, "digest", cycle, parts))
            chats.set_marks(db, chat.chat_id, paper_top, list_top)
    return composed


def _digest_parts(
    db: sqlite_utils.Database, chat: Chat, mode: str, now: datetime,
    cache: dict[int, list[Candidate]], paper_top: int, names: dict[str, dict[str, str]],
) -> list[str]:
    subs = chats.subscriptions(db, chat.chat_id)
    if not subs:
        return []
    if chat.paper_mark not in cache:
        cache[chat.paper_mark] = new_candidates(db, chat.paper_mark, paper_top)
    candidates = cache[chat.paper_mark]
    if chats.votes(db, chat.chat_id):  # 👍/👎 reorder this chat's papers (none is dropped)
        ordered = personal_order(db, chat.chat_id, current_snapshot(db),
                                 [(c.paper, c.score) for c in candidates])
        candidates = [Candidate(paper, score) for paper, score in ordered]
    groups = group_for_chat(subs, candidates)
    lang = "zh" if chat.lang == "zh" else "en"
    news = news_for_chat(subs, diffs_since(db, chat.list_mark), lang, names[lang])
    title = TITLES[(lang, mode)].format(date=now.date().isoformat())
    return render_digest(title, groups, news, names[lang], lang)


def new_candidates(db: sqlite_utils.Database, mark: int, top: int) -> list[Candidate]:
    """Announced papers stored after `mark` (up to `top`), with their scores."""
    rows = list(db.query(
        "select arxiv_id from papers where rowid > ? and rowid <= ? and announced is not null "
        "order by rowid desc limit ?", [mark, top, MAX_CANDIDATES],
    ))
    ids = [row["arxiv_id"] for row in rows]
    found = scores.scores_for(db, ids)
    stored = papers.get_papers(db, ids)
    result = [Candidate(stored[i], found.get(i)) for i in ids if i in stored]
    return sorted(result, key=lambda c: -c.value)


def diffs_since(db: sqlite_utils.Database, list_mark: int) -> list[ListDiff]:
    """The diffs of list versions stored after `list_mark`."""
    found = []
    for version in lists.list_versions(db):
        if version.id > list_mark:
            diff = lists.stored_diff(db, version.id)
            if diff is not None:
                found.append(diff)
    return found
