"""Replay 2017 week by week through the bot's real jobs and judge what its readers got.

    python bench/replay.py [--write-labels]

The list's README versions come in order at their commit times (poll_list), each week's arXiv
announcement as RSS bytes (poll_arxiv: sync, scoring), weekly digests go out on Mondays
(digests) and suggestions on Tuesdays (suggestions), all on a fake Bot API, a local feed
server and an arXiv API that answers id lookups from the pool (first-version dates, the list's
papers), on 127.0.0.1, with the process clock moved to the replayed moment (time-machine). Four
readers subscribe with /subscribe nlp, rl, gan and detection (retrying each Monday while the
list has no such topic) and /digest weekly 6; one maintainer gets the suggestions. Data and
labels: bench/replay_data.py (--write-labels rewrites bench/data/replay_labels.tsv).

Printed: papers each reader's digest showed per week and how many were on topic (by the
committed labels), reader-weeks left silent (the reader was shown no paper while a control
reader, who subscribed with the same word on the week's list just before the announcement, was
shown on-topic papers: the week's papers were routed to the topic, the reader lost them),
suggestions of papers that the list's README of that time already holds (by arXiv id or
normalised title) and those the list added only later (the bot suggested them first).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import logging
import re
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import time_machine  # noqa: E402
from telegram import Update  # noqa: E402
from tqdm import tqdm  # noqa: E402

from bench import replay_data as data  # noqa: E402
from bench.replay_data import Weeks, build_weeks  # noqa: E402
from bot.app import BotApp, build_application  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.jobs import run_recorded  # noqa: E402
from feeds.arxiv_calendar import EASTERN  # noqa: E402
from feeds.arxiv_limiter import ArxivLimiter  # noqa: E402
from feeds.awesome_list import normalise_title, parse_awesome_list  # noqa: E402
from feeds.model import Paper  # noqa: E402
from storage import chats  # noqa: E402
from storage.db import Database, open_db  # noqa: E402
from storage.lists import newest_snapshot  # noqa: E402
from tests.support.fakebotapi import FakeBotApi  # noqa: E402
from tests.support.feedserver import FakeTime, FeedServer, Reply  # noqa: E402

READERS = {2001: "nlp", 2002: "rl", 2003: "gan", 2004: "detection"}
MAINTAINER = 999
CONTROL_IDS = 10_000  # + 10 * week + reader: a new reader each week
DIGEST_HOUR = 6
ARXIV_ID = re.compile(r"arXiv:(\d{4}\.\d{4,5})")


class ArxivApi:
    """The arXiv API on 127.0.0.1: id_list lookups answered from the pool, as of the replay's
    day (date_first_versions and list_papers ask it; ids the pool lacks are not answered)."""

    def __init__(self, records: dict[str, Paper], today: Callable[[], date]) -> None:
        answer = self._answer

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                body = answer(parse_qs(urlsplit(self.path).query))
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return None

        self.records, self.today = records, today
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _answer(self, query: dict[str, list[str]]) -> bytes:
        ids = [i for i in ",".join(query.get("id_list", [])).split(",") if i in self.records]
        return data.api_page([self.records[i] for i in ids], self.today())

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/query"

    def __enter__(self) -> ArxivApi:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass(frozen=True)
class Event:
    """One moment of the replay: what happens then."""

    at: datetime
    kind: str  # list | subscribe | arxiv | digests | suggest
    week: int = 0
    version: data.ListVersion | None = None


def timeline(versions: list[data.ListVersion]) -> list[Event]:
    """Every event of the year in order."""
    start = datetime(2017, 1, 1, tzinfo=UTC)
    events = [Event(max(v.at + timedelta(minutes=5), start), "list", version=v)
              for v in versions]
    for week in range(data.WEEKS):
        monday = data.monday_of(week)
        sunday = monday + timedelta(days=6)
        next_monday = datetime.combine(monday + timedelta(days=7), time(DIGEST_HOUR, 0), UTC)
        events += [
            Event(datetime.combine(monday, time(12, 0), UTC), "subscribe", week),
            Event(datetime.combine(sunday, time(19, 55), EASTERN).astimezone(UTC), "control",
                  week),
            Event(datetime.combine(sunday, time(20, 5), EASTERN).astimezone(UTC), "arxiv", week),
            Event(next_monday, "digests", week),
            Event(next_monday + timedelta(days=1, hours=3), "suggest", week),
        ]
    return sorted(events, key=lambda e: e.at)


@dataclass
class ReaderWeek:
    """What one reader got in one week."""

    subscribed: bool = False
    shown: list[str] = field(default_factory=list)  # arXiv ids the digest showed
    control: list[str] = field(default_factory=list)  # what a reader new that week was shown
    renamed: bool = False  # the section the reader subscribed to is gone from the list


@dataclass
class Record:
    """Everything the replay saw."""

    readers: dict[int, list[ReaderWeek]]
    subscribed_as: dict[int, tuple[int, str]] = field(default_factory=dict)  # week, section
    controls: dict[int, int] = field(default_factory=dict)  # control chat -> reader
    suggested: list[tuple[int, str, datetime]] = field(default_factory=list)
    list_events: dict[int, list[str]] = field(default_factory=dict)  # topic names changed
    refused: int = 0  # messages the fake Bot API refused (the bot then resends them plain)


@dataclass
class Harness:
    """The real application on the fake Bot API and the local feed server, one clock."""

    api: FakeBotApi
    server: FeedServer
    app: BotApp
    db: Database
    now: datetime = datetime(2017, 1, 1, tzinfo=UTC)

    async def job(self, name: str) -> str:
        """Run a job body as the scheduler does."""
        services = self.app.bot_data.services
        return (await run_recorded(services, self.app.bot_data.scheduler.jobs[name])).summary

    async def say(self, chat_id: int, text: str) -> list[str]:
        """Send a command as a user in a private chat; return the texts of the answers."""
        before = len(self.api.sent_messages())
        update = self.api.make_message_update(chat_id, text, user_id=chat_id)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return [m.text or "" for m in self.api.sent_messages()[before:]]

    def sent_since(self, count: int, chat_id: int) -> list[str]:
        """Texts sent to a chat after the first `count` messages."""
        return [m.text or "" for m in self.api.sent_messages()[count:]
                if str(m.chat_id) == str(chat_id)]

    async def subscribe(self, chat_id: int, topic: str) -> str | None:
        """/subscribe TOPIC and /digest weekly as a user; the section's name when it took."""
        answer = " ".join(await self.say(chat_id, f"/subscribe {topic}"))
        if not chats.subscriptions(self.db, chat_id):
            return None
        await self.say(chat_id, f"/digest weekly {DIGEST_HOUR}")
        named = re.search(r"<b>(.*?)</b>", answer)
        return html.unescape(named.group(1)) if named else topic


