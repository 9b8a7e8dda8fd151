"""Compose digests into the outbox: each chat's new papers and list news, atomically."""

from __future__ import annotations

from datetime import datetime

from bot.pipeline.personal import personal_scores
from bot.pipeline.select import Group, group_for_chat, topics_of
from bot.render.digest import (
    PER_GROUP,
    capped_news,
    digest_title,
    news_lines,
    render_digest,
    rest_button_label,
)
from bot.render.reply import Button, rows
from feeds.model import Candidate, Chat, DigestMode, Lang, ListDiff
from feeds.rank.ranker import importance
from feeds.topic_identity import section_identities
from storage import chats, digest_rest, lists, outbox, papers, scores
from storage.db import Database
from storage.outbox import OutboxKind

MAX_CANDIDATES = 3000
Parts = tuple[list[str], list[list[tuple[str, str]]]]


SPREAD_FROM, SPREAD_HOURS = 4, 8  # unchosen daily hours: 04:00-11:59 UTC, by chat id


def digest_hour(chat: Chat) -> int:
    """The UTC hour a chat's daily (and Monday's weekly) digest goes out: its own choice, else
    one of SPREAD_HOURS picked by its id, so 100,000 digests are not all queued at one time
    (at Telegram's 30 messages/s that would take 55 minutes)."""
    if chat.digest_hour is not None:
        return chat.digest_hour
    mixed = (chat.chat_id * 2654435761) % 2**32  # Knuth's multiplicative hash: even spread
    return SPREAD_FROM + mixed % SPREAD_HOURS


def is_due(chat: Chat, mode: DigestMode, now: datetime) -> bool:
    """Instant chats are always due; daily ones from their hour; weekly ones from Monday's."""
    mode = DigestMode(mode)
    if chat.digest is not mode:
        return False
    if mode is DigestMode.DAILY:
        return now.hour >= digest_hour(chat)
    if mode is DigestMode.WEEKLY:
        return now.weekday() > 0 or now.hour >= digest_hour(chat)
    return mode is DigestMode.INSTANT


def cycle_key(mode: DigestMode, now: datetime, paper_top: int, list_top: int) -> str:
    """One digest per chat per cycle: a day, an ISO week, or a state of the database."""
    mode = DigestMode(mode)
    if mode is DigestMode.DAILY:
        return f"daily:{now.date().isoformat()}"
    if mode is DigestMode.WEEKLY:
        year, week, _ = now.isocalendar()
        return f"weekly:{year}-W{week:02d}"
    return f"instant:{paper_top}:{list_top}"


def compose_digests(
    db: Database, mode: DigestMode, now: datetime, per_group: int = PER_GROUP,
) -> int:
    """Record one digest per due chat for the current cycle; return how many were recorded.

    A subscription shows at most `per_group` papers; a button under the digest shows the rest.
    """
    mode = DigestMode(mode)
    due = [c for c in chats.active_chats(db) if is_due(c, mode, now)]
    paper_top = papers.top_rowid(db)
    latest = lists.latest_version(db)
    list_top = latest.id if latest else 0
    cycle = cycle_key(mode, now, paper_top, list_top)
    cache: dict[int, list[Candidate]] = {}
    composed = 0
    for chat in due:
        with db.atomic():
            if outbox.already_recorded(db, chat.chat_id, OutboxKind.DIGEST, cycle):
                continue
            parts, keyboard = _digest_parts(db, chat, mode, now, cache, paper_top, per_group)
            if parts:
                composed += bool(outbox.enqueue(db, chat.chat_id, OutboxKind.DIGEST, cycle,
                                                parts, keyboard, chat.thread_id))
            chats.set_marks(db, chat.chat_id, paper_top, list_top)
    return composed


def _digest_parts(
    db: Database, chat: Chat, mode: DigestMode, now: datetime,
    cache: dict[int, list[Candidate]], paper_top: int, per_group: int,
) -> Parts:
    subs = chats.subscriptions(db, chat.chat_id)
    if not subs:
        return [], []
    if chat.paper_mark not in cache:
        cache[chat.paper_mark] = new_candidates(db, chat.paper_mark, paper_top)
    candidates = cache[chat.paper_mark]
    snapshot = lists.current_snapshot(db)
    headings = {ident: name for name, ident in section_identities(snapshot).items()}
    groups = group_for_chat(subs, candidates, headings=headings)
    if chats.votes(db, chat.chat_id):  # 👍/👎 move this chat's papers (none is dropped)
        moved = personal_scores(db, chat.chat_id, snapshot, candidates)
        groups = group_for_chat(
            subs, candidates,
            lambda c: importance(c.scored, moved[c.paper.arxiv_id] - c.value), headings)
    lang = Lang.ZH if chat.lang is Lang.ZH else Lang.EN
    latest = lists.latest_version(db)
    news = capped_news(news_lines(topics_of(subs), diffs_since(db, chat.list_mark), lang), lang,
                       latest.source_url if latest else "")
    title = digest_title(mode, lang, now.date().isoformat())
    parts = render_digest(title, groups, news, lang, per_group)
    return parts, _rest_buttons(db, chat, groups, per_group, lang) if parts else []


def _rest_buttons(
    db: Database, chat: Chat, groups: list[Group], per_group: int, lang: str,
) -> list[list[tuple[str, str]]]:
    """Keep each subscription's left-out papers and give each a button that shows them."""
    buttons = []
    for group in groups:
        rest = group.papers[per_group:]
        if rest:
            rest_id = digest_rest.keep_rest(db, chat.chat_id, group.label,
                                            [c.paper.arxiv_id for c in rest])
            buttons.append(Button(rest_button_label(group, per_group, lang), f"r:{rest_id}"))
    return [[(b.text, b.data) for b in row] for row in rows(buttons, 1)]


def new_candidates(db: Database, mark: int, top: int) -> list[Candidate]:
    """Announced papers stored after `mark` (up to `top`), with their scores, best first."""
    ids = papers.announced_ids_between(db, mark, top, MAX_CANDIDATES)
    found = scores.scores_for(db, ids)
    stored = papers.get_papers(db, ids)
    result = [Candidate(stored[i], found.get(i)) for i in ids if i in stored]
    return sorted(result, key=lambda c: -c.value)


def diffs_since(db: Database, list_mark: int) -> list[ListDiff]:
    """The diffs of list versions stored after `list_mark`."""
    found = []
    for version in lists.list_versions(db):
        if version.id > list_mark:
            diff = lists.stored_diff(db, version.id)
            if diff is not None:
                found.append(diff)
    return found
