"""What every answer gets (the `Asker`) and what a button press gives back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.render.reply import Reply
from feeds.model import Chat, Lang, ListSnapshot
from storage.db import Database
from storage.lists import current_snapshot
from storage.writer import Writer


@dataclass(frozen=True)
class Asker:
    """Who asks and where: the chat, the user, and what they may change."""

    db: Database
    chat: Chat
    user_id: int
    can_change_settings: bool = True
    is_maintainer: bool = False
    now: datetime | None = None
    user_name: str = ""  # how the user is shown to others ("Ada Lovelace", "@ada")
    writer: Writer | None = None  # where commands that write run (None: inline on `db`)

    @property
    def lang(self) -> Lang:
        """The chat's language."""
        return self.chat.lang

    def snapshot(self) -> ListSnapshot:
        """The newest list (bundled before the first sync)."""
        return current_snapshot(self.db)

    def writes(self) -> Writer:
        """The one writer for this asker's database."""
        return self.writer or Writer(inline=self.db)

    def clock(self) -> datetime:
        """The time of the question."""
        return self.now or datetime.now(UTC)


@dataclass(frozen=True)
class ButtonResult:
    """What a button press does: a toast, a message edited in place, new messages."""

    toast: str = ""
    edit: Reply | None = None
    replies: tuple[Reply, ...] = ()


Answer = Callable[[Asker, str], list[Reply] | Awaitable[list[Reply]]]
ButtonHandler = Callable[[Asker, str], ButtonResult]


def number(text: str, below: int | None = None) -> int | None:
    """A whole number typed or carried in button data: ASCII digits only ("²" and "١" are
    digits to str.isdigit, not to us), at most 12 of them, under `below` when given."""
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    value = int(text)
    return value if below is None or value < below else None

