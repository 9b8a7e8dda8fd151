"""The bot's poll of a huge arXiv day, with replies measured on the same loop (bench/ingest.py
--big). Kept to the pipeline functions every version of the bot has (sync_arxiv, then
score_unscored_off_loop), so an older checkout runs it too: copy this file and ingest.py there."""

from __future__ import annotations

import asyncio
import re
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bot.commands.base import Asker
from bot.commands.dispatch import run_command
from bot.config import Config
from bot.pipeline.arxiv_sync import sync_arxiv
from bot.pipeline.list_sync import seed_bundled
from bot.pipeline.scoring import score_unscored_off_loop
from feeds.arxiv_limiter import ArxivLimiter
from feeds.model import Chat
from storage.db import Database, open_db
from storage.lists import current_snapshot

PROBE_EVERY = 0.1  # seconds between two /help questions
QUIET_SECONDS = 10.0
SLOW = 2.0  # a reply later than this counts as stalled (the measure)
_ID = re.compile(rb"\d{4}\.\d{4,5}")


def big_feed(body: bytes, items: int) -> bytes:
    """A real-shaped feed of `items` items: the sample's items over and over, each copy's ids
    moved to months of their own (YYMM from 1001), so every item is a new paper."""
    head, _, rest = body.partition(b"<item>")
    *found, tail = (b"<item>" + rest).split(b"</item>")
    out: list[bytes] = []
    copy = 0
    while len(out) < items:
        for number, item in enumerate(found[: items - len(out)]):
            fresh = b"%02d%02d.%05d" % (10 + copy, 1 + number % 12, number)
            out.append(_ID.sub(fresh, item) + b"</item>")
        copy += 1
    return head + b"".join(out) + tail


def serve(body: bytes) -> ThreadingHTTPServer:
    """Serve `body` at any path of 127.0.0.1 (a thread of its own)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class Probe:
    """Ask /help every PROBE_EVERY seconds; record each reply's delay from when it was due."""

    db: Database
    delays: list[float] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        asker = Asker(self.db, Chat(0), 0)
        due = time.perf_counter()
        while not self.stop.is_set():
            due += PROBE_EVERY
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await run_command(asker, "help", "")
            self.delays.append(time.perf_counter() - due)
            due = max(due, time.perf_counter())  # a stalled loop owes no burst of questions

    def line(self, label: str) -> str:
        worst = max(self.delays)
        slow = sum(d > SLOW for d in self.delays)
        return (f"{label:<22} replies {len(self.delays):>5}  median "
                f"{statistics.median(self.delays) * 1000:7.1f} ms  worst {worst * 1000:8.1f} ms"
                f"  over {SLOW:g} s: {slow}")


async def quiet(db: Database) -> Probe:
    """The replies alone, for QUIET_SECONDS."""
    probe = Probe(db)
    task = asyncio.create_task(probe.run())
    await asyncio.sleep(QUIET_SECONDS)
    probe.stop.set()
    await task
    return probe


async def poll(db: Database, url: str) -> tuple[Probe, float, str]:
    """The arXiv job's CPU and database work on a huge day, with the replies beside it."""
    config = Config.from_env({"ARXIV_RSS_URL": url, "HTTP_MAX_MB": "100"})
    probe = Probe(db)
    task = asyncio.create_task(probe.run())
    started = time.perf_counter()
    report = await sync_arxiv(db, config, limiter=ArxivLimiter(), now=datetime.now(UTC))
    scored = await score_unscored_off_loop(db, current_snapshot(db))
    seconds = time.perf_counter() - started
    probe.stop.set()
    await task
    return probe, seconds, f"{report.summary()}; {scored} scored"


def run_big(sample: bytes, items: int) -> int:
    """Build the huge day, measure the quiet baseline and the poll, print them side by side."""
    body = big_feed(sample, items)
    server = serve(body)
    url = f"http://127.0.0.1:{server.server_address[1]}/rss"
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "big.db")
        seed_bundled(db)
        baseline = asyncio.run(quiet(db))
        probe, seconds, summary = asyncio.run(poll(db, url))
    server.shutdown()
    print(f"huge day: {items:,} items, {len(body) / 1e6:.1f} MB, served from 127.0.0.1")
    print(summary)
    print(f"poll (download, parse, store, score): {seconds:.1f} s")
    print(baseline.line("/help, quiet baseline"))
    print(probe.line("/help, during the poll"))
    return 0
