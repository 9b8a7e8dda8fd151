"""Digests: topic fit gates, importance orders; keyword subscriptions; New papers news.

Real arXiv records (tests/data/search, picked by rule) are announced, scored by the real
ranker and routed by the real router; digests go out through the fake Bot API.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.cli.rank import candidate_paper
from bot.pipeline.digests import compose_digests
from bot.pipeline.scoring import score_unscored
from feeds.model import DigestMode, Paper
from feeds.rank.ranker import importance
from feeds.rank.topics import show_bar
from storage import chats, papers, scores
from storage.lists import current_snapshot
from tests.conftest import README_HISTORY, TEST_DATA
from tests.support.feedserver import Reply
from tests.support.rig import Rig, bot_rig

GEN = "Unsupervised / Generative Models"
SAMPLE = TEST_DATA / "search" / "pool_sample.jsonl"
KEYWORDS = TEST_DATA / "search" / "keyword_sample.jsonl"
NOW = datetime(2017, 3, 14, 23, 0, tzinfo=UTC)


def load(path) -> list[Paper]:
    return [replace(candidate_paper(json.loads(line)), announce_type="new")
            for line in path.read_text().splitlines()]


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    async with bot_rig(env={"DIGEST_PAPERS_PER_TOPIC": "5"}) as built:
        for chat_id, lang in ((1, "en"), (2, "zh"), (3, "en")):
            chats.ensure_chat(built.db, chat_id, lang=lang)
            chats.set_chat_setting(built.db, chat_id, digest="instant")
        papers.store_papers(built.db, load(SAMPLE) + load(KEYWORDS), announced=date(2017, 3, 14))
        score_unscored(built.db, current_snapshot(built.db))
        yield built


async def deliver_instant(rig: Rig) -> None:
    compose_digests(rig.db, DigestMode.INSTANT, NOW, rig.services.config.digest_papers_per_topic)
    await rig.deliverer.deliver_pending()


def ids_in(text: str) -> list[str]:
    return re.findall(r"arXiv:(\d{4}\.\d{4,5})", text)


async def test_a_topic_digest_shows_the_best_fitting_papers_and_offers_the_rest(rig) -> None:
    await rig.say(f"/subscribe {GEN}", 1)
    await deliver_instant(rig)
    (digest,) = [m for m in rig.api.sent_messages(1) if m.text.startswith("<b>📬")]
    shown = ids_in(digest.text)
    routed = [s for s in scores.scores_for(rig.db, [p.arxiv_id for p in load(SAMPLE)]).values()
              if GEN in dict(s.topics)]
    fitting = [s for s in routed if s.fit(GEN) >= show_bar(GEN)]  # over the topic's fit bar
    assert len(routed) > len(fitting) > 5 and len(shown) == 5  # at most five, by the setting
    by_id = {s.paper_id: s for s in fitting}
    assert set(shown) <= set(by_id)  # only papers that fit the topic
    assert "the 5 that matter most of" in digest.text and f"{len(fitting) - 5} more" in digest.text
    # over the bar, most important first: no left-out paper is more important than a shown one
    best_left = [s for i, s in by_id.items() if i not in shown]
    assert all(importance(s) <= min(importance(by_id[i]) for i in shown) for s in best_left)
    (button,) = [d for d in digest.callback_data if d.startswith("r:")]
    rest = await rig.tap(button, digest.message_id, 1)  # 14 papers: more than one message
    assert sorted(i for m in rest for i in ids_in(m.text)) == sorted(
        s.paper_id for s in best_left)


async def test_the_digest_speaks_chinese_to_a_chinese_chat(rig) -> None:
    await rig.say("/subscribe 生成模型", 2)
    await deliver_instant(rig)
    (digest,) = [m for m in rig.api.sent_messages(2) if m.text.startswith("<b>📬")]
    assert "为你推荐的新论文" in digest.text and "无监督 / 生成模型" in digest.text
    assert "契合主题，这里是最重要的 5 篇" in digest.text
    assert digest.buttons[0]["text"].startswith("另外")


async def test_a_keyword_in_passing_is_not_delivered_a_central_one_is(rig) -> None:
    await rig.say('/subscribe "speech recognition"', 3)
    await deliver_instant(rig)
    (digest,) = [m for m in rig.api.sent_messages(3) if m.text.startswith("<b>📬")]
    keyword = load(KEYWORDS)
    (button,) = digest.callback_data  # five shown, the rest behind the button
    rest = await rig.tap(button, digest.message_id, 3)
    shown = set(ids_in(digest.text)) | {i for m in rest for i in ids_in(m.text)}
    passing, central = {p.arxiv_id for p in keyword[:4]}, {p.arxiv_id for p in keyword[4:]}
    assert shown.isdisjoint(passing)
    assert central <= shown
    titled = {p.arxiv_id for p in load(SAMPLE) if "speech recognition" in p.title.lower()}
    assert titled & shown  # titles holding the phrase are delivered


async def test_new_papers_news_reaches_its_followers(rig) -> None:
    """Mainline step 093 -> 094 of the list (2017-03-21) added Mask R-CNN and Least Squares
    GAN to New papers: a chat that follows New papers gets both as list news; a chat that
    follows a topic only does not."""
    (reply,) = await rig.say("/subscribe new papers", 1)
    assert "New papers" in reply.text and "additions to this section" in reply.text
    await rig.say("/subscribe speech", 3)
    before = next(README_HISTORY.glob("093_*.md")).read_bytes()
    after = next(README_HISTORY.glob("094_*.md")).read_bytes()
    rig.server.script("/README.md", Reply(before), Reply(after))
    await rig.job("poll_list")
    rig.deliverer._last_sent.clear()  # noqa: SLF001 - the first news went out a moment ago
    await rig.job("poll_list")
    news = [m.text for m in rig.api.sent_messages(1) if "List changes" in m.text]
    assert news and "Mask R-CNN" in news[-1] and "Least squares generative" in news[-1]
    assert "added to New papers" in news[-1]
    assert not [m for m in rig.api.sent_messages(3) if "Mask R-CNN" in m.text]
    assert all(s.section != "New papers" for s in scores.scores_for(
        rig.db, [p.arxiv_id for p in load(SAMPLE)]).values())  # arXiv is never routed there


async def test_list_news_after_a_large_readme_change_is_capped_with_a_link(rig) -> None:
    """The list of 2016-11 and its last README (2018-10) differ in hundreds of entries: a
    chat following every topic gets the first changes and one link, not a 167-message digest."""
    for topic in ("cnn", "gan", "rl", "nlp", "speech", "optimization", "image", "detection",
                  "understanding"):
        await rig.say(f"/subscribe {topic}", 1)
    first = next(README_HISTORY.glob("042_*.md")).read_bytes()
    last = next(README_HISTORY.glob("125_*.md")).read_bytes()
    rig.server.script("/README.md", Reply(first), Reply(last))
    await rig.job("poll_list")
    before = len(rig.api.sent_messages(1))
    rig.deliverer._last_sent.clear()  # noqa: SLF001 - the first news went out a moment ago
    await rig.job("poll_list")
    news = [m.text for m in rig.api.sent_messages(1)[before:] if "List changes" in m.text]
    assert len(news) == 1  # one message
    (text,) = news
    assert text.count("➕") + text.count("➖") + text.count("↪") == 10
    more = re.search(r"… and (\d+) more changes in your topics", text)
    assert more and int(more.group(1)) > 40  # entries of renamed sections are no news
    assert rig.server.url("/README.md") in rig.db.execute(
        "select source_url from list_versions order by id desc limit 1").fetchone()[0]
    assert "papers-bot list diff" in text  # a loopback README has no GitHub history to link


def test_a_github_readme_links_its_commit_history() -> None:
    from bot.render.digest import capped_news, history_url

    url = "https://raw.githubusercontent.com/terryum/awesome-deep-learning-papers/master/README.md"
    assert history_url(url) == ("https://github.com/terryum/awesome-deep-learning-papers/"
                                "commits/master/README.md")
    lines = capped_news([f"line {i}" for i in range(25)], "en", url)
    assert lines[:10] == [f"line {i}" for i in range(10)] and len(lines) == 11
    assert "… and 15 more changes" in lines[-1] and history_url(url) in lines[-1]
    assert "完整修改记录" in capped_news(["x"] * 12, "zh", url)[-1]
    assert capped_news(["a", "b"], "en", url) == ["a", "b"]
