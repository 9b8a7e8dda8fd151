"""The shared rig: the real application on the fake Bot API, feeds served from 127.0.0.1.

    async with bot_rig(tmp_path) as rig:
        (reply,) = await rig.say("/start")
        await rig.tap(reply.callback_data[0], reply.message_id)

Time in the deliverer and the arXiv limiter is fake (`rig.time`), so tests never wait on the
wall clock; the database is a real file unless `path` is None.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Update

from bot.app import BotApp, build_application
from bot.config import Config
from bot.delivery import Deliverer
from bot.jobs import Services, run_recorded
from bot.pipeline.list_sync import seed_bundled
from feeds.arxiv_limiter import ArxivLimiter
from storage.db import Database, open_db
from tests.conftest import TEST_DATA
from tests.support.fakebotapi import FakeBotApi, SentMessage
from tests.support.feedserver import FakeTime, FeedServer, Reply

NOW = datetime(2017, 3, 14, 23, 0, tzinfo=UTC)
_ONE_ID = TEST_DATA / "arxiv" / "api-atom_id_1605.08386_s0_m100_199195aa31ad.xml"


def empty_api_page() -> bytes:
    """A real arXiv API answer with its one entry taken out: the API knows none of the ids."""
    body = _ONE_ID.read_bytes()
    start, end = body.index(b"<entry>"), body.index(b"</entry>") + len(b"</entry>")
    return body[:start] + body[end:]


def api_reply(body: bytes | None = None) -> Reply:
    """An arXiv API page as the API serves it."""
    return Reply(empty_api_page() if body is None else body,
                 content_type="application/atom+xml; charset=utf-8")
USER = 1001
MAINTAINER = 999


@dataclass
class Rig:
    """The real application (handlers, deliverer, jobs' bodies) on one database."""

    api: FakeBotApi
    app: BotApp
    db: Database
    services: Services
    time: FakeTime
    server: FeedServer

    @property
    def deliverer(self) -> Deliverer:
        assert isinstance(self.services.deliverer, Deliverer)
        return self.services.deliverer

    async def job(self, name: str) -> str:
        """Run a job body exactly as the scheduler does (one recorded run, one line)."""
        job = self.app.bot_data.scheduler.jobs[name]
        return (await run_recorded(self.services, job)).summary

    async def say(self, text: str, chat_id: int = USER, user_id: int | None = None,
                  **kwargs: Any) -> list[SentMessage]:
        """Send a message as a user; return the bot's messages sent in answer."""
        before = len(self.api.sent_messages())
        update = self.api.make_message_update(chat_id, text, user_id=user_id or chat_id, **kwargs)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.api.sent_messages()[before:]

    async def tap(self, data: str, message_id: int, chat_id: int = USER,
                  user_id: int | None = None) -> list[SentMessage]:
        """Press an inline button under a bot message; return the new sent records."""
        before = len(self.api.sent_messages())
        update = self.api.make_callback_update(chat_id, user_id or chat_id, data,
                                               message_id=message_id)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.api.sent_messages()[before:]

    def papers(self) -> int:
        return self.db.table("papers").count

    def outbox_rows(self, chat_id: int) -> int:
        return self.db.table("outbox").count_where("chat_id = ?", [chat_id])


@asynccontextmanager
async def bot_rig(
    path: Path | None = None, env: Mapping[str, str] | None = None, now: datetime = NOW,
) -> AsyncIterator[Rig]:
    """Build the rig; `env` adds or overrides settings; `path` None keeps the db in memory."""
    with FakeBotApi() as api, FeedServer() as server:
        config = Config.from_env({
            "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url,
            "TELEGRAM_RATE_LIMIT": "500", "MAINTAINER_IDS": str(MAINTAINER),
            "ARXIV_RSS_URL": server.url("/rss"), "LIST_README_URL": server.url("/README.md"),
            "ARXIV_API_URL": server.url("/api/query"), "HTTP_TIMEOUT": "0.3",
            **(env or {}),
        })
        server.script("/api/query", api_reply())  # by default the API knows none of the ids
        db = open_db(path if path is not None else ":memory:")
        seed_bundled(db)
        app = build_application(config, db, with_jobs=False)
        await app.initialize()
        fake = FakeTime()
        services = app.bot_data.services
        services.limiter = ArxivLimiter(clock=fake.clock, sleep=fake.sleep)
        services.clock = lambda: now
        deliverer = services.deliverer
        assert isinstance(deliverer, Deliverer)
        deliverer.clock, deliverer.sleep = fake.clock, fake.sleep
        try:
            yield Rig(api, app, db, services, fake, server)
        finally:
            await app.shutdown()
        assert not api.errors
