"""arXiv papers: one row per base id, versions updated in place, full-text search over them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from feeds.model import AnnounceType, Paper, PaperSource
from storage.db import Database, utc_now
from storage.paper_names import index_names

COLUMNS = (
    "arxiv_id", "version", "title", "abstract", "authors", "categories", "primary_category",
    "published", "updated", "announce_type", "is_cross", "doi", "journal_ref", "comments",
    "source", "first_seen", "announced", "affiliations",
)
FTS_COLUMNS = ("title", "abstract", "authors")
FILLABLE = ("primary_category", "doi", "journal_ref", "comments", "affiliations")
_CHUNK = 500  # stays below SQLite's bound-variable limit




@dataclass(frozen=True)
class StoreReport:
    """What one store_papers call did."""

    new: int = 0
    replaced: int = 0
    cross: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        """Papers looked at."""
        return self.new + self.replaced + self.cross + self.skipped

    def __add__(self, other: StoreReport) -> StoreReport:
        return StoreReport(self.new + other.new, self.replaced + other.replaced,
                           self.cross + other.cross, self.skipped + other.skipped)


@dataclass
class _Plan:
    inserts: list[dict[str, Any]]
    updates: list[tuple[str, dict[str, Any]]]
    counts: dict[str, int]


def store_papers(
    db: Database, papers: Iterable[Paper], announced: date | None = None
) -> StoreReport:
    """Upsert papers by base id in one transaction; count new, replaced, cross and skipped."""
    # `announced`: the announcement day, None for API backfills (they announce nothing);
    # an RSS listing carrying its own pubDate is dated by that.
    incoming = newest_per_id(papers)
    day = announced.isoformat() if announced else None
    with db.conn:
        existing = _existing_rows(db, list(incoming))
        plan = _plan(incoming, existing, day, utc_now())
        if plan.inserts:
            _insert_rows(db, plan.inserts)
        for arxiv_id, changes in plan.updates:
            _update_row(db, arxiv_id, changes)
        renamed = [row["arxiv_id"] for row in plan.inserts] + [
            arxiv_id for arxiv_id, changes in plan.updates if {"title", "abstract"} & set(changes)]
        index_names(db, [(i, incoming[i].title, incoming[i].abstract) for i in renamed])
    return StoreReport(**plan.counts)


def newest_per_id(papers: Iterable[Paper]) -> dict[str, Paper]:
    """Each base id once, at its highest version (a listing may name a paper twice)."""
    newest: dict[str, Paper] = {}
    for paper in papers:
        seen = newest.get(paper.arxiv_id)
        if seen is None or paper.version > seen.version:
            newest[paper.arxiv_id] = paper
    return newest


def _existing_rows(db: Database, ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT * FROM papers WHERE arxiv_id IN ({marks})"
        found.update((row["arxiv_id"], row) for row in db.query(sql, chunk))
    return found


def _plan(
    incoming: dict[str, Paper], existing: dict[str, dict[str, Any]], day: str | None, now: str
) -> _Plan:
    plan = _Plan([], [], {"new": 0, "replaced": 0, "cross": 0, "skipped": 0})
    for arxiv_id, paper in incoming.items():
        row = existing.get(arxiv_id)
        if row is None:
            plan.inserts.append(_new_row(paper, day, now))
            kind = _kind_of_first_sight(paper)
        else:
            changes, kind = _changes(row, paper, day)
            if changes:
                plan.updates.append((arxiv_id, changes))
        plan.counts[kind] += 1
    return plan


def _kind_of_first_sight(paper: Paper) -> str:
    if paper.announce_type.is_replacement:
        return "replaced"  # a new version of a paper announced before we started watching
    return "cross" if paper.announce_type.is_cross else "new"


def _new_row(paper: Paper, day: str | None, now: str) -> dict[str, Any]:
    row = _content(paper)
    row.update(
        arxiv_id=paper.arxiv_id,
        announce_type=paper.announce_type,
        is_cross=int(paper.announce_type.is_cross),
        source=paper.source,
        first_seen=now,
        announced=_announcement_day(paper, day),
    )
    return row


def _content(paper: Paper) -> dict[str, Any]:
    return {
        "version": paper.version, "title": paper.title, "abstract": paper.abstract,
        "authors": ", ".join(paper.authors), "categories": " ".join(paper.categories),
        "primary_category": paper.primary_category, "published": paper.published,
        "updated": paper.updated, "doi": paper.doi, "journal_ref": paper.journal_ref,
        "comments": paper.comments,
        "affiliations": json.dumps(list(paper.affiliations), ensure_ascii=False)
        if any(paper.affiliations) else "",
    }


def _changes(row: dict[str, Any], paper: Paper, day: str | None) -> tuple[dict[str, Any], str]:
    """Return the column updates for a paper already stored, and how to count it."""
    changes: dict[str, Any] = {}
    kind = "skipped"
    if paper.version > row["version"]:
        content = _content(paper)
        changes.update({k: v for k, v in content.items() if v or k not in FILLABLE})
        changes["published"] = _earliest(row["published"], paper.published)
        kind = "replaced"
    else:
        content = _content(paper)
        changes.update({k: content[k] for k in FILLABLE if content[k] and not row.get(k)})
        if _earliest(row["published"], paper.published) != row["published"]:
            changes["published"] = _earliest(row["published"], paper.published)
    if paper.announce_type and paper.version >= row["version"]:  # RSS knows if it is a cross
        changes.update(announce_type=paper.announce_type)
        changes.update(is_cross=int(paper.announce_type.is_cross))
    if row["announced"] is None and _announcement_day(paper, day):
        changes["announced"] = _announcement_day(paper, day)  # the API stored it earlier
        kind = "cross" if paper.announce_type.is_cross else "new"
    return {k: v for k, v in changes.items() if row.get(k) != v}, kind


def _announcement_day(paper: Paper, day: str | None) -> str | None:
    """The day a new or cross listing was announced: its own RSS pubDate, else `day`."""
    if day is None or not paper.announce_type.announces:
        return None
    return paper.published if paper.source is PaperSource.RSS and paper.published else day


def _earliest(stored: str, incoming: str) -> str:
    return min(d for d in (stored, incoming) if d) if (stored or incoming) else ""


def _insert_rows(db: Database, rows: list[dict[str, Any]]) -> None:
    columns = ", ".join(COLUMNS)
    marks = ", ".join("?" * len(COLUMNS))
    db.conn.execute("INSERT INTO papers_fts_defer (active) VALUES (1)")  # takes the write lock
    (last,) = db.conn.execute("SELECT coalesce(max(rowid), 0) FROM papers").fetchone()
    db.conn.executemany(
        f"INSERT INTO papers ({columns}) VALUES ({marks})",
        [tuple(row.get(column) for column in COLUMNS) for row in rows],
    )
    db.conn.execute("DELETE FROM papers_fts_defer")
    fts = ", ".join(FTS_COLUMNS)
    db.conn.execute(  # new rowids follow the old maximum: the batch is exactly rowid > last
        f"INSERT INTO papers_fts (rowid, {fts}) SELECT rowid, {fts} FROM papers WHERE rowid > ?",
        [last],
    )


def _update_row(db: Database, arxiv_id: str, changes: dict[str, Any]) -> None:
    assignments = ", ".join(f"[{column}] = ?" for column in changes)
    db.conn.execute(
        f"UPDATE papers SET {assignments} WHERE arxiv_id = ?", [*changes.values(), arxiv_id]
    )


def get_papers(db: Database, arxiv_ids: Sequence[str]) -> dict[str, Paper]:
    """Return the stored papers with these base ids, by id (unknown ids are left out)."""
    found: dict[str, Paper] = {}
    for start in range(0, len(arxiv_ids), _CHUNK):
        chunk = list(arxiv_ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        for row in db.query(f"SELECT * FROM papers WHERE arxiv_id IN ({marks})", chunk):
            found[row["arxiv_id"]] = paper_from_row(row)
    return found


def get_paper(db: Database, arxiv_id: str) -> Paper | None:
    """Return the stored paper with this base id (a version suffix is ignored)."""
    base = re.sub(r"v\d+$", "", arxiv_id.strip())
    rows = list(db.query("SELECT * FROM papers WHERE arxiv_id = ?", [base]))
    return paper_from_row(rows[0]) if rows else None


def papers_announced_on(
    db: Database, day: date, include_cross: bool = True
) -> list[Paper]:
    """Return the papers first announced on `day` (replacements excluded), by id."""
    cross = "" if include_cross else " AND NOT is_cross"
    sql = f"SELECT * FROM papers WHERE announced = ?{cross} ORDER BY arxiv_id"
    return [paper_from_row(row) for row in db.query(sql, [day.isoformat()])]


def paper_from_row(row: dict[str, Any]) -> Paper:
    """Build a Paper from a `papers` row; announcement facts go to `extra`."""
    return Paper(
        arxiv_id=row["arxiv_id"], version=row["version"], title=row["title"],
        abstract=row["abstract"] or "",
        authors=tuple(a for a in (row["authors"] or "").split(", ") if a),
        categories=tuple((row["categories"] or "").split()),
        primary_category=row["primary_category"] or "", published=row["published"] or "",
        updated=row["updated"] or "", announce_type=_announce_type(row["announce_type"]),
        doi=row["doi"] or "", journal_ref=row["journal_ref"] or "",
        comments=row["comments"] or "", source=_source(row["source"]),
        affiliations=tuple(json.loads(row["affiliations"])) if row.get("affiliations") else (),
        extra={
            "is_cross": bool(row["is_cross"]), "announced": row["announced"],
            "first_seen": row["first_seen"],
        },
    )


def _announce_type(value: str | None) -> AnnounceType:
    try:
        return AnnounceType(value or "")
    except ValueError:
        return AnnounceType.UNKNOWN


def _source(value: str | None) -> PaperSource:
    try:
        return PaperSource(value or "")
    except ValueError:
        return PaperSource.UNKNOWN


def top_rowid(db: Database) -> int:
    """The rowid of the newest stored paper (0 when there is none)."""
    return int(db.conn.execute("SELECT coalesce(max(rowid), 0) FROM papers").fetchone()[0])


def announced_ids_between(db: Database, after: int, upto: int, limit: int) -> list[str]:
    """Ids of announced papers stored after rowid `after` up to `upto`, newest first."""
    sql = ("SELECT arxiv_id FROM papers WHERE rowid > ? AND rowid <= ? AND announced IS NOT NULL "
           "ORDER BY rowid DESC LIMIT ?")
    return [row[0] for row in db.conn.execute(sql, [after, upto, limit])]


def stored_ids(db: Database, arxiv_ids: Sequence[str]) -> set[str]:
    """Which of these ids are stored."""
    found: set[str] = set()
    for start in range(0, len(arxiv_ids), _CHUNK):
        chunk = list(arxiv_ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT arxiv_id FROM papers WHERE arxiv_id IN ({marks})"
        found.update(row[0] for row in db.conn.execute(sql, chunk))
    return found


def recent_ids(db: Database, published_since: str, limit: int) -> list[str]:
    """Ids of papers published since a day, most recently seen first."""
    sql = "SELECT arxiv_id FROM papers WHERE published >= ? ORDER BY first_seen DESC LIMIT ?"
    return [row[0] for row in db.conn.execute(sql, [published_since, limit])]


def rows_by_author_words(db: Database, words: Sequence[str]) -> list[tuple[str, str]]:
    """(authors, published) of every paper whose author field holds all these words."""
    phrase = "authors : (" + " AND ".join(f'"{word}"' for word in words) + ")"
    sql = ("SELECT papers.authors, papers.published FROM papers_fts JOIN papers "
           "ON papers.rowid = papers_fts.rowid WHERE papers_fts MATCH ?")
    return [(row[0] or "", row[1] or "") for row in db.conn.execute(sql, [phrase])]


def undated_ids(db: Database, first_seen_since: str, limit: int) -> list[str]:
    """Ids of papers first seen since a time whose first version's date is unknown."""
    sql = ("SELECT arxiv_id FROM papers WHERE coalesce(published, '') = '' AND first_seen >= ? "
           "ORDER BY rowid LIMIT ?")
    return [row[0] for row in db.conn.execute(sql, [first_seen_since, limit])]
