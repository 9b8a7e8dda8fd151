"""Is a paper already on the list? Match it to the list's entries by arXiv id, DOI, or normalised
title with first author and year (pure).

Most of the list's entries link a venue PDF and carry no arXiv id (119 of 217 papers), so an id
check alone takes their arXiv versions for new papers (Pointer Networks, arXiv 1506.03134, is on
the list as "Pointer networks (2015), O. Vinyals et al." with a NIPS link). A title alone is not
enough either: "Deep learning" names two entries and many other papers.

The year the list gives is the venue's. On the bundled list the arXiv v1 of an entry that carries
an id came 0 (92 entries), 1 (16) or 2 (4) years before it and never after, so an arXiv year from
two before to one after the list's year agrees (one after: a venue paper posted late).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from feeds.awesome_list import normalise_title
from feeds.model import ListEntry, ListSnapshot, Paper
from feeds.names import author_key
from feeds.rank.authors import readme_authors

YEARS_BEFORE = 2  # arXiv v1 at most this many years before the list's (venue) year
YEARS_AFTER = 1  # ... or this many after it
CLOSE_TITLE = 0.9  # ratio of two normalised titles: "spatial transformer network(s)"
SAME_TITLE = 0.95  # near-identical ('beyond short snippents'): enough when no author is known
CLOSE_SURNAME = 0.85  # a misspelt surname under an identical title ('Sukbaatar', 'Sukhbaatar')
_DOI = re.compile(r"\b10\.\d{4,9}/[^\s?#&\"'<>]+")
_VERSION = re.compile(r"v\d+$")


class MatchBy(StrEnum):
    """How a paper was found on the list."""

    ARXIV_ID = "arxiv_id"
    DOI = "doi"
    TITLE = "title"


@dataclass(frozen=True)
class ListedPaper:
    """What identifies one list entry: its ids, DOIs, title, first author's key and year."""

    entry: ListEntry
    arxiv_ids: frozenset[str]
    dois: frozenset[str]
    title: str  # normalised
    first_author: str  # feeds.names.author_key, '' when the list names nobody
    year: int | None


@dataclass(frozen=True)
class ListMatch:
    """The list entry a paper is, and how that was found."""

    entry: ListEntry
    by: MatchBy


def doi_of(text: str) -> str:
    """The DOI in a DOI, doi.org URL or publisher URL, lower-cased; '' when there is none."""
    found = _DOI.search(text)
    return found.group(0).rstrip(".,;)").removesuffix(".pdf").lower() if found else ""


def listed_paper(entry: ListEntry, records: Iterable[Paper] = ()) -> ListedPaper:
    """An entry's identifiers, with the arXiv ids and DOIs of `records` (its arXiv versions)."""
    firsts = readme_authors(entry.authors)[:1]
    records = tuple(records)
    ids = {entry.arxiv_id or "", *(r.arxiv_id for r in records)} - {""}
    dois = {doi_of(link.url) for link in entry.links} | {doi_of(r.doi) for r in records}
    return ListedPaper(entry, frozenset(_VERSION.sub("", i) for i in ids),
                       frozenset(dois - {""}), normalise_title(entry.title),
                       author_key(firsts[0]) if firsts else "", entry.year)


def match_entry(paper: Paper, listed: ListedPaper) -> MatchBy | None:
    """How `paper` is this list entry (by arXiv id, DOI, or title with first author and
    year), or None when it is not."""
    if _VERSION.sub("", paper.arxiv_id) in listed.arxiv_ids:
        return MatchBy.ARXIV_ID
    if paper.doi and doi_of(paper.doi) in listed.dois:
        return MatchBy.DOI
    return MatchBy.TITLE if _title_match(_Seen.of(paper), listed) else None


@dataclass(frozen=True)
class _Seen:
    """What the title rule reads of a paper, worked out once."""

    title: str
    year: int | None
    author: str

    @classmethod
    def of(cls, paper: Paper) -> _Seen:
        published = paper.published
        return cls(normalise_title(paper.title),
                   int(published[:4]) if re.match(r"\d{4}", published) else None,
                   author_key(paper.authors[0]) if paper.authors else "")


def _title_match(paper: _Seen, listed: ListedPaper) -> bool:
    if not paper.title or not listed.title:
        return False
    year = paper.year
    if year is not None and listed.year is not None and not (
            -YEARS_BEFORE <= year - listed.year <= YEARS_AFTER):
        return False
    ratio = _title_ratio(paper.title, listed.title)
    if paper.author and listed.first_author:
        if ratio == 1.0:  # one title: the first authors must agree, a misspelling allowed
            return _same_person(paper.author, listed.first_author, CLOSE_SURNAME)
        return ratio >= CLOSE_TITLE and _same_person(paper.author, listed.first_author, 1.0)
    # nobody to compare: a year must confirm a near-identical title
    return year is not None and listed.year is not None and ratio >= SAME_TITLE


def _title_ratio(one: str, other: str) -> float:
    """How alike two titles are, 0..1 (rapidfuzz's ratio: difflib's, in C++)."""
    return 1.0 if one == other else fuzz.ratio(one, other, score_cutoff=CLOSE_TITLE * 100) / 100


def _same_person(one: str, other: str, surname_ratio: float) -> bool:
    """Two author keys ('o vinyals') name one person: initials agree unless one is unknown
    ('_'), surnames are equal or, below 1.0, this close."""
    (i, surname), (j, other_surname) = one.split(" ", 1), other.split(" ", 1)
    if i != j and "_" not in (i, j):
        return False
    if surname == other_surname:
        return True
    return surname_ratio < 1.0 and fuzz.ratio(surname, other_surname) >= surname_ratio * 100


class ListedIndex:
    """The list's entries, found by arXiv id, DOI, title or first author."""

    def __init__(self, listed: Iterable[ListedPaper]):
        self.listed = tuple(listed)
        self.by_id = {i: p for p in self.listed for i in p.arxiv_ids}
        self.by_doi = {d: p for p in self.listed for d in p.dois}
        self.by_title: dict[str, list[ListedPaper]] = {}
        self.by_surname: dict[str, list[ListedPaper]] = {}
        for p in self.listed:
            self.by_title.setdefault(p.title, []).append(p)
            self.by_surname.setdefault(p.first_author.partition(" ")[2], []).append(p)

    def find(self, paper: Paper) -> ListMatch | None:
        """The list entry this paper is, if it is on the list."""
        if found := self.by_id.get(_VERSION.sub("", paper.arxiv_id)):
            return ListMatch(found.entry, MatchBy.ARXIV_ID)
        if paper.doi and (found := self.by_doi.get(doi_of(paper.doi))):
            return ListMatch(found.entry, MatchBy.DOI)
        seen = _Seen.of(paper)
        surname = seen.author.partition(" ")[2]
        for candidate in (*self.by_title.get(seen.title, ()),
                          *(self.by_surname.get(surname, ()) if surname else ()),
                          *self.by_surname.get("", ())):
            if _title_match(seen, candidate):
                return ListMatch(candidate.entry, MatchBy.TITLE)
        return None


def listed_index(snapshot: ListSnapshot, records: Iterable[Paper] = ()) -> ListedIndex:
    """Index a list version; `records` are arXiv records of its entries (the bundled
    list_papers.json, those the bot fetched), each adding its id and DOI to its entry."""
    bare = ListedIndex(listed_paper(e) for e in snapshot.entries)
    found: dict[ListEntry, list[Paper]] = {}
    for record in records:
        if match := bare.find(record):
            found.setdefault(match.entry, []).append(record)
    return ListedIndex(listed_paper(e, found.get(e, ())) for e in snapshot.entries)
