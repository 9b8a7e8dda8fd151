"""Telegram as it really is: groups shared with other bots, edited messages, plain text."""

from __future__ import annotations

from telegram import Update

from storage import chats, outbox
from tests.support.rig import bot_rig

GROUP = -1001234567890


async def test_in_a_group_another_bots_command_is_ignored_and_registers_nothing() -> None:
    async with bot_rig() as rig:
        assert await rig.say("/random", chat_id=GROUP, user_id=2001) == []
        assert await rig.say("/report@OtherBot now", chat_id=GROUP, user_id=2001) == []
        assert await rig.say("/papers@OtherBot gan", chat_id=GROUP, user_id=2001) == []
        assert chats.get_chat(rig.db, GROUP) is None  # no phantom group to send digests to
        name = rig.app.bot.username
        (addressed,) = await rig.say(f"/random@{name}", chat_id=GROUP, user_id=2001)
        assert "/help" in addressed.text  # named us: the helpful answer
        (known,) = await rig.say("/papers gan", chat_id=GROUP, user_id=2001)
        assert "Generative" in known.text and chats.get_chat(rig.db, GROUP) is not None


async def test_in_a_private_chat_an_unknown_command_still_gets_help() -> None:
    async with bot_rig() as rig:
        (reply,) = await rig.say("/random")
        assert "I don't know that command" in reply.text


async def test_an_edited_message_never_runs_its_command_again() -> None:
    async with bot_rig() as rig:
        (first,) = await rig.say("/subscribe gan")
        subscribed = chats.get_chat(rig.db, first.chat_id)
        update = rig.api.make_message_update(first.chat_id, "/unsubscribe gan",
                                             user_id=first.chat_id)
        edited = dict(update["message"], edit_date=update["message"]["date"] + 5)
        before = len(rig.api.sent_messages())
        await rig.app.process_update(Update.de_json(
            {"update_id": update["update_id"], "edited_message": edited}, rig.app.bot))
        assert len(rig.api.sent_messages()) == before  # nothing answered
        assert chats.get_chat(rig.db, first.chat_id) == subscribed  # nothing changed
        assert rig.db.table("subscriptions").count == 1
        assert outbox.counts(rig.db) == {}


async def test_plain_text_gets_a_hint_in_private_and_silence_in_groups() -> None:
    async with bot_rig() as rig:
        (hint,) = await rig.say("hello, what can you do?")
        assert "/help" in hint.text and "/search" in hint.text
        (zh,) = await rig.say("你好", chat_id=4242, language_code="zh")
        assert "命令" in zh.text
        assert await rig.say("just chatting", chat_id=GROUP, user_id=2001) == []
        assert chats.get_chat(rig.db, GROUP) is None


FORUM, ADMIN, TOPIC = -1009876543210, 3001, 42


async def test_in_a_forum_replies_subscriptions_and_digests_stay_in_their_topic() -> None:
    from datetime import UTC, datetime

    from bot.pipeline.digests import compose_digests
    from bot.pipeline.scoring import score_unscored
    from feeds.arxiv_rss import parse_arxiv_rss
    from feeds.model import DigestMode
    from storage import papers
    from storage.lists import current_snapshot
    from tests.conftest import ARXIV_SAMPLES

    async with bot_rig() as rig:
        rig.api.set_chat_admins(FORUM, [ADMIN])
        (reply,) = await rig.say("/papers gan", chat_id=FORUM, user_id=ADMIN, thread_id=TOPIC)
        assert reply.params.get("message_thread_id") == TOPIC  # answered in the topic
        (done,) = await rig.say("/subscribe speech", chat_id=FORUM, user_id=ADMIN,
                                thread_id=TOPIC)
        assert done.params.get("message_thread_id") == TOPIC
        assert chats.get_chat(rig.db, FORUM).thread_id == TOPIC
        (general,) = await rig.say("/papers cnn", chat_id=FORUM, user_id=ADMIN)  # General
        assert "message_thread_id" not in general.params
        feed = parse_arxiv_rss((ARXIV_SAMPLES / "rss2_ml6_2017-03-14.xml").read_bytes())
        papers.store_papers(rig.db, feed.papers, announced=feed.pub_date)
        score_unscored(rig.db, current_snapshot(rig.db))
        chats.set_chat_setting(rig.db, FORUM, digest="instant")
        chats.subscribe(rig.db, FORUM, "keyword", "learning")  # surely in that day's papers
        assert compose_digests(rig.db, DigestMode.INSTANT, datetime.now(UTC), 8) >= 1
        before = len(rig.api.sent_messages(FORUM))
        await rig.deliverer.deliver_pending()
        digests = rig.api.sent_messages(FORUM)[before:]
        assert digests and all(m.params.get("message_thread_id") == TOPIC for m in digests)


def test_daily_digests_spread_over_hours_unless_a_chat_chose_one() -> None:
    from collections import Counter
    from datetime import UTC, datetime

    from bot.pipeline.digests import SPREAD_FROM, SPREAD_HOURS, digest_hour, is_due
    from feeds.model import Chat, DigestMode

    hours = Counter(digest_hour(Chat(chat_id)) for chat_id in range(1, 100_001))
    assert set(hours) == set(range(SPREAD_FROM, SPREAD_FROM + SPREAD_HOURS))
    assert max(hours.values()) < 1.1 * 100_000 / SPREAD_HOURS  # even: no hour gets a rush
    chosen = Chat(5, digest=DigestMode.DAILY, digest_hour=18)
    assert digest_hour(chosen) == 18
    assert not is_due(chosen, DigestMode.DAILY, datetime(2017, 3, 14, 17, tzinfo=UTC))
    assert is_due(chosen, DigestMode.DAILY, datetime(2017, 3, 14, 18, tzinfo=UTC))


async def test_digest_command_sets_the_hour() -> None:
    async with bot_rig() as rig:
        (reply,) = await rig.say("/digest daily 7")
        assert "07:00 UTC" in reply.text
        assert chats.get_chat(rig.db, reply.chat_id).digest_hour == 7
        (bad,) = await rig.say("/digest daily 25")
        assert "/digest daily 7" in bad.text
