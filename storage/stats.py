"""Counts for the maintainers' /stats: chats, subscriptions, papers, deliveries, suggestions."""

from __future__ import annotations

from dataclasses import dataclass

from storage import outbox
from storage.db import Database
from storage.outbox import OutboxStatus


@dataclass(frozen=True)
class BotStats:
    """How big the bot's world is right now."""

    active_chats: int
    chats: int
    subscriptions: int
    papers: int
    scored: int
    list_versions: int
    deliveries: dict[OutboxStatus, int]
    suggestions: int


def bot_stats(db: Database) -> BotStats:
    """Count everything /stats shows, one query per table."""
    active = db.conn.execute(
        "select count(*) from chats where active = 1 and chat_id != 0").fetchone()[0]
    return BotStats(
        active_chats=active,
        chats=db.table("chats").count,
        subscriptions=db.table("subscriptions").count,
        papers=db.table("papers").count,
        scored=db.table("scores").count,
        list_versions=db.table("list_versions").count,
        deliveries=outbox.counts(db),
        suggestions=db.table("suggestions").count,
    )
