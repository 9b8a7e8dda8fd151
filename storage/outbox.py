"""The outbox: every message is recorded before it is sent and marked after.

A restart resumes pending rows and never repeats a sent one. A row turns 'sending' the moment
its request body has been written to Telegram's socket; rows still 'sending' at the next start
became 'unconfirmed' (Telegram had the whole request) instead of being sent twice. The Bot API
has no idempotency key, so the one window left for a repeat is that single UPDATE.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from storage.db import Database, utc_now

MAX_ATTEMPTS = 8


class OutboxStatus(StrEnum):
    """Where a message is on its way to Telegram."""

    PENDING = "pending"
    SENDING = "sending"  # its request body is on the wire
    SENT = "sent"
    UNCONFIRMED = "unconfirmed"  # was on the wire when the process stopped: counted as sent
    FAILED = "failed"
    DEAD = "dead"  # its chat blocked or left the bot


class OutboxKind(StrEnum):
    """What a message is."""

    DIGEST = "digest"
    SUGGESTION = "suggestion"
    NOTICE = "notice"




@dataclass(frozen=True)
class OutboxMessage:
    """One message waiting to be sent (or already sent)."""

    id: int
    chat_id: int
    kind: OutboxKind
    cycle: str
    part: int
    text: str
    keyboard: tuple[tuple[tuple[str, str], ...], ...]
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    thread_id: int | None = None  # the forum topic it goes to


def enqueue(
    db: Database, chat_id: int, kind: OutboxKind, cycle: str, parts: Iterable[str],
    keyboard: Iterable[Iterable[tuple[str, str]]] = (), thread_id: int | None = None,
) -> int:
    """Record the parts of one message; a (chat, kind, cycle) already recorded is skipped.

    Call inside the caller's transaction so composing and recording are atomic.
    """
    texts = list(parts)
    buttons = [list(row) for row in keyboard]
    last = len(texts) - 1  # the buttons go under the last part
    rows = [
        {
            "chat_id": chat_id, "kind": kind, "cycle": cycle, "part": number, "text": text,
            "keyboard": json.dumps([list(map(list, row)) for row in buttons])
            if number == last else "[]",
            "created_at": utc_now(), "thread_id": thread_id,
        }
        for number, text in enumerate(texts)
    ]
    added = 0
    for row in rows:  # INSERT OR IGNORE, counting what went in without a count(*) scan
        db.table("outbox").insert(row, ignore=True)
        added += next(db.query("select changes() as n"))["n"]
    return added


def already_recorded(db: Database, chat_id: int, kind: OutboxKind, cycle: str) -> bool:
    """True when this chat's message for this cycle exists (sent or not)."""
    sql = "select 1 from outbox where chat_id = ? and kind = ? and cycle = ? limit 1"
    return bool(list(db.query(sql, [chat_id, kind, cycle])))


def pending(
    db: Database, now: float, limit: int = 10_000, after_id: int = 0
) -> list[OutboxMessage]:
    """Return messages due for sending, oldest first (parts in order).

    A message waiting out a retry holds back the later messages of its chat, so they never
    overtake it.
    """
    sql = (
        "with held as (select chat_id, min(id) as first from outbox "
        "where status = 'pending' and not_before > ? group by chat_id) "
        "select o.* from outbox as o left join held on held.chat_id = o.chat_id "
        "where o.status = 'pending' and o.not_before <= ? and o.chat_id != 0 "
        "and (held.first is null or o.id < held.first) and o.id > ? order by o.id limit ?"
    )
    return [_message(row) for row in db.query(sql, [now, now, after_id, limit])]


def _message(row: dict[str, Any]) -> OutboxMessage:
    keyboard = tuple(tuple((str(t), str(d)) for t, d in r) for r in json.loads(row["keyboard"]))
    return OutboxMessage(
        row["id"], row["chat_id"], OutboxKind(row["kind"]), row["cycle"], row["part"],
        row["text"], keyboard, OutboxStatus(row["status"]), row["attempts"],
        row.get("thread_id"),
    )