async def subscribe_readers(h: Harness, record: Record, week: int) -> None:
    """Each reader not yet subscribed tries /subscribe TOPIC (and sets weekly digests)."""
    for chat_id, topic in READERS.items():
        if chat_id not in record.subscribed_as:
            name = await h.subscribe(chat_id, topic)
            if name is not None:
                record.subscribed_as[chat_id] = (week, name)


async def subscribe_controls(h: Harness, record: Record, week: int) -> None:
    """Just before the week's announcement a new reader per topic subscribes (with today's
    list): what its first digest shows is what the week routed to the topic."""
    for offset, (chat_id, topic) in enumerate(READERS.items()):
        control = CONTROL_IDS + 10 * week + offset
        if await h.subscribe(control, topic) is not None:
            record.controls[control] = chat_id


def shown_ids(texts: list[str]) -> list[str]:
    """The arXiv ids a digest's messages show, in order."""
    return list(dict.fromkeys(i for t in texts for i in ARXIV_ID.findall(t)))


async def deliver_digests(h: Harness, record: Record, week: int) -> None:
    """Monday's digests: what each reader and each of the week's controls was shown."""
    before = len(h.api.sent_messages())
    await h.job("digests")
    names = set(_topic_names(h.db))
    for chat_id in READERS:
        got = record.readers[chat_id][week]
        got.subscribed = chat_id in record.subscribed_as
        got.shown = shown_ids(h.sent_since(before, chat_id))
        got.renamed = got.subscribed and record.subscribed_as[chat_id][1] not in names
    for control, chat_id in list(record.controls.items()):
        record.readers[chat_id][week].control = shown_ids(h.sent_since(before, control))
        await h.say(control, "/digest off")
        del record.controls[control]


