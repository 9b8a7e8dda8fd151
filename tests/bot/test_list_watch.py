"""The README watcher against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.config import Config
from bot.pipeline.list_sync import seed_bundled, sync_list
from feeds.bundled import bundled_snapshot
from storage import lists
from storage.db import open_db
from storage.lists import current_snapshot
from tests.conftest import README_HISTORY
from tests.support.feedserver import FeedServer, Reply


def readme(index: str) -> bytes:
    (path,) = README_HISTORY.glob(f"{index}_*.md")
    return path.read_bytes()


@pytest.fixture
def server() -> Iterator[tuple[str, FeedServer]]:
    with FeedServer() as feeds:
        yield feeds.url("/README.md"), feeds


def script(feeds: FeedServer, *replies: Reply) -> None:
    feeds.script("/README.md", *replies)


def config_for(url: str, timeout: float = 5.0) -> Config:
    return Config.from_env({"LIST_README_URL": url, "HTTP_TIMEOUT": str(timeout)})


async def test_etag_then_304_then_changed_body_stores_two_versions_and_one_diff(server) -> None:
    url, feeds = server
    modified = "Mon, 24 Apr 2017 10:00:00 GMT"
    script(feeds, Reply(readme("113"), etag='"v113"', last_modified=modified),
           Reply(readme("113"), etag='"v113"'), Reply(readme("114"), etag='"v114"'))
    db = open_db()
    config = config_for(url)

    first = await sync_list(db, config)
    second = await sync_list(db, config)
    third = await sync_list(db, config)

    assert [first.status, second.status, third.status] == ["stored", "not_modified", "stored"]
    second_request = feeds.requests_to("/README.md")[1]
    assert second_request.headers["If-None-Match"] == '"v113"'
    assert second_request.headers["If-Modified-Since"] == modified
    assert second_request.status == 304
    versions = lists.list_versions(db)
    assert len(versions) == 2 and versions[1].etag == '"v114"'
    assert db["list_diffs"].count == 1
    stored = lists.stored_diff(db, versions[1].id)
    assert [m.entry.title for m in stored.moved] == ["Training very deep networks"]
    assert "1 moved" in third.summary()


async def test_same_body_without_etag_stores_nothing_new(server) -> None:
    url, feeds = server
    script(feeds, Reply(readme("124")))
    db = open_db()
    await sync_list(db, config_for(url))
    report = await sync_list(db, config_for(url))
    assert report.status == "unchanged" and len(lists.list_versions(db)) == 1


async def test_server_error_stores_nothing_and_logs_one_line(server, caplog) -> None:
    url, feeds = server
    script(feeds, Reply(b"<html>oops</html>", status=500))
    db = open_db()
    with caplog.at_level(logging.INFO, logger="bot.pipeline.list_sync"):
        report = await sync_list(db, config_for(url))
    assert report.status == "error" and "HTTP 500" in report.message
    assert lists.list_versions(db) == []
    (record,) = [r for r in caplog.records if r.name == "bot.pipeline.list_sync"]
    assert "HTTP 500" in record.getMessage() and "\n" not in record.getMessage()


async def test_timeout_stores_nothing_and_raises_nothing(server) -> None:
    url, feeds = server
    script(feeds, Reply(readme("125"), delay=1.5))
    db = open_db()
    report = await sync_list(db, config_for(url, timeout=0.3))
    assert report.status == "error" and "timeout" in report.message
    assert lists.list_versions(db) == []


async def test_error_page_with_200_keeps_the_stored_version(server) -> None:
    url, feeds = server
    script(feeds, Reply(readme("125")), Reply(b"<html><body>rate limited</body></html>"))
    db = open_db()
    await sync_list(db, config_for(url))
    report = await sync_list(db, config_for(url))
    assert report.status == "error" and len(lists.list_versions(db)) == 1


async def test_unreachable_host_is_an_error_not_an_exception() -> None:
    db = open_db()
    report = await sync_list(db, config_for("http://127.0.0.1:9/README.md"))
    assert report.status == "error" and "127.0.0.1:9" in report.message


def test_offline_start_answers_from_the_bundled_snapshot() -> None:
    db = open_db()
    assert current_snapshot(db) == bundled_snapshot()
    assert seed_bundled(db) == 1 and seed_bundled(db) is None
    assert sum(len(s.entries) for s in current_snapshot(db).top100()) == 100
