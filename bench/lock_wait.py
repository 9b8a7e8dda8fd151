"""Reply latency while another process holds SQLite's write lock (issue 22, item 2).

Starts `papers-bot run` as a real process on a fresh database against a fake Bot API on
127.0.0.1, then sends /help from chats it has never seen (each must be registered: a write)
and /papers gan from a known chat (reads only), timing each from the push of the update to the
bot's sendMessage. First with the database free, then while a second process holds the write
lock (`BEGIN IMMEDIATE`, as a backup, a sync or `papers-bot ask` would) for --hold seconds.
After the lock is released it counts replies never sent and new chats never registered.

    python bench/lock_wait.py [--hold 40] [--tree /path/to/another/checkout]

--tree runs another checkout's bot too (e.g. the main branch before this change), side by side.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.fakebotapi import FakeBotApi  # noqa: E402

LOCK_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("begin immediate")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("commit")
"""
KNOWN_CHAT = 500
EVERY = 4.0  # seconds between the two questions asked while the lock is held


@dataclass
class Phase:
    """Questions asked in one phase: (command, chat, pushed at) and their reply times."""

    asked: list[tuple[str, int, float]] = field(default_factory=list)
    answered: dict[tuple[str, int, float], float] = field(default_factory=dict)

    def latencies(self, command: str) -> list[float]:
        return [self.answered[q] - q[2] for q in self.asked
                if q[0] == command and q in self.answered]

    def line(self, command: str) -> str:
        asked = sum(1 for q in self.asked if q[0] == command)
        took = sorted(self.latencies(command))
        if not took:
            return f"answered 0/{asked}"
        return (f"p50 {statistics.median(took) * 1000:7.0f} ms  max {took[-1] * 1000:7.0f} ms  "
                f"answered {len(took)}/{asked}")


def ask(api: FakeBotApi, phase: Phase, command: str, chat_id: int) -> None:
    api.push_message(chat_id, command)
    phase.asked.append((command, chat_id, time.monotonic()))


def collect(api: FakeBotApi, phase: Phase, deadline: float) -> None:
    """Match each question with the first reply to its chat after it was asked."""
    while time.monotonic() < deadline:
        for question in phase.asked:
            if question in phase.answered:
                continue
            replies = [m.time for m in api.sent_messages(question[1])
                       if m.time >= question[2] and m.time not in phase.answered.values()]
            if replies:
                phase.answered[question] = min(replies)
        if len(phase.answered) == len(phase.asked):
            return
        time.sleep(0.02)


def start_bot(api: FakeBotApi, tree: Path, db: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PAPERS_BOT_DB": str(db), "TELEGRAM_BOT_TOKEN": api.token,
           "TELEGRAM_API_URL": api.base_url, "LIST_README_URL": "http://127.0.0.1:9/README.md",
           "ARXIV_RSS_URL": "http://127.0.0.1:9/rss", "ARXIV_API_URL": "http://127.0.0.1:9/api",
           "CITATIONS_API_URL": "http://127.0.0.1:9/graph/v1"}
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=tree, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def measure(tree: Path, hold: float, folder: Path) -> tuple[Phase, Phase, int, int, str]:
    """Both phases against one bot; returns them, new chats asked and registered, and the
    bot's log lines that mention the lock."""
    db = folder / f"{tree.name}.db"
    with FakeBotApi() as api:
        bot = start_bot(api, tree, db)
        try:
            api.wait_for("getUpdates", timeout=60)
            free, locked = Phase(), Phase()
            ask(api, free, "/papers gan", KNOWN_CHAT)  # registers the known chat
            collect(api, free, time.monotonic() + 30)
            free = Phase()
            for n in range(5):
                ask(api, free, "/help", 10_000 + n)
                collect(api, free, time.monotonic() + 60)
                ask(api, free, "/papers gan", KNOWN_CHAT)
                collect(api, free, time.monotonic() + 60)
            holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(db)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert holder.stdout is not None and holder.stdin is not None
            assert holder.stdout.readline().strip() == "locked"
            locked_at, n = time.monotonic(), 0
            while time.monotonic() - locked_at < hold - EVERY / 2:
                ask(api, locked, "/help", 20_000 + n)
                ask(api, locked, "/papers gan", KNOWN_CHAT)
                n += 1
                collect(api, locked, locked_at + n * EVERY)
                time.sleep(max(0.0, locked_at + n * EVERY - time.monotonic()))
            holder.stdin.write("\n")
            holder.stdin.flush()
            holder.wait(30)
            collect(api, locked, time.monotonic() + 60)
            time.sleep(2)  # let the writer land what waited
            conn = sqlite3.connect(db)
            new = [c for q, c, _ in locked.asked if q == "/help"]
            registered = conn.execute(
                f"select count(*) from chats where chat_id in ({','.join('?' * len(new))})",
                new).fetchone()[0]
            conn.close()
        finally:
            bot.send_signal(signal.SIGTERM)
            _, err = bot.communicate(timeout=120)
    lines = [line for line in err.splitlines() if "locked" in line.lower()]
    return free, locked, len(new), registered, "\n".join(lines[:6])


def main() -> None:
    """Measure this tree (and --tree), print side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hold", type=float, default=40.0, help="seconds the lock is held")
    parser.add_argument("--tree", type=Path, help="another checkout to measure too")
    args = parser.parse_args()
    trees = [ROOT] + ([args.tree.resolve()] if args.tree else [])
    with tempfile.TemporaryDirectory() as folder:
        results = [(tree, *measure(tree, args.hold, Path(folder))) for tree in trees]
    print(f"reply latency, update pushed -> sendMessage at the fake Bot API "
          f"(another process holds the write lock for {args.hold:.0f} s)")
    for tree, free, locked, asked, registered, log in results:
        print(f"\n{tree}")
        for command in ("/help", "/papers gan"):
            who = "new chats" if command == "/help" else "known chat"
            print(f"  {command:<12} ({who:>10})  free:   {free.line(command)}")
            print(f"  {'':<12} {'':>12}  locked: {locked.line(command)}")
        print(f"  new chats registered once the lock was released: {registered}/{asked}")
        if log:
            print("  bot log lines naming the lock:\n    " + log.replace("\n", "\n    "))


if __name__ == "__main__":
    main()
