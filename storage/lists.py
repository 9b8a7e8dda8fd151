"""Versions of the curated list: raw text, parsed entries and the diff to the previous one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from feeds.awesome_list import entry_key
from feeds.bundled import bundled_snapshot
from feeds.model import (
    Link,
    ListDiff,
    ListEntry,
    ListSnapshot,
    Researcher,
    Section,
    SectionKind,
)
from storage.db import Database, utc_now


@dataclass(frozen=True)
class ListVersion:
    """One stored version of the list (without its body)."""

    id: int
    content_hash: str
    source_url: str
    etag: str | None
    last_modified: str | None
    fetched_at: str
    entry_count: int
    top100_count: int


def content_hash(body: bytes) -> str:
    """Return the SHA-256 of a README body."""
    return hashlib.sha256(body).hexdigest()


def store_version(
    db: Database,
    body: bytes,
    snapshot: ListSnapshot,
    diff: ListDiff | None,
    source_url: str,
    etag: str | None = None,
    last_modified: str | None = None,
) -> int:
    """Store a version, its sections, entries and diff in one transaction; return its id."""
    previous = latest_version(db)
    with db.atomic():
        version_id = _insert_version(db, body, snapshot, source_url, etag, last_modified)
        _insert_sections(db, version_id, snapshot)
        _insert_entries(db, version_id, snapshot)
        if diff is not None and previous is not None:
            _insert_diff(db, version_id, previous.id, diff)
        db.execute("delete from list_suspects")  # a stored version settles any held one
    return version_id


def _insert_version(
    db: Database, body: bytes, snapshot: ListSnapshot, source_url: str,
    etag: str | None, last_modified: str | None,
) -> int:
    table = db.table("list_versions").insert(
        {
            "content_hash": content_hash(body), "source_url": source_url, "etag": etag,
            "last_modified": last_modified, "fetched_at": utc_now(),
            "body": body.decode("utf-8", errors="replace"),
            "entry_count": len(snapshot.entries),
            "top100_count": sum(len(s.entries) for s in snapshot.top100()),
        }
    )
    assert table.last_pk is not None
    return int(table.last_pk)


def _insert_sections(db: Database, version_id: int, snapshot: ListSnapshot) -> None:
    db.table("list_sections").insert_all(
        {
            "version_id": version_id, "position": position, "name": section.name,
            "kind": section.kind,
            "researchers": json.dumps([[r.name, r.url] for r in section.key_researchers]),
        }
        for position, section in enumerate(snapshot.sections)
    )


def _insert_entries(db: Database, version_id: int, snapshot: ListSnapshot) -> None:
    kinds = {section.name: section.kind for section in snapshot.sections}
    db.table("list_entries").insert_all(
        {
            "version_id": version_id, "position": position, "section": entry.section,
            "section_kind": kinds.get(entry.section, SectionKind.TOP100), "title": entry.title,
            "year": entry.year, "authors": entry.authors,
            "links": json.dumps([[link.kind, link.url] for link in entry.links]),
            "arxiv_id": entry.arxiv_id, "entry_key": entry_key(entry),
        }
        for position, entry in enumerate(snapshot.entries)
    )


def _insert_diff(
    db: Database, version_id: int, previous_id: int, diff: ListDiff
) -> None:
    db.table("list_diffs").insert(
        {
            "version_id": version_id, "previous_id": previous_id, "added": len(diff.added),
            "removed": len(diff.removed), "moved": len(diff.moved), "edited": len(diff.edited),
            "diff": json.dumps(diff.to_json(), ensure_ascii=False),
        }
    )


def latest_version(db: Database) -> ListVersion | None:
    """Return the newest stored version, if any."""
    rows = list(db.query(f"select {_VERSION_COLUMNS} from list_versions order by id desc limit 1"))
    return ListVersion(**rows[0]) if rows else None


def list_versions(db: Database) -> list[ListVersion]:
    """Return every stored version, oldest first."""
    return [
        ListVersion(**row)
        for row in db.query(f"select {_VERSION_COLUMNS} from list_versions order by id")
    ]


_VERSION_COLUMNS = (
    "id, content_hash, source_url, etag, last_modified, fetched_at, entry_count, top100_count"
)


def version_body(db: Database, version_id: int) -> bytes:
    """Return the README text of a stored version."""
    row = db.table("list_versions").get(version_id)
    return str(row["body"]).encode("utf-8")


def load_snapshot(db: Database, version_id: int) -> ListSnapshot:
    """Rebuild a stored version's snapshot from its rows (no re-parsing)."""
    entries: dict[str, list[ListEntry]] = {}
    sections = list(
        db.query(
            "select name, kind, researchers from list_sections where version_id = ? "
            "order by position",
            [version_id],
        )
    )
    researchers = {
        s["name"]: tuple(Researcher(n, u) for n, u in json.loads(s["researchers"]))
        for s in sections
    }
    for row in db.query(
        "select * from list_entries where version_id = ? order by position", [version_id]
    ):
        entries.setdefault(row["section"], []).append(_entry_from_row(row, researchers))
    return ListSnapshot(
        tuple(
            Section(s["name"], SectionKind(s["kind"]), tuple(entries.get(s["name"], ())),
                    researchers[s["name"]])
            for s in sections
        )
    )


