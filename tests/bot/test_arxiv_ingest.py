"""sync_arxiv and backfill against a scripted arXiv on 127.0.0.1."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, date, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from bot.config import Config
from bot.pipeline import arxiv_sync
from bot.pipeline.arxiv_sync import ArxivSyncReport, backfill, sync_arxiv
from feeds.arxiv_calendar import EASTERN
from feeds.arxiv_limiter import ArxivLimiter
from feeds.http import RetryPolicy
from storage.arxiv_polls import latest_poll, load_cursor
from storage.db import open_db
from storage.papers import get_paper, papers_announced_on
from tests.conftest import TEST_DATA
from tests.support.feedserver import FakeTime, FeedServer, Reply

DATA = TEST_DATA / "arxiv"
DAY1 = (DATA / "rss2_ml6_2017-03-14.xml").read_bytes()
DAY2 = (DATA / "rss2_ml6_2017-03-15.xml").read_bytes()
WEEKEND = (DATA / "rss2_cs.LG_weekend-empty.xml").read_bytes()
BAD_ID = (DATA / "api-atom_id_abc_s0_m100_b79c8dcf6bc3.xml").read_bytes()
TUESDAY = datetime(2017, 3, 14, 12, 0, tzinfo=UTC)
SATURDAY = datetime(2017, 3, 18, 12, 0, tzinfo=UTC)


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def env(server, fake, tmp_path):
    """Everything sync_arxiv needs, pointed at the scripted server, with a fake clock."""

    class Env:
        db = open_db(tmp_path / "bot.db")
        config = Config(
            arxiv_rss_url=server.url("/rss"), arxiv_api_url=server.url("/api/query"),
            arxiv_categories=("cs.LG", "cs.CV"), http_timeout=0.3,
        )
        limiter = ArxivLimiter(clock=fake.clock, sleep=fake.sleep)
        policy = RetryPolicy(attempts=3, base_delay=2.0, max_delay=30.0)

        async def sync(self, now: datetime = TUESDAY) -> ArxivSyncReport:
            return await sync_arxiv(
                self.db, self.config, limiter=self.limiter, now=now, policy=self.policy
            )

        def count(self) -> int:
            return self.db["papers"].count

    return Env()


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


async def test_etag_then_304_stores_nothing_twice(env, server):
    server.script("/rss", Reply(DAY1, etag='"day1"', last_modified="Tue, 14 Mar 2017 05:00:11 GMT"))
    first = await env.sync()
    assert first.status == "ok"
    assert first.summary() == "arXiv: 4 new, 2 replaced, 7 cross, 0 skipped"
    second = await env.sync()
    assert second.status == "not_modified"
    assert second.summary() == "arXiv: feed unchanged since the last check"
    assert [r.status for r in server.requests] == [200, 304]
    assert server.requests[1].headers["If-None-Match"] == '"day1"'
    assert server.requests[1].headers["If-Modified-Since"] == "Tue, 14 Mar 2017 05:00:11 GMT"
    assert env.count() == 13
    assert latest_poll(env.db, env.config.arxiv_rss_url).status == "not_modified"


async def test_the_next_day_is_stored_and_dedupes_the_overlap(env, server):
    server.script("/rss", Reply(DAY1, etag='"1"'), Reply(DAY2, etag='"2"'))
    await env.sync()
    report = await env.sync(datetime(2017, 3, 15, 12, 0, tzinfo=UTC))
    assert report.summary() == "arXiv: 6 new, 3 replaced, 7 cross, 13 skipped"
    assert env.count() == 29
    assert len(papers_announced_on(env.db, date(2017, 3, 15))) == 13


async def test_empty_weekend_feed_is_no_announcement_not_an_error(env, server, caplog):
    server.script("/rss", Reply(WEEKEND, etag='"sat"'))
    report = await env.sync(SATURDAY)
    assert report.status == "no_announcement" and report.reason == "weekend"
    assert report.summary() == "arXiv: no announcement (weekend)"
    assert "does not announce new papers on weekends" in report.message
    assert report.next_announcement == datetime(2017, 3, 19, 20, 0, tzinfo=EASTERN)
    assert len(server.requests) == 1  # no retry storm
    assert warnings(caplog) == []
    poll = latest_poll(env.db, env.config.arxiv_rss_url)
    assert (poll.status, poll.etag) == ("no_announcement", '"sat"')
    assert "weekends" in poll.message
    assert env.count() == 0


async def test_503_with_retry_after_is_honoured(env, server, fake):
    server.script(
        "/rss", Reply(status=503, headers={"Retry-After": "10"}), Reply(DAY1)
    )
    start = fake.now
    report = await env.sync()
    assert report.status == "ok" and env.count() == 13
    assert [r.status for r in server.requests] == [503, 200]
    assert fake.now - start >= 10.0  # nothing earlier than Retry-After


async def test_429_then_success(env, server):
    server.script("/rss", Reply(status=429, headers={"Retry-After": "5"}), Reply(DAY1))
    report = await env.sync()
    assert report.status == "ok" and report.new == 4


async def test_persistent_503_is_one_log_line_and_a_recorded_error(env, server, caplog):
    server.script("/rss", Reply(status=503))
    report = await env.sync()
    assert report.status == "error"
    assert report.summary().startswith("arXiv: error: HTTP 503 from http://127.0.0.1")
    assert "gave up after 3 attempts" in report.message
    assert len(server.requests) == 3
    assert len(warnings(caplog)) == 1
    assert latest_poll(env.db, env.config.arxiv_rss_url).status == "error"
    assert env.count() == 0


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(DAY1[: len(DAY1) // 2], "truncated", id="truncated"),
        pytest.param(DAY1.replace(b"</item>", b"</itme>", 1), "malformed", id="malformed"),
        pytest.param(
            b"<html><head><title>Oops</title></head><body><p>error</p></body></html>", "HTML",
            id="html-error-page",
        ),
        pytest.param(b"", "empty response", id="empty-body"),
    ],
)
async def test_bad_bodies_store_nothing_and_lose_nothing(env, server, caplog, body, expected):
    server.script(
        "/rss", Reply(DAY1, etag='"1"'), Reply(body, etag='"broken"'), Reply(DAY2, etag='"2"')
    )
    await env.sync()
    caplog.clear()
    failed = await env.sync()
    assert failed.status == "error" and expected in failed.message
    (line,) = warnings(caplog)
    assert expected in line and "\n" not in line
    assert env.count() == 13
    recovered = await env.sync()
    # The broken body's ETag was not kept, so the next poll asked with the last good one.
    assert server.requests[2].headers["If-None-Match"] == '"1"'
    assert recovered.status == "ok" and env.count() == 29


async def test_a_timeout_is_an_error_not_a_crash(env, server, caplog):
    server.script("/rss", Reply(DAY1, delay=1.0))
    report = await env.sync()
    assert report.status == "error" and "timeout" in report.message
    assert len(warnings(caplog)) == 1
    assert env.count() == 0


async def test_an_unreachable_server_is_an_error(env, tmp_path):
    env.config = Config(arxiv_rss_url="http://127.0.0.1:9/rss", http_timeout=0.3)
    report = await env.sync()
    assert report.status == "error" and "127.0.0.1:9" in report.message


async def test_a_failed_store_keeps_no_validators_so_nothing_is_lost(env, server, monkeypatch):
    server.script("/rss", Reply(DAY1, etag='"1"'))

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(arxiv_sync, "store_papers", broken)
    report = await env.sync()
    assert report.status == "error" and "database is locked" in report.message
    monkeypatch.undo()
    again = await env.sync()
    assert "If-None-Match" not in server.requests[1].headers
    assert again.status == "ok" and env.count() == 13


async def test_a_callers_client_is_used_and_left_open(env, server):
    server.script("/rss", Reply(WEEKEND))
    async with httpx.AsyncClient() as client:
        report = await sync_arxiv(env.db, env.config, client=client, limiter=env.limiter)
        assert report.status == "no_announcement" and not client.is_closed


def api_feed(entries: list[tuple[str, str]], total: int, start: int) -> bytes:
    items = "".join(
        f"<entry><id>http://arxiv.org/abs/{ident}v1</id><title>Paper {ident}</title>"
        f"<updated>{day}T10:00:00Z</updated><published>{day}T10:00:00Z</published>"
        f"<summary>About {ident}.</summary><author><name>Ann Author</name></author>"
        f'<category term="cs.LG"/><arxiv:primary_category term="cs.LG"/></entry>'
        for ident, day in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom"><title>q</title>'
        f"<opensearch:totalResults>{total}</opensearch:totalResults>"
        f"<opensearch:startIndex>{start}</opensearch:startIndex>"
        f"<opensearch:itemsPerPage>2</opensearch:itemsPerPage>{items}</feed>"
    ).encode()


PAGES = [
    api_feed([("1703.00010", "2017-03-10"), ("1703.00009", "2017-03-09")], 6, 0),
    api_feed([("1703.00008", "2017-03-08"), ("1703.00007", "2017-03-07")], 6, 2),
    api_feed([("1703.00006", "2017-03-06"), ("1703.00005", "2017-03-05")], 6, 4),
]
SINCE = date(2017, 3, 8)


def starts(server) -> list[str]:
    return [parse_qs(r.query)["start"][0] for r in server.requests_to("/api/query")]


async def run_backfill(env, **kwargs):
    return await backfill(
        env.db, env.config, SINCE, limiter=env.limiter, policy=env.policy, page_size=2,
        progress=False, **kwargs,
    )


async def test_backfill_pages_until_older_than_since(env, server):
    atom = "application/atom+xml"
    server.script("/api/query", *(Reply(page, content_type=atom) for page in PAGES))
    report = await run_backfill(env)
    assert (report.pages, report.new, report.done, report.error) == (2, 3, True, "")
    assert starts(server) == ["0", "2"]
    query = parse_qs(server.requests[0].query)
    assert query["search_query"] == ["cat:cs.LG OR cat:cs.CV"]
    assert query["sortBy"] == ["submittedDate"] and query["max_results"] == ["2"]
    assert get_paper(env.db, "1703.00008") and not get_paper(env.db, "1703.00007")
    assert report.summary().startswith("backfill cat:cs.LG OR cat:cs.CV since 2017-03-08: 2 pages")


async def test_backfill_requests_are_three_seconds_apart(env, server, fake):
    server.script("/api/query", *(Reply(page) for page in PAGES))
    start = fake.now
    await run_backfill(env)
    assert fake.now - start >= 3.0  # two requests, one interval between them


async def test_backfill_resumes_where_it_stopped(env, server):
    server.script("/api/query", *(Reply(page) for page in PAGES))
    first = await run_backfill(env, max_pages=1)
    assert (first.done, first.next_start) == (False, 2)
    cursor = load_cursor(env.db, "cat:cs.LG OR cat:cs.CV", "2017-03-08")
    assert (cursor.next_start, cursor.done) == (2, False)
    second = await run_backfill(env)
    assert second.done and second.new == 1
    assert starts(server) == ["0", "2"]
    third = await run_backfill(env)
    assert third.done and third.pages == 0
    assert len(server.requests) == 2  # a finished backfill asks nothing


async def test_backfill_error_keeps_the_cursor_for_a_rerun(env, server, caplog):
    server.script("/api/query", Reply(PAGES[0]), Reply(status=503))
    report = await run_backfill(env)
    assert not report.done and report.next_start == 2 and "HTTP 503" in report.error
    assert "rerun to continue" in report.summary()
    assert len(warnings(caplog)) == 1
    server.script("/api/query", Reply(PAGES[1]))
    assert (await run_backfill(env)).done
    assert starts(server)[-1] == "2"


async def test_backfill_bad_request_is_a_clear_error(env, server):
    server.script("/api/query", Reply(BAD_ID, status=400))
    report = await run_backfill(env)
    assert report.error.startswith("HTTP 400 from http://127.0.0.1")
    assert len(server.requests) == 1 and env.count() == 0


async def test_backfill_error_entry_with_200_is_a_clear_error(env, server):
    server.script("/api/query", Reply(BAD_ID))
    report = await run_backfill(env)
    assert report.error == "arXiv API error: incorrect id format for abc"


async def test_backfill_retries_a_spurious_empty_page(env, server):
    empty = api_feed([], 6, 2)
    server.script("/api/query", Reply(PAGES[0]), Reply(empty), Reply(PAGES[1]))
    report = await run_backfill(env)
    assert report.done and report.new == 3
    assert starts(server) == ["0", "2", "2"]


async def test_backfill_and_rss_make_one_row(env, server):
    server.script("/api/query", Reply(api_feed([("1703.04416", "2017-03-13")], 1, 0)))
    server.script("/rss", Reply(DAY1))
    await backfill(env.db, env.config, date(2017, 3, 1), limiter=env.limiter, progress=False)
    report = await env.sync()
    assert report.new == 4  # announced now, though the API stored it first
    stored = get_paper(env.db, "1703.04416")
    assert env.count() == 13
    assert stored.extra["announced"] == "2017-03-14" and stored.published == "2017-03-13"


async def test_backfill_shows_progress(env, server, capsys):
    server.script("/api/query", *(Reply(page) for page in PAGES))
    await backfill(env.db, env.config, SINCE, limiter=env.limiter, page_size=2, progress=True)
    assert "arXiv backfill" in capsys.readouterr().err


async def test_an_empty_weekday_feed_is_a_holiday(env, server):
    monday = WEEKEND.replace(b"Sat, 18 Mar 2017", b"Mon, 25 Dec 2017")
    server.script("/rss", Reply(monday))
    report = await env.sync(datetime(2017, 12, 25, 12, 0, tzinfo=UTC))
    assert report.summary() == "arXiv: no announcement (holiday)"
    assert "holiday" in report.message


async def test_a_replacement_is_dated_by_its_first_version_never_as_new(tmp_path) -> None:
    """An RSS 'replace' item carries the day of its new version; the API's record of the same
    id (a real capture: 1605.08386, first posted 2016-05-26) gives the first version's date."""
    from tests.support.rig import api_reply, bot_rig

    day = (DATA / "rss2_ml6_2017-03-14.xml").read_bytes()
    renamed = day.replace(b"1612.02684", b"1605.08386")  # the replace-cross item, another id
    api = (DATA / "api-atom_id_1605.08386_s0_m100_199195aa31ad.xml").read_bytes()
    async with bot_rig(tmp_path / "bot.db") as rig:
        rig.server.script("/rss", Reply(renamed))
        rig.server.script("/api/query", api_reply())  # the API does not answer at first
        await rig.job("poll_arxiv")
        undated = get_paper(rig.db, "1605.08386")
        assert undated is not None and undated.published == ""  # unknown, not "2017-03-14"
        assert undated.extra["announced"] is None  # a replacement announces nothing
        rig.server.script("/api/query", api_reply(api))
        summary = await rig.job("poll_arxiv")
        # the day's other replacement (1312.2244) is not in that answer: it stays unknown
        assert "first versions: 1 of 2 dated" in summary
        asked = [r.query for r in rig.server.requests_to("/api/query")]
        assert asked and all("1605.08386" in q and "1312.2244" in q for q in asked)
    dated = get_paper(open_db(tmp_path / "bot.db"), "1605.08386")
    assert dated is not None and dated.published == "2016-05-26"
