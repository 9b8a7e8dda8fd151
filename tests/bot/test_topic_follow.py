"""A renamed or merged section keeps its subscribers: the real jobs on two real consecutive
versions of the list (tests/data/list_renames), through the fake Bot API."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from bot.cli.rank import candidate_paper
from bot.pipeline.list_sync import sync_list
from bot.pipeline.scoring import score_unscored
from feeds.awesome_list import parse_awesome_list
from feeds.model import Paper, SubscriptionKind, Topic
from feeds.topic_identity import heading_of
from storage import chats, lists, papers, scores
from storage.chats import CONSOLE_CHAT_ID
from storage.db import Database, open_db
from storage.lists import current_snapshot
from tests.bot.test_list_watch import config_for
from tests.conftest import TEST_DATA
from tests.support.feedserver import FeedServer, Reply
from tests.support.rig import USER, Rig, bot_rig

RENAMES = TEST_DATA / "list_renames"
SAMPLE = TEST_DATA / "search" / "pool_sample.jsonl"
ZH_CHAT = 2002


def readme(index: str) -> bytes:
    (path,) = RENAMES.glob(f"{index}_*.md")
    return path.read_bytes()


def load_sample() -> list[Paper]:
    return [replace(candidate_paper(json.loads(line)), announce_type="new")
            for line in SAMPLE.read_text().splitlines()]


def ids_in(text: str) -> set[str]:
    return set(re.findall(r"arXiv:(\d{4}\.\d{4,5})", text))


def start_with(path: Path, index: str) -> None:
    """A database whose list is this version, as a first list sync leaves it."""
    db = open_db(path)
    body = readme(index)
    lists.store_version(db, body, parse_awesome_list(body), None, "test")
    db.conn.close()


def notices(rig: Rig, chat_id: int) -> list[str]:
    return [m.text or "" for m in rig.api.sent_messages(chat_id)
            if m.text and ("🔁" in m.text or "🔗" in m.text)]


async def test_a_renamed_section_keeps_its_subscriber(tmp_path) -> None:
    """"Natural Language Process" became "Natural Language Processing" (2017-03-20): papers
    routed under the old name still reach /subscribe nlp, /mysubs and /papers use the new
    name, /unsubscribe nlp works, and each subscriber is told once, in its language."""
    start_with(tmp_path / "bot.db", "090")
    async with bot_rig(tmp_path / "bot.db") as rig:
        old_name = heading_of(Topic.LANGUAGE, current_snapshot(rig.db))
        chats.ensure_chat(rig.db, ZH_CHAT, lang="zh")
        for chat_id in (USER, ZH_CHAT):
            await rig.say("/subscribe nlp", chat_id)
            await rig.say("/digest instant", chat_id)
        assert chats.topic_subscribers(rig.db, Topic.LANGUAGE) == [USER, ZH_CHAT]
        papers.store_papers(rig.db, load_sample(), announced=date(2017, 3, 20))
        score_unscored(rig.db, current_snapshot(rig.db))
        routed = {s.paper_id for s in scores.scores_for(
            rig.db, [p.arxiv_id for p in load_sample()]).values()
            if old_name in dict(s.topics)}
        assert routed  # routed under the heading of the day

        rig.server.script("/README.md", Reply(readme("091")))
        await rig.job("poll_list")  # the rename, then the instant digests
        new_name = heading_of(Topic.LANGUAGE, current_snapshot(rig.db))
        assert new_name and new_name != old_name and old_name

        (notice,) = notices(rig, USER)
        assert "renamed" in notice and f"<b>{old_name}</b>" in notice
        assert f"<b>{new_name}</b>" in notice
        (zh_notice,) = notices(rig, ZH_CHAT)
        assert "改名为" in zh_notice
        digests = [m.text or "" for m in rig.api.sent_messages(USER)
                   if (m.text or "").startswith("<b>📬")]
        assert digests and f"■ {new_name}</b>" in digests[-1]
        assert routed & ids_in(digests[-1])  # the papers routed before the rename arrive

        await rig.job("poll_list")  # the same README again: nothing new to say
        assert len(notices(rig, USER)) == 1
        assert len(queued_notices(rig.db, USER)) == 1

        (mysubs,) = await rig.say("/mysubs")
        assert f"<b>{new_name}</b>" in (mysubs.text or "")
        assert f"<b>{old_name}</b>" not in (mysubs.text or "")
        assert routed & await routed_on_papers_pages(rig, "/papers nlp")

        (bye,) = await rig.say("/unsubscribe nlp")
        assert "Unsubscribed" in (bye.text or "") and new_name in (bye.text or "")
        assert chats.subscriptions(rig.db, USER) == []
        (gone,) = await rig.say(f"/unsubscribe {old_name}", ZH_CHAT)  # a name no longer used
        assert "已取消订阅" in (gone.text or "")
        assert chats.topic_subscribers(rig.db, Topic.LANGUAGE) == []


def queued_notices(db: Database, chat_id: int) -> list[str]:
    """The topic notices recorded in the outbox for a chat."""
    return [row["text"] for row in db["outbox"].rows_where(
        "chat_id = ? and kind = 'notice' and cycle like 'topics:%'", [chat_id])]


async def routed_on_papers_pages(rig: Rig, command: str) -> set[str]:
    """The arXiv ids /papers shows after the list's own papers, paging with ▶."""
    (reply,) = await rig.say(command)
    shown = ids_in(reply.text or "") if "New on arXiv" in (reply.text or "") else set()
    for _ in range(20):
        following = [d for d in reply.callback_data if d.startswith("p:")
                     and int(d.rsplit(":", 1)[1]) > 0 and d.rsplit(":", 1)[1] != "0"]
        if not following:
            break
        (reply,) = await rig.tap(following[-1], reply.message_id)
        if "New on arXiv" in (reply.text or ""):
            shown |= ids_in((reply.text or "").split("New on arXiv", 1)[1])
    return shown