def mark_sent(db: Database, message_id: int, telegram_id: int | None) -> None:
    """Mark a message sent (its own small transaction, right after Telegram's answer)."""
    with db.atomic():
        db.execute(
            "update outbox set status = 'sent', sent_at = ?, message_id = ? where id = ?",
            [utc_now(), telegram_id, message_id],
        )


def mark_on_wire(db: Database, message_id: int) -> None:
    """Note that the request has left for Telegram (called when its body is written)."""
    with db.atomic():
        db.execute("update outbox set status = 'sending' where id = ? and status = 'pending'",
                   [message_id])


def settle_in_flight(db: Database) -> int:
    """At process start: messages that were on the wire when we died count as delivered.

    Telegram had the whole request, so it almost surely sent the message; resending would
    repeat it. They are kept as 'unconfirmed' (visible in /stats), never silently dropped.
    """
    with db.atomic():
        cursor = db.execute("update outbox set status = 'unconfirmed' where status = 'sending'")
    return cursor.rowcount


def mark_unconfirmed(db: Database, message_id: int, error: str) -> None:
    """The request body left but no answer came (timeout, dropped connection): Telegram may
    well have sent it, so it is counted as delivered ('unconfirmed'), never sent again."""
    with db.atomic():
        db.execute("update outbox set status = 'unconfirmed', last_error = ?, "
                   "attempts = attempts + 1 where id = ?", [error[:500], message_id])


def mark_retry(
    db: Database, message_id: int, error: str, not_before: float
) -> OutboxStatus:
    """Count a failed attempt; give up (status 'failed') after MAX_ATTEMPTS. Return the status."""
    with db.atomic():
        db.execute(
            "update outbox set attempts = attempts + 1, last_error = ?, not_before = ?, "
            "status = case when attempts + 1 >= ? then 'failed' else 'pending' end where id = ?",
            [error[:500], not_before, MAX_ATTEMPTS, message_id],
        )
    row = next(db.query("select status from outbox where id = ?", [message_id]))
    return OutboxStatus(row["status"])


def mark_chat_dead(db: Database, chat_id: int, error: str) -> int:
    """Stop every unsent message to a chat that blocked or left us; return how many."""
    with db.atomic():
        cursor = db.execute(
            "update outbox set status = 'dead', last_error = ? "
            "where chat_id = ? and status in ('pending', 'sending')",
            [error[:500], chat_id],
        )
    return cursor.rowcount


def move_chat(db: Database, old: int, new: int) -> None:
    """Give a chat's messages its new id (a group upgraded to a supergroup); call inside the
    caller's transaction. A message the new id already has stays with the old one, and
    unsent ones of those are counted dead (never sent twice)."""
    db.execute("update or ignore outbox set chat_id = ?, thread_id = null where chat_id = ?",
               [new, old])
    db.execute("update outbox set status = 'dead', last_error = ? where chat_id = ? and "
               "status in ('pending', 'sending')", [f"moved to chat {new}", old])


def forget_thread(db: Database, chat_id: int, thread_id: int) -> None:
    """Unsent messages to a deleted forum topic go to the chat's General topic instead; call
    inside the caller's transaction."""
    db.execute("update outbox set thread_id = null where chat_id = ? and thread_id = ? and "
               "status = 'pending'", [chat_id, thread_id])


def counts(db: Database) -> dict[OutboxStatus, int]:
    """Return the number of outbox rows per status."""
    return {
        OutboxStatus(row["status"]): row["n"]
        for row in db.query("select status, count(*) as n from outbox group by status")
    }


def give_up(db: Database, message_id: int) -> None:
    """Mark a message failed for good (Telegram rejected it; retrying cannot help)."""
    with db.atomic():
        db.execute("update outbox set status = 'failed' where id = ?", [message_id])
