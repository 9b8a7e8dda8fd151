"""Fault drill: feeds, Telegram, process and input faults, each survived the same way.

Every case checks the properties that apply to it:

* nothing lost - papers, list versions, citation counts and messages are stored, or still
  pending for a retry;
* nothing duplicated - row counts, and messages per chat on the fake Bot API;
* one clear log line - exactly one line names the cause (no traceback, no newline) and
  nothing else warns;
* no secret in any output: the bot token's secret half and the Semantic Scholar key
  (CITATIONS_API_KEY, set in every case) appear in no log record of any case, formatted in
  full with its traceback (`every_record_sealed`), in no command's stdout or stderr, nor in
  anything sent.

Loggers run at production levels (bot/cli.py's configure_logging: httpx & co. at WARNING) but
without its redaction filter, so a leak fails here instead of being masked.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from telegram import Update
from telegram.ext import ExtBot

from bot.app import publish_command_menu
from bot.commands import trends
from bot.commands.settings import MAX_KEYWORDS
from bot.delivery import Deliverer, outbox_request
from bot.pipeline.citations import fetch_citations
from bot.pipeline.list_sync import seed_bundled
from bot.render.html import esc
from feeds.arxiv_rss import parse_arxiv_rss
from feeds.awesome_list import parse_awesome_list
from feeds.list_patch import insert_lines, markdown_line
from feeds.model import Reason, ReasonKey
from feeds.search import Query, parse_query
from storage import chats, citations, job_runs, lists, outbox, papers, suggestions
from storage.db import open_db
from storage.lists import current_snapshot
from storage.search import match_expression
from storage.writer import Writer
from tests.conftest import README_HISTORY, ROOT, TEST_DATA
from tests.support.fakebotapi import DEFAULT_TOKEN, FakeBotApi
from tests.support.feedserver import FakeTime, Reply
from tests.support.rig import MAINTAINER, NOW, Rig, bot_rig

TOKEN = DEFAULT_TOKEN
SECRET = TOKEN.split(":", 1)[1]
S2_KEY = "s2key-Qw3rTy8uIoPaSdFgHjKlZxCvBnM0123456"  # CITATIONS_API_KEY in every case
ARXIV = TEST_DATA / "arxiv"
DAY1 = (ARXIV / "rss2_ml6_2017-03-14.xml").read_bytes()  # 13 items
DAY2 = (ARXIV / "rss2_ml6_2017-03-15.xml").read_bytes()  # 29 distinct papers over both days
WEEKEND = (ARXIV / "rss2_cs.LG_weekend-empty.xml").read_bytes()
READER = 501  # a private chat following "learning": DAY1 and DAY2 both match
NOISY_LOGGERS = ("httpx", "httpcore", "telegram.ext.ExtBot", "apscheduler")


def readme(index: str) -> bytes:
    (path,) = README_HISTORY.glob(f"{index}_*.md")
    return path.read_bytes()


# ---- assertions shared by every case ---------------------------------------------------------


def one_line(caplog: pytest.LogCaptureFixture, *needles: str, level: int = logging.WARNING) -> str:
    """Exactly one record at `level` or above names the cause; it is one clean line; no other
    record warns. Return its message."""
    hits = [r for r in caplog.records
            if r.levelno >= level and all(n in r.getMessage() for n in needles)]
    assert len(hits) == 1, [f"{r.levelname} {r.name}: {r.getMessage()}" for r in caplog.records]
    (record,) = hits
    message = record.getMessage()
    assert "\n" not in message and "Traceback" not in message and record.exc_info is None
    louder = [r.getMessage() for r in caplog.records
              if r.levelno >= logging.WARNING and r is not record]
    assert louder == [], louder
    return message


def quiet(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing at WARNING or above, and no traceback anywhere."""
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert not any(r.exc_info for r in caplog.records) and "Traceback" not in caplog.text


def no_token(*texts: str | None) -> None:
    """The bot token's secret half (so the token too) and the Semantic Scholar key appear in
    none of these texts."""
    for text in texts:
        assert SECRET not in (text or "") and S2_KEY not in (text or "")


@pytest.fixture(autouse=True)
def every_record_sealed() -> Iterator[None]:
    """Every record any logger emits during a case (ours, python-telegram-bot's, httpx's),
    formatted in full - message, arguments, traceback - holds no secret."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield
    root.removeHandler(handler)
    no_token(stream.getvalue())


def sealed(caplog: pytest.LogCaptureFixture, api: FakeBotApi | None = None) -> None:
    """The token is in no log line and in no message (or toast) the bot sent."""
    sent = [m.text for m in api.sent_messages()] if api else []
    toasts = [c.params.get("text") for c in api.calls("answerCallbackQuery")] if api else []
    no_token(caplog.text, *sent, *toasts)


def per_chat(api: FakeBotApi, method: str = "sendMessage") -> Counter:
    return Counter(m.chat_id for m in api.sent_messages() if m.method == method)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog at INFO with the production levels of the chatty libraries (their request lines
    carry the token in the URL; bot/cli.py keeps them at WARNING)."""
    saved = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    caplog.set_level(logging.INFO)
    yield caplog
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


# ---- the bot wired to the fake Bot API, the feeds served from 127.0.0.1 ------------------------


@pytest.fixture
async def rig(tmp_path) -> AsyncIterator[Rig]:
    async with bot_rig(tmp_path / "bot.db", env={"CITATIONS_API_KEY": S2_KEY}) as built:
        chats.ensure_chat(built.db, READER)
        chats.set_chat_setting(built.db, READER, digest="instant")
        chats.subscribe(built.db, READER, "keyword", "learning")
        yield built


class DropThenServe:
    """An HTTP server that closes the first `drops` connections without a word, then serves."""

    def __init__(self, drops: int, body: bytes) -> None:
        self.drops, self.requests = drops, 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                owner.requests += 1
                if owner.requests <= owner.drops:
                    self.close_connection = True
                    return  # nothing written: the client sees the connection drop
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/rss"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ============================================ FEEDS ===========================================
# arXiv faults run the real poll_arxiv job body: fetch -> store -> score -> instant digest ->
# delivery to READER, so "nothing duplicated" is also checked on what reaches Telegram.


async def test_feed_arxiv_304_stores_and_sends_nothing_twice(rig, logs) -> None:
    rig.server.script("/rss", Reply(DAY1, etag='"d1"'))
    await rig.job("poll_arxiv")
    logs.clear()
    summary = await rig.job("poll_arxiv")
    assert [r.status for r in rig.server.requests_to("/rss")] == [200, 304]
    assert "feed unchanged" in summary
    assert rig.papers() == 13 and per_chat(rig.api) == {READER: 1}
    one_line(logs, "job poll_arxiv", "feed unchanged", level=logging.INFO)
    sealed(logs, rig.api)


async def test_feed_arxiv_503_with_retry_after_is_waited_out(rig, logs) -> None:
    logs.set_level(logging.DEBUG, logger="feeds.http")  # a retry that worked: DEBUG
    rig.server.script("/rss", Reply(status=503, headers={"Retry-After": "120"}), Reply(DAY1))
    start = rig.time.now
    await rig.job("poll_arxiv")
    assert [r.status for r in rig.server.requests_to("/rss")] == [503, 200]
    assert rig.time.now - start >= 120  # never earlier than the server asked
    assert rig.papers() == 13 and per_chat(rig.api) == {READER: 1}
    one_line(logs, "HTTP 503", "retrying in 120", level=logging.DEBUG)
    one_line(logs, "job poll_arxiv", "4 new", level=logging.INFO)
    sealed(logs, rig.api)


async def test_feed_arxiv_429_without_retry_after_backs_off_then_stores(rig, logs) -> None:
    logs.set_level(logging.DEBUG, logger="feeds.http")
    rig.server.script("/rss", Reply(status=429), Reply(DAY1))
    start = rig.time.now
    await rig.job("poll_arxiv")
    assert [r.status for r in rig.server.requests_to("/rss")] == [429, 200]
    assert rig.time.now - start >= 5.0  # our own backoff when the server names no time
    assert rig.papers() == 13 and per_chat(rig.api) == {READER: 1}
    one_line(logs, "HTTP 429", "retrying in", level=logging.DEBUG)
    one_line(logs, "job poll_arxiv", "4 new", level=logging.INFO)
    sealed(logs, rig.api)


async def test_feed_arxiv_500_until_give_up_then_the_next_poll_recovers(rig, logs) -> None:
    rig.server.script("/rss", *[Reply(status=500)] * 4, Reply(DAY1))
    failed = await rig.job("poll_arxiv")
    assert "HTTP 500" in failed and rig.papers() == 0 and per_chat(rig.api) == {}
    run = job_runs.last_runs(rig.db)["poll_arxiv"]
    assert run.failures == 1 and run.last_ok_at is None  # not recorded as a success
    line = one_line(logs, "HTTP 500", "gave up after 4 attempts")
    assert rig.server.url("/rss") in line
    await rig.job("poll_arxiv")
    assert rig.papers() == 13 and per_chat(rig.api) == {READER: 1}
    sealed(logs, rig.api)


async def test_feed_arxiv_connection_drop_then_the_next_poll_recovers(rig, logs) -> None:
    dropping = DropThenServe(4, DAY1)
    try:
        rig.services.config = replace(rig.services.config, arxiv_rss_url=dropping.url)
        await rig.job("poll_arxiv")
        assert rig.papers() == 0
        one_line(logs, "network error", "RemoteProtocolError", "gave up after 4 attempts")
        await rig.job("poll_arxiv")
    finally:
        dropping.close()
    assert dropping.requests == 5
    assert rig.papers() == 13 and per_chat(rig.api) == {READER: 1}
    sealed(logs, rig.api)


async def test_feed_arxiv_timeout_then_the_next_poll_recovers(rig, logs) -> None:
    rig.services.config = replace(rig.services.config, http_timeout=0.1)
    rig.server.script("/rss", *[Reply(DAY1, delay=0.4)] * 4, Reply(DAY1))
    await rig.job("poll_arxiv")
    assert rig.papers() == 0
    one_line(logs, "timeout fetching", "gave up after 4 attempts")
    await rig.job("poll_arxiv")
    assert rig.papers() == 13 and per_chat(rig.api) == {READER: 1}
    sealed(logs, rig.api)