async def test_a_merge_moves_both_parts_subscribers_and_tells_each_once() -> None:
    """"Recurrent Neural Network Models" and "Natural Language Processing" became "Natural
    Language Processing / RNNs" (2017-04-10): every subscriber of either part follows it."""
    with FeedServer() as feeds:
        url = feeds.url("/README.md")
        feeds.script("/README.md", Reply(readme("108")), Reply(readme("109")))
        db = open_db()
        await sync_list(db, config_for(url))
        for chat_id, headings in ((1, ["Recurrent Neural Network Models"]),
                                  (2, ["Natural Language Processing"]),
                                  (3, ["Recurrent Neural Network Models",
                                       "Natural Language Processing"]),
                                  (4, ["Speech / Other Domain"]),
                                  (CONSOLE_CHAT_ID, ["Natural Language Processing"])):
            chats.ensure_chat(db, chat_id)
            for heading in headings:
                chats.subscribe(db, chat_id, SubscriptionKind.TOPIC, heading)
        report = await sync_list(db, config_for(url))
    assert report.status == "stored"
    merged = heading_of(Topic.LANGUAGE, current_snapshot(db))
    for chat_id in (1, 2, 3):
        assert [s.value for s in chats.subscriptions(db, chat_id)] == [Topic.LANGUAGE]
        (told,) = queued_notices(db, chat_id)
        assert told.count("🔗") == 1 and f"<b>{merged}</b>" in told
    assert [s.value for s in chats.subscriptions(db, 4)] == [Topic.SPEECH]
    assert not queued_notices(db, 4)  # speech did not change
    assert not queued_notices(db, CONSOLE_CHAT_ID)  # `papers-bot ask` is never sent anything
    assert [s.value for s in chats.subscriptions(db, CONSOLE_CHAT_ID)] == [Topic.LANGUAGE]


async def test_unsubscribe_takes_the_topic_by_any_of_its_names() -> None:
    """The topic's identity, its heading now, an alias and a heading the list dropped."""
    async with bot_rig() as rig:
        heading = heading_of(Topic.LANGUAGE, current_snapshot(rig.db))
        assert heading
        for name in (Topic.LANGUAGE.value, heading, "nlp", "Natural Language Process",
                     "Recurrent Neural Network Models"):
            await rig.say("/subscribe nlp")
            assert chats.topic_subscribers(rig.db, Topic.LANGUAGE) == [USER]
            (reply,) = await rig.say(f"/unsubscribe {name}")
            assert "Unsubscribed" in (reply.text or ""), name
            assert chats.subscriptions(rig.db, USER) == [], name
