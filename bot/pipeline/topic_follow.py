"""Subscriptions and routed papers follow a list version's renames, merges and splits."""

from __future__ import annotations

from bot.render.topic_notice import render_topic_notice
from feeds.model import Lang, ListDiff, ListSnapshot
from feeds.topic_identity import TopicChange, topic_changes
from storage import chats, outbox, scores
from storage.db import Database
from storage.outbox import OutboxKind


def follow_topic_changes(
    db: Database, old: ListSnapshot, new: ListSnapshot, diff: ListDiff, version_id: int,
) -> int:
    """Move subscriptions and routed papers along, and queue one notice per affected chat
    (once per list version); return how many chats were told."""
    changes = topic_changes(old, new, diff)
    if not changes:
        return 0
    told: dict[int, list[TopicChange]] = {}
    with db.atomic():
        for change in changes:
            for chat_id in chats.topic_subscribers(db, change.identity):
                told.setdefault(chat_id, []).append(change)
        for change in changes:
            if change.follows != change.identity:
                chats.move_topic_subscriptions(db, change.identity, change.follows)
        scores.rename_sections(db, {c.old_name: c.new_name for c in changes
                                    if c.old_name != c.new_name})
        for chat_id, theirs in told.items():
            chat = chats.get_chat(db, chat_id)
            if chat is None:
                continue
            lang = Lang.ZH if chat.lang is Lang.ZH else Lang.EN
            outbox.enqueue(db, chat_id, OutboxKind.NOTICE, f"topics:{version_id}",
                           [render_topic_notice(theirs, lang)], thread_id=chat.thread_id)
    return len(told)
