"""Parse BibTeX (the list's `top100papers.bib`): keys, titles, full author lists, venues."""

from __future__ import annotations

import re
from dataclasses import dataclass

from feeds.names import latex_to_text

_BIB_ENTRY = re.compile(r"@(\w+)\s*\{\s*([^,\s]*)\s*,", re.S)
_BIB_FIELD = re.compile(r"(\w+)\s*=\s*", re.S)


@dataclass(frozen=True)
class BibEntry:
    """One BibTeX record: its key, title, authors (as written), venue and year."""

    key: str
    title: str
    authors: tuple[str, ...]
    venue: str = ""
    year: int | None = None


def parse_bib(text: str) -> list[BibEntry]:
    """Parse BibTeX text into entries; unknown fields are ignored."""
    entries = []
    starts = list(_BIB_ENTRY.finditer(text))
    for i, start in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        fields = _bib_fields(text[start.end() : end])
        year = re.search(r"\d{4}", fields.get("year", ""))
        entries.append(
            BibEntry(
                key=start.group(2),
                title=latex_to_text(fields.get("title", "")),
                authors=split_bib_authors(fields.get("author", "")),
                venue=latex_to_text(fields.get("journal") or fields.get("booktitle") or ""),
                year=int(year.group()) if year else None,
            )
        )
    return entries


def _bib_fields(body: str) -> dict[str, str]:
    """Read `name={value}` / `name="value"` / `name=value` pairs with nested braces."""
    fields: dict[str, str] = {}
    pos = 0
    while (found := _BIB_FIELD.search(body, pos)) is not None:
        value, pos = _bib_value(body, found.end())
        fields[found.group(1).lower()] = value
    return fields


def _bib_value(body: str, pos: int) -> tuple[str, int]:
    """Read one field value starting at `pos`; return it and the position after it."""
    opener = body[pos : pos + 1]
    if opener in ("{", '"'):
        depth = 0
        for i in range(pos, len(body)):
            char = body[i]
            depth += (char == "{") - (char == "}")
            closes = depth == 0 if opener == "{" else (char == '"' and i > pos and depth == 0)
            if closes:
                return body[pos + 1 : i], i + 1
        return body[pos + 1 :], len(body)
    found = re.match(r"[^,}\n]*", body[pos:])
    length = len(found.group()) if found else 0
    return body[pos : pos + length].strip(), pos + length


def split_bib_authors(field_text: str) -> tuple[str, ...]:
    """Split a BibTeX author field on ' and ', dropping 'others'."""
    names = re.split(r"\s+and\s+", re.sub(r"\s+", " ", field_text.strip()))
    return tuple(n.strip() for n in names if n.strip() and n.strip().lower() != "others")
