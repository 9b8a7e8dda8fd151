"""Read citation counts: Semantic Scholar Graph API batch bodies and files given by hand (pure).

`POST {base}/paper/batch?fields=...` with `{"ids": ["ARXIV:1703.06870", ...]}` (at most 500 ids)
answers a JSON array in request order, `null` where the id is unknown. The same answer lists
each paper's authors with their Semantic Scholar ids, for the author batch (feeds/author_impact.py).
The fetching (chunks, retries, what to do when the service is down) is bot/pipeline/citations.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from feeds.model import CitationCount, PaperAuthor

FIELDS = "citationCount,influentialCitationCount,year,publicationDate,externalIds,authors"
BATCH_LIMIT = 500


@dataclass(frozen=True)
class CitationFetch:
    """The outcome of a fetch: counts (and authors) for the ids answered, the ids that failed."""

    counts: tuple[CitationCount, ...]
    failed: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    authors: Mapping[str, tuple[PaperAuthor, ...]] = field(default_factory=dict)


def batch_url(base_url: str) -> str:
    """The batch endpoint under the configured API base URL."""
    return f"{base_url.rstrip('/')}/paper/batch"


def batch_payload(arxiv_ids: Sequence[str]) -> dict[str, list[str]]:
    """The body of one batch request (at most BATCH_LIMIT ids)."""
    return {"ids": [f"ARXIV:{i}" for i in arxiv_ids]}


def parse_batch(
    body: bytes | str, requested: Sequence[str], fetched_at: str = ""
) -> list[CitationCount]:
    """Pair a batch response with the arXiv ids requested, in order; null -> unknown counts."""
    pairs = _paired(body, requested)
    return [_record(arxiv_id, item, fetched_at) for arxiv_id, item in pairs]


def parse_paper_authors(
    body: bytes | str, requested: Sequence[str]
) -> dict[str, tuple[PaperAuthor, ...]]:
    """The authors of each paper answered, in order (unknown papers and authors left out)."""
    return {arxiv_id: _authors(item.get("authors")) for arxiv_id, item in _paired(body, requested)
            if isinstance(item, Mapping)}


def _paired(body: bytes | str, requested: Sequence[str]) -> list[tuple[str, Any]]:
    data = json.loads(body)
    if not isinstance(data, list) or len(data) != len(requested):
        raise ValueError(f"expected a list of {len(requested)} records, got {type(data).__name__}")
    return list(zip(requested, data, strict=True))


def _authors(listed: Any) -> tuple[PaperAuthor, ...]:
    """(authorId, name) pairs; an author S2 has not identified (null authorId) is skipped."""
    items = listed if isinstance(listed, list) else []
    return tuple(PaperAuthor(str(a["authorId"]), str(a.get("name") or "")) for a in items
                 if isinstance(a, Mapping) and a.get("authorId"))


def _record(arxiv_id: str, item: Any, fetched_at: str) -> CitationCount:
    if not isinstance(item, Mapping):
        return CitationCount(arxiv_id, None, None, "", fetched_at)
    date = item.get("publicationDate") or (str(item["year"]) if item.get("year") else "")
    return CitationCount(
        arxiv_id=arxiv_id,
        citations=_int(item.get("citationCount")),
        influential=_int(item.get("influentialCitationCount")),
        publication_date=str(date),
        fetched_at=fetched_at,
    )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_citations_file(data: Any) -> dict[str, CitationCount]:
    """Read counts given by hand: {"id": 412}, {"id": {"citationCount": 412}} or S2 records."""
    if isinstance(data, Mapping):
        pairs = [(str(k), v if isinstance(v, Mapping) else {"citationCount": v})
                 for k, v in data.items()]
    elif isinstance(data, list):
        pairs = [((item.get("externalIds") or {}).get("ArXiv", ""), item)
                 for item in data if isinstance(item, Mapping)]
    else:
        raise ValueError("citations must be a JSON object or a list of records")
    return {arxiv_id: _record(arxiv_id, item, "") for arxiv_id, item in pairs if arxiv_id}
