"""Typed records and closed sets that travel between the packages: one shape, parser to digest.

Every closed set is a `StrEnum`, so a value is stored, compared and printed as its plain string
("top100", "pending", ...) and existing databases and JSON outputs keep their values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


class SectionKind(StrEnum):
    """What a `###` section of the list holds."""

    TOP100 = "top100"
    NEW = "new"
    OLD = "old"
    RESOURCE = "resource"
    APPENDIX = "appendix"


class AnnounceType(StrEnum):
    """How arXiv's RSS announced a paper ("" when it came from the API or elsewhere)."""

    NEW = "new"
    CROSS = "cross"
    REPLACE = "replace"
    REPLACE_CROSS = "replace-cross"
    UNKNOWN = ""

    @property
    def is_cross(self) -> bool:
        """A cross-listing from another primary category."""
        return self in (AnnounceType.CROSS, AnnounceType.REPLACE_CROSS)

    @property
    def is_replacement(self) -> bool:
        """A new version of a paper announced before."""
        return self in (AnnounceType.REPLACE, AnnounceType.REPLACE_CROSS)

    @property
    def announces(self) -> bool:
        """A first announcement (new or cross), which dates the paper's announcement."""
        return self in (AnnounceType.NEW, AnnounceType.CROSS)


class PaperSource(StrEnum):
    """Where a paper record came from."""

    RSS = "rss"
    API = "api"
    POOL = "pool"
    LIST = "list"
    CLI = "cli"
    UNKNOWN = ""


class NameSource(StrEnum):
    """Where a short name of a paper comes from, the most trusted first (feeds/aliases.py)."""

    TABLE = "table"  # feeds/data/aliases.tsv, each row with its source
    TITLE = "title"  # the title's name before a colon, or an acronym in brackets in the title
    ABSTRACT = "abstract"  # a name the abstract introduces ("we call it YOLO")

    @property
    def rank(self) -> int:
        """0 for the most trusted source."""
        return list(NameSource).index(self)


class PollStatus(StrEnum):
    """What one poll of a source came to."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    NO_ANNOUNCEMENT = "no_announcement"  # arXiv's weekend or holiday: an empty feed
    ERROR = "error"

    @property
    def validated(self) -> bool:
        """The source answered validly, so its validators may be sent again."""
        return self is not PollStatus.ERROR


class Lang(StrEnum):
    """The languages the bot speaks."""

    EN = "en"
    ZH = "zh"


class DigestMode(StrEnum):
    """How often a chat gets digests."""

    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


class SubscriptionKind(StrEnum):
    """What a subscription follows."""

    TOPIC = "topic"
    KEYWORD = "keyword"


class Topic(StrEnum):
    """A stable topic a chat may follow; the list's heading is only its current name.

    The nine routed topics are keyed by a word of their heading (feeds/rank/topics.py
    TOPIC_KEYS); RECURRENT was a section of its own until the list merged it into language
    (2017-04), NEW_PAPERS is the bucket of papers under six months.
    """

    UNDERSTANDING = "understanding"
    OPTIMIZATION = "optimization"
    GENERATIVE = "generative"
    CONVOLUTIONAL = "convolutional"
    DETECTION = "detection"
    VIDEO = "video"
    LANGUAGE = "language"
    SPEECH = "speech"
    REINFORCEMENT = "reinforcement"
    RECURRENT = "recurrent"
    NEW_PAPERS = "new papers"


class TopicChangeKind(StrEnum):
    """How a list version changed a followed section."""

    RENAMED = "renamed"
    MERGED = "merged"
    SPLIT = "split"


class SuggestionStatus(StrEnum):
    """A maintainer's decision on a suggestion."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    LATER = "later"


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
            "links": [{"kind": link.kind, "url": link.url} for link in self.links],
            "arxiv_id": self.arxiv_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ListEntry:
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
    kind: SectionKind
    entries: tuple[ListEntry, ...] = ()
    key_researchers: tuple[Researcher, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.kind, SectionKind):  # built from a stored or typed-in string
            object.__setattr__(self, "kind", SectionKind(self.kind))


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
        return [s for s in self.sections if s.kind is SectionKind.TOP100]

    def topics(self) -> list[Section]:
        """The topical sections: the top-100 ones that are not a bucket of a year."""
        return [s for s in self.top100() if not _YEAR.search(s.name)]

    def news_section(self) -> Section | None:
        """The section of new papers (under six months), whose additions are list news."""
        return next((s for s in self.sections if s.kind is SectionKind.NEW), None)

    def followable(self) -> list[Section]:
        """What a chat may subscribe to: the topics, then the new papers' section (news)."""
        news = self.news_section()
        return self.topics() + ([news] if news else [])


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
    def from_json(cls, data: Mapping[str, Any]) -> ListDiff:
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
    published: str = ""  # ISO date of the first version; '' while unknown
    updated: str = ""
    announce_type: AnnounceType = AnnounceType.UNKNOWN
    doi: str = ""
    journal_ref: str = ""
    comments: str = ""
    source: PaperSource = PaperSource.UNKNOWN
    affiliations: tuple[str, ...] = ()  # one per author ('' unknown), or () when none known
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.announce_type, AnnounceType):  # a string from a file or a test
            object.__setattr__(self, "announce_type", AnnounceType(self.announce_type))
        if not isinstance(self.source, PaperSource):
            object.__setattr__(self, "source", PaperSource(self.source))

    @property
    def abs_url(self) -> str:
        """The paper's arXiv abstract page."""
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        """The paper's arXiv PDF."""
        return f"https://arxiv.org/pdf/{self.arxiv_id}"


