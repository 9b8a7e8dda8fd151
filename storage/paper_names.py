"""The short names of stored arXiv papers ("SSD", "YOLO", "MAD-GAN"), found by exact key.

A paper's names come from its title and abstract (feeds/aliases.short_names) and are written
whenever its title or abstract is stored, in the same transaction. One indexed lookup answers
a name, so `/paper NAME` and `/search NAME` cost no full-text query for it.
"""

from __future__ import annotations

from collections.abc import Iterable

from feeds.aliases import name_key, short_names
from feeds.model import NameSource
from storage.db import Database

_CHUNK = 500


def index_names(db: Database, papers: Iterable[tuple[str, str, str]]) -> int:
    """(Re)write the names of papers given as (arxiv_id, title, abstract); return how many
    names were written. Call inside the transaction that stores the papers."""
    papers = list(papers)
    for start in range(0, len(papers), _CHUNK):
        chunk = [arxiv_id for arxiv_id, _, _ in papers[start : start + _CHUNK]]
        marks = ",".join("?" * len(chunk))
        db.conn.execute(f"DELETE FROM paper_names WHERE arxiv_id IN ({marks})", chunk)
    rows = {(name_key(name), arxiv_id): source
            for arxiv_id, title, abstract in papers
            for name, source in reversed(short_names(title, abstract or ""))}
    db.conn.executemany(
        "INSERT INTO paper_names (name, arxiv_id, source) VALUES (?, ?, ?)",
        [(key, arxiv_id, str(source)) for (key, arxiv_id), source in rows.items()],
    )
    return len(rows)


def papers_named(db: Database, name: str, limit: int = 20) -> list[tuple[str, NameSource]]:
    """The stored papers a name belongs to, as (arxiv_id, where the name comes from): title
    names first, then the newest paper."""
    key = name_key(name)
    if not key:
        return []
    rows = db.conn.execute(
        "SELECT arxiv_id, source FROM paper_names WHERE name = ? "
        "ORDER BY source = 'abstract', arxiv_id DESC LIMIT ?", [key, limit]).fetchall()
    return [(str(arxiv_id), NameSource(source)) for arxiv_id, source in rows]
