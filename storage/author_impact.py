"""Cache of authors' earlier records and of each paper's Semantic Scholar authors.

A record is stored per (full-name key, author id); it is found by its full-name key or its
initial key ("kaiming he", "k he"), so "Kaiming He", "K. He" and "He, Kaiming" meet. A record
without counts marks an id the API answered null for: it is not asked again until stale, and it
is never returned by a lookup.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from feeds.author_impact import plain_name
from feeds.model import AuthorImpact, PaperAuthor
from feeds.names import author_key, full_name_key
from storage.db import Database, utc_now

DEFAULT_MAX_AGE = timedelta(days=30)
CHUNK = 500  # ids in one IN (...) list
_SAYS_SOMETHING = "(citations is not null or papers is not null or h_index is not null)"


def save_author_impacts(
    db: Database, records: Iterable[AuthorImpact], fetched_at: str = ""
) -> int:
    """Upsert records (unknown ones too, as records without counts); return how many."""
    stamp = fetched_at or utc_now()
    rows = [_row(record, stamp) for record in records]
    ids = sorted({row["author_id"] for row in rows if row["author_id"]})
    with db.atomic():
        for chunk in _chunks(ids):  # an author renamed by the API leaves no row behind
            db.execute(f"delete from author_impact where author_id in ({_marks(chunk)})", chunk)
        db.table("author_impact").upsert_all(rows, pk=("key", "author_id"))
    return len(rows)


def _row(record: AuthorImpact, fetched_at: str) -> dict[str, Any]:
    name = plain_name(record.name)
    return {
        "key": full_name_key(name), "initial_key": author_key(name), "name": name,
        "author_id": record.author_id, "citations": record.citations, "papers": record.papers,
        "h_index": record.h_index, "as_of": record.as_of, "fetched_at": fetched_at,
    }


def author_impacts_for(db: Database, names: Iterable[str]) -> list[AuthorImpact]:
    """Every record with counts whose full-name or initial key is either key of a name."""
    keys = sorted({key for name in names for key in _keys(plain_name(name)) if key})
    found: dict[tuple[str, str], AuthorImpact] = {}
    for chunk in _chunks(keys):
        for column in ("key", "initial_key"):
            sql = (f"select * from author_impact where [{column}] in ({_marks(chunk)}) "
                   f"and {_SAYS_SOMETHING}")
            for row in db.query(sql, chunk):
                found[(row["key"], row["author_id"])] = _impact(row)
    return [found[pair] for pair in sorted(found)]


def _keys(name: str) -> tuple[str, str]:
    return full_name_key(name), author_key(name)


def _impact(row: Mapping[str, Any]) -> AuthorImpact:
    return AuthorImpact(row["name"], row["citations"], row["papers"], row["h_index"],
                        row["as_of"] or "", row["author_id"])


def stale_author_ids(
    db: Database, ids: Sequence[str], now: datetime, max_age: timedelta = DEFAULT_MAX_AGE
) -> list[str]:
    """The author ids never fetched, or fetched longer than `max_age` before `now`, in order."""
    wanted = list(dict.fromkeys(i for i in ids if i))
    fetched: dict[str, datetime] = {}
    for chunk in _chunks(wanted):
        sql = (f"select author_id, fetched_at from author_impact "
               f"where author_id in ({_marks(chunk)})")
        for row in db.query(sql, chunk):
            when = _parse(row["fetched_at"])
            fetched[row["author_id"]] = max(when, fetched.get(row["author_id"], when))
    limit = now - max_age
    return [i for i in wanted if i not in fetched or fetched[i] < limit]


def save_paper_authors(
    db: Database, mapping: Mapping[str, Sequence[PaperAuthor]], fetched_at: str = ""
) -> int:
    """Replace the listed authors of these papers (an empty list counts too); return rows."""
    stamp = fetched_at or utc_now()
    rows = [{"arxiv_id": arxiv_id, "position": position, "author_id": a.author_id,
             "name": a.name}
            for arxiv_id, authors in mapping.items() for position, a in enumerate(authors)]
    marks = [{"arxiv_id": arxiv_id, "authors": len(authors), "fetched_at": stamp}
             for arxiv_id, authors in mapping.items()]
    with db.atomic():
        for chunk in _chunks(list(mapping)):
            db.execute(f"delete from paper_authors where arxiv_id in ({_marks(chunk)})", chunk)
        db.table("paper_authors").insert_all(rows, pk=("arxiv_id", "position"))
        db.table("paper_authors_fetched").upsert_all(marks, pk="arxiv_id")
    return len(rows)


def paper_authors(db: Database, arxiv_ids: Sequence[str]) -> dict[str, tuple[PaperAuthor, ...]]:
    """The stored S2 authors of these papers, in input order (papers without any are absent)."""
    wanted = list(dict.fromkeys(arxiv_ids))
    found: dict[str, list[PaperAuthor]] = {}
    for chunk in _chunks(wanted):
        sql = (f"select arxiv_id, author_id, name from paper_authors "
               f"where arxiv_id in ({_marks(chunk)}) order by arxiv_id, position")
        for row in db.query(sql, chunk):
            found.setdefault(row["arxiv_id"], []).append(PaperAuthor(row["author_id"], row["name"]))
    return {arxiv_id: tuple(found[arxiv_id]) for arxiv_id in wanted if arxiv_id in found}


def papers_without_authors(db: Database, arxiv_ids: Sequence[str]) -> list[str]:
    """The ids whose authors were never taken from the API, in input order."""
    wanted = list(dict.fromkeys(arxiv_ids))
    seen: set[str] = set()
    for chunk in _chunks(wanted):
        sql = f"select arxiv_id from paper_authors_fetched where arxiv_id in ({_marks(chunk)})"
        seen.update(row["arxiv_id"] for row in db.query(sql, chunk))
    return [i for i in wanted if i not in seen]


def _chunks(items: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield list(items[start : start + CHUNK])


def _marks(chunk: Sequence[str]) -> str:
    return ", ".join("?" for _ in chunk)


def _parse(stamp: str) -> datetime:
    when = datetime.fromisoformat(stamp)
    return when if when.tzinfo else when.replace(tzinfo=UTC)
