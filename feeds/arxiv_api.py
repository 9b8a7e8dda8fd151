"""Parse arXiv API pages (export.arxiv.org/api/query Atom) into papers via the `arxiv` package."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import arxiv
from arxiv import _feed as arxiv_feed
from lxml import etree

from feeds.arxiv_rss import ARXIV_ID, FeedError
from feeds.model import Paper

_NS = arxiv_feed._NS
_ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"
_ERROR_ID = "arxiv.org/api/errors"


@dataclass(frozen=True)
class ApiPage:
    """One page of API results and where it sits in the whole result set."""

    papers: list[Paper]
    total_results: int = 0
    start_index: int = 0
    items_per_page: int = 0


def api_client(api_url: str) -> arxiv.Client:
    """Return an `arxiv.Client` whose endpoint is `api_url` (used to build URLs, never to fetch)."""
    client = arxiv.Client()
    client.query_url_format = api_url.replace("{", "{{").replace("}", "}}") + "?{}"
    return client


def api_query_url(
    client: arxiv.Client,
    query: str,
    start: int,
    max_results: int,
    sort_by: arxiv.SortCriterion = arxiv.SortCriterion.SubmittedDate,
    id_list: Sequence[str] = (),
) -> str:
    """Return the URL of one page of `query`, newest first by `sort_by`."""
    search = arxiv.Search(
        query=query, id_list=list(id_list), sort_by=sort_by,
        sort_order=arxiv.SortOrder.Descending,
    )
    return client._format_url(search, start, max_results)


def parse_arxiv_api(body: bytes) -> ApiPage:
    """Parse an API response body; raise FeedError for API errors or a malformed page."""
    root = _strict_root(body)
    entries = root.findall("atom:entry", _NS)
    for entry in entries:
        if _ERROR_ID in (entry.findtext("atom:id", "", _NS) or ""):
            message = " ".join((entry.findtext("atom:summary", "", _NS) or "").split())
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
    # arxiv's own parse() recovers from broken XML; a truncated page must be an error here.
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
    try:
        result = arxiv_feed._build_result(entry)
    except ValueError as exc:
        raise FeedError(f"bad date in arXiv API entry: {exc}") from None
    if result is None:
        raise FeedError("arXiv API entry without id, published or updated date")
    return paper_from_result(result)


def paper_from_result(result: arxiv.Result) -> Paper:
    """Map an `arxiv.Result` to a Paper."""
    match = ARXIV_ID.search(result.entry_id.split("/abs/")[-1])
    if not match:
        raise FeedError(f"arXiv API entry with an unrecognised id {result.entry_id!r}")
    return Paper(
        arxiv_id=match.group("id"),
        version=int(match.group("version") or 1),
        title=" ".join(result.title.split()),
        abstract=" ".join(result.summary.split()),
        authors=tuple(author.name for author in result.authors),
        categories=tuple(result.categories),
        primary_category=result.primary_category or "",
        published=result.published.date().isoformat(),
        updated=result.updated.date().isoformat(),
        doi=(result.doi or "").strip(),
        journal_ref=" ".join((result.journal_ref or "").split()),
        comments=" ".join((result.comment or "").split()),
        source="api",
    )


def _int(root: etree._Element, path: str) -> int:
    text = (root.findtext(path, "", _NS) or "").strip()
    return int(text) if text.isdigit() else 0
