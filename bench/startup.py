"""Cold start and memory: `papers-bot run` on a database of 100,000 papers and 10,000 chats.

Cold start is the time from spawning the process to its first getUpdates call on a fake Bot API
(imports, database, migrations, the list, handlers, jobs). Memory is the peak RSS of that
process after it has answered /search and /papers for a while and composed a digest for every
chat. Needs the query benchmark's database (bench/query.py builds it once).

    python bench/startup.py
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.pipeline.digests import compose_digests  # noqa: E402
from storage import chats  # noqa: E402
from storage.db import open_db  # noqa: E402
from tests.support.fakebotapi import FakeBotApi  # noqa: E402

SOURCE = ROOT / "bench" / ".cache" / "query-100000.db"
CHATS = 10_000
QUESTIONS = ["/search attention", "/papers rl", "/search generative adversarial", "/papers cnn",
             "/search graph neural network", "/papers nlp", "/new", "/topics"]


def prepare(path: Path) -> None:
    """Copy the 100k-paper database and add 10,000 subscribed chats with digests queued."""
    shutil.copy(SOURCE, path)
    db = open_db(path)
    with db.atomic():
        for chat_id in range(1, CHATS + 1):
            chats.ensure_chat(db, chat_id)
            chats.set_chat_setting(db, chat_id, digest="daily", paper_mark=db["papers"].count - 500)
            chats.subscribe(db, chat_id, "topic", "Reinforcement Learning / Robotics")
    compose_digests(db, "daily", datetime.now(UTC).replace(hour=23))
    db.close()


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a live process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    """Start the bot, time its first poll, ask it questions, read its peak RSS."""
    if not SOURCE.exists():
        sys.exit(f"{SOURCE} is missing: run `python bench/query.py` first")
    with tempfile.TemporaryDirectory() as tmp, FakeBotApi(max_long_poll=0.2) as api:
        path = Path(tmp, "bot.db")
        prepare(path)
        env = {**os.environ, "PAPERS_BOT_DB": str(path), "TELEGRAM_BOT_TOKEN": api.token,
               "TELEGRAM_API_URL": api.base_url, "TELEGRAM_RATE_LIMIT": "1000",
               "LIST_README_URL": "http://127.0.0.1:9/README.md",
               "ARXIV_RSS_URL": "http://127.0.0.1:9/rss"}
        started = time.perf_counter()
        bot = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        api.wait_for("getUpdates", timeout=60)
        cold = time.perf_counter() - started
        for round_ in range(25):
            for question in QUESTIONS:
                api.push_message(100_000 + round_, question)
        api.wait_for("sendMessage", count=len(QUESTIONS) * 25, timeout=120)
        api.wait_for(lambda c: c.method == "sendMessage" and 0 < int(c.chat_id or 0) <= CHATS,
                     count=CHATS, timeout=300)  # the queued digests, delivered by the bot
        rss = peak_rss_mb(bot.pid)
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=30)
    print(f"cold start (spawn -> first getUpdates)   {cold:.2f} s  (goal <= 3 s: "
          f"{'met' if cold <= 3 else 'MISSED'})")
    print(f"peak RSS, 100k papers / {CHATS} chats      {rss:.0f} MB  (goal <= 150 MB: "
          f"{'met' if rss <= 150 else 'MISSED'})")


if __name__ == "__main__":
    main()
