"""Telegram HTML: escaping, links, plain-text fallbacks and splitting under 4096 characters."""

from __future__ import annotations

import html
import re

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)


# Bidirectional overrides, embeddings and isolates, and invisible zero-width characters: in a
# title they reverse or hide the rest of a card's line (an unterminated U+202E reverses it all).
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff]")


def neutral(text: str) -> str:
    """External text with bidi controls and zero-width characters taken out."""
    return _INVISIBLE.sub("", text)


def esc(text: object) -> str:
    """Escape any external string for Telegram's HTML parse mode (bidi controls and
    zero-width characters dropped: every shown title, author and abstract passes here)."""
    return html.escape(neutral(str(text)), quote=True)


def units(text: str) -> int:
    """A text's length as Telegram counts it: UTF-16 code units (an emoji or a character
    outside the Basic Multilingual Plane counts two)."""
    return len(text.encode("utf-16-le")) // 2


def _prefix(text: str, limit: int) -> str:
    """The longest prefix of `text` of at most `limit` UTF-16 units."""
    if units(text) <= limit:
        return text
    out, size = [], 0
    for ch in text:
        size += 2 if ord(ch) > 0xFFFF else 1
        if size > limit:
            break
        out.append(ch)
    return "".join(out)


def clip(text: str, limit: int) -> str:
    """Shorten text to `limit` UTF-16 units on a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if units(text) <= limit:
        return text
    head = _prefix(text, limit - 1)
    cut = head.rsplit(" ", 1)[0]
    return (cut or head) + "…"


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
    if units(text) <= limit:
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
            size += units(chunk)
            continue
        room = limit - size - tail - (len(name) + 3 if name else 0)
        if units(chunk) > room:
            if not name and not chunk.startswith("&") and room > 0:
                head = _prefix(chunk, room)
                out.append(head.rsplit(" ", 1)[0] if " " in head else head)
            break
        out.append(chunk)
        size += units(chunk)
        if name:
            open_tags.append(name)
    return "".join(out) + "…" + "".join(f"</{tag}>" for tag in reversed(open_tags))


def to_plain(text: str, keep_links: bool = False) -> str:
    """Turn our HTML into plain text: tags dropped, entities decoded, links as 'label (url)'."""
    if keep_links:
        text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    return html.unescape(_TAG.sub("", text))


def split_blocks(blocks: list[str], header: str = "", limit: int = MESSAGE_LIMIT,
                 sep: str = "\n\n") -> list[str]:
    """Join blocks (with `sep`) into messages ≤ limit UTF-16 units, splitting only between
    blocks."""
    messages: list[str] = []
    current = header
    for block in blocks:
        block = block if units(block) <= limit - 10 else esc(clip(to_plain(block), limit - 200))
        candidate = f"{current}{sep}{block}" if current else block
        if units(candidate) > limit and current:
            messages.append(current)
            candidate = block
        current = candidate
    if current:
        messages.append(current)
    return messages
