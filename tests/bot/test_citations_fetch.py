"""Fetching citation counts from a loopback Semantic Scholar, and the daily refresh."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import httpx
import pytest

from bot.config import Config
from bot.pipeline.citations import fetch_citations, refresh_citations
from bot.pipeline.list_sync import seed_bundled
from bot.pipeline.scoring import score_unscored
from feeds.arxiv_rss import parse_arxiv_rss
from feeds.bundled import bundled_snapshot
from feeds.citations import BATCH_LIMIT, FIELDS
from feeds.http import RetryPolicy
from feeds.model import ReasonKey
from storage import papers, scores
from storage.citations import get_citations
from storage.db import open_db
from tests.conftest import ARXIV_SAMPLES
from tests.support.fakes2 import FakeS2, fake_s2


@pytest.fixture
def s2() -> Iterator[tuple[FakeS2, str]]:
    with fake_s2() as served:
        yield served


async def test_fetch_posts_arxiv_ids_with_fields_and_api_key(s2: tuple[FakeS2, str]) -> None:
    fake, base = s2
    fake.counts = {"1703.06870": 412}
    async with httpx.AsyncClient() as client:
        result = await fetch_citations(client, base, ["1703.06870", "0000.00000"], api_key="k")
    assert [(c.arxiv_id, c.citations) for c in result.counts] == [
        ("1703.06870", 412), ("0000.00000", None)]
    request = fake.requests[0]
    assert request["path"] == "/graph/v1/paper/batch"
    assert request["query"]["fields"] == [FIELDS] and "citationCount" in FIELDS
    assert request["key"] == "k"
    assert request["ids"] == ["ARXIV:1703.06870", "ARXIV:0000.00000"]


async def test_fetch_waits_as_retry_after_says_on_429(s2: tuple[FakeS2, str]) -> None:
    fake, base = s2
    fake.counts = {"1703.06870": 412}
    fake.script = [(429, {"Retry-After": "7"}), (503, {})]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with httpx.AsyncClient() as client:
        result = await fetch_citations(client, base, ["1703.06870"], sleep=sleep)
    assert waits[0] == 7.0  # Retry-After honoured
    assert len(waits) == 2 and waits[1] > 0  # then backoff on the 503
    assert result.counts[0].citations == 412 and not result.failed
    assert fake.requests[0]["key"] is None  # no key configured, no header sent


async def test_more_than_500_ids_go_in_several_posts(s2: tuple[FakeS2, str]) -> None:
    fake, base = s2
    ids = [f"1701.{n:05d}" for n in range(BATCH_LIMIT + 20)]
    fake.counts = {i: 1 for i in ids}
    async with httpx.AsyncClient() as client:
        result = await fetch_citations(client, base, ids)
    assert [len(r["ids"]) for r in fake.requests] == [BATCH_LIMIT, 20]
    assert len(result.counts) == len(ids)


async def test_a_chunk_that_keeps_failing_is_reported_not_raised(s2: tuple[FakeS2, str]) -> None:
    fake, base = s2
    fake.script = [(429, {"Retry-After": "1"})] * 3

    async def sleep(seconds: float) -> None:
        pass

    async with httpx.AsyncClient() as client:
        result = await fetch_citations(client, base, ["1703.06870"], sleep=sleep,
                                       policy=RetryPolicy(attempts=3, base_delay=1.0))
    assert result.counts == () and result.failed == ("1703.06870",)
    assert "HTTP 429" in result.errors[0]
    fake.script = [(400, {})]
    async with httpx.AsyncClient() as client:
        result = await fetch_citations(client, base, ["1703.06870"], sleep=sleep)
    assert len(fake.requests) == 4  # a 400 is not retried
    assert result.failed == ("1703.06870",)


async def test_daily_refresh_fetches_recent_papers_and_rescores_them(s2) -> None:
    fake, url = s2
    db = open_db()
    seed_bundled(db)
    feed = parse_arxiv_rss((ARXIV_SAMPLES / "rss2_ml6_2017-03-14.xml").read_bytes()).papers
    papers.store_papers(db, feed, announced=date(2017, 3, 14))
    score_unscored(db, bundled_snapshot())
    target = feed[0].arxiv_id
    before = scores.get_score(db, target).score
    fake.counts[target] = 300
    config = Config.from_env({"CITATIONS_API_URL": url})
    now = datetime(2017, 4, 20, tzinfo=UTC)
    fake.script.append((429, {"Retry-After": "0"}))  # one 429 first: waited out, not fatal
    summary = await refresh_citations(db, config, bundled_snapshot(), now)
    recent = [p for p in feed if p.published >= "2016-10-19"]
    assert f"{len(recent)} recent papers" in summary and "0 failed" in summary
    assert get_citations(db, [target])[target].citations == 300
    after = scores.get_score(db, target)
    assert after.score > before
    assert any(r.key is ReasonKey.CITATIONS_NEW for r in after.reasons)
    again = await refresh_citations(db, config, bundled_snapshot(), now)
    assert "0 refreshed" in again and len(fake.requests) == 2  # fresh counts are not refetched