def _entry_from_row(
    row: dict[str, Any], researchers: dict[str, tuple[Researcher, ...]]
) -> ListEntry:
    return ListEntry(
        section=row["section"], title=row["title"], year=row["year"], authors=row["authors"],
        links=tuple(Link(kind, url) for kind, url in json.loads(row["links"])),
        arxiv_id=row["arxiv_id"], key_researchers=researchers.get(row["section"], ()),
    )


def newest_snapshot(db: Database) -> ListSnapshot | None:
    """Return the newest stored snapshot, or None before the first sync."""
    latest = latest_version(db)
    return _snapshot_of(db, latest.id, latest.content_hash) if latest else None


def current_snapshot(db: Database) -> ListSnapshot:
    """Return the newest stored snapshot, or the bundled one before the first sync."""
    return newest_snapshot(db) or bundled_snapshot()


@lru_cache(maxsize=8)
def _snapshot_of(db: Database, version_id: int, content_hash: str) -> ListSnapshot:
    """Load a version once: every answer needs the list, and versions never change."""
    return load_snapshot(db, version_id)


def stored_diff(db: Database, version_id: int) -> ListDiff | None:
    """Return the diff recorded when this version was stored."""
    row = next(db.query("select diff from list_diffs where version_id = ?", [version_id]), None)
    return ListDiff.from_json(json.loads(row["diff"])) if row else None


def diff_counts(db: Database) -> dict[int, dict[str, int]]:
    """Return per version id the counts of added/removed/moved/edited entries."""
    return {
        row["version_id"]: {k: row[k] for k in ("added", "removed", "moved", "edited")}
        for row in db.query("select * from list_diffs")
    }


@dataclass(frozen=True)
class SuspectVersion:
    """A fetched README held back because it lost most of the list (not a version yet)."""

    id: int
    content_hash: str
    source_url: str
    fetched_at: str
    entry_count: int
    top100_count: int
    against_id: int  # the stored version it lost most of the list against


def hold_suspect(db: Database, body: bytes, snapshot: ListSnapshot, source_url: str,
                 against_id: int) -> SuspectVersion:
    """Keep a README that lost most of the list aside (only the newest one is kept)."""
    with db.atomic():
        db.execute("delete from list_suspects")
        db.table("list_suspects").insert({
            "content_hash": content_hash(body), "source_url": source_url,
            "fetched_at": utc_now(), "body": body.decode("utf-8", errors="replace"),
            "entry_count": len(snapshot.entries),
            "top100_count": sum(len(s.entries) for s in snapshot.top100()),
            "against_id": against_id,
        })
    held = held_suspect(db)
    assert held is not None
    return held


def held_suspect(db: Database) -> SuspectVersion | None:
    """The README held as suspect, if any."""
    rows = list(db.query("select id, content_hash, source_url, fetched_at, entry_count, "
                         "top100_count, against_id from list_suspects order by id desc limit 1"))
    return SuspectVersion(**rows[0]) if rows else None


def drop_suspects(db: Database) -> int:
    """Forget a held README (a later poll showed the list whole again); return how many."""
    with db.atomic():
        return db.execute("delete from list_suspects").rowcount


def update_validators(
    db: Database, version_id: int, source_url: str,
    etag: str | None, last_modified: str | None,
) -> None:
    """Remember new ETag/Last-Modified for an unchanged body (no new version)."""
    with db.atomic():
        db.table("list_versions").update(
            version_id,
            {"source_url": source_url, "etag": etag, "last_modified": last_modified,
             "fetched_at": utc_now()},
        )
