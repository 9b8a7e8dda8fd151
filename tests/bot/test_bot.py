"""The bot as users meet it: real python-telegram-bot against the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator

import pytest
from telegram import Update
from telegram.ext import Application

from bot.app import build_application, publish_command_menu
from bot.commands.base import Asker
from bot.commands.dispatch import run_button, run_command
from bot.commands.table import BUTTON_BY_PREFIX, COMMANDS
from bot.config import Config
from bot.pipeline.list_sync import seed_bundled
from bot.render.strings import t
from feeds.model import Paper
from storage import chats, papers
from storage.db import open_db
from tests.support.fakebotapi import FakeBotApi
from tests.support.rig import bot_rig

USER = 1001
GROUP = -1001234567890
ADMIN, MEMBER = 2001, 2002


@pytest.fixture
async def bot() -> AsyncIterator[tuple[FakeBotApi, Application]]:
    async with bot_rig() as rig:
        yield rig.api, rig.app


async def say(api: FakeBotApi, app: Application, text: str, chat_id: int = USER,
              user_id: int | None = None, **kwargs) -> list:
    """Send a message as a user and return the bot's messages sent in answer."""
    before = len(api.sent_messages())
    update = api.make_message_update(chat_id, text, user_id=user_id or chat_id, **kwargs)
    await app.process_update(Update.de_json(update, app.bot))
    return api.sent_messages()[before:]


async def tap(api: FakeBotApi, app: Application, data: str, message_id: int,
              chat_id: int = USER, user_id: int | None = None):
    """Press an inline button under a bot message; return (toast call, new sent records)."""
    before = len(api.sent_messages())
    update = api.make_callback_update(chat_id, user_id or chat_id, data, message_id=message_id)
    await app.process_update(Update.de_json(update, app.bot))
    return api.last_call("answerCallbackQuery"), api.sent_messages()[before:]


async def test_start_offers_topics_with_one_tap_subscribe(bot) -> None:
    api, app = bot
    (reply,) = await say(api, app, "/start")
    assert reply.parse_mode == "HTML" and "awesome-deep-learning-papers" in reply.text
    assert len(reply.callback_data) == 10 and all(d.startswith("s:") for d in reply.callback_data)
    assert reply.params["link_preview_options"] == {"is_disabled": True}
    toast, _ = await tap(api, app, reply.callback_data[2], reply.message_id)
    assert "Unsupervised / Generative Models" in toast.params["text"]
    db = app.bot_data.db
    assert [s.value for s in chats.subscriptions(db, USER)] == ["generative"]  # its topic


async def test_topics_and_pagination_by_buttons(bot) -> None:
    api, app = bot
    (topics,) = await say(api, app, "/topics")
    assert "Natural Language Processing / RNNs (18)" in topics.text
    nlp = next(b["callback_data"] for b in topics.buttons if b["text"].startswith("Natural"))
    _, edits = await tap(api, app, nlp, topics.message_id)
    (page1,) = edits
    assert page1.edited and "page 1/3" in page1.text
    assert "Neural Architectures for Named" in page1.text
    next_data = next(d for d in page1.callback_data if d.startswith("p:") and d.endswith(":1"))
    _, edits = await tap(api, app, next_data, page1.message_id)
    assert "page 2/3" in edits[0].text and "Neural Architectures for Named" not in edits[0].text


async def test_papers_loose_topic_names_in_english_and_chinese(bot) -> None:
    api, app = bot
    (gan,) = await say(api, app, "/papers gan")
    assert "Generative adversarial nets" in gan.text
    (rl,) = await say(api, app, "/papers 强化学习")
    assert "Asynchronous methods for deep reinforcement learning" in rl.text
    (nlp,) = await say(api, app, "/papers@PapersTestBot nlp")
    assert "Effective approaches to attention-based neural machine" in nlp.text
    assert await say(api, app, "/papers@SomeOtherBot nlp") == []


