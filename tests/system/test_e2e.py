"""End to end: subscribe, a maintainer's /refresh ingests a recorded feed, digests and suggestions
arrive through the fake Bot API; every byte travels over 127.0.0.1."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import UTC, datetime

from telegram import Update

from bot import jobs
from bot.app import build_application
from bot.config import Config
from bot.pipeline.scoring import rank_papers
from feeds.arxiv_limiter import ArxivLimiter
from feeds.arxiv_rss import parse_arxiv_rss
from feeds.bundled import bundled_snapshot
from storage import scores, suggestions
from storage.db import open_db
from tests.conftest import ARXIV_SAMPLES, README_HISTORY
from tests.support.fakebotapi import FakeBotApi
from tests.support.fakes2 import fake_s2
from tests.support.feedserver import FeedServer, Reply
from tests.support.rig import api_reply

READER, MAINTAINER = 4242, 999
LINE = re.compile(
    r"^- \*\*(?P<title>[^*]+)\*\* \((?P<year>\d{4})\), (?P<authors>[^\[]+) "
    r"\[\[pdf\]\]\(https://arxiv\.org/pdf/(?P<id>\d{4}\.\d{4,5})\)$"
)


def list_author_style(full_names: tuple[str, ...]) -> str:
    """The README's style, written out independently: 'K. He et al.' / 'A. X and B. Y'."""
    def short(name: str) -> str:
        parts = name.split()
        return f"{parts[0][0]}. {parts[-1]}"

    if len(full_names) == 1:
        return short(full_names[0])
    if len(full_names) == 2:
        return f"{short(full_names[0])} and {short(full_names[1])}"
    return f"{short(full_names[0])} et al."


async def test_subscribe_refresh_one_digest_and_maintainer_suggestions() -> None:
    """A 13-paper day has nothing over the suggestion bar (the issue's "A Visual Representation
    of Wittgenstein's Tractatus" and "Drone Squadron Optimization" were suggested from it); once
    one paper's citations put it over the list's bar, exactly that one is suggested, a second
    /refresh adds nothing, and Accept shows who decided and removes the buttons."""
    body = (ARXIV_SAMPLES / "rss2_ml6_2017-03-14.xml").read_bytes()
    feed = parse_arxiv_rss(body).papers
    routed_to = Counter(s.section for s in rank_papers(feed, bundled_snapshot()))
    topic = next(name for name, _ in routed_to.most_common() if name != "other")
    readme = next(README_HISTORY.glob("125_*.md")).read_bytes()
    stereo = "1703.04309"  # "End-to-End Learning of Geometry and Context for Deep Stereo ..."
    with FakeBotApi() as api, FeedServer() as feeds, fake_s2() as (s2, s2_url):
        feeds.script("/rss", Reply(body, etag='"day-1"'))
        feeds.script("/README.md", Reply(readme, content_type="text/plain"))
        feeds.script("/api/query", api_reply())
        config = Config.from_env({
            "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url,
            "ARXIV_RSS_URL": feeds.url("/rss"), "LIST_README_URL": feeds.url("/README.md"),
            "MAINTAINER_IDS": str(MAINTAINER), "TELEGRAM_RATE_LIMIT": "100",
            "ARXIV_API_URL": feeds.url("/api/query"), "CITATIONS_API_URL": s2_url,
        })
        db = open_db()
        app = build_application(config, db, with_jobs=False)
        app.bot_data.services.limiter = ArxivLimiter()
        await app.initialize()
        await app.start()
        try:
            async def say(chat_id: int, text: str) -> None:
                update = api.make_message_update(chat_id, text, user_id=chat_id)
                await app.process_update(Update.de_json(update, app.bot))

            await say(READER, f"/subscribe {topic}")
            await say(READER, "/digest instant")
            await say(READER, "/refresh")  # not a maintainer: refused, nothing runs
            await say(MAINTAINER, "/refresh")
            await _refreshed(api, 1)
            assert suggestions.with_status(db, "pending") == []  # nothing over the bar

            # six months on, the stereo paper has 400 citations (the list's one-year pace: 60)
            services = app.bot_data.services
            services.clock = lambda: datetime(2017, 9, 10, 12, tzinfo=UTC)
            s2.counts = {stereo: 400}
            await jobs.citations(services)
            await say(MAINTAINER, "/refresh")
            await _refreshed(api, 2)
            await say(MAINTAINER, "/refresh")  # the same week: nothing more
            await _refreshed(api, 3)
            made = suggestions.with_status(db, "pending")
            cards = [m for m in api.sent_messages(MAINTAINER) if "<code>- **" in m.text]
            assert [s.arxiv_id for s in made] == [stereo] and len(cards) == 1
            update = api.make_callback_update(MAINTAINER, MAINTAINER, f"g:{made[0].id}:a",
                                              message_id=cards[0].message_id)
            await app.process_update(Update.de_json(update, app.bot))
        finally:
            await app.stop()
            await app.shutdown()

    reader = [m.text for m in api.sent_messages(READER)]
    assert "Sorry, this command is for the list's maintainers." in reader
    digests = [t for t in reader if t.startswith("<b>📬")]
    assert len(digests) == 1
    routed = {s.paper_id for s in _stored_scores(db) if s.section == topic}
    assert routed
    for paper in feed:
        shown = f"arXiv:{paper.arxiv_id}" in digests[0]
        announced = not paper.announce_type.is_replacement  # a new version is not news
        assert shown == (paper.arxiv_id in routed and announced), paper.arxiv_id
    polls = feeds.requests_to("/rss")  # later refreshes ask politely and get 304
    assert [r.status for r in polls] == [200, 304, 304]
    assert all(r.headers.get("If-None-Match") == '"day-1"' for r in polls[1:])

    by_id = {p.arxiv_id: p for p in feed}
    card = cards[0]
    line = html.unescape(re.search(r"<code>(.*?)</code>", card.text).group(1))
    found = LINE.match(line)
    assert found, line
    paper = by_id[found.group("id")]
    assert found.group("year") == paper.published[:4]
    assert found.group("authors") == list_author_style(paper.authors)
    assert [b["text"] for b in card.buttons] == ["✅ Accept", "❌ Reject", "⏳ Later"]
    assert "400 citations in 6 months" in card.text
    edited = [m for m in api.sent_messages(MAINTAINER) if m.method == "editMessageText"]
    assert len(edited) == 1 and edited[0].message_id == card.message_id
    assert f"accepted by User{MAINTAINER}" in edited[0].text and not edited[0].buttons
    assert suggestions.with_status(db, "accepted")[0].decided_by == f"User{MAINTAINER}"


async def _refreshed(api: FakeBotApi, count: int) -> None:
    """Wait until the maintainer has had `count` "refresh:" reports."""
    def reports() -> int:
        return sum(1 for m in api.sent_messages(MAINTAINER) if m.text.startswith("refresh:"))
    await api.wait_for_async(lambda call: reports() >= count, timeout=30)


def _stored_scores(db):
    ids = [row["arxiv_id"] for row in db.query("select arxiv_id from papers")]
    return scores.scores_for(db, ids).values()
