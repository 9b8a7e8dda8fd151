"""Citation counts: the batch parser, the fetcher against a loopback server, and the cache."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from feeds.citations import (
    BATCH_LIMIT,
    FIELDS,
    CitationCount,
    fetch_citations,
    parse_batch,
    parse_citations_file,
)
from storage.citations import get_citations, save_citations, stale_ids
from storage.db import open_db

RESPONSE = Path(__file__).parent / "data" / "rank" / "s2_batch_response.json"


def test_parse_batch_pairs_records_with_requested_ids_in_order() -> None:
    counts = parse_batch(RESPONSE.read_bytes(), ["1703.06870", "0000.00000", "1701.07875"], "t")
    assert [c.arxiv_id for c in counts] == ["1703.06870", "0000.00000", "1701.07875"]
    assert (counts[0].citations, counts[0].influential) == (412, 60)
    assert counts[0].publication_date == "2017-03-20"
    assert counts[1] == CitationCount("0000.00000", None, None, "", "t")  # null: unknown id
    assert counts[2].influential is None and counts[2].publication_date == "2017"


def test_parse_batch_rejects_a_response_of_the_wrong_length() -> None:
    with pytest.raises(ValueError):
        parse_batch(b"[null]", ["a", "b"])
    with pytest.raises(ValueError):
        parse_batch(b'{"error": "x"}', ["a"])


def test_citation_files_in_three_shapes() -> None:
    plain = parse_citations_file({"1703.06870": 412})
    nested = parse_citations_file({"1703.06870": {"citationCount": 412}})
    records = parse_citations_file(json.loads(RESPONSE.read_text()))
    assert plain["1703.06870"].citations == nested["1703.06870"].citations == 412
    assert records["1703.06870"].citations == 412 and records["1701.07875"].citations == 35
    with pytest.raises(ValueError):
        parse_citations_file("412")


@dataclass
class FakeS2:
    """A loopback server speaking the batch endpoint; `script` holds statuses to answer first."""

    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
        self.requests.append({"path": parts.path, "query": parse_qs(parts.query),
                              "key": handler.headers.get("x-api-key"), "ids": body["ids"]})
        if self.script:
            status, headers = self.script.pop(0)
            self._send(handler, status, b'{"message": "Too Many Requests"}', headers)
        elif len(body["ids"]) > BATCH_LIMIT:
            self._send(handler, 400, b'{"error": "more than 500 ids"}', {})
        else:
            records = [self._record(i) for i in body["ids"]]
            self._send(handler, 200, json.dumps(records).encode(), {})

    def _record(self, s2_id: str) -> dict | None:
        arxiv_id = s2_id.removeprefix("ARXIV:")
        if arxiv_id not in self.counts:
            return None
        return {"paperId": "p" + arxiv_id, "externalIds": {"ArXiv": arxiv_id},
                "citationCount": self.counts[arxiv_id], "year": 2017}

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes,
              headers: dict[str, str]) -> None:
        handler.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@pytest.fixture
def s2() -> Iterator[tuple[FakeS2, str]]:
    fake = FakeS2()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            fake.answer(self)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}/graph/v1"
    server.shutdown()
    server.server_close()


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
        result = await fetch_citations(client, base, ["1703.06870"], retries=2, sleep=sleep)
    assert result.counts == () and result.failed == ("1703.06870",)
    assert "HTTP 429" in result.errors[0]
    fake.script = [(400, {})]
    async with httpx.AsyncClient() as client:
        result = await fetch_citations(client, base, ["1703.06870"], sleep=sleep)
    assert len(fake.requests) == 4  # a 400 is not retried
    assert result.failed == ("1703.06870",)


def test_cache_keeps_counts_and_knows_what_is_stale() -> None:
    db = open_db()
    then = datetime(2024, 1, 1, tzinfo=UTC)
    save_citations(db, [CitationCount("a", 10, 1, "2023-05-01", then.isoformat()),
                        CitationCount("b", None, None, "", then.isoformat())])
    cached = get_citations(db, ["a", "b", "c"])
    assert cached["a"].citations == 10 and cached["b"].citations is None and "c" not in cached
    assert stale_ids(db, ["a", "b", "c"], then + timedelta(days=1)) == ["c"]
    assert stale_ids(db, ["a", "b", "c"], then + timedelta(days=8)) == ["a", "b", "c"]
    save_citations(db, [CitationCount("a", 12, 1, "2023-05-01", (then + timedelta(days=8))
                                      .isoformat())])
    assert get_citations(db, ["a"])["a"].citations == 12


async def test_daily_refresh_fetches_recent_papers_and_rescores_them(s2) -> None:
    from datetime import UTC, date, datetime

    from bot.config import Config
    from bot.list_watch import seed_bundled
    from bot.scoring import refresh_citations, score_unscored
    from feeds.arxiv_rss import parse_arxiv_rss
    from feeds.bundled import bundled_snapshot
    from storage import papers, scores
    from storage.citations import get_citations
    from storage.db import open_db

    from .conftest import ARXIV_SAMPLES

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
    assert after.score > before and any("citation" in r for r in after.reasons)
    again = await refresh_citations(db, config, bundled_snapshot(), now)
    assert "0 refreshed" in again and len(fake.requests) == 2  # fresh counts are not refetched
