"""Who wrote the list's papers: an index of list authors and every author's activity.

The README names only first authors ("K. He et al."); the shipped `top100papers.bib` has full
author lists of the top-100 papers, and the arXiv API can add more for entries with an arXiv id.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from feeds.awesome_list import entry_key, normalise_title
from feeds.bib import BibEntry
from feeds.model import ListSnapshot, Paper
from feeds.names import author_key, first_name, full_name_key

_ET_AL = re.compile(r"\s*(?:,\s*)?\bet\.?\s+al\.?", re.I)  # the list also writes 'et. al.'

NameSource = Literal["readme", "bib", "arxiv"]


@dataclass(frozen=True)
class ListPaperAuthors:
    """The known authors of one list entry, and where the names came from."""

    entry_key: str
    title: str
    section: str
    authors: tuple[str, ...]
    source: NameSource
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
        first = first_name(name)
        full_names = {k for k in known if len(k) > 1}
        if full_names and len(first) > 1 and first not in full_names:
            return None  # "Kevin He" is not "Kaiming He", though both are "K. He"
        strong = bool(first and first in known and len(first) > 1)
        return AuthorHit(name, papers, strong, is_key)


def readme_authors(text: str) -> tuple[str, ...]:
    """Split the README's author text ('K. He et al.', 'A. Karpathy and L. Fei-Fei')."""
    text = _ET_AL.sub("", text).strip(" .,")
    parts = re.split(r"\s*,\s*|\s+and\s+|\s*&\s*", text)
    return tuple(p.strip(" .()") for p in parts if re.search(r"[A-Za-z]{2}", p))


def list_paper_authors(
    snapshot: ListSnapshot, bib: Iterable[BibEntry] = ()
) -> tuple[ListPaperAuthors, ...]:
    """Known authors of every list entry: the README's names, replaced by the bib's when found."""
    by_title = {normalise_title(b.title): b for b in bib if b.title}
    found = []
    for entry in snapshot.entries:
        from_bib = by_title.get(normalise_title(entry.title))
        names: tuple[str, ...] = readme_authors(entry.authors)
        source: NameSource = "readme"
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
            first = first_name(name)
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
