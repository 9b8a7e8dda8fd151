"""Watch the list's README: conditional GET, store a version only when it changed."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import lru_cache

import httpx
import sqlite_utils

from bot.config import Config
from feeds.awesome_list import parse_awesome_list
from feeds.bundled import BUNDLED_SOURCE, bundled_readme, bundled_snapshot
from feeds.http import FetchError, fetch_conditional, new_client
from feeds.list_diff import diff_snapshots
from feeds.model import ListDiff, ListSnapshot
from storage import lists

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListSyncReport:
    """What one watcher pass did."""

    status: str  # stored | unchanged | not_modified | error
    version_id: int | None = None
    diff: ListDiff | None = None
    message: str = ""
    seconds: float = 0.0

    def summary(self) -> str:
        """Describe the pass in one line."""
        if self.status == "stored" and self.diff is not None:
            d = self.diff
            return (
                f"list: new version {self.version_id} ({len(d.added)} added, "
                f"{len(d.removed)} removed, {len(d.moved)} moved, {len(d.edited)} edited)"
            )
        if self.status == "stored":
            return f"list: first version {self.version_id} stored"
        if self.status == "error":
            return f"list: sync failed, will retry at the next poll: {self.message}"
        return f"list: {self.status.replace('_', ' ')} (version {self.version_id})"


async def sync_list(
    db: sqlite_utils.Database, config: Config, client: httpx.AsyncClient | None = None
) -> ListSyncReport:
    """Run one watcher pass over `config.list_readme_url`; never raises on network errors."""
    started = time.monotonic()
    own_client = client is None
    client = client or new_client(config.http_timeout)
    try:
        report = await _sync(db, config, client)
    finally:
        if own_client:
            await client.aclose()
    level = logging.WARNING if report.status == "error" else logging.INFO
    log.log(level, "%s [%.2fs]", report.summary(), time.monotonic() - started)
    return report


async def _sync(
    db: sqlite_utils.Database, config: Config, client: httpx.AsyncClient
) -> ListSyncReport:
    url = config.list_readme_url
    latest = lists.latest_version(db)
    same_source = latest is not None and latest.source_url == url
    try:
        result = await fetch_conditional(
            client, url,
            latest.etag if same_source and latest else None,
            latest.last_modified if same_source and latest else None,
            timeout=config.http_timeout,
        )
    except FetchError as exc:
        return ListSyncReport("error", latest.id if latest else None, message=str(exc))
    if result.not_modified:
        return ListSyncReport("not_modified", latest.id if latest else None)
    if latest is not None and lists.content_hash(result.body) == latest.content_hash:
        lists.update_validators(db, latest.id, url, result.etag, result.last_modified)
        return ListSyncReport("unchanged", latest.id)
    snapshot = parse_awesome_list(result.body)
    if not snapshot.entries:
        return ListSyncReport(
            "error", latest.id if latest else None,
            message=f"{url} returned no list entries; keeping the stored version",
        )
    diff = diff_snapshots(lists.load_snapshot(db, latest.id), snapshot) if latest else None
    version_id = lists.store_version(
        db, result.body, snapshot, diff, url, result.etag, result.last_modified
    )
    return ListSyncReport("stored", version_id, diff)


def seed_bundled(db: sqlite_utils.Database) -> int | None:
    """Store the bundled README as the first version when the database has none."""
    if lists.latest_version(db) is not None:
        return None
    return lists.store_version(db, bundled_readme(), bundled_snapshot(), None, BUNDLED_SOURCE)


def current_snapshot(db: sqlite_utils.Database) -> ListSnapshot:
    """Return the newest stored snapshot, or the bundled one before the first sync."""
    latest = lists.latest_version(db)
    if latest is None:
        return bundled_snapshot()
    return _snapshot_of(db, latest.id, latest.content_hash)


@lru_cache(maxsize=8)
def _snapshot_of(db: sqlite_utils.Database, version_id: int, content_hash: str) -> ListSnapshot:
    """Load a version once: every answer needs the list, and versions never change."""
    return lists.load_snapshot(db, version_id)
