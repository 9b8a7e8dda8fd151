"""Typed records that travel between the packages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Link:
    """One link of a list entry: its label (`pdf`, `web`, ...) and URL."""

    kind: str
    url: str


@dataclass(frozen=True)
class Researcher:
    """A key researcher named in a section's HTML comment."""

    name: str
    url: str


@dataclass(frozen=True)
class ListEntry:
    """One line of the curated list that names a paper or a resource."""

    section: str
    title: str
    year: int | None
    authors: str
    links: tuple[Link, ...] = ()
    arxiv_id: str | None = None
    key_researchers: tuple[Researcher, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return the entry in the CLI's JSON shape."""
        return {
            "section": self.section,
            "title": self.title,
            "year": self.year,
            "authors": self.authors,
            "links": [asdict(link) for link in self.links],
            "arxiv_id": self.arxiv_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ListEntry:
        """Build an entry back from `to_json` output (researchers are not kept)."""
        return cls(
            section=data["section"],
            title=data["title"],
            year=data.get("year"),
            authors=data.get("authors", ""),
            links=tuple(Link(**link) for link in data.get("links", [])),
            arxiv_id=data.get("arxiv_id"),
        )


@dataclass(frozen=True)
class Section:
    """One `###` section of the list."""

    name: str
    kind: str  # top100 | new | old | resource | appendix
    entries: tuple[ListEntry, ...] = ()
    key_researchers: tuple[Researcher, ...] = ()


@dataclass(frozen=True)
class ListSnapshot:
    """One version of the list, parsed."""

    sections: tuple[Section, ...]

    @property
    def entries(self) -> list[ListEntry]:
        """All entries in document order."""
        return [entry for section in self.sections for entry in section.entries]

    def section(self, name: str) -> Section | None:
        """Return the section with this exact name, if any."""
        return next((s for s in self.sections if s.name == name), None)

    def top100(self) -> list[Section]:
        """Return the top-100 sections."""
        return [s for s in self.sections if s.kind == "top100"]


@dataclass(frozen=True)
class Moved:
    """An entry that changed section."""

    entry: ListEntry
    from_section: str
    to_section: str


@dataclass(frozen=True)
class Edited:
    """The same paper with another title, link or year."""

    before: ListEntry
    after: ListEntry


@dataclass(frozen=True)
class ListDiff:
    """What changed between two snapshots."""

    added: tuple[ListEntry, ...] = ()
    removed: tuple[ListEntry, ...] = ()
    moved: tuple[Moved, ...] = ()
    edited: tuple[Edited, ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not (self.added or self.removed or self.moved or self.edited)

    def to_json(self) -> dict[str, Any]:
        """Return the diff in the CLI's JSON shape."""
        return {
            "added": [e.to_json() for e in self.added],
            "removed": [e.to_json() for e in self.removed],
            "moved": [
                {**m.entry.to_json(), "from": m.from_section, "to": m.to_section}
                for m in self.moved
            ],
            "edited": [
                {"before": e.before.to_json(), "after": e.after.to_json()} for e in self.edited
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ListDiff:
        """Build a diff back from `to_json` output."""
        return cls(
            added=tuple(ListEntry.from_json(e) for e in data.get("added", [])),
            removed=tuple(ListEntry.from_json(e) for e in data.get("removed", [])),
            moved=tuple(
                Moved(ListEntry.from_json(m), m["from"], m["to"]) for m in data.get("moved", [])
            ),
            edited=tuple(
                Edited(ListEntry.from_json(e["before"]), ListEntry.from_json(e["after"]))
                for e in data.get("edited", [])
            ),
        )


@dataclass(frozen=True)
class Paper:
    """One arXiv paper as announced or returned by the API."""

    arxiv_id: str  # base id, no version
    version: int
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    primary_category: str = ""
    published: str = ""  # ISO date of v1 (or the announcement when unknown)
    updated: str = ""
    announce_type: str = ""  # new | cross | replace | replace-cross | "" (API)
    doi: str = ""
    journal_ref: str = ""
    comments: str = ""
    source: str = ""  # rss | api | pool
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def abs_url(self) -> str:
        """The paper's arXiv abstract page."""
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        """The paper's arXiv PDF."""
        return f"https://arxiv.org/pdf/{self.arxiv_id}"


@dataclass(frozen=True)
class Scored:
    """A paper judged for the list: score (higher is better), section and the reasons why."""

    paper_id: str
    score: float
    section: str  # the most likely top-100 section, or "other"
    section_probs: tuple[tuple[str, float], ...] = ()  # best first
    reasons: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()  # carried so per-chat feedback can match liked authors
    terms: tuple[str, ...] = ()  # salient title terms, for the same reason

    def to_json(self) -> dict[str, Any]:
        """Return the CLI's JSON shape."""
        return {
            "id": self.paper_id,
            "score": round(self.score, 3),
            "section": self.section,
            "reasons": list(self.reasons),
        }
