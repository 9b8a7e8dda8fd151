"""End to end: subscribe, a maintainer's /refresh ingests a recorded feed, digests and suggestions
arrive through the fake Bot API; every byte travels over 127.0.0.1."""

from __future__ import annotations

import html
import re
from collections import Counter

from telegram import Update

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
    body = (ARXIV_SAMPLES / "rss2_ml6_2017-03-14.xml").read_bytes()
    feed = parse_arxiv_rss(body).papers
    routed_to = Counter(s.section for s in rank_papers(feed, bundled_snapshot()))
    topic = next(name for name, _ in routed_to.most_common() if name != "other")
    readme = next(README_HISTORY.glob("125_*.md")).read_bytes()
    with FakeBotApi() as api, FeedServer() as feeds:
        feeds.script("/rss", Reply(body, etag='"day-1"'))
        feeds.script("/README.md", Reply(readme, content_type="text/plain"))
        feeds.script("/api/query", api_reply())
        config = Config.from_env({
            "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url,
            "ARXIV_RSS_URL": feeds.url("/rss"), "LIST_README_URL": feeds.url("/README.md"),
            "MAINTAINER_IDS": str(MAINTAINER), "TELEGRAM_RATE_LIMIT": "100",
            "ARXIV_API_URL": feeds.url("/api/query"),
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
            await api.wait_for_async(
                lambda call: call.method == "sendMessage"
                and str(call.params.get("text", "")).startswith("refresh:"), timeout=30,
            )
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
    assert len(feeds.requests_to("/rss")) == 1

    made = suggestions.with_status(db, "pending")
    cards = [m for m in api.sent_messages(MAINTAINER) if "<code>- **" in m.text]
    assert made and len(cards) == len(made)
    by_id = {p.arxiv_id: p for p in feed}
    for card in cards:
        line = html.unescape(re.search(r"<code>(.*?)</code>", card.text).group(1))
        found = LINE.match(line)
        assert found, line
        paper = by_id[found.group("id")]
        assert found.group("year") == paper.published[:4]
        assert found.group("authors") == list_author_style(paper.authors)
        assert [b["text"] for b in card.buttons] == ["✅ Accept", "❌ Reject", "⏳ Later"]


def _stored_scores(db):
    ids = [row["arxiv_id"] for row in db.query("select arxiv_id from papers")]
    return scores.scores_for(db, ids).values()
