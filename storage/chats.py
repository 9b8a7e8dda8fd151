"""Chats, their settings, subscriptions and 👍/👎 votes."""

from __future__ import annotations

from typing import Any

from feeds.model import Chat, DigestMode, Lang, Subscription, SubscriptionKind
from feeds.topic_identity import identity_of_heading
from storage import outbox
from storage.db import Database, utc_now

CONSOLE_CHAT_ID = 0  # `papers-bot ask`'s own chat: keeps its settings, is never sent anything


def ensure_chat(
    db: Database, chat_id: int, chat_type: str = "private", title: str = "",
    lang: Lang | None = None,
) -> Chat:
    """Return the chat, creating it (and reactivating it) when it talks to us."""
    existing = get_chat(db, chat_id)
    if existing is not None and existing.active:
        return existing
    with db.atomic():
        db.table("chats").upsert(
            {
                "chat_id": chat_id, "chat_type": chat_type, "title": title,
                "lang": existing.lang if existing else (lang or Lang.EN),
                "active": 1, "created_at": utc_now(), "deactivated_at": None,
                **({} if existing else {"digest_hour": None}),  # spread until chosen
            },
            pk="chat_id",
        )
        if existing is None:  # digests start with what arrives after the first contact
            db.execute(
                "update chats set paper_mark = (select coalesce(max(rowid), 0) from papers), "
                "list_mark = (select coalesce(max(id), 0) from list_versions) where chat_id = ?",
                [chat_id],
            )
    chat = get_chat(db, chat_id)
    assert chat is not None
    return chat


def get_chat(db: Database, chat_id: int) -> Chat | None:
    """Return a chat by id, if known."""
    rows = list(db.query("select * from chats where chat_id = ?", [chat_id]))
    return _chat(rows[0]) if rows else None


def _chat(row: dict[str, Any]) -> Chat:
    return Chat(
        chat_id=row["chat_id"], chat_type=row["chat_type"] or "private", title=row["title"] or "",
        lang=Lang(row["lang"] or "en"), digest=DigestMode(row["digest"] or "daily"),
        digest_hour=row["digest_hour"],
        active=bool(row["active"]), paper_mark=row.get("paper_mark") or 0,
        list_mark=row.get("list_mark") or 0, thread_id=row.get("thread_id"),
    )


def set_chat_setting(db: Database, chat_id: int, **values: object) -> None:
    """Update settings of a known chat (lang, digest, digest_hour)."""
    with db.atomic():
        db.table("chats").update(chat_id, values)


def deactivate_chat(db: Database, chat_id: int, reason: str) -> None:
    """Stop sending to a chat (blocked, kicked, deleted)."""
    with db.atomic():
        db.execute(
            "update chats set active = 0, deactivated_at = ?, deactivated_reason = ? "
            "where chat_id = ?",
            [utc_now(), reason, chat_id],
        )


def migrated_reason(new_chat_id: int) -> str:
    """What a group upgraded to a supergroup keeps as its deactivation reason."""
    return f"migrated to supergroup {new_chat_id}"


def migrate_chat(db: Database, old: int, new: int) -> bool:
    """A group became a supergroup with a new id: move the chat (settings, subscriptions,
    votes, searches, pages of digests, unsent messages) to `new` and switch `old` off, in one
    transaction. False when there was nothing to move (unknown chat, already moved)."""
    chat = next(db.query("select * from chats where chat_id = ?", [old]), None)
    if old == new or chat is None or chat.get("deactivated_reason") == migrated_reason(new):
        return False
    with db.atomic():
        db.table("chats").upsert(
            {**chat, "chat_id": new, "chat_type": "supergroup", "active": 1,
             "deactivated_at": None, "deactivated_reason": None, "thread_id": None},
            pk="chat_id")
        for table in ("subscriptions", "votes"):  # the new id's own rows win a collision
            db.execute(f"update or ignore {table} set chat_id = ? where chat_id = ?", [new, old])
            db.execute(f"delete from {table} where chat_id = ?", [old])
        for table in ("searches", "digest_rest"):
            db.execute(f"update {table} set chat_id = ? where chat_id = ?", [new, old])
        outbox.move_chat(db, old, new)
        db.execute("update chats set active = 0, deactivated_at = ?, deactivated_reason = ? "
                   "where chat_id = ?", [utc_now(), migrated_reason(new), old])
    return True