class ReasonKey(StrEnum):
    """Why a score moved; each key has a text in both languages in bot/render/strings.py."""

    LISTED = "reason_listed"
    CO_AUTHOR = "reason_co_author"
    CO_AUTHORS = "reason_co_authors"
    CO_AUTHORS_MORE = "reason_co_authors_more"
    KEY_RESEARCHER = "reason_key_researcher"
    VENUE_ACCEPTED = "reason_venue_accepted"
    VENUE_PUBLISHED = "reason_venue_published"
    VENUE_WORKSHOP = "reason_venue_workshop"
    VENUE_SUBMITTED = "reason_venue_submitted"
    SIMILAR = "reason_similar"
    REVISED = "reason_revised"
    LIST_SHARE = "reason_list_share"
    CITATIONS_NEW = "reason_citations_new"
    CITATIONS_ABOVE = "reason_citations_above"
    CITATIONS_BELOW = "reason_citations_below"
    AUTHORS_RECORD = "reason_authors_record"
    INDUSTRY_LAB = "reason_industry_lab"
    CODE_RELEASED = "reason_code_released"
    BENCHMARKS = "reason_benchmarks"
    DAY0_ESTIMATE = "reason_day0_estimate"
    LIKED_SECTION = "reason_liked_section"
    DISLIKED_SECTION = "reason_disliked_section"
    LIKED_AUTHOR = "reason_liked_author"
    DISLIKED_AUTHOR = "reason_disliked_author"
    TEXT = "reason_text"  # a reason stored as plain text by an older version


@dataclass(frozen=True)
class Reason:
    """One explanation of a score: a catalogue key and the values its text needs."""

    key: ReasonKey
    values: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The stored shape: {"key": ..., "values": {...}}."""
        return {"key": self.key.value, "values": dict(self.values)}

    @classmethod
    def from_json(cls, data: Any) -> Reason:
        """Read a stored reason (a plain string from an older version is kept as text)."""
        if isinstance(data, str):
            return cls(ReasonKey.TEXT, {"text": data})
        return cls(ReasonKey(data["key"]), dict(data.get("values") or {}))


@dataclass(frozen=True)
class Scored:
    """A paper judged for the list: score (higher is better), section and the reasons why."""

    paper_id: str
    score: float
    section: str  # the paper's first topic, or "other" when none fits
    section_probs: tuple[tuple[str, float], ...] = ()  # every topic and "other", best first
    reasons: tuple[Reason, ...] = ()
    list_version: int | None = None  # the list version it was judged against, once stored
    topics: tuple[tuple[str, float], ...] = ()  # one or two (topic, p) above the fit bar
    # where its (expected) citations stand against the list's bar, log2 (feeds/rank/impact.py)
    impact: float | None = None

    @property
    def section_prob(self) -> float:
        """The probability of the chosen section."""
        if self.topics and self.topics[0][0] == self.section:
            return self.topics[0][1]
        return dict(self.section_probs).get(self.section, 0.0)

    def fit(self, topic: str) -> float:
        """How well the paper fits a topic (0 unless it is one of its topics)."""
        return dict(self.topics).get(topic, 0.0) if self.topics else (
            self.section_prob if topic == self.section else 0.0)


@dataclass(frozen=True)
class Candidate:
    """A paper with what the ranker said about it (None: not scored yet)."""

    paper: Paper
    scored: Scored | None = None

    @property
    def value(self) -> float:
        """The ranking value (0 when the paper was not scored)."""
        return self.scored.score if self.scored else 0.0

    @property
    def section(self) -> str:
        """The routed section ('' when not scored)."""
        return self.scored.section if self.scored else ""


@dataclass(frozen=True)
class CitationCount:
    """What the citation service knows about one arXiv paper (None: unknown to it)."""

    arxiv_id: str
    citations: int | None
    influential: int | None = None
    publication_date: str = ""  # YYYY-MM-DD when known
    fetched_at: str = ""


@dataclass(frozen=True)
class AuthorImpact:
    """One author's earlier record: citations, papers and h-index as known on `as_of`.

    From Semantic Scholar (career totals) or a file given by hand (`papers-bot rank
    --author-impact`); None in a count means the source did not say.
    """

    name: str
    citations: int | None
    papers: int | None
    h_index: int | None
    as_of: str = ""  # YYYY-MM-DD (or a timestamp) the numbers were true
    author_id: str = ""  # the source's author id when known


class PaperAuthor(NamedTuple):
    """One author of a paper as the citation API lists it: a pair (author_id, name)."""

    author_id: str
    name: str


@dataclass(frozen=True)
class Chat:
    """A private chat or group that talks to the bot."""

    chat_id: int
    chat_type: str = "private"
    title: str = ""
    lang: Lang = Lang.EN
    digest: DigestMode = DigestMode.DAILY
    digest_hour: int | None = None  # UTC hour chosen with /digest daily H; None: spread by id
    active: bool = True
    paper_mark: int = 0
    list_mark: int = 0
    thread_id: int | None = None  # forum topic its digests go to (None: the chat itself)


@dataclass(frozen=True)
class Subscription:
    """A chat's interest: a topic (a `Topic` value; the heading of a section without one) or a
    keyword phrase."""

    chat_id: int
    kind: SubscriptionKind
    value: str


@dataclass(frozen=True)
class Suggestion:
    """A paper proposed for the list, with the exact markdown line to add."""

    id: int
    arxiv_id: str
    title: str
    section: str
    target_section: str
    score: float
    reasons: tuple[Reason, ...]
    line: str
    status: SuggestionStatus = SuggestionStatus.PENDING
    impact: float | None = None  # the paper's standing against the list's bar when suggested
    decided_by: str = ""  # who accepted, rejected or postponed it (a name or @username)
    decided_at: str = ""


@dataclass(frozen=True)
class WeekCount:
    """How many papers routed to one section were announced in one week."""

    week: date  # the Monday the week starts on
    section: str
    count: int