async def run_event(h: Harness, event: Event, weeks: Weeks, record: Record) -> None:
    """Do what happens at one moment."""
    if event.kind == "list" and event.version is not None:
        h.server.script("/README.md", Reply(event.version.path.read_bytes(),
                                            content_type="text/plain; charset=utf-8"))
        before = _topic_names(h.db)
        await h.job("poll_list")
        await h.job("list_papers")  # the list's papers from the arXiv API (full authors)
        after = _topic_names(h.db)
        changes = [f"-{n}" for n in before if n not in after]
        changes += [f"+{n}" for n in after if n not in before]
        week = data.week_of(event.at.date()) or 0
        record.list_events.setdefault(week, []).append(", ".join(changes) if before else "")
    elif event.kind == "subscribe":
        await subscribe_readers(h, record, event.week)
    elif event.kind == "control":
        await subscribe_controls(h, record, event.week)
    elif event.kind == "arxiv":
        h.server.script("/rss", Reply(weeks.bodies[event.week]))
        await h.job("poll_arxiv")
    elif event.kind == "digests":
        await deliver_digests(h, record, event.week)
    elif event.kind == "suggest":
        before = len(h.api.sent_messages())
        await h.job("suggestions")
        for text in h.sent_since(before, MAINTAINER):
            record.suggested += [(event.week, i, event.at) for i in ARXIV_ID.findall(text)[:1]]


def _topic_names(db: Database) -> list[str]:
    """The names a chat may subscribe to in the stored list (none before its first version)."""
    stored = newest_snapshot(db)
    return [s.name for s in stored.followable()] if stored else []


async def replay(weeks: Weeks, versions: list[data.ListVersion]) -> Record:
    """Run the year; return what each reader and the maintainer got."""
    record = Record({c: [ReaderWeek() for _ in range(data.WEEKS)] for c in READERS})
    clock = [datetime(2017, 1, 1, tzinfo=UTC)]
    with (tempfile.TemporaryDirectory() as tmp, FakeBotApi() as api, FeedServer() as server,
          ArxivApi(weeks.records, lambda: clock[0].date()) as arxiv_api):
        config = Config.from_env({
            "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url,
            "TELEGRAM_RATE_LIMIT": "500", "MAINTAINER_IDS": str(MAINTAINER),
            "ARXIV_RSS_URL": server.url("/rss"), "LIST_README_URL": server.url("/README.md"),
            "ARXIV_API_URL": arxiv_api.url, "HTTP_TIMEOUT": "10",
            "PAPERS_BOT_DB": str(Path(tmp) / "replay.db"),
        })
        db = open_db(Path(tmp) / "replay.db")
        app = build_application(config, db, with_jobs=False)
        fake = FakeTime()
        h = Harness(api, server, app, db)
        services = app.bot_data.services
        services.limiter = ArxivLimiter(clock=fake.clock, sleep=fake.sleep)
        services.clock = lambda: h.now
        services.deliverer.clock, services.deliverer.sleep = fake.clock, fake.sleep
        await app.initialize()
        try:
            for event in tqdm(timeline(versions), desc="replay 2017", unit="event",
                              file=sys.stderr, dynamic_ncols=True):
                h.now = clock[0] = event.at
                with time_machine.travel(event.at, tick=False):
                    await run_event(h, event, weeks, record)
        finally:
            await app.shutdown()
        record.refused = sum(not c.ok for c in api.calls("sendMessage"))
    return record


