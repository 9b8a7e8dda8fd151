"""Watch the list's README: conditional GET, store a version only when it changed."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from enum import StrEnum

import httpx

from bot.config import Config
from bot.pipeline.topic_follow import follow_topic_changes
from feeds.awesome_list import parse_awesome_list
from feeds.bundled import BUNDLED_SOURCE, bundled_readme, bundled_snapshot
from feeds.http import FetchError, client_or_new, get
from feeds.list_diff import diff_snapshots, lost_most
from feeds.model import ListDiff
from storage import lists
from storage.db import Database

log = logging.getLogger(__name__)


class ListSyncStatus(StrEnum):
    """What one watcher pass came to."""

    STORED = "stored"
    UNCHANGED = "unchanged"
    NOT_MODIFIED = "not_modified"
    SUSPECT = "suspect"  # lost most of the list: held until a later poll confirms it
    ERROR = "error"


@dataclass(frozen=True)
class ListSyncReport:
    """What one watcher pass did."""

    status: ListSyncStatus
    version_id: int | None = None
    diff: ListDiff | None = None
    message: str = ""
    seconds: float = 0.0

    def summary(self) -> str:
        """Describe the pass in one line."""
        if self.status is ListSyncStatus.STORED and self.diff is not None:
            d = self.diff
            return (
                f"list: new version {self.version_id} ({len(d.added)} added, "
                f"{len(d.removed)} removed, {len(d.moved)} moved, {len(d.edited)} edited)"
            )
        if self.status is ListSyncStatus.STORED:
            return f"list: first version {self.version_id} stored"
        if self.status is ListSyncStatus.ERROR:
            return f"list: sync failed: {self.message}"
        if self.status is ListSyncStatus.SUSPECT:
            return f"list: {self.message}"
        return f"list: {self.status.replace('_', ' ')} (version {self.version_id})"


async def sync_list(
    db: Database, config: Config, client: httpx.AsyncClient | None = None,
    next_step: str | None = "trying again at the next poll",
) -> ListSyncReport:
    """Run one watcher pass over `config.list_readme_url`; never raises on network errors.

    The bot's poll logs the outcome in one line, a failure with `next_step`; a one-shot
    caller (`papers-bot sync`, next_step None) prints the summary itself: nothing is logged,
    so a failure is told once."""
    started = time.monotonic()
    async with client_or_new(client, config.http_timeout) as http:
        report = await _sync(db, config, http)
    if next_step is not None:
        failed = report.status is ListSyncStatus.ERROR
        warn = failed or report.status is ListSyncStatus.SUSPECT
        log.log(logging.WARNING if warn else logging.INFO, "%s%s [%.2fs]", report.summary(),
                f"; {next_step}" if failed else "", time.monotonic() - started)
    return report


async def _sync(db: Database, config: Config, client: httpx.AsyncClient) -> ListSyncReport:
    url = config.list_readme_url
    latest = lists.latest_version(db)
    known = latest.id if latest else None
    same_source = latest is not None and latest.source_url == url
    try:
        result = await get(
            client, url,
            etag=latest.etag if same_source and latest else None,
            last_modified=latest.last_modified if same_source and latest else None,
            timeout=config.http_timeout, limits=config.download_limits,
        )
    except FetchError as exc:
        return ListSyncReport(ListSyncStatus.ERROR, known, message=str(exc))
    if result.not_modified:
        lists.drop_suspects(db)  # the list is whole again
        return ListSyncReport(ListSyncStatus.NOT_MODIFIED, known)
    if latest is not None and lists.content_hash(result.body) == latest.content_hash:
        lists.update_validators(db, latest.id, url, result.etag, result.last_modified)
        lists.drop_suspects(db)
        return ListSyncReport(ListSyncStatus.UNCHANGED, latest.id)
    # Parsing and diffing are pure CPU (a large README, a big change): a worker thread's job,
    # so replies keep flowing meanwhile; the database stays on this thread.
    snapshot = await asyncio.to_thread(parse_awesome_list, result.body)
    if not snapshot.entries:
        return ListSyncReport(
            ListSyncStatus.ERROR, known,
            message=f"{url} returned no list entries; keeping the stored version",
        )
    previous = lists.load_snapshot(db, latest.id) if latest else None
    if same_source and latest is not None and previous is not None and lost_most(
            previous, snapshot):  # (a first fetch, or a new source, is a list of its own)
        # A broken push or a truncated file must not become "200 papers removed" news: hold
        # it until a later poll sees the list this small again (the same body or another).
        held = lists.held_suspect(db)
        if held is None or held.against_id != latest.id:
            lists.hold_suspect(db, result.body, snapshot, url, latest.id)
            return ListSyncReport(
                ListSyncStatus.SUSPECT, known,
                message=(f"{url} lost most of the list ({len(previous.entries)} entries -> "
                         f"{len(snapshot.entries)}); held, not stored or announced, until a "
                         "later poll confirms it"))
        log.info("list: %s is still %d entries at a later poll: stored as the new version",
                 url, len(snapshot.entries))
    diff = await asyncio.to_thread(diff_snapshots, previous, snapshot) if previous else None
    version_id = lists.store_version(
        db, result.body, snapshot, diff, url, result.etag, result.last_modified
    )
    if previous is not None and diff is not None:  # renamed, merged or split topics
        follow_topic_changes(db, previous, snapshot, diff, version_id)
    return ListSyncReport(ListSyncStatus.STORED, version_id, diff)


def seed_bundled(db: Database) -> int | None:
    """Store the bundled README as the first version when the database has none."""
    if lists.latest_version(db) is not None:
        return None
    return lists.store_version(db, bundled_readme(), bundled_snapshot(), None, BUNDLED_SOURCE)
