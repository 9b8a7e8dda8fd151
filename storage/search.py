"""Full-text candidates for a search (FTS5, whole tokens) and the searches a chat can page on.

The index holds whole tokens (`unicode61`); a query word matches itself, its singular and its
plural (feeds/search.variants), never a stem. Which candidates answer best is decided by one
relevance score outside (feeds/search.relevance): this module only finds them, fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice, product

from feeds.model import Paper
from feeds.search import Query, parse_query, variants
from storage.db import Database, utc_now
from storage.papers import paper_from_row

FTS_WEIGHTS = "10.0, 1.0, 4.0"  # bm25 weights for title, abstract, authors
SEARCH_WINDOW = 2000  # newest full-text matches ranked by bm25 (see candidates)
MAX_VARIANT_PHRASES = 8


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _word(word: str) -> str:
    forms = variants(word)
    return _quoted(forms[0]) if len(forms) == 1 else "(" + " OR ".join(map(_quoted, forms)) + ")"


def _phrase(words: Sequence[str]) -> str:
    """A phrase with each word in any of its forms: ("object detection" OR ...).

    The forms multiply (2-3 per word, so 2^N phrases for N words): only the first
    MAX_VARIANT_PHRASES are ever built, so a long quoted phrase costs no more than a short one.
    """
    combos = list(islice(product(*(variants(w) for w in words)), MAX_VARIANT_PHRASES))
    options = [_quoted(" ".join(combo)) for combo in combos]
    return options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")"


def match_expression(query: Query, leave_out: int | None = None, title_only_any: bool = False,
                     ) -> str:
    """The FTS5 MATCH text of a query: every phrase and word (all forms); '' for nothing.

    `leave_out` drops one plain word (a typo in a known title); `title_only_any` asks for any
    word in the title instead of all of them anywhere. A group of alternatives (`any_of`)
    matches when any of its phrases does.
    """
    words = [w for i, w in enumerate(query.words) if i != leave_out]
    parts = [_phrase(p) for p in query.phrases]
    alternatives = [[_phrase(p) for p in group if p] for group in query.any_of]
    if title_only_any:
        terms = " OR ".join([_word(w) for w in words] + [p for g in alternatives for p in g])
        return f"title : ({terms})" if terms else ""
    parts += ["(" + " OR ".join(group) + ")" for group in alternatives if group]
    parts += [_word(w) for w in words]
    return " AND ".join(parts)


def candidates(db: Database, expression: str, limit: int) -> list[Paper]:
    """Papers matching an FTS5 expression: the best `limit` by bm25 among the newest matches.

    bm25 over every match of a common word costs ~15 ms at 100k papers; FTS5 walks matches
    newest first (by rowid) cheaply, so the SEARCH_WINDOW newest matches are ranked instead.
    The final order comes from feeds/search.relevance; bench/query.py measures both.
    """
    if not expression or limit <= 0:
        return []
    window = (
        "SELECT rowid, score FROM ("
        f"SELECT rowid, bm25(papers_fts, {FTS_WEIGHTS}) AS score FROM papers_fts "
        "WHERE papers_fts MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY score, rowid DESC LIMIT ?"
    )
    best = db.conn.execute(window, [expression, SEARCH_WINDOW, limit]).fetchall()
    if not best:
        return []
    marks = ",".join("?" * len(best))
    rows = {row["rowid"]: row for row in db.query(
        f"SELECT rowid, * FROM papers WHERE rowid IN ({marks})", [r for r, _ in best])}
    return [paper_from_row(rows[r]) for r, _ in best if r in rows]


def search_papers(db: Database, text: str | Sequence[str], limit: int = 20) -> list[Paper]:
    """Stored papers matching every word (any word when none has all), best bm25 first."""
    query = parse_query(text if isinstance(text, str) else " ".join(text))
    found = candidates(db, match_expression(query), limit)
    if not found and len(query.words) > 1:  # no paper has every word: rank any
        found = candidates(db, " OR ".join(_word(w) for w in query.words), limit)
    return found


def remember_search(db: Database, chat_id: int, query: str) -> int:
    """Store a search so its "more" button can page on; return its id."""
    with db.atomic():
        table = db.table("searches").insert(
            {"chat_id": chat_id, "query": query[:500], "created_at": utc_now()})
    assert table.last_pk is not None
    return int(table.last_pk)


def recalled_search(db: Database, search_id: int, chat_id: int) -> str | None:
    """The text of a stored search of this chat (None: unknown, or another chat's)."""
    rows = list(db.query("select query from searches where id = ? and chat_id = ?",
                         [search_id, chat_id]))
    return str(rows[0]["query"]) if rows else None