async def test_unknown_topic_suggests_close_matches(bot) -> None:
    api, app = bot
    (reply,) = await say(api, app, "/papers reinforcment")
    assert "Reinforcement Learning / Robotics" in reply.text
    (reply,) = await say(api, app, "/papers zzzz")
    assert "zzzz" in reply.text and "/topics" in reply.text


@pytest.mark.parametrize("command", ["/papers", "/search", "/paper", "/subscribe", "/researchers"])
async def test_empty_arguments_get_a_usage_hint(bot, command: str) -> None:
    api, app = bot
    (reply,) = await say(api, app, command)
    assert "/" in reply.text and "wrong" not in reply.text


@pytest.mark.parametrize(
    "query", ['"unbalanced', "attention*", "NEAR(attention translation)", "-attention",
              "attention AND OR NOT", "title:attention", "(((", "' OR 1=1 --"],
)
async def test_fts_syntax_never_breaks_search(bot, query: str) -> None:
    api, app = bot
    (reply,) = await say(api, app, f"/search {query}")
    assert any(s in reply.text for s in ("Results for", "Nothing found", "What should I search"))


async def test_search_finds_list_entries_and_arxiv_papers(bot) -> None:
    api, app = bot
    odd = _paper("1703.99999", "Attention is <b>all</b> & more")
    papers.store_papers(app.bot_data.db, [odd], announced=None)
    (reply,) = await say(api, app, "/search attention")
    assert "Effective approaches to attention-based neural machine translation" in reply.text
    assert "Attention is &lt;b&gt;all&lt;/b&gt; &amp; more" in reply.text  # escaped, HTML valid


async def test_very_long_query_is_answered_within_limits(bot) -> None:
    api, app = bot
    (reply,) = await say(api, app, "/search " + "attention " * 400)
    assert len(reply.text) <= 4096


async def test_paper_card_has_arxiv_links_and_votes(bot) -> None:
    api, app = bot
    (reply,) = await say(api, app, "/paper 1512.03385")
    assert "Deep residual learning for image recognition" in reply.text
    assert 'href="https://arxiv.org/abs/1512.03385"' in reply.text
    assert 'href="https://arxiv.org/pdf/1512.03385"' in reply.text
    assert reply.callback_data == ["v:+:1512.03385", "v:-:1512.03385"]
    toast, _ = await tap(api, app, "v:+:1512.03385", reply.message_id)
    assert toast.params["text"].startswith("Thanks")
    assert chats.votes(app.bot_data.db, USER) == {"1512.03385": 1}


async def test_a_list_papers_card_opens_with_its_title(bot) -> None:
    """Issue 18: the card of a list paper without an arXiv record began "Abstract: …"."""
    api, app = bot
    (card,) = await say(api, app, "/paper Distilling the Knowledge in a Neural Network")
    assert card.text.startswith("<b>Distilling the knowledge in a neural network</b> (2015)")
    assert card.text.index("</b>") < card.text.index("Abstract: A very simple way")
    (zh,) = await say(api, app, "/paper Distilling the Knowledge in a Neural Network",
                      chat_id=USER + 7, language_code="zh-hans")
    assert zh.text.startswith("<b>Distilling") and "摘要：A very simple way" in zh.text


@pytest.mark.parametrize("data", ["p:99.zzzz:0", "p:3.0000:0", "v:x:1", "s:", "garbage", "p:0"])
async def test_forged_callback_data_gets_a_polite_toast(bot, data: str) -> None:
    api, app = bot
    (reply,) = await say(api, app, "/topics")
    toast, sent = await tap(api, app, data, reply.message_id)
    assert "expired" in toast.params["text"] and sent == []


async def test_group_subscriptions_need_an_admin(bot) -> None:
    api, app = bot
    api.add_chat(GROUP, "supergroup", title="DL readers")
    api.set_chat_admins(GROUP, [ADMIN])
    (refused,) = await say(api, app, "/subscribe@PapersTestBot cnn", GROUP, MEMBER)
    assert "Only the group's admins" in refused.text
    (done,) = await say(api, app, "/subscribe@PapersTestBot cnn", GROUP, ADMIN)
    assert "Subscribed" in done.text
    (listing,) = await say(api, app, "/mysubs", GROUP, MEMBER)  # reading is for everyone
    assert "Convolutional Neural Network Models" in listing.text


