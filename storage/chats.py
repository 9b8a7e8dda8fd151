"""Chats, their settings, subscriptions and 👍/👎 votes."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from storage.db import utc_now

DIGEST_MODES = ("instant", "daily", "weekly", "off")
LANGUAGES = ("en", "zh")


def _create_chat_tables(db: sqlite_utils.Database) -> None:
    db["chats"].create(
        {
            "chat_id": int, "chat_type": str, "title": str, "lang": str, "digest": str,
            "digest_hour": int, "active": int, "created_at": str, "deactivated_at": str,
            "deactivated_reason": str,
        },
        pk="chat_id",
        defaults={"lang": "en", "digest": "daily", "digest_hour": 8, "active": 1},
    )
    db["subscriptions"].create(
        {"chat_id": int, "kind": str, "value": str, "created_at": str},
        pk=("chat_id", "kind", "value"),
        foreign_keys=[("chat_id", "chats", "chat_id")],
    )
    db["votes"].create(
        {"chat_id": int, "paper_id": str, "vote": int, "voted_at": str},
        pk=("chat_id", "paper_id"),
    )


def _add_digest_marks(db: sqlite_utils.Database) -> None:
    # What the last digest covered: papers up to this rowid, list versions up to this id.
    db["chats"].add_column("paper_mark", int, not_null_default=0)
    db["chats"].add_column("list_mark", int, not_null_default=0)


MIGRATIONS = [
    ("chats_001_chats_subscriptions_votes", _create_chat_tables),
    ("chats_002_digest_marks", _add_digest_marks),
]


@dataclass(frozen=True)
class Chat:
    """A private chat or group that talks to the bot."""

    chat_id: int
    chat_type: str = "private"
    title: str = ""
    lang: str = "en"
    digest: str = "daily"
    digest_hour: int = 8
    active: bool = True
    paper_mark: int = 0
    list_mark: int = 0


@dataclass(frozen=True)
class Subscription:
    """A chat's interest: a list section (topic) or a keyword phrase."""

    chat_id: int
    kind: str  # topic | keyword
    value: str


def ensure_chat(
    db: sqlite_utils.Database, chat_id: int, chat_type: str = "private", title: str = "",
    lang: str | None = None,
) -> Chat:
    """Return the chat, creating it (and reactivating it) when it talks to us."""
    existing = get_chat(db, chat_id)
    if existing is not None and existing.active:
        return existing
    with db.atomic():
        db["chats"].upsert(
            {
                "chat_id": chat_id, "chat_type": chat_type, "title": title,
                "lang": (existing.lang if existing else (lang if lang in LANGUAGES else "en")),
                "active": 1, "created_at": utc_now(), "deactivated_at": None,
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


def get_chat(db: sqlite_utils.Database, chat_id: int) -> Chat | None:
    """Return a chat by id, if known."""
    rows = list(db.query("select * from chats where chat_id = ?", [chat_id]))
    return _chat(rows[0]) if rows else None


def _chat(row: dict) -> Chat:
    return Chat(
        chat_id=row["chat_id"], chat_type=row["chat_type"] or "private", title=row["title"] or "",
        lang=row["lang"] or "en", digest=row["digest"] or "daily",
        digest_hour=row["digest_hour"] if row["digest_hour"] is not None else 8,
        active=bool(row["active"]), paper_mark=row.get("paper_mark") or 0,
        list_mark=row.get("list_mark") or 0,
    )


def set_chat_setting(db: sqlite_utils.Database, chat_id: int, **values: object) -> None:
    """Update settings of a known chat (lang, digest, digest_hour)."""
    with db.atomic():
        db["chats"].update(chat_id, values)


def deactivate_chat(db: sqlite_utils.Database, chat_id: int, reason: str) -> None:
    """Stop sending to a chat (blocked, kicked, deleted)."""
    with db.atomic():
        db.execute(
            "update chats set active = 0, deactivated_at = ?, deactivated_reason = ? "
            "where chat_id = ?",
            [utc_now(), reason, chat_id],
        )


def set_marks(db: sqlite_utils.Database, chat_id: int, paper_mark: int, list_mark: int) -> None:
    """Advance what the chat's digests have covered (inside the composing transaction)."""
    db.execute(
        "update chats set paper_mark = ?, list_mark = ? where chat_id = ?",
        [paper_mark, list_mark, chat_id],
    )


def active_chats(db: sqlite_utils.Database) -> list[Chat]:
    """Return every chat we may send to."""
    return [_chat(row) for row in db.query("select * from chats where active = 1")]


def subscribe(db: sqlite_utils.Database, chat_id: int, kind: str, value: str) -> bool:
    """Add a subscription; return False when it already existed."""
    with db.atomic():
        before = db["subscriptions"].count
        db["subscriptions"].insert(
            {"chat_id": chat_id, "kind": kind, "value": value, "created_at": utc_now()},
            ignore=True,
        )
        return db["subscriptions"].count > before


def unsubscribe(db: sqlite_utils.Database, chat_id: int, kind: str, value: str) -> bool:
    """Remove a subscription; return False when there was none."""
    with db.atomic():
        cursor = db.execute(
            "delete from subscriptions where chat_id = ? and kind = ? and value = ?",
            [chat_id, kind, value],
        )
        return cursor.rowcount > 0


def subscriptions(db: sqlite_utils.Database, chat_id: int | None = None) -> list[Subscription]:
    """Return one chat's subscriptions, or everyone's."""
    sql, params = "select chat_id, kind, value from subscriptions", []
    if chat_id is not None:
        sql, params = sql + " where chat_id = ?", [chat_id]
    return [Subscription(**row) for row in db.query(sql + " order by kind, value", params)]


def record_vote(db: sqlite_utils.Database, chat_id: int, paper_id: str, vote: int) -> None:
    """Remember a chat's 👍 (+1) or 👎 (-1) on a paper (the latest vote wins)."""
    with db.atomic():
        db["votes"].upsert(
            {"chat_id": chat_id, "paper_id": paper_id, "vote": vote, "voted_at": utc_now()},
            pk=("chat_id", "paper_id"),
        )


def votes(db: sqlite_utils.Database, chat_id: int) -> dict[str, int]:
    """Return a chat's votes by paper id."""
    return {
        row["paper_id"]: row["vote"]
        for row in db.query("select paper_id, vote from votes where chat_id = ?", [chat_id])
    }
