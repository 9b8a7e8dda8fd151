"""What we know about the list's own papers: bib records and arXiv metadata, merged per entry.

`data/list_papers.json` holds title, abstract, categories and full authors of the list entries that
were found in the arXiv pool (by repaired arXiv id or normalised title);
`bench/build_list_papers.py` rebuilds it from ../shared/data/arxiv-pool.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache

from feeds.awesome_list import normalise_title
from feeds.bib import BibEntry, parse_bib
from feeds.bundled import bundled_bytes
from feeds.model import ListSnapshot, Paper, PaperSource


@cache
def bundled_bib() -> tuple[BibEntry, ...]:
    """The list's top100papers.bib, parsed."""
    return tuple(parse_bib(bundled_bytes("top100papers.bib").decode("utf-8")))


@cache
def bundled_list_papers() -> tuple[Paper, ...]:
    """arXiv metadata of the list papers found in the pool."""
    return tuple(
        Paper(
            arxiv_id=record["arxiv_id"],
            version=1,
            title=record["title"],
            abstract=record["abstract"],
            authors=tuple(record["authors"]),
            categories=tuple(record["categories"]),
            published=record["published"],
            comments=record.get("comments", ""),
            source=PaperSource.POOL,
        )
        for record in json.loads(bundled_bytes("list_papers.json"))
    )


def known_list_papers(
    snapshot: ListSnapshot, bib: Iterable[BibEntry] = (), arxiv: Iterable[Paper] = ()
) -> tuple[Paper, ...]:
    """One Paper per list entry: its title, plus whatever the bib and arXiv metadata add."""
    by_title = {normalise_title(b.title): b for b in bib if b.title}
    arxiv = tuple(arxiv)
    papers = {normalise_title(p.title): p for p in arxiv}
    papers.update({p.arxiv_id: p for p in arxiv if p.arxiv_id})
    found = []
    for entry in snapshot.entries:
        title = normalise_title(entry.title)
        meta = papers.get(entry.arxiv_id or "") or papers.get(title)
        record = by_title.get(title)
        found.append(
            Paper(
                arxiv_id=entry.arxiv_id or (meta.arxiv_id if meta else ""),
                version=1,
                title=entry.title,
                abstract=meta.abstract if meta else "",
                authors=meta.authors if meta else (record.authors if record else ()),
                categories=meta.categories if meta else (),
                published=f"{entry.year}-01-01" if entry.year else "",
                journal_ref=record.venue if record else "",
                source=PaperSource.LIST,
            )
        )
    return tuple(found)
