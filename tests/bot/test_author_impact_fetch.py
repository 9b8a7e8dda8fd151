"""Authors' records from a loopback Semantic Scholar, and their place in the citations job."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from bot.config import Config
from bot.pipeline import citations as citations_job
from bot.pipeline.author_impact import fetch_author_impacts, refresh_author_impact
from bot.pipeline.citations import refresh_citations
from bot.pipeline.list_sync import seed_bundled
from bot.pipeline.scoring import score_unscored
from feeds.arxiv_rss import parse_arxiv_rss
from feeds.author_impact import AUTHOR_BATCH_LIMIT, AUTHOR_FIELDS
from feeds.bundled import bundled_snapshot
from feeds.model import AuthorImpact, CitationCount, Paper
from storage import papers, scores
from storage.author_impact import (
    author_impacts_for,
    paper_authors,
    papers_without_authors,
    stale_author_ids,
)
from storage.citations import get_citations, save_citations
from storage.db import Database, open_db
from tests.conftest import ARXIV_SAMPLES
from tests.support.fakes2 import FakeS2, fake_s2, recorded_authors, recorded_paper_authors

NOW = datetime(2017, 4, 20, tzinfo=UTC)
DUFLO = AuthorImpact("E. Duflo", 58740, 282, 91, "2017-04-20", "2259683")
# the three recorded papers list 8 authors; 4 of them have recorded records, 4 are unknown
AUTHOR_IDS = ["81141608", "2259683", "2062143", "2237651454", "4249203", "31549526", "4711469",
              "2071339188"]


@pytest.fixture
def s2() -> Iterator[tuple[FakeS2, str]]:
    with fake_s2() as served:
        served[0].authors = recorded_authors()
        yield served


async def no_sleep(seconds: float) -> None:
    pass


async def test_fetch_posts_author_ids_and_keeps_a_null_entry_apart(s2) -> None:
    fake, base = s2
    async with httpx.AsyncClient() as client:
        result = await fetch_author_impacts(client, base, ["2259683", "0", "4249203"],
                                            api_key="k", as_of="2017-04-20")
    assert [a.name for a in result.records] == ["E. Duflo", "R. Glennerster"]
    assert result.records[0] == DUFLO and result.unknown == ("0",) and not result.failed
    (request,) = fake.author_requests
    assert request["path"] == "/graph/v1/author/batch"
    assert request["query"]["fields"] == [AUTHOR_FIELDS]
    assert request["key"] == "k" and request["ids"] == ["2259683", "0", "4249203"]


async def test_a_429_is_waited_out_then_answered(s2) -> None:
    fake, base = s2
    fake.author_script = [(429, {})]  # S2's 429s carry no Retry-After: backoff
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with httpx.AsyncClient() as client:
        result = await fetch_author_impacts(client, base, ["2259683"], sleep=sleep)
    assert waits == [1.0] and len(fake.author_requests) == 2
    assert result.records[0].citations == 58740 and not result.failed
    assert fake.author_requests[0]["key"] is None  # no key configured, no header sent


async def test_more_than_1000_ids_go_in_several_posts(s2) -> None:
    fake, base = s2
    ids = [str(n) for n in range(AUTHOR_BATCH_LIMIT + 5)]
    async with httpx.AsyncClient() as client:
        result = await fetch_author_impacts(client, base, ids)
    assert [len(r["ids"]) for r in fake.author_requests] == [AUTHOR_BATCH_LIMIT, 5]
    assert len(result.unknown) == len(ids) and not result.failed


async def test_a_403_is_reported_not_raised_and_the_rest_wait(s2, caplog) -> None:
    fake, base = s2
    fake.author_script = [(403, {})]
    ids = [str(n) for n in range(AUTHOR_BATCH_LIMIT + 5)]
    async with httpx.AsyncClient() as client:
        result = await fetch_author_impacts(client, base, ids, api_key="bad", sleep=no_sleep)
    assert len(fake.author_requests) == 1  # not retried, and the second chunk is not asked
    assert result.failed == tuple(ids) and result.records == ()
    assert "HTTP 403" in result.errors[0] and "CITATIONS_API_KEY" in result.errors[0]
    (warning,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert warning.getMessage().startswith("author impact: 1005 author ids skipped")
    assert "\n" not in warning.getMessage() and "bad" not in warning.getMessage()


# The daily job: the citations fetch stores each paper's authors, then their records.


def stored_day(fake: FakeS2) -> tuple[Database, list[Paper]]:
    """A database with one day of papers, scored; S2 knows the first three (recorded authors)."""
    db = open_db()
    seed_bundled(db)
    feed = parse_arxiv_rss((ARXIV_SAMPLES / "rss2_ml6_2017-03-14.xml").read_bytes()).papers
    papers.store_papers(db, feed, announced=date(2017, 3, 14))
    score_unscored(db, bundled_snapshot())
    known = [p for p in feed if p.published >= "2016-10-19"][:3]
    for paper, authors in zip(known, recorded_paper_authors(), strict=True):
        fake.counts[paper.arxiv_id] = 300
        fake.paper_authors[paper.arxiv_id] = authors
    return db, known


async def test_the_job_stores_authors_and_their_records_before_rescoring(s2, monkeypatch) -> None:
    fake, url = s2
    db, known = stored_day(fake)
    seen: list[list[AuthorImpact]] = []
    rescore = citations_job.score_papers_off_loop

    async def score_papers(*args: Any, **kwargs: Any) -> Any:
        seen.append(author_impacts_for(db, ["Esther Duflo"]))
        return await rescore(*args, **kwargs)

    monkeypatch.setattr(citations_job, "score_papers_off_loop", score_papers)
    config = Config.from_env({"CITATIONS_API_URL": url})
    summary = await refresh_citations(db, config, bundled_snapshot(), NOW)
    assert seen == [[DUFLO]]  # the rescoring could read it
    assert "0 failed (kept for the next run)" in summary
    assert ("author impact: 8 authors of 3 papers, 8 asked, 4 unknown to the API, "
            "0 skipped (asked again next run)") in summary
    assert paper_authors(db, [known[0].arxiv_id])[known[0].arxiv_id][1] == ("2259683", "E. Duflo")
    (asked,) = [r["ids"] for r in fake.author_requests]
    assert sorted(asked) == sorted(AUTHOR_IDS)
    assert fake.author_requests[0]["key"] is None
    assert stale_author_ids(db, AUTHOR_IDS, NOW) == []  # the unknown ones too
    again = await refresh_citations(db, config, bundled_snapshot(), NOW)
    assert "8 authors of 3 papers, 0 asked" in again
    assert len(fake.author_requests) == 1 and len(fake.requests) == 1


async def test_the_api_key_goes_to_the_author_endpoint_only_when_configured(s2) -> None:
    fake, url = s2
    db, known = stored_day(fake)
    config = Config.from_env({"CITATIONS_API_URL": url, "CITATIONS_API_KEY": "secret"})
    await refresh_citations(db, config, bundled_snapshot(), NOW)
    assert [r["key"] for r in fake.requests + fake.author_requests] == ["secret", "secret"]


async def test_a_403_from_the_author_endpoint_is_asked_again_next_run(s2) -> None:
    fake, url = s2
    db, known = stored_day(fake)
    fake.author_script = [(403, {})]
    config = Config.from_env({"CITATIONS_API_URL": url})
    summary = await refresh_citations(db, config, bundled_snapshot(), NOW)
    assert "0 failed (kept for the next run)" in summary and "8 skipped" in summary
    assert db["author_impact"].count == 0 and db["citations"].count > 0
    again = await refresh_author_impact(db, config, [p.arxiv_id for p in known], NOW)
    assert "8 asked, 4 unknown to the API, 0 skipped" in again
    assert len(fake.author_requests) == 2 and author_impacts_for(db, ["E. Duflo"]) == [DUFLO]


async def test_the_citations_job_goes_on_when_the_author_endpoint_is_down(s2, caplog) -> None:
    fake, url = s2
    db, known = stored_day(fake)
    target = known[0].arxiv_id
    before = scores.get_score(db, target).score
    fake.author_script = [(503, {"Retry-After": "0"})] * 5
    config = Config.from_env({"CITATIONS_API_URL": url})
    summary = await refresh_citations(db, config, bundled_snapshot(), NOW)
    assert len(fake.author_requests) == 5  # retried as the policy says, then left
    assert get_citations(db, [target])[target].citations == 300
    assert scores.get_score(db, target).score > before  # rescored all the same
    assert "0 failed (kept for the next run)" in summary and "8 skipped" in summary
    (warning,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert warning.getMessage().startswith("author impact: 8 author ids skipped")
    assert "HTTP 503" in warning.getMessage()


async def test_when_the_paper_batch_fails_the_author_endpoint_is_not_asked(s2) -> None:
    fake, url = s2
    db, _ = stored_day(fake)
    fake.script = [(403, {})]
    summary = await refresh_citations(db, Config.from_env({"CITATIONS_API_URL": url}),
                                      bundled_snapshot(), NOW)
    assert "author impact: not asked" in summary and fake.author_requests == []


async def test_counts_fetched_before_authors_were_asked_get_them_next_run(s2) -> None:
    fake, url = s2
    db, known = stored_day(fake)
    ids = papers.recent_ids(db, "2016-10-19", 5000)
    fresh = NOW.isoformat()  # counts of every paper fresh, as an older version left them
    save_citations(db, [CitationCount(i, fake.counts.get(i), None, "", fresh) for i in ids])
    config = Config.from_env({"CITATIONS_API_URL": url})
    summary = await refresh_citations(db, config, bundled_snapshot(), NOW)
    asked = sorted(i.removeprefix("ARXIV:") for i in fake.requests[0]["ids"])
    assert asked == sorted(p.arxiv_id for p in known)  # only those S2 knows
    assert "3 refreshed" in summary and papers_without_authors(db, asked) == []
    await refresh_citations(db, config, bundled_snapshot(), NOW)
    assert len(fake.requests) == 1