@dataclass(frozen=True)
class Labeller:
    """On-topic labels: the committed file, else (counted) the same rules at run time."""

    committed: dict[str, dict[str, bool]]
    gan_zoo: frozenset[str]
    unlabelled: set[str] = field(default_factory=set)

    def __call__(self, paper: Paper) -> dict[str, bool]:
        found = self.committed.get(paper.arxiv_id)
        if found is not None:
            return found
        self.unlabelled.add(paper.arxiv_id)
        return data.topic_labels(paper.title, paper.categories, self.gan_zoo, paper.arxiv_id)


@dataclass(frozen=True)
class Listed:
    """What the list's README holds from a version on: arXiv ids and normalised titles."""

    versions: list[data.ListVersion]
    ids: list[set[str]]
    titles: list[set[str]]

    @classmethod
    def read(cls, versions: list[data.ListVersion]) -> Listed:
        snapshots = [parse_awesome_list(v.path.read_bytes()) for v in versions]
        return cls(versions, [{e.arxiv_id for e in s.entries if e.arxiv_id} for s in snapshots],
                   [{normalise_title(e.title) for e in s.entries} for s in snapshots])

    def listed_from(self, paper: Paper, when: datetime) -> str | None:
        """The first version current at `when` or later that lists the paper, with how."""
        current = max((i for i, v in enumerate(self.versions) if v.at <= when), default=0)
        title = normalise_title(paper.title)
        for i in range(current, len(self.versions)):
            if paper.arxiv_id in self.ids[i]:
                return f"version {self.versions[i].step}, by id"
            if title in self.titles[i]:
                return f"version {self.versions[i].step}, by title"
        return None


def on_topic(shown: list[str], topic: str, labels: Labeller, papers: dict[str, Paper]) -> int:
    """How many of the papers a digest showed are on the reader's topic."""
    return sum(labels(papers[i])[topic] for i in shown if i in papers)


def is_silent(week: ReaderWeek, topic: str, labels: Labeller, papers: dict[str, Paper]) -> bool:
    """Subscribed and shown nothing, while a reader new that week was shown on-topic papers."""
    return week.subscribed and not week.shown and on_topic(week.control, topic, labels,
                                                           papers) > 0


def cell(week: ReaderWeek, topic: str, labels: Labeller, papers: dict[str, Paper]) -> str:
    """One reader-week: on-topic/shown, '.' nothing shown, '!' silent, '-' not subscribed."""
    if not week.subscribed:
        return "-"
    if not week.shown:
        return "!" if is_silent(week, topic, labels, papers) else "."
    return f"{on_topic(week.shown, topic, labels, papers)}/{len(week.shown)}"


def print_weeks(record: Record, weeks: Weeks, labels: Labeller,
                papers: dict[str, Paper]) -> None:
    """The compact table: one row per week, one column per reader, then the list's news."""
    print("digests per reader per week: on-topic/shown papers; '.' no paper shown, '!' silent "
          "(a reader new that week was shown on-topic papers), '-' not subscribed")
    head = "".join(f"{t:>10}" for t in READERS.values())
    print(f"{'week':>4} {'from':10} {'papers':>6}{head}  list")
    for week in range(data.WEEKS):
        cells = "".join(f"{cell(record.readers[c][week], t, labels, papers):>10}"
                        for c, t in READERS.items())
        source = "" if week in weeks.from_feed else "*"
        events = record.list_events.get(week, [])
        news = f"{len(events)} version(s)" + (", topic names changed" if any(events) else "")
        print(f"{week + 1:>4} {data.monday_of(week).isoformat():10} "
              f"{len(weeks.papers[week]):>5}{source}{cells}  {news if events else ''}")
    print("* built from the arXiv pool (the 2,000-item feed ends on 2017-10-01)")
    print("topic names the list changed (- gone, + new):")
    for week, events in sorted(record.list_events.items()):
        for change in filter(None, events):
            print(f"  week {week + 1:>2}: {change}")
    print()