async def test_feed_arxiv_truncated_xml_keeps_what_was_stored(rig, logs) -> None:
    rig.server.script("/rss", Reply(DAY1, etag='"1"'), Reply(DAY2[: len(DAY2) // 2], etag='"x"'),
                      Reply(DAY2, etag='"2"'))
    await rig.job("poll_arxiv")
    logs.clear()
    await rig.job("poll_arxiv")
    one_line(logs, "truncated")
    assert rig.papers() == 13 and per_chat(rig.api) == {READER: 1}
    await rig.job("poll_arxiv")
    # the broken body's ETag was not kept: the retry asked with the last good one
    assert rig.server.requests_to("/rss")[2].headers["If-None-Match"] == '"1"'
    assert rig.papers() == 29 and per_chat(rig.api) == {READER: 2}
    sealed(logs, rig.api)


async def test_feed_arxiv_html_error_page_with_200_stores_nothing(rig, logs) -> None:
    page = b"<html><head><title>Service Unavailable</title></head><body>busy</body></html>"
    rig.server.script("/rss", Reply(page, content_type="text/html"), Reply(DAY1))
    await rig.job("poll_arxiv")
    one_line(logs, "HTML page titled 'Service Unavailable'")
    assert rig.papers() == 0 and per_chat(rig.api) == {}
    await rig.job("poll_arxiv")
    assert rig.papers() == 13 and per_chat(rig.api) == {READER: 1}
    sealed(logs, rig.api)


async def test_feed_arxiv_empty_weekend_feed_is_no_announcement(rig, logs) -> None:
    rig.server.script("/rss", Reply(WEEKEND))
    summary = await rig.job("poll_arxiv")
    assert "no announcement (weekend)" in summary
    assert len(rig.server.requests_to("/rss")) == 1  # not retried as if it were an error
    assert rig.papers() == 0 and per_chat(rig.api) == {}
    one_line(logs, "job poll_arxiv", "no announcement (weekend)", level=logging.INFO)
    sealed(logs, rig.api)


async def test_feed_arxiv_item_without_an_id_loses_only_that_item(rig, logs) -> None:
    broken = DAY1.replace(b"oai:arXiv.org:1703.04416v1", b"oai:arXiv.org:unknown").replace(
        b"arXiv:1703.04416v1 Announce", b"Announce")
    rig.server.script("/rss", Reply(broken))
    await rig.job("poll_arxiv")
    assert rig.papers() == 12  # the other twelve papers of the day are not lost
    assert papers.get_paper(rig.db, "1703.04421") and not papers.get_paper(rig.db, "1703.04416")
    assert per_chat(rig.api) == {READER: 1}
    one_line(logs, "without an arXiv id", "oai:arXiv.org:unknown")
    sealed(logs, rig.api)


async def test_feed_arxiv_same_day_served_twice_stores_and_sends_once(rig, logs) -> None:
    rig.server.script("/rss", Reply(DAY1))  # no validators: the whole body comes again
    await rig.job("poll_arxiv")
    logs.clear()
    summary = await rig.job("poll_arxiv")
    assert "0 new, 0 replaced, 0 cross, 13 skipped" in summary
    assert rig.papers() == 13
    assert rig.outbox_rows(READER) == 1 and per_chat(rig.api) == {READER: 1}
    one_line(logs, "job poll_arxiv", "13 skipped", level=logging.INFO)
    sealed(logs, rig.api)


async def test_feed_arxiv_overlapping_next_day_is_deduplicated(rig, logs) -> None:
    rig.server.script("/rss", Reply(DAY1, etag='"1"'), Reply(DAY2, etag='"2"'))
    await rig.job("poll_arxiv")
    logs.clear()
    summary = await rig.job("poll_arxiv")
    assert "6 new, 3 replaced, 7 cross, 13 skipped" in summary
    assert rig.papers() == 29
    digests = [m.text for m in rig.api.sent_messages(READER)]
    assert len(digests) == 2
    first_day = {p.title[:50] for p in parse_arxiv_rss(DAY1).papers}
    assert not any(title in digests[1] for title in first_day)  # yesterday's not repeated
    one_line(logs, "job poll_arxiv", "13 skipped", level=logging.INFO)
    sealed(logs, rig.api)


async def test_feed_arxiv_replace_for_an_unknown_paper_is_kept(rig, logs) -> None:
    rig.server.script("/rss", Reply(DAY1))
    summary = await rig.job("poll_arxiv")
    assert "2 replaced" in summary  # 1312.2244v2 and one replace-cross, never seen before
    stored = papers.get_paper(rig.db, "1312.2244")
    assert stored is not None and stored.version == 2
    rig.server.script("/rss", Reply(DAY1.replace(b"1312.2244v2", b"1312.2244v3")))
    await rig.job("poll_arxiv")
    assert papers.get_paper(rig.db, "1312.2244").version == 3 and rig.papers() == 13
    assert len(rig.api.sent_messages(READER)) == 1  # a new version is not a new paper
    assert "Timeline Generation" not in rig.api.sent_messages(READER)[0].text
    quiet(logs)
    sealed(logs, rig.api)


# The list's README, through the real poll_list job body.


async def test_feed_list_readme_500_keeps_the_stored_version(rig, logs) -> None:
    rig.server.script("/README.md", Reply(readme("124"), etag='"124"'), Reply(status=500))
    await rig.job("poll_list")
    versions = len(lists.list_versions(rig.db))
    logs.clear()
    summary = await rig.job("poll_list")
    assert "HTTP 500" in summary and len(lists.list_versions(rig.db)) == versions
    run = job_runs.last_runs(rig.db)["poll_list"]
    assert (run.runs, run.failures) == (2, 1)  # a failed poll is a failed run (health sees it)
    one_line(logs, "HTTP 500", rig.server.url("/README.md"))
    sealed(logs, rig.api)


async def test_feed_list_readme_timeout_keeps_the_stored_version(rig, logs) -> None:
    rig.services.config = replace(rig.services.config, http_timeout=0.1)
    rig.server.script("/README.md", Reply(readme("125"), delay=0.4))
    before = lists.list_versions(rig.db)
    summary = await rig.job("poll_list")
    assert "timeout" in summary and lists.list_versions(rig.db) == before
    one_line(logs, "timeout fetching", rig.server.url("/README.md"))
    sealed(logs, rig.api)


async def test_feed_list_readme_garbage_body_keeps_the_stored_version(rig, logs) -> None:
    rig.server.script("/README.md", Reply(readme("124")),
                      Reply(b"<html><body>Whoa there! rate limited</body></html>"))
    await rig.job("poll_list")
    before = lists.latest_version(rig.db)
    entries = rig.db["list_entries"].count
    logs.clear()
    await rig.job("poll_list")
    assert lists.latest_version(rig.db) == before and rig.db["list_entries"].count == entries
    one_line(logs, "no list entries", "keeping the stored version")
    assert rig.outbox_rows(READER) == 0  # no "everything was removed" news
    sealed(logs, rig.api)


def one_entry(body: bytes) -> bytes:
    """A real README cut after its first entry, as a broken push leaves it."""
    lines = body.splitlines(keepends=True)
    section = next(i for i, line in enumerate(lines) if line.startswith(b"### "))
    first = next(i for i in range(section, len(lines)) if lines[i].startswith(b"- **"))
    cut = b"".join(lines[:first + 1])
    assert len(parse_awesome_list(cut).entries) == 1
    return cut


def list_news(rig: Rig) -> int:
    return rig.db["outbox"].count_where("text like '%removed%' or text like '%Removed%'")


async def test_feed_list_readme_that_shrinks_to_one_entry_is_held_until_confirmed(
        rig, logs) -> None:
    news = 502  # follows a topic, instantly: list news would reach it at once
    chats.ensure_chat(rig.db, news)
    chats.set_chat_setting(rig.db, news, digest="instant")
    chats.subscribe(rig.db, news, "topic", current_snapshot(rig.db).topics()[0].name)
    whole, broken = readme("124"), one_entry(readme("124"))
    rig.server.script("/README.md", Reply(whole), Reply(broken), Reply(whole), Reply(broken))
    await rig.job("poll_list")
    stable = lists.latest_version(rig.db)
    outbox_before = rig.db["outbox"].count
    logs.clear()
    summary = await rig.job("poll_list")  # the broken push: held, not a version, not news
    assert "held" in summary and lists.latest_version(rig.db) == stable
    assert lists.held_suspect(rig.db).entry_count == 1
    assert len(current_snapshot(rig.db).entries) == stable.entry_count
    assert rig.db["outbox"].count == outbox_before and list_news(rig) == 0
    assert job_runs.last_runs(rig.db)["poll_list"].failures == 0
    one_line(logs, "lost most of the list", "held")
    await rig.job("poll_list")  # fixed upstream: the list is whole again, nothing stored
    assert lists.latest_version(rig.db).id == stable.id and lists.held_suspect(rig.db) is None
    await rig.job("poll_list")  # broken again: held again
    assert lists.latest_version(rig.db).id == stable.id
    rig.server.script("/README.md", Reply(broken))
    summary = await rig.job("poll_list")  # seen on a later poll too: now it is the list
    assert "new version" in summary and lists.latest_version(rig.db).entry_count == 1
    assert lists.held_suspect(rig.db) is None and list_news(rig) >= 1
    sealed(logs, rig.api)


async def test_feed_list_readme_shrinking_twice_in_a_row_differently_is_confirmed(
        rig, logs) -> None:
    whole = readme("124")
    first, other = one_entry(whole), one_entry(whole) + b"\n"  # small both times, not equal
    rig.server.script("/README.md", Reply(whole), Reply(first), Reply(other))
    await rig.job("poll_list")
    stable = lists.latest_version(rig.db)
    await rig.job("poll_list")
    assert lists.latest_version(rig.db) == stable
    await rig.job("poll_list")
    latest = lists.latest_version(rig.db)
    assert latest.id > stable.id and latest.content_hash == lists.content_hash(other)
    sealed(logs, rig.api)


async def test_feed_list_readme_304_stores_nothing(rig, logs) -> None:
    rig.server.script("/README.md", Reply(readme("124"), etag='"124"'))
    await rig.job("poll_list")
    versions, entries = len(lists.list_versions(rig.db)), rig.db["list_entries"].count
    logs.clear()
    summary = await rig.job("poll_list")
    assert [r.status for r in rig.server.requests_to("/README.md")] == [200, 304]
    assert "not modified" in summary
    assert len(lists.list_versions(rig.db)) == versions
    assert rig.db["list_entries"].count == entries
    one_line(logs, "job poll_list", "not modified", level=logging.INFO)
    sealed(logs, rig.api)


# Citation counts (Semantic Scholar's batch endpoint), answered in-process by httpx.


def citations_api(*answers: tuple[int, bytes, dict[str, str]]):
    """A MockTransport that gives these answers in order (the last repeats); counts calls."""
    calls: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        status, body, headers = answers[min(len(calls), len(answers)) - 1]
        return httpx.Response(status, content=body, headers=headers)

    return httpx.MockTransport(answer), calls


def s2_records(ids: list[str], count: int = 7) -> bytes:
    return json.dumps([{"citationCount": count, "externalIds": {"ArXiv": i}} for i in ids]).encode()


async def test_feed_citations_429_persisting_reports_the_ids_for_later(logs, tmp_path) -> None:
    ids = ["1703.04416", "1703.04421"]
    transport, calls = citations_api((429, b'{"message": "Too Many Requests"}',
                                      {"Retry-After": "7"}))
    fake = FakeTime()
    async with httpx.AsyncClient(transport=transport) as client:
        result = await fetch_citations(client, "http://127.0.0.1:9/graph/v1", ids,
                                       sleep=fake.sleep)
    assert result.counts == () and result.failed == tuple(ids)
    assert len(calls) == 5 and fake.sleeps == [7.0] * 4  # Retry-After honoured each time
    db = open_db(tmp_path / "bot.db")
    citations.save_citations(db, result.counts)
    assert citations.stale_ids(db, ids, datetime.now(UTC)) == ids  # asked again next run
    one_line(logs, "citations: 2 ids skipped", "HTTP 429")
    no_token(logs.text)


async def test_feed_citations_garbage_chunk_skips_that_chunk_only(logs, tmp_path) -> None:
    ids = [f"1703.{n:05d}" for n in range(501)]  # two batches: 500 + 1
    transport, calls = citations_api((200, b"<html>oops</html>", {}),
                                     (200, s2_records(ids[500:]), {}))
    async with httpx.AsyncClient(transport=transport) as client:
        result = await fetch_citations(client, "http://127.0.0.1:9/graph/v1", ids)
    assert [c.arxiv_id for c in result.counts] == ["1703.00500"] and len(result.failed) == 500
    db = open_db(tmp_path / "bot.db")
    assert citations.save_citations(db, result.counts) == 1
    citations.save_citations(db, result.counts)  # saved twice: still one row
    assert db["citations"].count == 1
    assert len(citations.stale_ids(db, ids, datetime.now(UTC))) == 500
    one_line(logs, "citations: 500 ids skipped", "unreadable answer from", "/paper/batch")
    no_token(logs.text)


class PostServer:
    """Answers every POST on 127.0.0.1 with one fixed body (a broken citation service)."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        self.posts = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                owner.posts += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/graph/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


async def test_feed_citations_job_with_a_garbage_answer_keeps_the_ranking(rig, logs) -> None:
    rig.server.script("/rss", Reply(DAY1))
    await rig.job("poll_arxiv")
    ranked = rig.db["scores"].count
    broken = PostServer(b"<html><body>Bad gateway</body></html>")
    try:
        rig.services.config = replace(rig.services.config, citations_api_url=broken.url)
        logs.clear()
        summary = await rig.job("citations")
    finally:
        broken.close()
    # the day's two replacements have no known first version (the API knew neither): they
    # are not "recent", so the 11 new and cross-listed papers are asked for
    assert broken.posts == 1 and "11 failed (kept for the next run)" in summary
    assert rig.papers() == 13 and rig.db["scores"].count == ranked  # nothing lost
    assert rig.db["citations"].count == 0
    assert len(citations.stale_ids(rig.db, [p.arxiv_id for p in parse_arxiv_rss(DAY1).papers],
                                   NOW)) == 13  # asked again at the next run
    one_line(logs, "citations: 11 ids skipped", "unreadable answer from", broken.url)
    sealed(logs, rig.api)


class TricklePostServer:
    """Answers a POST 200 with a 1,000-byte body sent a byte every 0.2 s (200 s in all);
    records whether each answer was cut by the client before its body was complete."""

    def __init__(self) -> None:
        self.posts, self.cut, self.completed = 0, threading.Event(), 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                owner.posts += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                try:
                    for _ in range(1000):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(0.2)
                except OSError:
                    owner.cut.set()  # the client closed the connection mid-body
                    return
                owner.completed += 1

            def log_message(self, *args: object) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/graph/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


async def test_feed_citations_over_a_trickling_server_obey_http_total_timeout(rig, logs) -> None:
    # fault case 6: HTTP_TOTAL_TIMEOUT was ignored by the citations job (still running after
    # 200 s): every request is cut at the deadline, and a cut one is not tried again
    rig.server.script("/rss", Reply(DAY1))
    await rig.job("poll_arxiv")
    trickle = TricklePostServer()
    try:
        rig.services.config = replace(rig.services.config, citations_api_url=trickle.url,
                                      http_total_timeout=1.0)
        logs.clear()
        summary = await rig.job("citations")
        assert await asyncio.to_thread(trickle.cut.wait, 30)  # the server saw it cut
    finally:
        trickle.close()
    assert trickle.posts == 1 and trickle.completed == 0
    assert "11 failed (kept for the next run)" in summary
    assert "author impact: not asked" in summary  # the same slow service is not asked again
    line = one_line(logs, "citations: 11 ids skipped", "took longer than 1 s",
                    "(HTTP_TOTAL_TIMEOUT)")
    assert trickle.url in line
    assert rig.db["citations"].count == 0 and rig.papers() == 13  # nothing lost
    sealed(logs, rig.api)


# =========================================== TELEGRAM =========================================

GROUP = -1001234567890
ADMIN, MEMBER = 2001, 2002


def queue(rig: Rig, chat_id: int, *parts: str, cycle: str = "c1") -> None:
    """Record one message (its parts) for a chat, as compose_digests does."""
    chats.ensure_chat(rig.db, chat_id)
    with rig.db.atomic():
        outbox.enqueue(rig.db, chat_id, "digest", cycle, parts or (f"digest for {chat_id}",))


def later(rig: Rig, hours: float = 1.0) -> None:
    """Move the deliverer's wall clock forward (retry times are stored as wall time)."""
    rig.deliverer.wall = lambda: time.time() + hours * 3600


async def test_telegram_429_on_send_waits_then_delivers_once(rig, logs) -> None:
    queue(rig, 11)
    rig.api.fail_next("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    report = await rig.deliverer.deliver_pending()
    assert report.sent == 1 and time.monotonic() - started >= 1.0
    assert per_chat(rig.api) == {11: 1} and outbox.counts(rig.db) == {"sent": 1}
    one_line(logs, "Rate limit hit", level=logging.INFO)
    sealed(logs, rig.api)


async def test_telegram_403_blocked_switches_that_chat_off_and_serves_the_rest(rig, logs) -> None:
    for chat_id in (21, 22, 23):
        queue(rig, chat_id, "part one", "part two")
    rig.api.block_chat(22)
    report = await rig.deliverer.deliver_pending()
    assert (report.sent, report.dead_chats) == (4, 1)
    assert per_chat(rig.api) == {21: 2, 23: 2}
    assert not chats.get_chat(rig.db, 22).active and chats.get_chat(rig.db, 21).active
    assert outbox.counts(rig.db) == {"sent": 4, "dead": 2}  # both of 22's parts, recorded
    assert (await rig.deliverer.deliver_pending()).sent == 0
    one_line(logs, "chat 22 deactivated", "blocked by the user", level=logging.INFO)
    sealed(logs, rig.api)


async def test_telegram_400_chat_not_found_switches_the_chat_off(rig, logs) -> None:
    queue(rig, 24)
    queue(rig, 25)
    rig.api.block_chat(24, "Bad Request: chat not found", error_code=400)
    report = await rig.deliverer.deliver_pending()
    assert (report.sent, report.dead_chats, report.failed) == (1, 1, 0)
    assert per_chat(rig.api) == {25: 1} and not chats.get_chat(rig.db, 24).active
    assert outbox.counts(rig.db) == {"sent": 1, "dead": 1}
    one_line(logs, "chat 24 deactivated", "hat not found", level=logging.INFO)
    sealed(logs, rig.api)


async def test_telegram_500_is_retried_later_and_sent_once(rig, logs) -> None:
    queue(rig, 31, "first", "second")
    rig.api.fail_next("sendMessage", 500)
    first = await rig.deliverer.deliver_pending()
    assert (first.sent, first.retried) == (0, 1) and outbox.counts(rig.db) == {"pending": 2}
    assert (await rig.deliverer.deliver_pending()).retried == 0  # backing off, not hammering
    later(rig)
    assert (await rig.deliverer.deliver_pending()).sent == 2
    assert [m.text for m in rig.api.sent_messages(31)] == ["first", "second"]  # order kept
    one_line(logs, "to chat 31 retried in", "Internal Server Error", level=logging.INFO)
    sealed(logs, rig.api)


async def test_telegram_dropped_connection_after_the_body_left_is_never_resent(rig, logs) -> None:
    queue(rig, 32, "first", "second")
    rig.api.fail_next("sendMessage", "drop")  # the body arrived; no answer came back
    first = await rig.deliverer.deliver_pending()
    assert (first.unconfirmed, first.sent) == (1, 1)  # the chat's next message still went
    assert outbox.counts(rig.db) == {"unconfirmed": 1, "sent": 1}
    later(rig)
    assert (await rig.deliverer.deliver_pending()).sent == 0
    assert len(rig.api.calls("sendMessage")) == 2  # never asked again
    one_line(logs, "to chat 32 left but got no answer", "unconfirmed")
    sealed(logs, rig.api)


async def test_telegram_answer_slower_than_the_read_timeout_is_never_resent(rig, logs) -> None:
    queue(rig, 34)
    rig.api.set_latency(1.5, "sendMessage")  # Telegram answers after the client gave up
    bot = ExtBot(rig.api.token, base_url=rig.api.base_url,
                 request=outbox_request(read_timeout=0.3))
    async with bot:
        deliverer = Deliverer(bot, rig.db, clock=rig.time.clock, sleep=rig.time.sleep)
        first = await deliverer.deliver_pending()
        assert (first.unconfirmed, first.retried) == (1, 0)
        await rig.api.wait_for_async("sendMessage", timeout=30)  # the slow answer lands
        later(rig)
        deliverer.wall = rig.deliverer.wall
        assert (await deliverer.deliver_pending()).sent == 0
    assert outbox.counts(rig.db) == {"unconfirmed": 1}
    assert per_chat(rig.api) == {34: 1}  # delivered once, never twice
    one_line(logs, "to chat 34 left but got no answer", "unconfirmed")
    sealed(logs, rig.api)


async def test_telegram_rejected_html_goes_out_once_as_readable_plain_text(rig, logs) -> None:
    queue(rig, 33, "<b>Attention &amp; <i>memory</i> &lt;3 unclosed")
    queue(rig, 33, "next one", cycle="c2")
    report = await rig.deliverer.deliver_pending()
    assert report.sent == 2 and outbox.counts(rig.db) == {"sent": 2}
    assert [m.text for m in rig.api.sent_messages(33)] == ["Attention & memory <3 unclosed",
                                                           "next one"]
    one_line(logs, "resending it as plain text", "parse entities")
    sealed(logs, rig.api)


async def test_telegram_500_on_the_plain_text_retry_keeps_the_message_pending(rig, logs) -> None:
    queue(rig, 34, "<b>Attention</b> &amp; memory")
    rig.api.fail_next("sendMessage", 400, description="Bad Request: can't parse entities: "
                      "Unsupported start tag \"b\" at byte offset 0")
    rig.api.fail_next("sendMessage", 500)  # ... and the plain-text resend fails too
    report = await rig.deliverer.deliver_pending()
    assert (report.sent, report.retried) == (0, 1)
    assert outbox.counts(rig.db) == {"pending": 1}  # not stuck "on the wire", not lost
    later(rig)
    assert (await rig.deliverer.deliver_pending()).sent == 1
    assert [m.text for m in rig.api.sent_messages(34)] == ["<b>Attention</b> &amp; memory"]
    one_line(logs, "resending it as plain text", "nsupported start tag")
    assert len([r for r in logs.records if "retried in" in r.getMessage()]) == 1
    sealed(logs, rig.api)


async def test_telegram_edit_failure_on_a_stale_page_button(rig, logs) -> None:
    (topics,) = await rig.say("/topics")
    page = next(d for d in topics.callback_data if d.startswith("p:"))
    rig.api.fail_next("editMessageText", 400, description="Bad Request: message to edit not found")
    assert await rig.tap(page, topics.message_id) == []
    assert rig.api.last_call("answerCallbackQuery").ok  # the press was still answered
    one_line(logs, "could not edit message", "essage to edit not found", level=logging.INFO)
    (edit,) = await rig.tap(page, topics.message_id)  # the next press works, once
    assert edit.edited and "page 1/" in edit.text
    sealed(logs, rig.api)


async def test_telegram_set_my_commands_failure_at_start_is_not_fatal(rig, logs) -> None:
    rig.api.fail_next("setMyCommands", "drop")
    await publish_command_menu(rig.app)  # what post_init runs at start-up
    one_line(logs, "could not set the command menu", "disconnected")
    (reply,) = await rig.say("/help")  # the bot still answers
    assert "/papers" in reply.text
    await publish_command_menu(rig.app)  # the next start sets it, once per scope
    assert [c["command"] for c in rig.api.commands()][:2] == ["start", "help"]
    sealed(logs, rig.api)


async def test_telegram_get_chat_member_failure_means_not_an_admin(rig, logs) -> None:
    rig.api.add_chat(GROUP, "supergroup", title="DL readers")
    rig.api.set_chat_admins(GROUP, [ADMIN])
    rig.api.fail_next("getChatMember", 500)
    (refused,) = await rig.say("/subscribe@PapersTestBot cnn", GROUP, ADMIN)
    assert "Only the group's admins" in refused.text
    assert chats.subscriptions(rig.db, GROUP) == []
    one_line(logs, f"could not check admin rights in chat {GROUP}", "Internal Server Error")
    (done,) = await rig.say("/subscribe@PapersTestBot cnn", GROUP, ADMIN)
    assert "Subscribed" in done.text and len(chats.subscriptions(rig.db, GROUP)) == 1
    sealed(logs, rig.api)


async def test_telegram_answer_callback_failure_still_does_the_work(rig, logs) -> None:
    (start,) = await rig.say("/start")
    too_old = "Bad Request: query is too old and response timeout expired or query id is invalid"
    rig.api.fail_next("answerCallbackQuery", 400, description=too_old)
    (confirmation,) = await rig.tap(start.callback_data[0], start.message_id)
    assert "Subscribed" in confirmation.text
    assert len(chats.subscriptions(rig.db, 1001)) == 1
    (topics,) = await rig.say("/topics")
    rig.api.fail_next("answerCallbackQuery", 400, description=too_old)
    page = next(d for d in topics.callback_data if d.startswith("p:"))
    (edit,) = await rig.tap(page, topics.message_id)  # the page still turns
    assert edit.edited
    lines = [r for r in logs.records if "could not answer a button press" in r.getMessage()]
    assert len(lines) == 2 and all("uery is too old" in r.getMessage() for r in lines)
    quiet(logs)
    sealed(logs, rig.api)


async def test_telegram_kicked_from_a_group_while_replying(rig, logs) -> None:
    rig.api.add_chat(GROUP, "supergroup", title="DL readers")
    rig.api.block_chat(GROUP, "Forbidden: bot was kicked from the supergroup chat")
    assert await rig.say("/topics", GROUP, MEMBER) == []
    assert not chats.get_chat(rig.db, GROUP).active
    one_line(logs, f"chat {GROUP} deactivated", "kicked", level=logging.INFO)
    rig.api.unblock_chat(GROUP)  # added back: the next command switches it on again
    (reply,) = await rig.say("/topics", GROUP, MEMBER)
    assert chats.get_chat(rig.db, GROUP).active and "(" in reply.text
    assert rig.db["chats"].count_where("chat_id = ?", [GROUP]) == 1
    sealed(logs, rig.api)


OLD_GROUP, SUPERGROUP = -4001, -1_000_000_004_001


def old_group(rig: Rig) -> None:
    """A group with settings, a subscription, a vote and a two-part digest waiting."""
    chats.ensure_chat(rig.db, OLD_GROUP, "group", "DL readers")
    chats.set_chat_setting(rig.db, OLD_GROUP, lang="zh", digest="weekly", digest_hour=7)
    chats.subscribe(rig.db, OLD_GROUP, "keyword", "attention")
    chats.record_vote(rig.db, OLD_GROUP, "1312.2244", 1)
    queue(rig, OLD_GROUP, "part one", "part two")


def moved_to_the_supergroup(rig: Rig) -> None:
    new, old = chats.get_chat(rig.db, SUPERGROUP), chats.get_chat(rig.db, OLD_GROUP)
    assert new is not None and old is not None
    assert (new.active, new.chat_type, new.lang, new.digest, new.digest_hour) == (
        True, "supergroup", "zh", "weekly", 7)
    assert not old.active
    assert [(s.kind, s.value) for s in chats.subscriptions(rig.db, SUPERGROUP)] == [
        ("keyword", "attention")]
    assert chats.subscriptions(rig.db, OLD_GROUP) == [] and chats.votes(rig.db, OLD_GROUP) == {}
    assert chats.votes(rig.db, SUPERGROUP) == {"1312.2244": 1}
    assert [c.chat_id for c in chats.active_chats(rig.db)].count(SUPERGROUP) == 1
    assert OLD_GROUP not in [c.chat_id for c in chats.active_chats(rig.db)]


async def test_telegram_group_upgraded_to_a_supergroup_moves_the_chat_and_sends_there(
        rig, logs) -> None:
    old_group(rig)
    rig.api.migrate_chat(OLD_GROUP, SUPERGROUP)  # 400 with parameters.migrate_to_chat_id
    report = await rig.deliverer.deliver_pending()
    assert (report.sent, report.dead_chats, report.failed) == (2, 0, 0)
    assert [m.text for m in rig.api.sent_messages(SUPERGROUP)] == ["part one", "part two"]
    assert [c.status for c in rig.api.calls("sendMessage")] == [400, 200, 200]
    assert outbox.counts(rig.db) == {"sent": 2}
    moved_to_the_supergroup(rig)
    queue(rig, SUPERGROUP, "next digest", cycle="c2")  # the next digest goes to the new id
    assert (await rig.deliverer.deliver_pending()).sent == 1
    assert per_chat(rig.api) == {SUPERGROUP: 3}
    one_line(logs, f"chat {OLD_GROUP} was upgraded to supergroup {SUPERGROUP}",
             level=logging.INFO)
    sealed(logs, rig.api)


async def test_telegram_migration_service_messages_move_the_chat_once(rig, logs) -> None:
    old_group(rig)
    for update in rig.api.migrate_chat(OLD_GROUP, SUPERGROUP):  # both, as Telegram sends them
        await rig.app.process_update(Update.de_json(update, rig.app.bot))
    moved_to_the_supergroup(rig)
    assert rig.api.sent_messages() == []  # no answer to a service message
    assert (await rig.deliverer.deliver_pending()).sent == 2
    assert per_chat(rig.api) == {SUPERGROUP: 2}
    assert [c.status for c in rig.api.calls("sendMessage")] == [200, 200]  # no 400 first
    one_line(logs, f"chat {OLD_GROUP} was upgraded to supergroup {SUPERGROUP}",
             level=logging.INFO)
    sealed(logs, rig.api)


async def test_telegram_deleted_forum_topic_falls_back_to_the_general_topic(rig, logs) -> None:
    chats.ensure_chat(rig.db, GROUP, "supergroup", "DL readers")
    chats.set_chat_setting(rig.db, GROUP, thread_id=77)
    with rig.db.atomic():
        outbox.enqueue(rig.db, GROUP, "digest", "c1", ["part one", "part two"], thread_id=77)
    rig.api.delete_topic(GROUP, 77)  # 400 "Bad Request: message thread not found"
    report = await rig.deliverer.deliver_pending()
    assert (report.sent, report.failed, report.dead_chats) == (2, 0, 0)
    calls = rig.api.calls("sendMessage")
    assert [(c.status, c.params.get("message_thread_id")) for c in calls] == [
        (400, 77), (200, None), (200, None)]
    assert chats.get_chat(rig.db, GROUP).thread_id is None  # the topic is forgotten
    with rig.db.atomic():
        outbox.enqueue(rig.db, GROUP, "digest", "c2", ["next digest"],
                       thread_id=chats.get_chat(rig.db, GROUP).thread_id)
    assert (await rig.deliverer.deliver_pending()).sent == 1
    assert sum(c.status == 400 for c in rig.api.calls("sendMessage")) == 1  # never again
    assert outbox.counts(rig.db) == {"sent": 3}
    one_line(logs, f"chat {GROUP}: forum topic 77 is gone", level=logging.INFO)
    sealed(logs, rig.api)


async def test_telegram_flood_limit_across_many_chats_delivers_each_once(rig, logs) -> None:
    fanout = range(3000, 3012)
    for chat_id in fanout:
        queue(rig, chat_id)
    rig.api.flood_limit(5, 1.0, retry_after=1)  # far below what the bot is allowed to send
    for _ in range(10):
        await rig.deliverer.deliver_pending()
        if not outbox.counts(rig.db).get("pending"):
            break
        later(rig)
    assert per_chat(rig.api) == dict.fromkeys(fanout, 1)
    assert outbox.counts(rig.db) == {"sent": 12}
    floods = sum(c.status == 429 for c in rig.api.calls("sendMessage"))
    assert floods >= 1
    lines = [r for r in logs.records
             if "Rate limit hit" in r.getMessage() or "Flood control" in r.getMessage()]
    assert len(lines) == floods  # one line per 429, nothing louder
    quiet(logs)
    sealed(logs, rig.api)


# =========================================== PROCESS ==========================================


def outbox_db(path: Path, chat_ids: range) -> None:
    """A database file holding one pending digest for each chat."""
    db = open_db(path)
    seed_bundled(db)
    with db.atomic():
        for chat_id in chat_ids:
            chats.ensure_chat(db, chat_id)
            outbox.enqueue(db, chat_id, "digest", "c1", [f"<b>digest</b> for {chat_id}"])
    db.close()


@pytest.fixture
def cli(monkeypatch, capsys, tmp_path):
    """Run `papers-bot ...` in-process; restore the logging it configures afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {n: logging.getLogger(n).level for n in NOISY_LOGGERS}
    monkeypatch.setenv("PAPERS_BOT_DB", str(tmp_path / "bot.db"))
    monkeypatch.setenv("CITATIONS_API_KEY", S2_KEY)
    for name in ("TELEGRAM_BOT_TOKEN", "MAINTAINER_IDS", "TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)

    def run(*argv: str, **env: str) -> tuple[int, str, str]:
        from bot.cli import main

        for name, value in env.items():
            monkeypatch.setenv(name, value)
        code = main(list(argv))
        out, err = capsys.readouterr()
        no_token(out, err)
        return code, out, err

    yield run
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def one_stderr_line(err: str, *needles: str) -> str:
    """The command said what went wrong in one line, with no traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert all(n in lines[0] for n in needles), lines[0]
    return lines[0]


def test_process_sigterm_mid_fanout_then_restart_sends_each_once(tmp_path) -> None:
    db_path = tmp_path / "bot.db"
    fanout = range(4000, 4100)
    outbox_db(db_path, fanout)
    with FakeBotApi(latency=0.01) as api:
        env = {**os.environ, "PAPERS_BOT_DB": str(db_path), "TELEGRAM_BOT_TOKEN": api.token,
               "TELEGRAM_API_URL": api.base_url, "TELEGRAM_RATE_LIMIT": "50",
               "CITATIONS_API_KEY": S2_KEY,
               "LIST_README_URL": "http://127.0.0.1:9/README.md",
               "ARXIV_RSS_URL": "http://127.0.0.1:9/rss"}

        def start() -> subprocess.Popen:
            return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        # SIGTERM lands while the first run works through the outbox: it may drain what it
        # started or leave the rest pending; either way the restart must repeat nothing.
        first = start()  # resumes the outbox a second after start
        try:
            api.wait_for("sendMessage", count=20, timeout=30)
            at_signal = len(api.sent_messages())
        finally:
            first.send_signal(signal.SIGTERM)
            out1, err1 = first.communicate(timeout=30)
        assert at_signal < len(fanout), "SIGTERM must land mid fan-out"
        assert first.returncode == 0 and "stopped cleanly" in err1, err1
        polls = len(api.calls("getUpdates"))
        second = start()
        try:
            api.wait_for("getUpdates", count=polls + 1, timeout=30)  # the restart is up...
            deadline = time.monotonic() + 20
            while len(per_chat(api)) < len(fanout) and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1.5)  # ...past its resume: room for any duplicate to show up
        finally:
            second.send_signal(signal.SIGTERM)
            out2, err2 = second.communicate(timeout=30)
        assert second.returncode == 0 and "stopped cleanly" in err2, err2
        counts = per_chat(api)
    final = outbox.counts(open_db(db_path))
    assert "pending" not in final and "sending" not in final
    assert final.get("sent", 0) + final.get("unconfirmed", 0) == len(fanout)
    assert set(counts.values()) == {1}, [c for c, n in counts.items() if n != 1]
    assert len(counts) + final.get("unconfirmed", 0) >= len(fanout)  # none lost
    for err in (err1, err2):
        assert "Traceback" not in err and " ERROR " not in err, err
    no_token(out1, err1, out2, err2)


async def test_process_restart_settles_rows_on_the_wire_and_resumes_the_rest(rig, logs) -> None:
    for chat_id in (41, 42, 43):
        queue(rig, chat_id)
    (on_wire,) = [m for m in outbox.pending(rig.db, time.time()) if m.chat_id == 42]
    outbox.mark_on_wire(rig.db, on_wire.id)  # the process died right after writing this one
    restarted = Deliverer(rig.app.bot, rig.db, clock=rig.time.clock, sleep=rig.time.sleep)
    one_line(logs, "1 messages were on the wire", "not sent again")
    report = await restarted.deliver_pending()
    assert report.sent == 2 and per_chat(rig.api) == {41: 1, 43: 1}
    assert outbox.counts(rig.db) == {"sent": 2, "unconfirmed": 1}  # kept, visible in /stats
    assert (await restarted.deliver_pending()).sent == 0
    sealed(logs, rig.api)


async def test_process_database_locked_by_another_writer_loses_nothing(rig, logs) -> None:
    rig.server.script("/rss", Reply(DAY1))
    locked, release = threading.Event(), threading.Event()

    def other_writer() -> None:
        conn = sqlite3.connect(rig.db.conn.execute("pragma database_list").fetchone()[2])
        conn.execute("begin immediate")  # holds the write lock...
        locked.set()
        release.wait(5)
        time.sleep(0.3)  # ...a little past the moment the bot wants to write
        conn.rollback()
        conn.close()

    writer = threading.Thread(target=other_writer)
    writer.start()
    locked.wait(5)
    release.set()
    started = time.monotonic()
    summary = await rig.job("poll_arxiv")
    writer.join()
    assert time.monotonic() - started >= 0.25  # it waited for the lock (busy_timeout)...
    assert "4 new" in summary and rig.papers() == 13  # ...and lost nothing
    assert per_chat(rig.api) == {READER: 1}
    one_line(logs, "job poll_arxiv", "4 new", level=logging.INFO)
    sealed(logs, rig.api)


async def test_process_refresh_pressed_four_times_runs_once(rig, logs) -> None:
    rig.server.script("/README.md", Reply(readme("124")))
    rig.server.script("/rss", Reply(DAY1))
    versions = len(lists.list_versions(rig.db))
    await rig.app.start()  # the job queue runs /refresh's job
    try:
        await rig.services.list_lock.acquire()  # the first refresh holds at its list poll
        presses = [await rig.say("/refresh", MAINTAINER) for _ in range(4)]
        rig.services.list_lock.release()
        await rig.api.wait_for_async(lambda call: reports(rig) >= 1, timeout=60)
        (again,) = await rig.say("/refresh", MAINTAINER)  # done: the next press runs again
        await rig.api.wait_for_async(lambda call: reports(rig) >= 2, timeout=60)
    finally:
        await rig.app.stop()
    assert [len(p) for p in presses] == [1, 1, 1, 1]
    assert "Refreshing" in presses[0][0].text and "Refreshing" in again.text
    assert all("already running" in p[0].text for p in presses[1:])
    assert len(rig.server.requests_to("/README.md")) == 2  # one per run, not one per press
    assert len(lists.list_versions(rig.db)) == versions + 1  # the same body twice: one version
    texts = [m.text for m in rig.api.sent_messages(READER)]
    assert texts and len(set(texts)) == len(texts)  # no digest twice
    assert sum(1 for r in logs.records if r.getMessage().startswith("job refresh:")) == 2
    sealed(logs, rig.api)


async def test_process_two_list_polls_at_once_store_one_version(rig, logs) -> None:
    rig.server.script("/README.md", Reply(readme("124")))  # the bundled list is 125
    versions = len(lists.list_versions(rig.db))
    summaries = await asyncio.gather(rig.job("poll_list"), rig.job("poll_list"))
    assert len(lists.list_versions(rig.db)) == versions + 1
    assert sorted(s.split(" ")[1] for s in summaries) == ["new", "unchanged"], summaries
    quiet(logs)
    sealed(logs, rig.api)


def reports(rig: Rig) -> int:
    sent = rig.api.sent_messages(MAINTAINER)
    return sum(1 for m in sent if (m.text or "").startswith("refresh:"))


# Another process (a backup, a sync, `papers-bot ask`) holds SQLite's write lock until the test
# writes a line to it: the test decides when the lock is released, so what happened while it
# was held is told by order of events, never by a clock.
LOCK_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("begin immediate")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("commit")
print("released", flush=True)
"""


class WriteLockHolder:
    """A separate process holding the database's write lock until `release()`."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(path)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None and self.process.stdin is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        assert self.stdout.readline().strip() == "locked"

    @property
    def holding(self) -> bool:
        return self.process.poll() is None

    def release(self) -> None:
        self.stdin.write("go\n")
        self.stdin.flush()
        assert self.stdout.readline().strip() == "released"
        self.process.wait(30)

    def close(self) -> None:
        if self.holding:
            self.process.kill()
            self.process.wait(30)


async def test_process_another_process_holding_the_write_lock_delays_no_reply(
        rig, logs, tmp_path) -> None:
    """Issue 20 case 2: a newcomer's /help was never answered and others waited 4-20 s while
    another process held the write lock. Reads need no lock (WAL), so /help and /papers are
    answered while it is held; the newcomer's registration and its /subscribe wait on the
    writer and land once the lock is released, once each."""
    newcomer = 7001
    holder = WriteLockHolder(tmp_path / "bot.db")
    try:
        (help_reply,) = await rig.say("/help", chat_id=newcomer)
        (papers_reply,) = await rig.say("/papers gan", chat_id=READER)
        assert await rig.say("/subscribe gan", chat_id=newcomer) == []  # its write must wait
        (again,) = await rig.say("/help", chat_id=newcomer)  # ...and holds nobody's reply
        assert holder.holding  # every reply above arrived while the lock was held
        assert chats.get_chat(rig.db, newcomer) is None  # not registered yet, nor lost:
        # each message of the unknown chat asks to register it (idempotent), then /subscribe
        assert rig.services.writes().waiting == 4
        holder.release()
        replies = await rig.api.wait_for_messages(3, chat_id=newcomer, timeout=30)
    finally:
        holder.close()
    assert "/papers" in help_reply.text and again.text == help_reply.text
    assert "Generative adversarial nets" in papers_reply.text
    assert "Subscribed to" in replies[2].text
    assert rig.db.table("chats").count_where("chat_id = ?", [newcomer]) == 1
    (followed,) = chats.subscriptions(rig.db, newcomer)
    assert followed.kind == "topic", followed
    assert per_chat(rig.api) == {newcomer: 3, READER: 1}
    one_line(logs, "locked by another process")
    sealed(logs, rig.api)


async def test_process_a_vote_pressed_while_another_process_holds_the_lock_lands_once(
        rig, logs, tmp_path) -> None:
    """A button whose press writes (a 👍) is answered once its write lands after the lock is
    released; meanwhile the same chat's reads are answered."""
    (sent,) = await rig.say("/help", chat_id=READER)
    holder = WriteLockHolder(tmp_path / "bot.db")
    try:
        assert await rig.tap("v:+:1503.02531", sent.message_id, chat_id=READER) == []
        (help_reply,) = await rig.say("/help", chat_id=READER)  # not held by the press
        assert holder.holding and rig.api.calls("answerCallbackQuery") == []
        assert chats.votes(rig.db, READER) == {}
        holder.release()
        (toast,) = await rig.api.wait_for_async("answerCallbackQuery", timeout=30)
    finally:
        holder.close()
    assert help_reply.text == sent.text and toast.params.get("text")
    assert chats.votes(rig.db, READER) == {"1503.02531": 1}
    one_line(logs, "locked by another process")
    sealed(logs, rig.api)


def test_process_unwritable_database_path_is_one_line(cli, tmp_path) -> None:
    (tmp_path / "not-a-folder").write_text("a file where the database folder should be")
    for path in (tmp_path / "not-a-folder" / "bot.db", tmp_path):
        code, out, err = cli("ask", "/help", PAPERS_BOT_DB=str(path))
        assert code == 2 and out == ""
        one_stderr_line(err, "papers-bot: error: cannot open database", str(path))


def test_process_disk_full_after_the_database_opened_is_one_line(cli, tmp_path,
                                                                 monkeypatch) -> None:
    # Free space was checked at open; then the disk fills while the command writes. SQLite
    # says SQLITE_FULL (provoked here with max_page_count: the file may not grow a page).
    import storage.db

    path = tmp_path / "bot.db"
    open_db(path).conn.close()  # migrated, the list not seeded yet: `ask` will write it
    real_connect = sqlite3.connect

    def full_disk(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        pages = conn.execute("pragma page_count").fetchone()[0]
        conn.execute(f"pragma max_page_count = {pages}")
        return conn

    monkeypatch.setattr(storage.db.sqlite3, "connect", full_disk)
    code, out, err = cli("ask", "/papers gan", PAPERS_BOT_DB=str(path))
    assert code == 2 and out == ""
    one_stderr_line(err, f"papers-bot: error: database {path}: database or disk is full")


class FullDisk:
    """The database's connection with every write refused while `full`, in SQLite's words
    for a full disk (SQLITE_FULL); reads go through, as they do on a real full disk."""

    WRITES = ("insert", "update", "delete", "replace", "create", "drop", "alter")

    def __init__(self, conn: sqlite3.Connection, enough: int = 5) -> None:
        self.conn, self.full, self.refused = conn, True, 0
        self.enough, self.refused_enough = enough, asyncio.Event()

    def _check(self, sql: str) -> None:
        if self.full and sql.lstrip().lower().startswith(self.WRITES):
            self.refused += 1
            if self.refused >= self.enough:
                self.refused_enough.set()
            raise sqlite3.OperationalError("database or disk is full")

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        self._check(sql)
        return self.conn.execute(sql, *args)

    def executemany(self, sql: str, *args: object) -> sqlite3.Cursor:
        self._check(sql)
        return self.conn.executemany(sql, *args)

    def __enter__(self) -> FullDisk:
        self.conn.__enter__()
        return self

    def __exit__(self, *exc: object) -> bool | None:
        return self.conn.__exit__(*exc)

    def __getattr__(self, name: str) -> object:
        return getattr(self.conn, name)


async def test_process_disk_full_during_a_poll_then_space_returns(rig, logs) -> None:
    # fault case 20: the disk fills during a poll; a new chat's /start meanwhile. Each
    # failure is one line; the /start is answered by itself once there is room again
    rig.server.script("/rss", Reply(DAY1))
    disk = FullDisk(rig.db.conn)
    rig.db.conn = disk  # type: ignore[assignment]
    own_writer = rig.services.writer  # a full disk refuses every connection's writes: the
    rig.services.writer = Writer(inline=rig.db)  # writer's too, so it writes on this one
    state = rig.app.bot_data
    state.storage_retry_seconds = 0.05
    try:
        summary = await rig.job("poll_arxiv")
        assert "database or disk is full" in summary and rig.papers() == 0
        one_line(logs, "arXiv sync of", "failed: database or disk is full")
        assert "poll_arxiv" not in job_runs.last_runs(rig.db)  # nothing could be written
        logs.clear()
        (notice,) = await rig.say("/start", chat_id=9001)
        assert "disk is full" in notice.text and "as soon as I can" in notice.text
        await asyncio.wait_for(disk.refused_enough.wait(), 30)  # it tries while full...
        disk.full = False  # ...space returns
        _, welcome = await rig.api.wait_for_messages(2, chat_id=9001, timeout=30)
    finally:
        rig.db.conn = disk.conn
        rig.services.writer = own_writer
    assert "Tap a topic to subscribe" in welcome.text
    assert chats.get_chat(rig.db, 9001) is not None
    lines = [r for r in logs.records if r.levelno >= logging.WARNING]
    assert lines and all(r.exc_info is None and "\n" not in r.getMessage()
                         and "handling it again" in r.getMessage() for r in lines)
    assert len(rig.api.sent_messages(9001)) == 2  # the notice, then the answer: no more
    logs.clear()
    summary = await rig.job("poll_arxiv")  # the next poll works, and is recorded
    assert "4 new" in summary and rig.papers() == 13
    assert job_runs.last_runs(rig.db)["poll_arxiv"].last_ok_at is not None
    one_line(logs, "job poll_arxiv", "4 new", level=logging.INFO)
    sealed(logs, rig.api)


def test_process_second_deliver_after_completion_sends_nothing(cli, tmp_path) -> None:
    outbox_db(tmp_path / "bot.db", range(4200, 4203))
    with FakeBotApi() as api:
        env = {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url}
        code1, out1, err1 = cli("deliver", **env)
        code2, out2, err2 = cli("deliver", **env)
        counts = per_chat(api)
    assert (code1, code2) == (0, 0)
    assert out1.strip() == "delivery: 3 sent, 0 to retry, 0 failed, 0 chats deactivated"
    assert out2.strip() == "delivery: 0 sent, 0 to retry, 0 failed, 0 chats deactivated"
    assert counts == dict.fromkeys(range(4200, 4203), 1)
    assert outbox.counts(open_db(tmp_path / "bot.db")) == {"sent": 3}
    assert "WARNING" not in err1 + err2 and "Traceback" not in err1 + err2
    no_token(out1, out2, err1, err2)


def test_process_deliver_with_the_bot_api_unreachable_is_one_line(cli, tmp_path) -> None:
    # fault case 19 for the one-shot `deliver` (was a 121-line traceback): nothing is sent,
    # nothing is lost
    import socket

    outbox_db(tmp_path / "bot.db", range(4500, 4502))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))  # bound, never listening: nothing answers
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/bot"
        code, out, err = cli("deliver", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=closed)
    assert code == 2 and out == ""
    one_stderr_line(err, "papers-bot: error: the Telegram Bot API did not answer (NetworkError",
                    "nothing was sent")
    assert outbox.counts(open_db(tmp_path / "bot.db")) == {"pending": 2}


@pytest.mark.parametrize("command", ["deliver", "run"])
def test_process_revoked_token_is_one_line_without_the_token(cli, tmp_path, command) -> None:
    outbox_db(tmp_path / "bot.db", range(4300, 4302))
    with FakeBotApi(token="654321:SOME-OTHER-BOTS-TOKEN-abcdefgh") as api:  # ours is revoked
        code, out, err = cli(command, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.base_url)
        assert per_chat(api) == {}
    assert code == 2
    one_stderr_line(err, "TELEGRAM_BOT_TOKEN was rejected", "401")
    assert outbox.counts(open_db(tmp_path / "bot.db")) == {"pending": 2}  # kept for later
    no_token(out, err)


# ============================================ INPUT ===========================================

ERROR_REPLY = "something went wrong"


def pending_suggestion(rig: Rig) -> int:
    return suggestions.add_suggestion(rig.db, "1703.04416", "Guetzli", "Image", "New papers",
                                      4.2, (Reason(ReasonKey.TEXT, {"text": "reason"}),),
                                      "- **Guetzli** (2017)")


async def test_input_forged_callback_data_changes_nothing(rig, logs) -> None:
    suggestion = pending_suggestion(rig)
    (topics,) = await rig.say("/topics")
    forged = ["p:99.zzzz:0", "p:0.0000:1", "p:0.abcd:-1", "v:x:1", "v:+:" + "x" * 50, "s:", "s:7",
              "garbage", "", "g:1:a", f"g:{suggestion}:a", "p:" + "9" * 62, "\u202e:1",
              "r:²", "q:²:1", "q:1:²", "gp:²", "g:²:a", "p:0.abcd:²", "c:e:².abcd", "r:١٢",
              "v:+:1799.99999", "v:-:not-a-paper"]  # Unicode digits; votes for no paper
    for data in forged:
        assert await rig.tap(data, topics.message_id) == []
    toasts = [c.params.get("text", "") for c in rig.api.calls("answerCallbackQuery")]
    assert len(toasts) == len(forged)
    assert all("expired" in t or "only the list's maintainers" in t for t in toasts), toasts
    assert chats.subscriptions(rig.db, 1001) == [] and chats.votes(rig.db, 1001) == {}
    status = rig.db.execute("select status from suggestions where id = ?", [suggestion])
    assert status.fetchone()[0] == "pending"  # a non-maintainer cannot accept it
    quiet(logs)
    sealed(logs, rig.api)


async def test_input_4000_char_commands_are_answered_within_limits(rig, logs) -> None:
    long_inputs = ["/search " + "attention " * 400, "/subscribe " + "x" * 4000,
                   "/papers " + "<b>" * 1300, "/paper " + "&amp;" * 800, "/digest " + "d" * 4000]
    for text in long_inputs:
        (reply,) = await rig.say(text)  # the fake rejects invalid HTML or > 4096 characters
        assert len(reply.text) <= 4096 and ERROR_REPLY not in reply.text
    assert "&lt;b&gt;" in rig.api.sent_messages()[2].text  # echoed input is escaped
    assert chats.subscriptions(rig.db, 1001) == []
    assert chats.get_chat(rig.db, 1001).digest == "daily"
    quiet(logs)
    sealed(logs, rig.api)


async def test_input_a_200_word_quoted_phrase_costs_what_a_short_one_does(rig, logs) -> None:
    """Hostile case 0: a quoted phrase of N words once expanded into 2^N FTS variants (N = 23
    took 1.9 GB). Every query's cost is bounded before it runs: memory is measured, not time."""
    papers.store_papers(rig.db, parse_arxiv_rss(DAY1).papers, announced=None)
    words = ["nets", "maps", "cats", "dogs"]  # two forms each (net/nets): 2^N variants
    short = " ".join(words[i % 4] for i in range(90))  # 90 words: closed within 500 characters
    phrase = " ".join(words[i % 4] for i in range(200))  # 200 words: cut by the length cap
    tracemalloc.start()
    try:
        for text in (f'/search "{short}"', f'/search "{phrase}"', f'/search "{short}" guetzli',
                     f'/subscribe "{short}"', f'/paper "{short}"'):
            (reply,) = await rig.say(text)
            assert ERROR_REPLY not in reply.text and len(reply.text) <= 4096
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"peak {peak / 2**20:.0f} MB"
    assert len(parse_query(f'"{short}"').phrases[0]) > 1  # the phrase was read as a phrase
    long_query = Query(phrase, phrases=(tuple(phrase.split()),))  # however a Query is made
    assert len(match_expression(long_query)) < 20_000  # MAX_VARIANT_PHRASES variants at most
    quiet(logs)
    sealed(logs, rig.api)


async def test_input_astral_titles_are_cut_by_utf16_units(rig, logs) -> None:
    """Hostile case 11: titles of astral-plane characters (two UTF-16 units each) once made
    /search and a digest part "message is too long": the fake counts UTF-16 units, as
    Telegram does, and so must the cutter."""
    astral = ("\U0001d4d6\U0001f600" * 200).encode()  # 400 characters, 800 UTF-16 units
    rig.server.script("/rss", Reply(DAY1.replace(b"<title>", b"<title>" + astral + b" ")))
    chats.ensure_chat(rig.db, 777)
    chats.set_chat_setting(rig.db, 777, digest="instant")
    chats.subscribe(rig.db, 777, "keyword", "learning")
    await rig.job("poll_arxiv")
    (found,) = await rig.say("/search learning")
    (card,) = await rig.say(f"/paper {parse_arxiv_rss(DAY1).papers[0].arxiv_id}")
    sent = rig.api.sent_messages()
    assert found in sent and card in sent and rig.api.sent_messages(777)  # all accepted
    for message in sent:
        assert len(message.text.encode("utf-16-le")) // 2 <= 4096
    quiet(logs)
    sealed(logs, rig.api)


async def test_input_bidi_controls_and_zero_width_characters_are_not_shown(rig, logs) -> None:
    """Hostile case 16: an unterminated U+202E in a title reversed the rest of the card's
    line; zero-width characters were kept. Shown text drops both; stored text is as sent."""
    (paper, *_) = parse_arxiv_rss(DAY1).papers
    tricky = "\u202eGuetzli\u200b JPEG\u2066 isolate\ufeff"
    papers.store_papers(rig.db, [replace(paper, title=tricky)], announced=None)
    (card,) = await rig.say(f"/paper {paper.arxiv_id}")
    (found,) = await rig.say("/search guetzli")
    assert papers.get_paper(rig.db, paper.arxiv_id).title == tricky
    for message in (card, found):
        assert "Guetzli JPEG isolate" in message.text
        assert not any(ch in message.text for ch in "\u202e\u200b\u2066\ufeff")
    quiet(logs)
    sealed(logs, rig.api)


def test_input_readme_bodies_that_were_quadratic_parse_in_one_pass(monkeypatch) -> None:
    """Hostile cases 10 and 18: 120 KB of unclosed `<!--` (41 s for 100 KB) and one line of
    comma-separated words (649 kB in 15.6 s). The work is counted, not timed: the author
    split looks at no more than its 80-character tail, and comments are one scan."""
    import feeds.awesome_list as parser

    real = readme("125").decode()
    examined: list[int] = []
    pattern = parser._AUTHORISH

    class Counting:
        def match(self, text: str):  # type: ignore[no-untyped-def]
            examined.append(len(text))
            return pattern.match(text)

    monkeypatch.setattr(parser, "_AUTHORISH", Counting())
    words = ", ".join(f"word{i}" for i in range(60_000))  # ~650 kB, no year, no bold
    snapshot = parser.parse_awesome_list(f"### Understanding / Generalization\n- {words}\n")
    (entry,) = snapshot.entries
    assert entry.title.startswith("word0, word1") and entry.authors == ""
    assert sum(examined) < 80 * 80  # the old split joined every tail: ~10^10 characters

    unclosed = real.replace("### Optimization / Training Techniques",
                            "### Optimization / Training Techniques\n" + "<!-- x " * 17_000, 1)
    visible, comments = parser.split_comments("a<!--b-->c" + "<!-- x " * 17_000)
    assert visible == "ac" and len(comments) == 2  # an unclosed comment hides the rest
    before = {s.name: len(s.entries) for s in parser.parse_awesome_list(real).sections}
    after = {s.name: len(s.entries) for s in parser.parse_awesome_list(unclosed).sections}
    assert after["Optimization / Training Techniques"] == 0  # hidden, as in HTML
    assert {k: v for k, v in after.items() if k != "Optimization / Training Techniques"} == {
        k: v for k, v in before.items() if k != "Optimization / Training Techniques"}


HOSTILE_TITLES = (
    "Attention [is all](https://evil.example/a) you [[pdf]](https://evil.example/b) need",
    "Bare links https://evil.example/x, www.evil.example and me@evil.example in a title",
    "~~Struck~~ results and ~tilde~ noise",
    "&#60;b&#62;Bold&#60;/b&#62; &amp; &copy; entities stay text",
    "$O(n^2)$ math, :tada: emoji, `code`, *stars* and _under_ (2017)",
    ":leading colon, trailing dash -",
)


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_input_hostile_titles_export_as_the_literal_title(title) -> None:
    """Case 17: the maintainers' line renders (GitHub's own cmark-gfm) as the literal title,
    with no link, strike-through or tag of its own, and the list's parser reads it back."""
    cmarkgfm = pytest.importorskip("cmarkgfm", reason="GitHub's renderer: pip install '.[test]'")
    paper = replace(parse_arxiv_rss(DAY1).papers[0], title=title)  # a real record, its title
    line = markdown_line(paper)
    html_line = cmarkgfm.github_flavored_markdown_to_html(line)
    shown = re.fullmatch(r"<ul>\s*<li><strong>(.*?)</strong>(.*)</li>\s*</ul>\s*", html_line, re.S)
    assert shown, html_line
    inside = re.sub(r"<!--.*?-->", "", shown.group(1))  # the empty link breakers show nothing
    assert "<" not in inside and html.unescape(inside) == title  # literal, no markup at all
    assert shown.group(2).count("<a ") == 1  # only the entry's own [pdf] link
    real = readme("125").decode()
    section = parse_awesome_list(real).topics()[0].name
    patched = parse_awesome_list(insert_lines(real, {section: [line]}))
    (entry,) = [e for e in patched.entries if e.arxiv_id == paper.arxiv_id]
    assert (entry.title, entry.year) == (title, int(paper.published[:4]))
    assert len(patched.entries) == len(parse_awesome_list(real).entries) + 1


async def test_input_html_and_script_in_feed_titles_are_rendered_escaped(rig, logs) -> None:
    hostile = DAY1.replace(
        b"<title>Users prefer Guetzli JPEG over same-sized libjpeg</title>",
        b"<title>&lt;script&gt;alert(1)&lt;/script&gt; Guetzli &amp; &lt;b&gt;JPEG "
        b"&lt;a href=&quot;javascript:x&quot;&gt;</title>")
    rig.server.script("/rss", Reply(hostile))
    chats.ensure_chat(rig.db, 777)
    chats.set_chat_setting(rig.db, 777, digest="instant")
    chats.subscribe(rig.db, 777, "keyword", "guetzli")
    await rig.job("poll_arxiv")
    stored = papers.get_paper(rig.db, "1703.04416")
    assert "<script>" in stored.title  # stored as the feed said it...
    (digest,) = rig.api.sent_messages(777)  # ...and sent once, escaped (HTML the API accepts)
    (card,) = await rig.say("/paper 1703.04416")
    (found,) = await rig.say("/search guetzli")
    for message in (digest, card, found):
        assert message.parse_mode == "HTML"
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.text
        assert "<script>" not in message.text and 'href="javascript' not in message.text
    assert rig.papers() == 13 and per_chat(rig.api)[777] == 1
    quiet(logs)
    sealed(logs, rig.api)


async def test_input_fts_operators_are_plain_words(rig, logs) -> None:
    papers.store_papers(rig.db, parse_arxiv_rss(DAY1).papers, announced=None)
    queries = ['"unbalanced quote', "NEAR(deep learning, 2)", "deep* OR -learning AND",
               "title:guetzli", "^guetzli", "{title abstract}: jpeg", "(((", "' OR 1=1 --",
               "guetzli NOT jpeg"]
    for query in queries:
        (reply,) = await rig.say(f"/search {query}")
        answers = ("Results for", "Nothing found", "What should I search")
        assert any(s in reply.text for s in answers), reply.text
    (hit,) = await rig.say('/search "guetzli"')
    assert "Guetzli" in hit.text
    quiet(logs)
    sealed(logs, rig.api)


async def test_input_305_keyword_subscriptions_list_in_pages_and_a_cap_answers(rig, logs) -> None:
    heavy, light = 601, 602
    entries = current_snapshot(rig.db).entries
    phrases = list(dict.fromkeys(text.casefold()[:60].strip() for e in entries
                                 for text in (e.title, e.authors) if len(text) >= 2))[:305]
    assert len(phrases) == 305
    chats.ensure_chat(rig.db, heavy)
    for phrase in phrases:  # made before there was a cap (storage takes them all)
        chats.subscribe(rig.db, heavy, "keyword", phrase)
    pages = await rig.say("/mysubs", heavy)  # the fake refuses any page over 4,096 units
    assert len(pages) > 1 and all(p.text for p in pages)
    shown = "\n".join(p.text or "" for p in pages)
    assert all(shown.count(f"“{esc(phrase)}”") == 1 for phrase in phrases)
    assert "Digest:" in (pages[-1].text or "") and "Digest:" not in (pages[0].text or "")
    (refused,) = await rig.say('/subscribe "one more keyword"', heavy)
    assert f"already follows {MAX_KEYWORDS} keywords" in refused.text
    assert chats.count_subscriptions(rig.db, heavy, "keyword") == 305
    chats.set_chat_setting(rig.db, heavy, lang="zh")
    (refused_zh,) = await rig.say('/subscribe "one more keyword"', heavy)
    assert f"已关注 {MAX_KEYWORDS} 个关键词" in refused_zh.text
    chats.ensure_chat(rig.db, light)
    for phrase in phrases[:MAX_KEYWORDS - 1]:
        chats.subscribe(rig.db, light, "keyword", phrase)
    (last,) = await rig.say('/subscribe "one more keyword"', light)
    (again,) = await rig.say('/subscribe "one more keyword"', light)  # at the cap, not new
    (over,) = await rig.say('/subscribe "and another"', light)
    assert "Subscribed" in last.text and "already follow" in again.text
    assert "most a chat may have" in over.text
    assert chats.count_subscriptions(rig.db, light, "keyword") == MAX_KEYWORDS
    quiet(logs)
    sealed(logs, rig.api)


async def test_input_a_slow_trends_chart_holds_only_its_own_chat(rig, logs, monkeypatch) -> None:
    slow, other = 701, 702
    drawing, release = threading.Event(), threading.Event()
    real = trends.render_trends_png

    def held_render(*args, **kwargs):  # the chart waits until the test lets it finish
        drawing.set()
        assert release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(trends, "render_trends_png", held_render)
    await rig.app.start()  # updates go through the application's own queue and processor
    try:
        async def send(chat_id: int, text: str) -> None:
            update = rig.api.make_message_update(chat_id, text, user_id=chat_id)
            await rig.app.update_queue.put(Update.de_json(update, rig.app.bot))

        await send(slow, "/trends 104")
        await send(slow, "/help")  # the same chat: waits for its /trends
        await send(other, "/help")  # another chat: must not wait
        (answer,) = await rig.api.wait_for_messages(chat_id=other, timeout=60)
        assert drawing.is_set() and not release.is_set()  # answered while the chart is held
        assert rig.api.sent_messages(slow) == []  # its own /help did not overtake it
        release.set()
        chart, help_ = await rig.api.wait_for_messages(2, chat_id=slow, timeout=60)
    finally:
        release.set()
        await rig.app.stop()
    assert "/papers" in answer.text and "/papers" in help_.text
    assert (chart.method, help_.method) == ("sendPhoto", "sendMessage")  # the chat's order kept
    quiet(logs)
    sealed(logs, rig.api)


async def test_input_chinese_text_everywhere(rig, logs) -> None:
    (rl,) = await rig.say("/papers 强化学习", language_code="zh-hans")
    assert "Asynchronous methods for deep reinforcement learning" in rl.text
    (sub,) = await rig.say('/subscribe “图神经网络”', language_code="zh-hans")
    assert "图神经网络" in sub.text
    (again,) = await rig.say('/subscribe "图神经网络"', language_code="zh-hans")
    assert [s.value for s in chats.subscriptions(rig.db, 1001)] == ["图神经网络"]  # once
    (search,) = await rig.say("/search 注意力机制 的 研究", language_code="zh-hans")
    (unknown,) = await rig.say("/papers 量子引力", language_code="zh-hans")
    for reply in (rl, sub, again, search, unknown):
        assert ERROR_REPLY not in reply.text and "出了点问题" not in reply.text
    quiet(logs)
    sealed(logs, rig.api)


async def test_input_empty_arguments_get_usage_hints(rig, logs) -> None:
    for text in ("/papers", "/search    ", '/subscribe ""', "/subscribe “ ”", "/unsubscribe",
                 "/paper", "/researchers", "/digest", "/lang"):
        replies = await rig.say(text)
        assert len(replies) == 1 and ERROR_REPLY not in (replies[0].text or "")
    assert chats.subscriptions(rig.db, 1001) == []
    quiet(logs)
    sealed(logs, rig.api)


async def test_input_unknown_commands_point_to_help(rig, logs) -> None:
    for text in ("/frobnicate", "/FROBNICATE@PapersTestBot now", "/start_", "/s"):
        (reply,) = await rig.say(text)
        assert "/help" in reply.text
    assert rig.db["chats"].count_where("chat_id = 1001") == 1
    quiet(logs)
    sealed(logs, rig.api)


async def test_input_commands_for_another_bot_are_ignored(rig, logs) -> None:
    rig.api.add_chat(GROUP, "supergroup", title="DL readers")
    for text in ("/subscribe@OtherBot cnn", "/papers@SomePapersBot gan", "/start@x_bot"):
        assert await rig.say(text, GROUP, MEMBER) == []
    assert rig.api.calls("getChatMember") == []  # not even looked at
    assert chats.get_chat(rig.db, GROUP) is None and chats.subscriptions(rig.db, GROUP) == []
    quiet(logs)
    sealed(logs, rig.api)


def test_input_bad_env_value_is_one_line_and_exit_2(tmp_path) -> None:
    env = {**os.environ, "PAPERS_BOT_DB": str(tmp_path / "bot.db"), "MAINTAINER_IDS": "abc",
           "TELEGRAM_BOT_TOKEN": TOKEN, "CITATIONS_API_KEY": S2_KEY}
    done = subprocess.run([sys.executable, "-m", "bot", "deliver"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and done.stdout == ""
    line = one_stderr_line(done.stderr, "MAINTAINER_IDS", "'abc'")
    assert line.startswith("papers-bot: error:")
    assert not (tmp_path / "bot.db").exists()  # stopped before touching anything
    no_token(done.stderr)


def test_input_malformed_token_is_named_not_echoed(cli) -> None:
    code, out, err = cli("deliver", TELEGRAM_BOT_TOKEN="123456:Secret Part With Spaces!")
    assert code == 2 and out == ""
    one_stderr_line(err, "TELEGRAM_BOT_TOKEN is malformed")
    assert "Secret Part" not in err


def test_input_malformed_candidates_jsonl_names_the_line(cli, tmp_path) -> None:
    good = {"id": "1703.04416v1", "title": "Guetzli", "abstract": "JPEG.", "authors": ["A. B."]}
    candidates = tmp_path / "candidates.jsonl"
    candidates.write_text("\n".join([json.dumps(good), "", json.dumps({**good, "id": "1703.1"}),
                                     '{"id": "1703.2", "title": 5}', '{"id": "1703.3", "titl'])
                          + "\n")
    code, out, err = cli("rank", "--candidates", str(candidates), "--now", "2017-03-20")
    assert code == 2 and out == ""  # no half-ranked table
    one_stderr_line(err, "candidates.jsonl:4: bad candidate", "'title' must be a string")
    candidates.write_text(json.dumps(good) + "\n" + '{"id": "1703.3", "titl\n')
    code, out, err = cli("rank", "--candidates", str(candidates), "--now", "2017-03-20")
    assert code == 2 and out == ""
    one_stderr_line(err, "candidates.jsonl:2: bad candidate")


def bot_process(tmp_path: Path, api_url: str, token: str = TOKEN, *argv: str) -> subprocess.Popen:
    """`papers-bot run` as a real process (feeds unreachable: it answers from the bundled
    list); its stderr goes to tmp_path/stderr.txt, readable while it runs."""
    env = {**os.environ, "PAPERS_BOT_DB": str(tmp_path / "bot.db"),
           "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": api_url,
           "CITATIONS_API_KEY": S2_KEY, "LIST_README_URL": "http://127.0.0.1:9/README.md",
           "ARXIV_RSS_URL": "http://127.0.0.1:9/rss",
           "CITATIONS_API_URL": "http://127.0.0.1:9/graph/v1"}
    err = (tmp_path / "stderr.txt").open("w")
    return subprocess.Popen([sys.executable, "-m", "bot", *argv, "run"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=err, text=True)


def stderr_of(tmp_path: Path) -> str:
    return (tmp_path / "stderr.txt").read_text()


def wait_for_stderr(tmp_path: Path, needle: str, count: int = 1, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout  # a bound on the wait, never a measured duration
    while stderr_of(tmp_path).count(needle) < count:
        if time.monotonic() >= deadline:
            raise TimeoutError(f"no {needle!r} x{count} on stderr: {stderr_of(tmp_path)}")
        time.sleep(0.1)
    return stderr_of(tmp_path)


def log_lines(err: str) -> list[str]:
    """stderr's lines; none is part of a traceback, none holds a secret."""
    assert "Traceback" not in err and 'File "' not in err, err
    no_token(err)
    return err.strip().splitlines()


def test_process_getme_502_then_401_at_start_is_one_line_each_without_the_token(
        tmp_path) -> None:
    # fault case 1: the fake follows its script (502 first), then rejects the revoked token
    with FakeBotApi(token="654321:SOME-OTHER-BOTS-TOKEN-abcdefgh") as api:  # ours: revoked
        api.fail_next("getMe", 502)
        process = bot_process(tmp_path, api.base_url)
        out, _ = process.communicate(timeout=120)
        assert [c.status for c in api.calls("getMe")] == [502, 401]  # the script ran
    assert process.returncode == 2 and out == ""
    retry, error = log_lines(stderr_of(tmp_path))  # one line per failed attempt
    assert "did not answer getMe at start-up (attempt 1: NetworkError" in retry
    assert "502" in retry and "trying again in 1 s" in retry
    assert error.startswith("papers-bot: error: TELEGRAM_BOT_TOKEN was rejected")
    with FakeBotApi(token="654321:SOME-OTHER-BOTS-TOKEN-abcdefgh") as api:  # again, with -v
        api.fail_next("getMe", 502)
        verbose = bot_process(tmp_path, api.base_url, TOKEN, "-v")
        verbose.communicate(timeout=120)
    err = stderr_of(tmp_path)
    assert verbose.returncode == 2 and "Traceback" in err  # -v shows the traceback...
    no_token(err)  # ...redacted like every line


def test_process_getme_401_in_the_libraries_own_start_up_is_one_line(cli, tmp_path,
                                                                   monkeypatch) -> None:
    # the start-up check passed, then python-telegram-bot's own getMe gets the 401 (its
    # InvalidToken traceback quotes the whole token): -v shows tracebacks, never the token
    import bot.cli.run

    async def passed(config) -> None:  # noqa: ANN001 (Config)
        return None

    monkeypatch.setattr(bot.cli.run, "check_token", passed)
    outbox_db(tmp_path / "bot.db", range(4400, 4401))
    with FakeBotApi(token="654321:SOME-OTHER-BOTS-TOKEN-abcdefgh") as api:
        for verbose in ((), ("-v",)):
            code, out, err = cli(*verbose, "run", TELEGRAM_BOT_TOKEN=TOKEN,
                                 TELEGRAM_API_URL=api.base_url)
            assert code == 2 and out == ""
            assert err.strip().splitlines()[-1].startswith(
                "papers-bot: error: TELEGRAM_BOT_TOKEN was rejected")
            assert "Traceback" not in err


def test_process_bot_api_down_at_start_is_a_line_per_attempt_then_it_serves(tmp_path) -> None:
    # fault case 19, at start: Telegram unreachable (connections dropped) twice, then up
    with FakeBotApi() as api:
        api.fail_next("getMe", "drop", times=2)
        process = bot_process(tmp_path, api.base_url, api.token)
        try:
            api.wait_for("getUpdates", timeout=60)
            api.push_message(77, "/help")
            api.wait_for(lambda c: c.method == "sendMessage" and c.chat_id == 77, timeout=30)
        finally:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=30)
    lines = log_lines(stderr_of(tmp_path))
    down = [line for line in lines if "did not answer getMe" in line]
    assert [("attempt 1:" in down[0]), ("attempt 2:" in down[1])] == [True, True]
    assert "trying again in 1 s" in down[0] and "trying again in 2 s" in down[1]
    assert len(down) == 2 and " ERROR " not in stderr_of(tmp_path)
    assert process.returncode == 0 and "stopped cleanly" in lines[-1]


def test_process_bot_api_unreachable_is_one_line_per_attempt(tmp_path) -> None:
    # fault case 19 / the 108 lines: nothing listens at TELEGRAM_API_URL
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/bot"  # bound, never listening
        process = bot_process(tmp_path, closed)
        try:
            wait_for_stderr(tmp_path, "did not answer getMe", count=2)
        finally:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=30)
    lines = log_lines(stderr_of(tmp_path))
    assert all("did not answer getMe at start-up" in line for line in lines[:2]), lines
    assert "NetworkError" in lines[0] and "trying again in 1 s" in lines[0]
    assert lines[-1] == "papers-bot: interrupted" and process.returncode == 130


def test_process_polling_failures_then_a_revoked_token_are_one_line_each(tmp_path) -> None:
    # fault case 19, mid-run: getUpdates fails twice (a line each, polling goes on), then
    # Telegram answers 401 (the token was revoked): the bot stops with the one clear line
    with FakeBotApi() as api:
        process = bot_process(tmp_path, api.base_url, api.token)
        try:
            api.wait_for("getUpdates", timeout=60)
            api.fail_next("getUpdates", 502, times=2)
            wait_for_stderr(tmp_path, "polling Telegram for updates failed", count=2)
            api.push_message(78, "/help")  # polling went on
            api.wait_for(lambda c: c.method == "sendMessage" and c.chat_id == 78, timeout=30)
            api.token = "654321:SOME-OTHER-BOTS-TOKEN-abcdefgh"  # ours is revoked
            out, _ = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    lines = log_lines(stderr_of(tmp_path))
    polling = [line for line in lines if "polling Telegram for updates failed" in line]
    assert len(polling) == 2 and all("502" in line and "trying again" in line
                                     for line in polling), lines
    assert process.returncode == 2 and out == ""
    assert lines[-1].startswith("papers-bot: error: TELEGRAM_BOT_TOKEN was rejected")
    assert [line for line in lines if " ERROR " in line] == []


@pytest.mark.parametrize(("module", "name"), [("bot.pipeline.arxiv_sync", "parse_arxiv_rss"),
                                              ("bot.pipeline.scoring", "rank_papers")])
async def test_process_replies_keep_flowing_while_a_feed_is_parsed_or_ranked(
        rig, logs, monkeypatch, module, name) -> None:
    """The CPU-heavy steps run in a worker thread: a command sent while one is busy is
    answered before it ends (by order of events: a step on the event loop would block the
    reply until it finished)."""
    import importlib

    rig.server.script("/rss", Reply(DAY1))
    target = importlib.import_module(module)
    real = getattr(target, name)
    busy, release, order = threading.Event(), threading.Event(), []

    def slow(*args, **kwargs):
        busy.set()
        release.wait(10)  # a safety net only: the reply releases it at once
        order.append("step done")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, slow)
    job = asyncio.create_task(rig.job("poll_arxiv"))
    for _ in range(2000):
        if busy.is_set():
            break
        await asyncio.sleep(0.005)
    (reply,) = await rig.say("/topics", chat_id=READER)
    order.append("replied")
    release.set()
    summary = await job
    assert order == ["replied", "step done"]
    assert "Topics of the list" in reply.text and "4 new" in summary and rig.papers() == 13