def forget_thread(db: Database, chat_id: int, thread_id: int) -> None:
    """A forum topic was deleted: the chat's digests and queued messages go to its General
    topic (no thread) from now on."""
    with db.atomic():
        db.execute("update chats set thread_id = null where chat_id = ? and thread_id = ?",
                   [chat_id, thread_id])
        outbox.forget_thread(db, chat_id, thread_id)


def set_marks(db: Database, chat_id: int, paper_mark: int, list_mark: int) -> None:
    """Advance what the chat's digests have covered (inside the composing transaction)."""
    db.execute(
        "update chats set paper_mark = ?, list_mark = ? where chat_id = ?",
        [paper_mark, list_mark, chat_id],
    )


def active_chats(db: Database) -> list[Chat]:
    """Return every chat we may send to."""
    return [_chat(row) for row in db.query(
        "select * from chats where active = 1 and chat_id != ?", [CONSOLE_CHAT_ID])]


def subscribe(db: Database, chat_id: int, kind: SubscriptionKind, value: str) -> bool:
    """Add a subscription; return False when it already existed. A topic is stored by its
    stable identity, also when given by a heading ("Natural Language Process" -> language)."""
    value = _stored_value(kind, value)
    with db.atomic():
        before = db.table("subscriptions").count
        db.table("subscriptions").insert(
            {"chat_id": chat_id, "kind": kind, "value": value, "created_at": utc_now()},
            ignore=True,
        )
        return db.table("subscriptions").count > before


def unsubscribe(db: Database, chat_id: int, kind: SubscriptionKind, value: str) -> bool:
    """Remove a subscription (a topic by its identity or any heading); False when none."""
    value = _stored_value(kind, value)
    with db.atomic():
        cursor = db.execute(
            "delete from subscriptions where chat_id = ? and kind = ? and value = ?",
            [chat_id, kind, value],
        )
        return cursor.rowcount > 0


def _stored_value(kind: SubscriptionKind, value: str) -> str:
    return identity_of_heading(value) if kind == SubscriptionKind.TOPIC else value


def subscriptions(db: Database, chat_id: int | None = None) -> list[Subscription]:
    """Return one chat's subscriptions, or everyone's."""
    sql, params = "select chat_id, kind, value from subscriptions", []
    if chat_id is not None:
        sql, params = sql + " where chat_id = ?", [chat_id]
    rows = db.query(sql + " order by kind, value", params)
    return [Subscription(row["chat_id"], SubscriptionKind(row["kind"]), row["value"])
            for row in rows]


def count_subscriptions(db: Database, chat_id: int, kind: SubscriptionKind) -> int:
    """How many subscriptions of one kind a chat has."""
    return db.table("subscriptions").count_where("chat_id = ? and kind = ?", [chat_id, kind])


def record_vote(db: Database, chat_id: int, paper_id: str, vote: int) -> None:
    """Remember a chat's 👍 (+1) or 👎 (-1) on a paper (the latest vote wins)."""
    with db.atomic():
        db.table("votes").upsert(
            {"chat_id": chat_id, "paper_id": paper_id, "vote": vote, "voted_at": utc_now()},
            pk=("chat_id", "paper_id"),
        )


def votes(db: Database, chat_id: int) -> dict[str, int]:
    """Return a chat's votes by paper id."""
    return {
        row["paper_id"]: row["vote"]
        for row in db.query("select paper_id, vote from votes where chat_id = ?", [chat_id])
    }


def topic_subscribers(db: Database, identity: str) -> list[int]:
    """The active chats that follow a topic identity (never the console's own chat)."""
    sql = ("select subscriptions.chat_id from subscriptions join chats using (chat_id) "
           "where kind = ? and value = ? and active = 1 and chat_id != ? order by chat_id")
    return [row["chat_id"] for row in db.query(
        sql, [SubscriptionKind.TOPIC, identity, CONSOLE_CHAT_ID])]


def move_topic_subscriptions(db: Database, old: str, new: str) -> None:
    """Make every chat that follows `old` follow `new` instead (a merge); call inside the
    caller's transaction."""
    db.execute("update or ignore subscriptions set value = ? where kind = ? and value = ?",
               [new, SubscriptionKind.TOPIC, old])
    db.execute("delete from subscriptions where kind = ? and value = ?",
               [SubscriptionKind.TOPIC, old])  # chats that followed both
