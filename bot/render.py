"""Pure rendering: records in, Telegram HTML out (escaped, split under 4096 characters)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from feeds.model import ListEntry, Paper

MESSAGE_LIMIT = 4096
TITLE_LIMIT = 300
ABSTRACT_SNIPPET = 280


@dataclass(frozen=True)
class Button:
    """An inline keyboard button: label and callback data (≤ 64 bytes)."""

    text: str
    data: str


@dataclass(frozen=True)
class Reply:
    """One message to send: HTML text and an optional inline keyboard."""

    text: str
    keyboard: tuple[tuple[Button, ...], ...] = field(default_factory=tuple)
    photo: bytes | None = None  # sent as a photo with `text` as its caption (≤ 1024 chars)


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


def arxiv_links(arxiv_id: str) -> str:
    """Render the abs and pdf links of an arXiv paper."""
    return (
        f"{link(f'https://arxiv.org/abs/{arxiv_id}', 'abs')} · "
        f"{link(f'https://arxiv.org/pdf/{arxiv_id}', 'pdf')}"
    )


def render_entry(entry: ListEntry, number: int | None = None) -> str:
    """Render one list entry: title, year, authors and its links."""
    prefix = f"{number}. " if number is not None else ""
    year = f" ({entry.year})" if entry.year else ""
    authors = f", {esc(clip(entry.authors, 120))}" if entry.authors else ""
    links = [arxiv_links(entry.arxiv_id)] if entry.arxiv_id else []
    links += [
        link(item.url, item.kind) for item in entry.links[:2]
        if item.url.startswith("http") and not (entry.arxiv_id and "arxiv" in item.url)
    ]
    tail = f"\n   {' · '.join(links)}" if links else ""
    return f"{prefix}<b>{esc(clip(entry.title, TITLE_LIMIT))}</b>{year}{authors}{tail}"


def first_authors(authors: tuple[str, ...], limit: int = 3) -> str:
    """Render an author list as 'A, B, C et al.'."""
    shown = ", ".join(authors[:limit])
    return f"{shown} et al." if len(authors) > limit else shown


def render_paper_line(paper: Paper, number: int | None = None, note: str = "") -> str:
    """Render an arXiv paper in a list: title, first authors, links and an optional note."""
    prefix = f"{number}. " if number is not None else ""
    authors = esc(clip(first_authors(paper.authors), 120))
    extra = f"\n   <i>{esc(note)}</i>" if note else ""
    return (
        f"{prefix}<b>{esc(clip(paper.title, TITLE_LIMIT))}</b>\n   {authors}\n"
        f"   arXiv:{esc(paper.arxiv_id)} · {arxiv_links(paper.arxiv_id)}{extra}"
    )


def split_blocks(blocks: list[str], header: str = "", limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join blocks into messages ≤ limit characters, splitting only between blocks."""
    messages: list[str] = []
    current = header
    for block in blocks:
        block = block if len(block) <= limit - 10 else esc(clip(_strip_tags(block), limit - 200))
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) > limit and current:
            messages.append(current)
            candidate = block
        current = candidate
    if current:
        messages.append(current)
    return messages


def _strip_tags(text: str) -> str:
    out, inside = [], False
    for char in text:
        if char == "<":
            inside = True
        elif char == ">":
            inside = False
        elif not inside:
            out.append(char)
    return html.unescape("".join(out))