async def test_an_anonymous_group_admin_is_an_admin(bot) -> None:
    api, app = bot
    api.add_chat(GROUP, "supergroup", title="DL readers")
    (done,) = await say(api, app, "/subscribe@PapersTestBot cnn", GROUP, anonymous_admin=True)
    assert "Subscribed" in done.text
    assert api.calls("getChatMember") == []  # Telegram hides who posted: sender_chat is the group


async def test_keyword_subscriptions_are_phrases_not_regexes(bot) -> None:
    api, app = bot
    (reply,) = await say(api, app, '/subscribe "graph (neural)+ network.*"')
    assert "“graph neural network”" in reply.text
    (bad,) = await say(api, app, '/subscribe "?"')
    assert "keyword needs" in bad.text


async def test_chinese_replies(bot) -> None:
    api, app = bot
    (reply,) = await say(api, app, "/topics", language_code="zh-hans")
    assert "列表的主题" in reply.text and "无监督 / 生成模型" in reply.text
    (help_en,) = await say(api, app, "/help", chat_id=USER + 1)
    assert "all commands" in help_en.text
    await say(api, app, "/lang zh", chat_id=USER + 1)
    (help_zh,) = await say(api, app, "/help", chat_id=USER + 1)
    assert "全部命令" in help_zh.text


async def test_digest_setting_and_unknown_command(bot) -> None:
    api, app = bot
    (bad,) = await say(api, app, "/digest hourly")
    assert "/digest daily" in bad.text
    (ok,) = await say(api, app, "/digest weekly")
    assert "weekly" in ok.text and chats.get_chat(app.bot_data.db, USER).digest == "weekly"
    (unknown,) = await say(api, app, "/frobnicate")
    assert "/help" in unknown.text


async def test_mysubs_shows_the_digest_hour_and_settings_in_the_chats_language(bot) -> None:
    from bot.pipeline.digests import digest_hour

    api, app = bot
    await say(api, app, "/subscribe gan")
    (spread,) = await say(api, app, "/mysubs")
    hour = digest_hour(chats.get_chat(app.bot_data.db, USER))  # picked by the chat's id
    assert f"Digest: daily at {hour:02d}:00 UTC, language: English" in spread.text
    await say(api, app, "/digest weekly 7")
    (weekly,) = await say(api, app, "/mysubs")
    assert "Digest: weekly, Mondays at 07:00 UTC" in weekly.text
    await say(api, app, "/lang zh")
    (set_zh,) = await say(api, app, "/digest daily 21")
    assert set_zh.text == "摘要频率已设为每日，UTC 21:00 发送。"
    (zh,) = await say(api, app, "/mysubs")
    assert "摘要：每日 UTC 21:00，语言：中文" in zh.text and "daily" not in zh.text
    (instant,) = await say(api, app, "/digest instant")
    assert instant.text == "摘要频率已设为即时。"


async def test_plain_text_gets_a_hint_telegram_accepts(bot) -> None:
    """Issue 18: the hint held "<words>"; Telegram refused it and users saw a word missing."""
    api, app = bot
    (hint,) = await say(api, app, "what is new in gans?")
    assert hint.parse_mode == "HTML" and "/search with some words finds papers" in hint.text
    assert all(call.ok for call in api.calls("sendMessage"))  # no 400 and plain-text fallback


async def test_authors_and_researchers(bot) -> None:
    api, app = bot
    (authors,) = await say(api, app, "/authors")
    # Counted by hand in top100papers.bib: Yoshua Bengio co-authored 9 top-100 papers (Samy
    # Bengio is another person; the character-level decoder paper is in the appendix).
    assert "Y. Bengio — 9" in authors.text and len(authors.text) <= 4096
    (researchers,) = await say(api, app, "/researchers cnn")
    lecun = 'href="https://scholar.google.ca/citations?hl=en&amp;user=WLN3QrAAAAAJ"'
    assert lecun in researchers.text


