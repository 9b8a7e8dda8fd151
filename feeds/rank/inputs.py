"""Build what the ranker judges by, once per list version: the one place its inputs come together.

From a list snapshot, the list's bib and whatever arXiv records of list entries are known: an
index of the list's authors and key researchers, one Paper per list entry, the topic router and
the list's text for nearest-paper lookups.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from feeds.bib import BibEntry
from feeds.list_papers import bundled_bib, bundled_list_papers, known_list_papers
from feeds.listed import listed_index
from feeds.model import ListSnapshot, Paper
from feeds.rank.authors import build_author_index, list_paper_authors, merge_arxiv_authors
from feeds.rank.ranker import RankInputs, list_text
from feeds.rank.routing import Router, train_router
from feeds.rank.topics import TopicRouter, train_topic_router


def build_inputs(
    snapshot: ListSnapshot, bib: Iterable[BibEntry] = (), records: Iterable[Paper] = (),
    router: Router | None = None, topics: TopicRouter | None = None,
) -> RankInputs:
    """Assemble the ranker's inputs; `records` are arXiv metadata of list entries."""
    bib, records = tuple(bib), tuple(records)
    known = tuple(known_list_papers(snapshot, bib, records))
    authors = merge_arxiv_authors(list_paper_authors(snapshot, bib), records)
    router = router or train_router(snapshot, known)
    return RankInputs(
        snapshot=snapshot,
        index=build_author_index(authors, snapshot),
        known=known,
        router=router,
        text=list_text(snapshot, known, router.idf),
        listed=listed_index(snapshot, records),
        topics=topics or train_topic_router(snapshot, known),
    )


@lru_cache(maxsize=4)
def inputs_for(snapshot: ListSnapshot, fetched: tuple[Paper, ...] = ()) -> RankInputs:
    """The inputs for a list version with the shipped bib and list-paper metadata (cached).

    `fetched` are arXiv records of list entries the bot stored (full author lists, abstracts).
    """
    return build_inputs(snapshot, bundled_bib(), bundled_list_papers() + fetched)
