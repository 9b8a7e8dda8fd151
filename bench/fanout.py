"""Fan-out benchmark: 10,000 chats' digests through the outbox to a fake Bot API on loopback.

The fake server runs in a child process so the bot's numbers (rate, peak RSS) are its own.
Printed side by side from one run: messages/s with no rate limiter (how fast we could go), the
achieved fraction of the limiter's configured rate, compose time and peak RSS.

    python bench/fanout.py [--chats 10000] [--limited 3000] [--rate 300]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram.ext import AIORateLimiter, ApplicationBuilder  # noqa: E402

from bot.delivery import Deliverer, outbox_request  # noqa: E402
from bot.pipeline.digests import compose_digests  # noqa: E402
from bot.pipeline.list_sync import seed_bundled  # noqa: E402
from bot.pipeline.scoring import score_unscored  # noqa: E402
from feeds.arxiv_rss import parse_arxiv_rss  # noqa: E402
from feeds.bundled import bundled_snapshot  # noqa: E402
from storage import chats, outbox, papers  # noqa: E402
from storage.db import open_db  # noqa: E402

FEED = ROOT.parent / "shared" / "data" / "arxiv-samples" / "rss2_ml6_2017-03-14.xml"


def serve(conn) -> None:  # type: ignore[no-untyped-def]
    """Child process: run the fake Bot API until told to stop."""
    sys.path.insert(0, str(ROOT))
    from tests.support.fakebotapi import FakeBotApi

    with FakeBotApi(max_long_poll=0.1) as api:
        conn.send((api.base_url, api.token))
        conn.recv()
        conn.send([m.time for m in api.sent_messages()])


def prepare(path: Path, count: int, first_id: int) -> float:
    """Create `count` subscribed chats and compose their digests; return compose seconds."""
    db = open_db(path)
    seed_bundled(db)
    with db.atomic():
        for chat_id in range(first_id, first_id + count):
            chats.ensure_chat(db, chat_id)
            chats.set_chat_setting(db, chat_id, digest="instant")
            chats.subscribe(db, chat_id, "keyword", "learning")
    papers.store_papers(db, parse_arxiv_rss(FEED.read_bytes()).papers,
                        announced=datetime(2017, 3, 14).date())
    score_unscored(db, bundled_snapshot())
    started = time.perf_counter()
    composed = compose_digests(db, "instant", datetime.now(UTC))
    assert composed == count, composed
    return time.perf_counter() - started


async def deliver(path: Path, base_url: str, token: str, rate: float | None) -> tuple[int, float]:
    """Deliver the outbox once; return (messages sent, seconds)."""
    builder = ApplicationBuilder().token(token).base_url(base_url).request(outbox_request())
    if rate is not None:
        builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=rate,
                                                      overall_time_period=1))
    app = builder.build()
    db = open_db(path)
    async with app:
        sender = Deliverer(app.bot, db)
        started = time.perf_counter()
        report = await sender.deliver_pending()
        seconds = time.perf_counter() - started
    assert outbox.counts(db).get("pending", 0) == 0, outbox.counts(db)
    return report.sent, seconds


def main() -> None:
    """Run both passes against one fake server and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--limited", type=int, default=3000, help="messages in the limited run")
    parser.add_argument("--rate", type=float, default=300.0, help="limiter rate (msg/s)")
    args = parser.parse_args()
    here, there = mp.Pipe()
    server = mp.get_context("spawn").Process(target=serve, args=(there,), daemon=True)
    server.start()
    base_url, token = here.recv()
    with tempfile.TemporaryDirectory() as tmp:
        free_db, limited_db = Path(tmp, "free.db"), Path(tmp, "limited.db")
        compose_s = prepare(free_db, args.chats, 10_000_000)
        prepare(limited_db, args.limited, 20_000_000)
        sent, free_s = asyncio.run(deliver(free_db, base_url, token, None))
        limited_sent, limited_s = asyncio.run(deliver(limited_db, base_url, token, args.rate))
    here.send("stop")
    arrivals = sorted(here.recv())
    server.join(timeout=5)
    received = len(arrivals)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # AIORateLimiter is a leaky bucket: it allows `rate` at once, then `rate` per second. What it
    # permits over the run (measured at the server) is burst + rate * elapsed.
    limited = arrivals[sent:]
    elapsed = limited[-1] - limited[0]
    permitted = args.rate + args.rate * elapsed
    fraction = len(limited) / permitted
    print(f"chats                         {args.chats}")
    print(f"compose digests               {compose_s:.2f} s ({args.chats / compose_s:.0f} chats/s)")
    print(f"no limiter                    {sent} msgs in {free_s:.2f} s = {sent / free_s:.0f} msg/s"
          f"  (goal >= 500: {'met' if sent / free_s >= 500 else 'MISSED'})")
    print(f"limiter at {args.rate:.0f}/s              {limited_sent} msgs in {elapsed:.2f} s at "
          f"the "
          f"server = {fraction:.0%} of what the limiter permits ({permitted:.0f} = burst "
          f"{args.rate:.0f} + {args.rate:.0f}/s x {elapsed:.2f} s)"
          f"  (goal >= 90%: {'met' if fraction >= 0.9 else 'MISSED'})")
    print(f"server received               {received} messages (expected {sent + limited_sent})")
    print(f"peak RSS (bot process)        {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