async def test_blocked_user_deactivates_the_chat(bot) -> None:
    api, app = bot
    await say(api, app, "/start")
    api.block_chat(USER)
    assert await say(api, app, "/topics") == []
    assert not chats.get_chat(app.bot_data.db, USER).active


async def test_command_menu_in_two_languages_and_failure_is_not_fatal(bot, caplog) -> None:
    api, app = bot
    await publish_command_menu(app)
    names = [c["command"] for c in api.commands()]
    assert names[:3] == ["start", "help", "topics"] and "papers" in names
    assert any(c["description"] == "全部命令" for c in api.commands(language_code="zh"))
    api.fail_next("setMyCommands", 500)
    with caplog.at_level(logging.WARNING):
        await publish_command_menu(app)
    assert "could not set the command menu" in caplog.text
    assert api.token not in caplog.text


async def test_real_polling_answers_a_command() -> None:
    with FakeBotApi() as api:
        config = Config.from_env({"TELEGRAM_BOT_TOKEN": api.token,
                                  "TELEGRAM_API_URL": api.base_url})
        db = open_db()
        seed_bundled(db)
        app = build_application(config, db)
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0.05)
        try:
            api.push_message(USER, "/papers cnn")
            (reply,) = await api.wait_for_messages(chat_id=USER, timeout=5)
            assert "Deep residual learning for image recognition" in reply.text
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


def _paper(arxiv_id: str, title: str) -> Paper:
    return Paper(arxiv_id=arxiv_id, version=1, title=title, abstract="We study attention.",
                 authors=("A. Author", "B. Author"), categories=("cs.LG",),
                 primary_category="cs.LG", published="2017-03-14", source="rss")


async def test_trends_sends_a_png_chart(bot) -> None:
    api, app = bot
    before = len(api.calls("sendPhoto"))
    update = api.make_message_update(USER, "/trends 8", user_id=USER)
    await app.process_update(Update.de_json(update, app.bot))
    (call,) = api.calls("sendPhoto")[before:]
    photo = call.params["photo"]
    data = photo.data if hasattr(photo, "data") else photo
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and "8 weeks" in call.params["caption"]


async def test_every_command_in_the_table_answers_through_telegram(bot) -> None:
    from bot.commands.table import COMMANDS

    api, app = bot
    examples = {"papers": "gan", "search": "attention", "paper": "1512.03385",
                "subscribe": "cnn", "unsubscribe": "cnn", "digest": "daily", "lang": "en",
                "researchers": "rl", "trends": "4"}
    for command in COMMANDS:
        if command.runs_job:
            continue  # /refresh starts the watchers: covered end to end in test_e2e.py
        text = f"/{command.name} {examples.get(command.name, '')}".strip()
        sent = await say(api, app, text, chat_id=999)  # a maintainer (MAINTAINER_IDS)
        assert sent, command.name
        reply = str(sent[-1].text or sent[-1].params.get("caption"))
        assert "went wrong" not in reply and "don't know that command" not in reply, command.name


async def test_unsubscribe_new_and_maintainer_commands(bot) -> None:
    api, app = bot
    await say(api, app, "/subscribe gan")
    (removed,) = await say(api, app, "/unsubscribe gan")
    assert "Unsubscribed from <b>Unsupervised / Generative Models</b>" in removed.text
    (again,) = await say(api, app, "/unsubscribe gan")
    assert "You don't follow" in again.text
    (new,) = await say(api, app, "/new")
    assert "arXiv" in new.text  # nothing stored yet: when the next announcement comes
    (refused,) = await say(api, app, "/stats")
    assert refused.text == "Sorry, this command is for the list's maintainers."
    (stats,) = await say(api, app, "/stats", chat_id=999)
    assert "chats: 2 active" in stats.text and "list versions: 1" in stats.text
    (pending,) = await say(api, app, "/suggestions", chat_id=999)
    assert "No pending suggestions" in pending.text


