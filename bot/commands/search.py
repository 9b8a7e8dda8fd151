"""Find papers: /search over the list and stored arXiv papers, /paper for one paper's card."""

from __future__ import annotations

import re

from bot.commands.base import Asker
from bot.commands.browse import short
from bot.render.cards import paper_card, render_entry, render_paper_line
from bot.render.html import esc, split_blocks
from bot.render.reply import Reply
from bot.render.strings import section_name, t
from feeds.model import ListEntry
from storage import lists, papers, scores

_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5})(?:v\d+)?")


def answer_search(asker: Asker, args: str) -> list[Reply]:
    """Full-text search over the list's entries and stored arXiv papers."""
    tokens = papers.query_tokens(args)
    if not tokens:
        return [Reply(t(asker.lang, "need_words"))]
    entries = _search_list(asker, tokens)
    found = papers.search_papers(asker.db, args, limit=10)
    listed = {e.arxiv_id for e in entries if e.arxiv_id}
    blocks = [
        render_entry(e, i + 1) + f"\n   <i>{esc(e.section)}</i>" for i, e in enumerate(entries)
    ]
    blocks += [
        render_paper_line(p, len(blocks) + i + 1) for i, p in enumerate(found)
        if p.arxiv_id not in listed
    ]
    query = esc(short(args))
    if not blocks:
        return [Reply(t(asker.lang, "no_results", query=query))]
    header = t(asker.lang, "search_title", query=query)
    return [Reply(text) for text in split_blocks(blocks, header)]


def _search_list(asker: Asker, tokens: list[str]) -> list[ListEntry]:
    latest = lists.latest_version(asker.db)
    if latest is None:
        return []
    found = lists.search_entries(asker.db, " ".join(tokens), latest.id, limit=10)
    if not found and len(tokens) > 1:
        found = lists.search_entries(asker.db, " OR ".join(tokens), latest.id, limit=10)
    return found


def answer_paper(asker: Asker, args: str) -> list[Reply]:
    """Show one paper (by arXiv id or title): authors, links, section, score and reasons."""
    query = args.strip()
    if not query:
        return [Reply(t(asker.lang, "need_paper"))]
    found = _ARXIV_ID.search(query)
    paper = papers.get_paper(asker.db, found.group(1)) if found else None
    entry = _list_entry_for(asker, found.group(1) if found else None, query)
    if paper is None and entry is None and not found:
        hits = papers.search_papers(asker.db, query, limit=1)
        paper = hits[0] if hits else None
    if paper is None and entry is None:
        return [Reply(t(asker.lang, "paper_not_found", query=esc(short(query))))]
    scored = scores.get_score(asker.db, paper.arxiv_id) if paper else None
    where = _section_of(asker, entry) if entry else ""
    return [paper_card(paper, scored, entry, where, asker.lang)]


def _list_entry_for(asker: Asker, arxiv_id: str | None, query: str) -> ListEntry | None:
    entries = asker.snapshot().entries
    if arxiv_id:
        return next((e for e in entries if e.arxiv_id == arxiv_id), None)
    tokens = papers.query_tokens(query)
    hits = _search_list(asker, tokens) if tokens else []
    return hits[0] if hits else None


def _section_of(asker: Asker, entry: ListEntry) -> str:
    """The section of a list entry, in the chat's language."""
    section = asker.snapshot().section(entry.section)
    return section_name(section, asker.lang) if section else entry.section
