"""Telegram HTML: escaping, links, plain-text fallbacks and splitting under 4096 characters."""

from __future__ import annotations

import html
import re

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)


def esc(text: object) -> str:
    """Escape any external string for Telegram's HTML parse mode."""
    return html.escape(str(text), quote=True)


def clip(text: str, limit: int) -> str:
    """Shorten text to `limit` characters on a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return (cut or text[: limit - 1]) + "…"


def link(url: str, label: str) -> str:
    """Render an HTML link with an escaped URL and label."""
    return f'<a href="{esc(url)}">{esc(label)}</a>'


def to_plain(text: str, keep_links: bool = False) -> str:
    """Turn our HTML into plain text: tags dropped, entities decoded, links as 'label (url)'."""
    if keep_links:
        text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    return html.unescape(_TAG.sub("", text))


def split_blocks(blocks: list[str], header: str = "", limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join blocks into messages ≤ limit characters, splitting only between blocks."""
    messages: list[str] = []
    current = header
    for block in blocks:
        block = block if len(block) <= limit - 10 else esc(clip(to_plain(block), limit - 200))
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) > limit and current:
            messages.append(current)
            candidate = block
        current = candidate
    if current:
        messages.append(current)
    return messages
