"""Parse arXiv's RSS announcement feeds into papers.

RSS 2.0 is today's rss.arxiv.org format (2024+); RSS 1.0 (RDF, `<rdf:RDF>` with
`<item rdf:about>`) is the old export.arxiv.org/rss format, still served by mirrors.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

import feedparser

from feeds.model import AnnounceType, Paper, PaperSource

# "oai:arXiv.org:2203.01250v3", "arXiv:math/0501001v2", "https://arxiv.org/abs/1703.04550v1"
ARXIV_ID = re.compile(
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Za-z\-]{2,})?/\d{7})(?:v(?P<version>\d+))?"
)
_DESCRIPTION = re.compile(
    r"^\s*arXiv:(?P<ident>\S+)\s+Announce Type:\s*(?P<type>[\w\-]+)\s*(?:Abstract:\s*)?",
)
_SKIP_DAYS = re.compile(rb"<skipDays>(.*?)</skipDays>", re.S)
_DAY = re.compile(rb"<day>\s*(\w+)\s*</day>")
_AUTHOR_SEPARATOR = re.compile(r"^\s*and\s+|\s+and\s+(?![^()]*\))")
_AFFILIATED = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<affil>.*)\)\s*$", re.S)
_HTML_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.S | re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.\-]+)["']""")
# RSS 1.0 titles: "Title. (arXiv:1805.09166v1 [hep-ex] CROSS LISTED)"
_RDF_TITLE = re.compile(
    r"^(?P<title>.*?)\.?\s*\(arXiv:(?P<ident>\S+)\s+\[(?P<category>[^\]]+)\]"
    r"(?:\s+(?P<kind>CROSS LISTED|UPDATED))?\)\s*$", re.S,
)
_TAG = re.compile(r"<[^>]+>")
_NOT_SHOWN = re.compile(r"\s*\(\d+ additional authors? not shown\)\s*$")
_ET_AL = re.compile(r",?\s*et al\.?\s*$")
# Harmless bozo reasons: the declared charset was wrong but the body decoded fine.
_BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


class FeedError(ValueError):
    """A response body is not the feed we expected; str() is one line."""


@dataclass(frozen=True)
class RssFeed:
    """One arXiv RSS channel: its papers and what the channel says about itself."""

    papers: list[Paper]
    title: str = ""
    link: str = ""
    pub_date: date | None = None  # the announcement date of the channel's content
    last_build: datetime | None = None
    skip_days: tuple[str, ...] = ()
    bad_items: tuple[str, ...] = ()  # why items were left out (no arXiv id), one line each

    @property
    def empty(self) -> bool:
        """True when the channel announces nothing (weekends and holidays)."""
        return not self.papers


def parse_arxiv_rss(body: bytes) -> RssFeed:
    """Parse an arXiv RSS body; raise FeedError when it is not a complete RSS feed.

    Items without an arXiv id are left out and described in `bad_items`; a feed whose items
    all lack one is an error.
    """
    if not isinstance(body, bytes | bytearray):
        raise TypeError("parse_arxiv_rss expects the response body as bytes")
    if not body.strip():
        raise FeedError("empty response instead of an arXiv RSS feed")
    body = repair_utf8(body)
    # A stream, never a string: feedparser must not treat its input as a URL to fetch.
    # No sanitising: abstracts are plain text ("<unk> tokens", "p < 0.01"); the renderer escapes.
    parsed = feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
    _check_well_formed(parsed, body)
    channel = parsed.feed
    rdf = parsed.get("version") == "rss10"
    announced = _date_of(_text(channel, "updated")) if rdf else None
    found, bad = [], []
    for entry in parsed.entries:  # one broken item must not cost the day's other papers
        try:
            found.append(paper_from_rdf_item(entry, announced) if rdf else paper_from_entry(entry))
        except FeedError as exc:
            bad.append(str(exc))
    if bad and not found:
        raise FeedError(bad[0])
    return RssFeed(
        papers=found,
        title=_text(channel, "title"),
        link=_text(channel, "link"),
        pub_date=announced if rdf else _date_of(_text(channel, "published")),
        last_build=_datetime_of(_text(channel, "updated")),
        skip_days=_skip_days(body),
        bad_items=tuple(bad),
    )


def repair_utf8(body: bytes) -> bytes:
    """Replace invalid bytes of a UTF-8 feed with U+FFFD, so only their spot is lost.

    Left alone, one bad byte makes feedparser decode the whole feed as cp1252
    ("SchÃ¶lkopf" in every item). A feed that declares another encoding is left as it is.
    """
    declared = _XML_ENCODING.match(body[:200])
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return body
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("utf-8", "replace").encode("utf-8")
    return body


def _check_well_formed(parsed: Any, body: bytes) -> None:
    exc = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(exc, _BENIGN):
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise FeedError(f"malformed or truncated arXiv RSS feed: {reason}")
    version = parsed.get("version") or ""
    if not version.startswith("rss"):
        raise FeedError(f"not an RSS feed ({_describe(body, version)})")


def _describe(body: bytes, version: str) -> str:
    if version:
        return f"got {version}"
    match = _HTML_TITLE.search(body[:4096])
    if match:
        title = " ".join(match.group(1).decode("utf-8", "replace").split())[:80]
        return f"looks like an HTML page titled {title!r}"
    return f"starts with {body[:40]!r}"