async def test_only_rows_marked_writes_write(tmp_path, caplog) -> None:
    """Replies never wait on another process's write lock because every command and button
    not marked `writes` only reads: each answers on a connection that may not wait at all
    while another connection holds the lock (the bot hands the marked ones to its writer)."""
    path = tmp_path / "bot.db"
    db = open_db(path)
    seed_bundled(db)
    asker = Asker(db, chats.ensure_chat(db, USER), USER, is_maintainer=True)
    presses = [data for text in ("/topics", "/search learning", "/papers gan", "/start")
               for reply in await run_command(asker, *text[1:].partition(" ")[::2])
               for row in reply.keyboard for data in (b.data for b in row)]
    reads = [c for c in COMMANDS if not c.writes]
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("begin immediate")
    db.execute("PRAGMA busy_timeout = 0")
    try:
        for command in reads:
            replies = await run_command(asker, command.name, "gan" if command.usage else "")
            assert replies and all(r.text != t("en", "error") for r in replies), command.name
        pressed = [data for data in presses if not BUTTON_BY_PREFIX[data.split(":")[0]].writes]
        for data in pressed:
            assert run_button(asker, data).toast != t("en", "error"), data
    finally:
        other.rollback()
    assert len(reads) > 10 and {d.split(":")[0] for d in pressed} >= {"p", "q"}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_stats_leave_out_the_console_and_show_deliveries_by_status(tmp_path) -> None:
    """/stats counts the bot's chats only (the offline console, chat 0, is none of them) and
    shows the outbox by status, in the order a message passes them."""
    from storage import outbox
    from storage.chats import CONSOLE_CHAT_ID

    async with bot_rig(tmp_path / "bot.db") as rig:
        (empty,) = await rig.say("/stats", chat_id=999)
        assert "deliveries: none yet" in empty.text
        chats.ensure_chat(rig.db, CONSOLE_CHAT_ID, "private", "console")
        chats.subscribe(rig.db, CONSOLE_CHAT_ID, "keyword", "gan")
        for chat_id in (11, 12, 13):
            chats.ensure_chat(rig.db, chat_id)
            with rig.db.atomic():
                outbox.enqueue(rig.db, chat_id, "digest", "c1", [f"digest for {chat_id}"])
        rig.api.block_chat(13)
        await rig.deliverer.deliver_pending()
        with rig.db.atomic():
            outbox.enqueue(rig.db, 12, "digest", "c2", ["another"])
        (stats,) = await rig.say("/stats", chat_id=999)
    # 11, 12, 13 and the maintainer's own chat 999; 13 blocked the bot
    assert "chats: 3 active, 1 inactive" in stats.text and "subscriptions: 0" in stats.text
    assert "deliveries: 1 pending, 2 sent, 1 dead" in stats.text


async def test_stats_job_lines_leave_out_counts_of_nothing_and_link_paths(tmp_path) -> None:
    """/stats tells each job's last run as a maintainer reads it: the real 14 March 2017 feed's
    poll without its zero counts, a failed list poll naming the site, not the file's path."""
    from tests.conftest import TEST_DATA
    from tests.support.feedserver import Reply

    day = (TEST_DATA / "arxiv" / "rss2_ml6_2017-03-14.xml").read_bytes()
    async with bot_rig(tmp_path / "bot.db") as rig:
        rig.server.script("/rss", Reply(day))
        rig.server.script("/README.md", Reply(status=500))
        logged = await rig.job("poll_arxiv")
        await rig.job("poll_list")
        (stats,) = await rig.say("/stats", chat_id=999)
    assert "0 skipped" in logged and "0 sent" in logged  # the log keeps every count...
    (arxiv,) = [line for line in stats.text.splitlines() if "arXiv poll" in line]
    assert "arXiv: 4 new, 2 replaced, 7 cross; " in arxiv  # ...the maintainer reads the news
    told = arxiv.split(" UTC: ", 1)[1]
    assert told == "arXiv: 4 new, 2 replaced, 7 cross; first versions: 0 of 2 dated; 13 scored"
    (listed,) = [line for line in stats.text.splitlines() if "list poll" in line]
    assert "sync failed: HTTP 500 from http://127.0.0.1:" in listed
    assert "/README.md" not in listed and "next poll" not in listed
