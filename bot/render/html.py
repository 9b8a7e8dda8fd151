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


SAFE_SCHEMES = ("http://", "https://")


def link(url: str, label: str) -> str:
    """Render an HTML link with an escaped URL and label; a URL that is not http(s)
    (javascript:, tg://, data: ... from a README) is left out and only the label shown."""
    if not url.strip().lower().startswith(SAFE_SCHEMES):
        return esc(label)
    return f'<a href="{esc(url.strip())}">{esc(label)}</a>'


_PIECE = re.compile(r"<(/?)([a-z\-]+)[^>]*>|&[#\w]+;|[^<&]+|[<&]", re.I)


def cut_html(text: str, limit: int) -> str:
    """Shorten our HTML to at most `limit` characters on a text boundary: never inside a tag
    or an entity, every tag left open closed again, an ellipsis where text was dropped."""
    if len(text) <= limit:
        return text
    out: list[str] = []
    open_tags: list[str] = []
    size = 0
    for piece in _PIECE.finditer(text):
        chunk, closing, name = piece.group(0), piece.group(1), (piece.group(2) or "").lower()
        tail = 1 + sum(len(tag) + 3 for tag in open_tags)  # "…" and the closing tags
        if name and closing:
            if open_tags and open_tags[-1] == name:
                open_tags.pop()
            out.append(chunk)
            size += len(chunk)
            continue
        room = limit - size - tail - (len(name) + 3 if name else 0)
        if len(chunk) > room:
            if not name and not chunk.startswith("&") and room > 0:
                kept = chunk[:room].rsplit(" ", 1)[0] if " " in chunk[:room] else chunk[:room]
                out.append(kept)
            break
        out.append(chunk)
        size += len(chunk)
        if name:
            open_tags.append(name)
    return "".join(out) + "…" + "".join(f"</{tag}>" for tag in reversed(open_tags))


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
