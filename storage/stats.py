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
    # chat 0 is the offline console (`papers-bot ask`): no chat of the bot's
    active, known = db.conn.execute(
        "select count(*) filter (where active = 1), count(*) from chats where chat_id != 0"
    ).fetchone()
    return BotStats(
        active_chats=active,
        chats=known,
        subscriptions=db.conn.execute(
            "select count(*) from subscriptions where chat_id != 0").fetchone()[0],
        papers=db.table("papers").count,
        scored=db.table("scores").count,
        list_versions=db.table("list_versions").count,
        deliveries=outbox.counts(db),
        suggestions=db.table("suggestions").count,
    )
