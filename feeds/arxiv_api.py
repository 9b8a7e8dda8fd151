"""Parse arXiv API pages (export.arxiv.org/api/query, Atom 1.0) into papers, and build their URLs.

The Atom format and its `arxiv:`/`opensearch:` namespaces are arXiv's own published format
(info.arxiv.org/help/api/user-manual.html), so they are read here with a strict lxml parser:
a truncated page is an error, never a short page. From the `arxiv` package only its public
sort enums are used (whose values are the API's parameter values).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import arxiv
from lxml import etree

from feeds.arxiv_rss import ARXIV_ID, FeedError
from feeds.model import Paper, PaperSource

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
_ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"
_ERROR_ID = "arxiv.org/api/errors"


@dataclass(frozen=True)
class ApiPage:
    """One page of API results and where it sits in the whole result set."""

    papers: list[Paper]
    total_results: int = 0
    start_index: int = 0
    items_per_page: int = 0


def api_query_url(
    api_url: str,
    query: str,
    start: int,
    max_results: int,
    sort_by: arxiv.SortCriterion = arxiv.SortCriterion.SubmittedDate,
    id_list: Sequence[str] = (),
) -> str:
    """Return the URL of one page of `query` at the endpoint `api_url`, newest first."""
    args = {
        "search_query": query,
        "id_list": ",".join(id_list),
        "sortBy": sort_by.value,
        "sortOrder": arxiv.SortOrder.Descending.value,
        "start": start,
        "max_results": max_results,
    }
    return f"{api_url}?{urlencode(args)}"


def parse_arxiv_api(body: bytes) -> ApiPage:
    """Parse an API response body; raise FeedError for API errors or a malformed page."""
    root = _strict_root(body)
    entries = root.findall("atom:entry", NS)
    for entry in entries:
        if _ERROR_ID in (entry.findtext("atom:id", "", NS) or ""):
            message = " ".join((entry.findtext("atom:summary", "", NS) or "").split())
            raise FeedError(f"arXiv API error: {message or 'unspecified'}")
    return ApiPage(
        papers=[_paper(entry) for entry in entries],
        total_results=_int(root, "opensearch:totalResults"),
        start_index=_int(root, "opensearch:startIndex"),
        items_per_page=_int(root, "opensearch:itemsPerPage"),
    )


def _strict_root(body: bytes) -> etree._Element:
    if not isinstance(body, bytes | bytearray):
        raise TypeError("parse_arxiv_api expects the response body as bytes")
    if not body.strip():
        raise FeedError("empty response instead of an arXiv API page")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        root = etree.fromstring(bytes(body), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"malformed or truncated arXiv API page: {exc}") from None
    if root is None or root.tag != _ATOM_FEED:
        tag = getattr(root, "tag", None)
        raise FeedError(f"not an arXiv API Atom feed (root element {tag!r})")
    return root


def _paper(entry: etree._Element) -> Paper:
    entry_id = _text(entry, "atom:id")
    match = ARXIV_ID.search(entry_id.split("/abs/")[-1])
    if not entry_id or not match:
        raise FeedError(f"arXiv API entry with an unrecognised id {entry_id!r}")
    published, updated = _day(entry, "atom:published"), _day(entry, "atom:updated")
    return Paper(
        arxiv_id=match.group("id"),
        version=int(match.group("version") or 1),
        title=_text(entry, "atom:title"),
        abstract=_text(entry, "atom:summary"),
        authors=tuple(_text(author, "atom:name") for author in entry.iterfind("atom:author", NS)),
        categories=tuple(c.get("term") for c in entry.iterfind("atom:category", NS)
                         if c.get("term")),
        primary_category=_primary(entry),
        published=published,
        updated=updated,
        doi=_text(entry, "arxiv:doi"),
        journal_ref=_text(entry, "arxiv:journal_ref"),
        comments=_text(entry, "arxiv:comment"),
        source=PaperSource.API,
    )


def _text(element: etree._Element, path: str) -> str:
    """The element's text with runs of whitespace joined ('' when absent)."""
    return " ".join((element.findtext(path, "", NS) or "").split())


def _day(entry: etree._Element, path: str) -> str:
    """An RFC 3339 timestamp as its UTC date; raise FeedError when missing or malformed."""
    text = _text(entry, path)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        raise FeedError(f"bad or missing date in arXiv API entry: {path} {text!r}") from None


def _primary(entry: etree._Element) -> str:
    found = entry.find("arxiv:primary_category", NS)
    return (found.get("term") or "") if found is not None else ""


def _int(root: etree._Element, path: str) -> int:
    text = (root.findtext(path, "", NS) or "").strip()
    return int(text) if text.isdigit() else 0
