"""Who wrote the list's papers: parse the bib, name keys, and an index of list authors.

The README names only first authors ("K. He et al."); the shipped `top100papers.bib` has full
author lists of the top-100 papers, and the arXiv API can add more for entries with an arXiv id.
Names arrive as "Last, First", "F. Last" or "First Last", so every name is reduced to a key of
first initial + surname, ascii-folded ("kaiming he", "He, Kaiming", "K. He" -> "k he").
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from feeds.awesome_list import entry_key, normalise_title
from feeds.model import ListSnapshot, Paper

_BIB_ENTRY = re.compile(r"@(\w+)\s*\{\s*([^,\s]*)\s*,", re.S)
_BIB_FIELD = re.compile(r"(\w+)\s*=\s*", re.S)
_LATEX_ACCENT = re.compile(r"\\([\"'`^~=.cvuH])\s*\{?\s*(\\?[A-Za-z])\s*\}?")
_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306", "H": "\u030b",
}
_PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "la",
                        "le", "dos", "das", "ten", "ter", "bin", "al"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_ET_AL = re.compile(r"\s*(?:,\s*)?\bet\s+al\.?", re.I)


@dataclass(frozen=True)
class BibEntry:
    """One BibTeX record: its key, title, authors (as written), venue and year."""

    key: str
    title: str
    authors: tuple[str, ...]
    venue: str = ""
    year: int | None = None


@dataclass(frozen=True)
class ListPaperAuthors:
    """The known authors of one list entry, and where the names came from."""

    entry_key: str
    title: str
    section: str
    authors: tuple[str, ...]
    source: str  # readme | bib | arxiv
    arxiv_id: str | None = None
    venue: str = ""


@dataclass(frozen=True)
class AuthorHit:
    """A candidate author found in the index: the name, its list papers, how sure the match is."""

    name: str
    papers: tuple[str, ...]  # titles of list papers
    strong: bool  # full first names agree (not just the initial)
    key_researcher: bool = False


@dataclass(frozen=True)
class AuthorIndex:
    """Name key -> list papers of that author, plus the sections' key researchers."""

    papers_by_key: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    first_names: Mapping[str, frozenset[str]] = field(default_factory=dict)
    key_researchers: frozenset[str] = frozenset()

    def lookup(self, name: str) -> AuthorHit | None:
        """Return the list papers of this author, if the index knows them."""
        key = author_key(name)
        if not key:
            return None
        papers = self.papers_by_key.get(key, ())
        is_key = key in self.key_researchers
        if not papers and not is_key:
            return None
        known = self.first_names.get(key, frozenset())
        first = _first_name(name)
        full_names = {k for k in known if len(k) > 1}
        if full_names and len(first) > 1 and first not in full_names:
            return None  # "Kevin He" is not "Kaiming He", though both are "K. He"
        strong = bool(first and first in known and len(first) > 1)
        return AuthorHit(name, papers, strong, is_key)


def fold(text: str) -> str:
    """Return `text` ascii-folded and lower-cased."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def latex_to_text(text: str) -> str:
    """Turn BibTeX accents and braces into plain Unicode text."""
    text = _LATEX_ACCENT.sub(lambda m: m.group(2).lstrip("\\") + _ACCENTS[m.group(1)], text)
    text = text.replace("\\&", "&").replace("\\ss", "ss").replace("\\o", "o").replace("\\l", "l")
    return unicodedata.normalize("NFC", re.sub(r"[{}]", "", text)).strip()


def split_name(name: str) -> tuple[str, str]:
    """Split one author name into (first names, surname) in any of the usual spellings."""
    name = re.sub(r"\s+", " ", latex_to_text(name)).strip(" ,")
    parts = [p.strip() for p in name.split(",") if fold(p.strip(" .")) not in _SUFFIXES]
    if len(parts) >= 2:
        return _move_particles(parts[-1], parts[0])
    words = [w for w in " ".join(parts).split(" ") if w and fold(w.strip(".")) not in _SUFFIXES]
    if len(words) <= 1:
        return "", " ".join(words)
    cut = len(words) - 1
    while cut > 1 and fold(words[cut - 1]) in _PARTICLES:
        cut -= 1
    return " ".join(words[:cut]), " ".join(words[cut:])


def _move_particles(first: str, last: str) -> tuple[str, str]:
    """'Oord, Aaron van den' -> ('Aaron', 'van den Oord')."""
    words = first.split()
    while words and fold(words[-1]) in _PARTICLES:
        last = f"{words.pop()} {last}"
    return " ".join(words), last


def author_key(name: str) -> str:
    """Key a name on first initial + surname, ascii-folded: 'He, Kaiming' -> 'k he'."""
    first, last = split_name(name)
    surname_words = [w for w in re.findall(r"[a-z]+", fold(last)) if w not in _PARTICLES]
    if not surname_words:
        return ""
    initial = re.findall(r"[a-z]", fold(first))
    return f"{initial[0] if initial else '_'} {''.join(surname_words)}"


def full_name_key(name: str) -> str:
    """Key a name on first given name + surname: 'Bengio, Yoshua' -> 'yoshua bengio'."""
    key, first = author_key(name), _first_name(name)
    return f"{first} {key.partition(' ')[2]}" if key and first else key


def _first_name(name: str) -> str:
    """The folded first given name ('kaiming'), or its initial when only that is known."""
    words = re.findall(r"[a-z]+", fold(split_name(name)[0]))
    return words[0] if words else ""


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
                authors=split_authors(fields.get("author", "")),
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


def split_authors(field_text: str) -> tuple[str, ...]:
    """Split a BibTeX author field on ' and ', dropping 'others'."""
    names = re.split(r"\s+and\s+", re.sub(r"\s+", " ", field_text.strip()))
    return tuple(n.strip() for n in names if n.strip() and n.strip().lower() != "others")


def readme_authors(text: str) -> tuple[str, ...]:
    """Split the README's author text ('K. He et al.', 'A. Karpathy and L. Fei-Fei')."""
    text = _ET_AL.sub("", text).strip(" .,")
    parts = re.split(r"\s*,\s*|\s+and\s+|\s*&\s*", text)
    return tuple(p.strip(" .") for p in parts if re.search(r"[A-Za-z]{2}", p))


