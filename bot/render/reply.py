"""What the bot says: a message (HTML text, buttons, maybe a photo), before it is sent."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    """An inline keyboard button: label and callback data (≤ 64 bytes)."""

    text: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Reply:
    """One message to send: HTML text and an optional inline keyboard."""

    text: str
    keyboard: Keyboard = field(default_factory=tuple)
    photo: bytes | None = None  # sent as a photo with `text` as its caption (≤ 1024 chars)


def rows(buttons: list[Button], per_row: int) -> Keyboard:
    """Lay buttons out `per_row` to a row."""
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))
