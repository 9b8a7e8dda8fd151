"""The README watcher against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.config import Config
from bot.list_watch import current_snapshot, seed_bundled, sync_list
from feeds.bundled import bundled_snapshot
from storage import lists
from storage.db import open_db

from .conftest import README_HISTORY


def readme(index: str) -> bytes:
    (path,) = README_HISTORY.glob(f"{index}_*.md")
    return path.read_bytes()


class Script:
    """Responses the server gives, in order; the last one repeats."""

    def __init__(self) -> None:
        self.responses: list[tuple[int, bytes, dict[str, str], float]] = []
        self.requests: list[dict[str, str]] = []

    def add(self, status: int, body: bytes = b"", delay: float = 0.0, **headers: str) -> None:
        self.responses.append((status, body, headers, delay))


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            script.requests.append(dict(self.headers))
            index = min(len(script.requests), len(script.responses)) - 1
            status, body, headers, delay = script.responses[index]
            time.sleep(delay)
            if status == 200 and headers.get("ETag") and \
                    self.headers.get("If-None-Match") == headers["ETag"]:
                status, body = 304, b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)  # the client may have given up (the timeout test)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/README.md", script
    httpd.shutdown()
    httpd.server_close()


def config_for(url: str, timeout: float = 5.0) -> Config:
    return Config.from_env({"LIST_README_URL": url, "HTTP_TIMEOUT": str(timeout)})


async def test_etag_then_304_then_changed_body_stores_two_versions_and_one_diff(server) -> None:
    url, script = server
    modified = {"Last-Modified": "Mon, 24 Apr 2017 10:00:00 GMT"}
    script.add(200, readme("113"), ETag='"v113"', **modified)
    script.add(200, readme("113"), ETag='"v113"')
    script.add(200, readme("114"), ETag='"v114"')
    db = open_db()
    config = config_for(url)

    first = await sync_list(db, config)
    second = await sync_list(db, config)
    third = await sync_list(db, config)

    assert [first.status, second.status, third.status] == ["stored", "not_modified", "stored"]
    assert script.requests[1]["If-None-Match"] == '"v113"'
    assert script.requests[1]["If-Modified-Since"] == "Mon, 24 Apr 2017 10:00:00 GMT"
    versions = lists.list_versions(db)
    assert len(versions) == 2 and versions[1].etag == '"v114"'
    assert db["list_diffs"].count == 1
    stored = lists.stored_diff(db, versions[1].id)
    assert [m.entry.title for m in stored.moved] == ["Training very deep networks"]
    assert "1 moved" in third.summary()


async def test_same_body_without_etag_stores_nothing_new(server) -> None:
    url, script = server
    script.add(200, readme("124"))
    db = open_db()
    await sync_list(db, config_for(url))
    report = await sync_list(db, config_for(url))
    assert report.status == "unchanged" and len(lists.list_versions(db)) == 1


async def test_server_error_stores_nothing_and_logs_one_line(server, caplog) -> None:
    url, script = server
    script.add(500, b"<html>oops</html>")
    db = open_db()
    with caplog.at_level(logging.INFO, logger="bot.list_watch"):
        report = await sync_list(db, config_for(url))
    assert report.status == "error" and "HTTP 500" in report.message
    assert lists.list_versions(db) == []
    (record,) = [r for r in caplog.records if r.name == "bot.list_watch"]
    assert "HTTP 500" in record.getMessage() and "\n" not in record.getMessage()


async def test_timeout_stores_nothing_and_raises_nothing(server) -> None:
    url, script = server
    script.add(200, readme("125"), delay=1.5)
    db = open_db()
    report = await sync_list(db, config_for(url, timeout=0.3))
    assert report.status == "error" and "timeout" in report.message
    assert lists.list_versions(db) == []


async def test_error_page_with_200_keeps_the_stored_version(server) -> None:
    url, script = server
    script.add(200, readme("125"))
    script.add(200, b"<html><body>rate limited</body></html>")
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