def paper_from_entry(entry: Any) -> Paper:
    """Map one feedparser RSS item to a Paper; raise FeedError when it has no arXiv id."""
    description = _text(entry, "summary")
    head = _DESCRIPTION.match(description)
    arxiv_id, version = _identify(_text(entry, "id"), head.group("ident") if head else "")
    announce_type = _text(entry, "arxiv_announce_type") or (head.group("type") if head else "")
    categories = tuple(tag["term"] for tag in dict.get(entry, "tags", ()) if tag.get("term"))
    day = _iso_day(_text(entry, "published"))
    kind = _announce_type(announce_type)
    names, affiliations = split_creators(_text(entry, "author"))
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=" ".join(_text(entry, "title").split()),
        abstract=description[head.end() :].strip() if head else description.strip(),
        authors=names,
        categories=categories,
        primary_category=categories[0] if categories else "",
        # pubDate is the day of this announcement: the first version's for a new paper, a
        # later version's for a replacement (whose first version is looked up, never guessed)
        published="" if kind.is_replacement else day,
        updated=day,
        announce_type=kind,
        doi=_text(entry, "arxiv_doi").strip(),
        journal_ref=" ".join(_text(entry, "arxiv_journal_reference").split()),
        comments=" ".join(_text(entry, "arxiv_comments").split()),
        source=PaperSource.RSS,
        affiliations=affiliations if any(affiliations) else (),
    )


def paper_from_rdf_item(entry: Any, announced: date | None) -> Paper:
    """Map one RSS 1.0 item (the old arXiv format) to a Paper; FeedError without an arXiv id."""
    raw_title = " ".join(_text(entry, "title").split())
    head = _RDF_TITLE.match(raw_title)
    arxiv_id, version = _identify(head.group("ident") if head else "", _text(entry, "id"))
    kind = _rdf_kind(head.group("kind") if head else None)
    category = head.group("category") if head else ""
    creators = _ET_AL.sub("", _NOT_SHOWN.sub("", _plain(_text(entry, "author"))))
    # "LHCb collaboration: R. Aaij, et al.": the collaboration, then its named authors
    names, affiliations = split_creators(creators.replace(": ", ", "))
    day = announced.isoformat() if announced else ""
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=head.group("title").strip() if head else raw_title,
        abstract=" ".join(_plain(_text(entry, "summary")).split()),
        authors=names,
        categories=(category,) if category else (),
        primary_category=category,
        published="" if kind.is_replacement else day,
        updated=day,
        announce_type=kind,
        source=PaperSource.RSS,
        affiliations=affiliations if any(affiliations) else (),
    )


def _rdf_kind(suffix: str | None) -> AnnounceType:
    # The old feed marks an updated cross-list "UPDATED" too: its primary category is unknown.
    return {"CROSS LISTED": AnnounceType.CROSS, "UPDATED": AnnounceType.REPLACE}.get(
        suffix or "", AnnounceType.NEW)


def _plain(markup: str) -> str:
    """Text of an HTML fragment (the old feed's descriptions and author links)."""
    return html.unescape(_TAG.sub("", markup))


def _announce_type(text: str) -> AnnounceType:
    try:
        return AnnounceType(text.strip().lower())
    except ValueError:
        return AnnounceType.UNKNOWN


def _text(record: Any, key: str) -> str:
    # dict.get, not FeedParserDict.get: no key aliasing (updated -> published) or its warnings.
    value = dict.get(record, key)
    return value if isinstance(value, str) else ""


def _identify(guid: str, described: str) -> tuple[str, int]:
    for text in (guid, described):
        match = ARXIV_ID.search(text)
        if match:
            return match.group("id"), int(match.group("version") or 1)
    raise FeedError(f"RSS item without an arXiv id (guid {guid!r})")


def split_authors(creator: str) -> tuple[str, ...]:
    """Split dc:creator ("A. One, B. Two and C. Three") into names."""
    return split_creators(creator)[0]


def split_creators(creator: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split dc:creator into names and their affiliations (aligned, '' when none given).

    arXiv writes "Name (Affil1, Affil2)" joined by ", ": commas inside the parentheses belong
    to the affiliation, not to the list of authors.
    """
    names, affiliations = [], []
    for part in _top_level(creator):
        for piece in _AUTHOR_SEPARATOR.split(part):
            found = _AFFILIATED.match(piece.strip())
            name = (found.group("name") if found else piece).strip().strip(",")
            if name:
                names.append(name)
                affiliations.append(" ".join(found.group("affil").split()) if found else "")
    return tuple(names), tuple(affiliations)


def _top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        depth += (char == "(") - (char == ")" and depth > 0)
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


@lru_cache(maxsize=64)
def _iso_day(text: str) -> str:
    found = _date_of(text)
    return found.isoformat() if found else ""


def _date_of(text: str) -> date | None:
    when = _datetime_of(text)
    return when.date() if when else None  # the day in the feed's own (US/Eastern) offset


def _datetime_of(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        pass
    try:
        return datetime.fromisoformat(text)  # RSS 1.0's dc:date
    except ValueError:
        return None


def _skip_days(body: bytes) -> tuple[str, ...]:
    head = body[: body.find(b"<item")] if b"<item" in body else body
    match = _SKIP_DAYS.search(head)
    if not match:
        return ()
    return tuple(day.decode("ascii", "replace") for day in _DAY.findall(match.group(1)))