def print_readers(record: Record, labels: Labeller, papers: dict[str, Paper]) -> None:
    """Per reader: digests, papers shown, on-topic share, silent weeks."""
    print(f"{'reader':10} {'subscribed':>10} {'as':34} {'digests':>7} {'shown':>6} "
          f"{'on-topic':>8} {'share':>6} {'silent':>6} {'renamed':>7}")
    shares, silent_total, renamed_total = [], 0, 0
    for chat_id, topic in READERS.items():
        got = [w for w in record.readers[chat_id] if w.subscribed]
        shown = sum(len(w.shown) for w in got)
        hits = sum(on_topic(w.shown, topic, labels, papers) for w in got)
        silent = [w for w in got if is_silent(w, topic, labels, papers)]
        renamed = sum(w.renamed for w in silent)
        silent_total, renamed_total = silent_total + len(silent), renamed_total + renamed
        share = f"{100 * hits / shown:.1f}%" if shown else "n/a"
        shares.append(share)
        since, name = record.subscribed_as.get(chat_id, (None, "(never)"))
        print(f"{topic:10} {'week ' + str(since + 1) if since is not None else '-':>10} "
              f"{name[:34]:34} {sum(bool(w.shown) for w in got):>7} {shown:>6} {hits:>8} "
              f"{share:>6} {len(silent):>6} {renamed:>7}")
    print(f"\non-topic share (nlp/rl/gan/detection): {' / '.join(shares)}")
    print(f"silent reader-weeks: {silent_total} (goal 0), {renamed_total} of them after a "
          "rename of the subscribed section")


def print_suggestions(record: Record, listed: Listed, papers: dict[str, Paper]) -> None:
    """Suggestions of papers the list already held when suggested (a duplicate), and of papers
    the list added only later (the bot told the maintainers first)."""
    already, first = [], []
    for week, arxiv_id, when in record.suggested:
        paper = papers.get(arxiv_id)
        how = listed.listed_from(paper, when) if paper else None
        if paper is None or how is None:
            continue
        text = f"  week {week + 1:>2} arXiv:{arxiv_id} {paper.title[:60]} ({how})"
        current = max((v.step for v in listed.versions if v.at <= when), default="")
        (already if how.split(",")[0] == f"version {current}" else first).append(text)
    on_list = sum(listed.listed_from(p, listed.versions[0].at) is not None
                  for p in papers.values())
    print(f"suggestions already on the list: {len(already)} of {len(record.suggested)} "
          f"(goal 0; {on_list} of the replay's papers are on some README version)")
    print("\n".join(already))
    print(f"suggested before the list added them: {len(first)}")
    print("\n".join(first))


def main() -> None:
    """Build the data, replay the year, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-labels", action="store_true",
                        help="rewrite bench/data/replay_labels.tsv from the rules, then replay")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    weeks = build_weeks()
    papers = {p.arxiv_id: p for w in range(data.WEEKS) for p in weeks.papers[w]}
    zoo = data.gan_zoo_ids()
    if args.write_labels:
        data.write_labels(papers.values(), zoo)
    labels = Labeller(data.read_labels(), zoo)
    versions = data.replay_versions(data.list_versions())
    record = asyncio.run(replay(weeks, versions))
    print(f"REPLAY 2017: {data.WEEKS} weeks, {len(papers)} papers ({len(weeks.from_feed)} weeks "
          f"from the 2,000-item feed, the rest from the pool), {len(versions)} list versions\n")
    print_weeks(record, weeks, labels, papers)
    print_readers(record, labels, papers)
    print_suggestions(record, Listed.read(data.list_versions()), papers)
    if record.refused:
        print(f"(the Bot API refused {record.refused} messages; the bot resent them as plain "
              "text)")
    if labels.unlabelled:
        print(f"({len(labels.unlabelled)} papers not in the committed labels: labelled by the "
              "same rules at run time)")


if __name__ == "__main__":
    main()