def list_paper_authors(
    snapshot: ListSnapshot, bib: Iterable[BibEntry] = ()
) -> tuple[ListPaperAuthors, ...]:
    """Known authors of every list entry: the README's names, replaced by the bib's when found."""
    by_title = {normalise_title(b.title): b for b in bib if b.title}
    found = []
    for entry in snapshot.entries:
        from_bib = by_title.get(normalise_title(entry.title))
        names, source = readme_authors(entry.authors), "readme"
        if from_bib and from_bib.authors:
            names, source = from_bib.authors, "bib"
        found.append(
            ListPaperAuthors(
                entry_key=entry_key(entry),
                title=entry.title,
                section=entry.section,
                authors=names,
                source=source,
                arxiv_id=entry.arxiv_id,
                venue=from_bib.venue if from_bib else "",
            )
        )
    return tuple(found)


def merge_arxiv_authors(
    known: Iterable[ListPaperAuthors], papers: Iterable[Paper]
) -> tuple[ListPaperAuthors, ...]:
    """Replace README/bib author lists with the (longer) ones of arXiv papers, by id or title."""
    papers = [p for p in papers if p.authors]
    by_id = {p.arxiv_id: p for p in papers if p.arxiv_id}
    by_title = {normalise_title(p.title): p for p in papers}
    merged = []
    for item in known:
        paper = by_id.get(item.arxiv_id or "") or by_title.get(normalise_title(item.title))
        if paper and len(paper.authors) >= len(item.authors):
            item = replace(item, authors=tuple(paper.authors), source="arxiv")
        merged.append(item)
    return tuple(merged)


def build_author_index(
    known: Iterable[ListPaperAuthors], snapshot: ListSnapshot | None = None
) -> AuthorIndex:
    """Index every known list author by name key; add the sections' key researchers."""
    papers: dict[str, list[str]] = {}
    first_names: dict[str, set[str]] = {}
    for item in known:
        for name in item.authors:
            key = author_key(name)
            if not key:
                continue
            if item.title not in papers.setdefault(key, []):
                papers[key].append(item.title)
            first = _first_name(name)
            if first:
                first_names.setdefault(key, set()).add(first)
    researchers = {
        author_key(r.name)
        for section in (snapshot.sections if snapshot else ())
        for r in section.key_researchers
    }
    return AuthorIndex(
        papers_by_key={k: tuple(v) for k, v in papers.items()},
        first_names={k: frozenset(v) for k, v in first_names.items()},
        key_researchers=frozenset(k for k in researchers if k),
    )


@dataclass(frozen=True)
class AuthorActivity:
    """Publication dates of every paper the bot has seen, per author (full-name key)."""

    dates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # sorted ISO dates

    def papers_before(self, name: str, day: str) -> int:
        """How many of this author's papers came out before `day` (all of them when '')."""
        dates = self.dates.get(full_name_key(name), ())
        return bisect_left(dates, day) if day else len(dates)


def author_activity(papers: Iterable[Paper]) -> AuthorActivity:
    """Index each paper's publication date under each of its authors."""
    dates: dict[str, list[str]] = {}
    for paper in papers:
        for key in dict.fromkeys(full_name_key(name) for name in paper.authors):
            if key:
                # interned: 100k papers share a few hundred dates, not one string each
                dates.setdefault(key, []).append(sys.intern(paper.published[:10]))
    return AuthorActivity({key: tuple(sorted(days)) for key, days in dates.items()})
