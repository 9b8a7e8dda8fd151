"""The fake Bot API speaks the protocol the real python-telegram-bot (22.x) expects."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ChatMemberAdministrator,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

import bot as bot_package
from tests.support.fakebotapi import (
    ANONYMOUS_ADMIN,
    DEFAULT_TOKEN,
    ApiCall,
    FakeBotApi,
    UploadedFile,
    bot_command_entities,
    make_callback_update,
    make_message_update,
)

GROUP = -1001234567890


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server
    assert not server.errors, "\n".join(server.errors)


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url) as b:
        yield b


def build_app(api: FakeBotApi, builder: ApplicationBuilder | None = None) -> Application:
    builder = builder or ApplicationBuilder()
    return builder.token(api.token).base_url(api.base_url).build()


ERROR_404 = {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


def raw(api: FakeBotApi, method: str, **data: object) -> tuple[int, dict]:
    """POST a form the way PTB does, without PTB (whose do_api_request warns on known names)."""
    res = httpx.post(f"{api.base_url}{api.token}/{method}", data=data)
    return res.status_code, res.json()


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.title(), callback_data=d) for d in data]])


# ---- basics --------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "{token}"])
async def test_application_get_me(api: FakeBotApi, suffix: str) -> None:
    # PTB 22 appends the token to base_url, or substitutes a "{token}" placeholder.
    app = ApplicationBuilder().token(api.token).base_url(api.base_url + suffix).build()
    await app.initialize()
    try:
        assert app.bot.username == "PapersTestBot"
        assert app.bot.id == 123456
        me = await app.bot.get_me()
        assert me.is_bot and me.can_join_groups
    finally:
        await app.shutdown()
    call = api.last_call("getMe")
    assert call.token == DEFAULT_TOKEN == api.token
    assert call.ok and call.status == 200
    assert api.base_url == f"http://127.0.0.1:{api.port}/bot"


async def test_configurable_identity() -> None:
    with FakeBotApi(token="987:ABC-def_123456789012345678901234", bot_username="OtherBot") as api:
        async with Bot(api.token, base_url=api.base_url) as bot:
            assert (bot.id, bot.username) == (987, "OtherBot")


async def test_send_message_is_recorded_and_answered(api: FakeBotApi, bot: Bot) -> None:
    first = await bot.send_message(
        42, "<b>New</b> paper &amp; code", parse_mode=ParseMode.HTML, reply_markup=keyboard("more")
    )
    second = await bot.send_message(43, "plain")

    # The answer is a full Message, as Telegram sends it (markup stripped from the text).
    assert first.text == "New paper & code"
    assert first.chat.id == 42 and first.chat.type == "private"
    assert first.from_user is not None and first.from_user.id == bot.id
    assert first.reply_markup == keyboard("more")
    assert isinstance(first.date, dtm.datetime)
    assert second.message_id > first.message_id

    call = api.last_call("sendMessage")
    assert call.content_type == "application/x-www-form-urlencoded"
    [record] = api.sent_messages(chat_id=42)
    assert record.chat_id == 42 and record.message_id == first.message_id
    assert record.text == "<b>New</b> paper &amp; code"  # exactly what the bot sent
    assert record.parse_mode == "HTML"
    assert record.reply_markup == {"inline_keyboard": [[{"text": "More", "callback_data": "more"}]]}
    assert record.callback_data == ["more"]
    assert [m.chat_id for m in api.sent_messages()] == [42, 43]


async def test_string_values_stay_strings(api: FakeBotApi, bot: Bot) -> None:
    await bot.send_message(7, "42")
    await bot.send_message("@papers_channel", "[1]")
    first, second = api.calls("sendMessage")
    assert first.params == {"chat_id": 7, "text": "42"}
    assert second.params == {"chat_id": "@papers_channel", "text": "[1]"}


# ---- errors, the way the real API answers them ---------------------------------------------


async def test_429_raises_retry_after(api: FakeBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(42, "hi")
    assert seconds(info.value.retry_after) == 7
    assert api.last_call().response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert api.last_call().status == 429
    await bot.send_message(42, "hi")  # only the next call failed
    assert len(api.sent_messages()) == 1


async def test_403_and_blocked_chat(api: FakeBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", 403)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(42, "hi")
    await bot.send_message(42, "hi again")

    api.block_chat(99)
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(99, "still there?")
    with pytest.raises(Forbidden):  # every method, not only sendMessage
        await bot.send_photo(99, b"\x89PNG")
    await bot.send_message(42, "others unaffected")
    api.unblock_chat(99)
    await bot.send_message(99, "back")
    assert [m.text for m in api.sent_messages()] == ["hi again", "others unaffected", "back"]


async def test_400_500_drop_and_targeting(api: FakeBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", 400)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(42, "x")

    api.fail_next("sendMessage", 500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(42, "x")

    api.fail_next("*", "drop")
    with pytest.raises(NetworkError) as dropped:
        await bot.get_me()
    assert not isinstance(dropped.value, RetryAfter)
    assert api.last_call("getMe").status is None

    api.fail_next("sendMessage", 403, chat_id=13)
    await bot.send_message(12, "not targeted")
    with pytest.raises(Forbidden):
        await bot.send_message(13, "targeted")
    await bot.send_message(13, "once")
    assert [m.chat_id for m in api.sent_messages()] == [12, 13]


async def test_unknown_method_and_bad_token(api: FakeBotApi, bot: Bot) -> None:
    # PTB maps HTTP 404 (and 401) to InvalidToken; do_api_request re-raises an unknown
    # endpoint as EndPointNotFound.
    with pytest.raises(EndPointNotFound) as info:
        await bot.do_api_request("frobnicateTheBot")
    assert isinstance(info.value.__cause__, InvalidToken)
    assert info.value.__cause__.message == "Not Found: method not found"
    assert api.last_call().method == "frobnicateTheBot"
    # so is a real Bot API method the bot does not call (rule 9: the fake does not speak it)
    assert raw(api, "sendDocument", chat_id=42, document="x") == (404, ERROR_404)

    async with httpx.AsyncClient() as client:
        res = await client.post(f"{api.base_url}{api.token}/frobnicate")
        assert res.status_code == 404
        assert res.json() == ERROR_404
        res = await client.post(f"{api.base_url}999:WRONG/getMe")
        assert (res.status_code, res.json()["description"]) == (401, "Unauthorized")

    other = Bot("999:WRONG-token", base_url=api.base_url)
    with pytest.raises(InvalidToken, match="rejected by the server"):
        await other.initialize()
    await other.shutdown()
    assert (api.last_call().token, api.last_call().status) == ("999:WRONG-token", 401)


async def test_flood_limit_per_chat(api: FakeBotApi, bot: Bot) -> None:
    api.flood_limit(2, per_seconds=1.0, per_chat=True, retry_after=3)
    await bot.send_message(1, "a")
    await bot.send_message(1, "b")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(1, "c")
    assert seconds(info.value.retry_after) == 3
    await bot.send_message(2, "other chat is fine")


async def test_rate_limiter_retries_after_429(api: FakeBotApi) -> None:
    app = build_app(api, ApplicationBuilder().rate_limiter(AIORateLimiter(max_retries=1)))
    await app.initialize()
    try:
        api.fail_next("sendMessage", 429, retry_after=1)
        start = time.monotonic()
        await app.bot.send_message(42, "eventually")
        assert time.monotonic() - start >= 1.0
    finally:
        await app.shutdown()
    attempts = api.calls("sendMessage")
    assert [c.status for c in attempts] == [429, 200]


async def test_latency(api: FakeBotApi, bot: Bot) -> None:
    api.set_latency(0.2, "getMe")
    start = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - start >= 0.2
    # only getMe is slow: a message sent after a slow getMe started still answers first
    api.set_latency(2.0, "getMe")
    slow = asyncio.create_task(bot.get_me())
    await asyncio.sleep(0.05)
    fast = asyncio.create_task(bot.send_message(1, "fast"))
    done, _ = await asyncio.wait({slow, fast}, return_when=asyncio.FIRST_COMPLETED)
    assert fast in done and not slow.done()
    await slow


# ---- request encodings ---------------------------------------------------------------------


async def test_send_photo_multipart(api: FakeBotApi, bot: Bot) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00--binary--\r\n\xff"
    sent = await bot.send_photo(
        GROUP, png, caption="<i>Figure 1</i>", parse_mode="HTML", filename="fig.png"
    )
    call = api.last_call("sendPhoto")
    assert call.content_type.startswith("multipart/form-data")
    photo = call.params["photo"]
    assert isinstance(photo, UploadedFile)
    assert (photo.data, photo.filename) == (png, "fig.png")
    assert call.params["chat_id"] == GROUP and call.params["parse_mode"] == "HTML"
    assert sent.caption == "Figure 1" and sent.photo
    assert sent.photo[-1].file_size == len(png)

    [record] = api.sent_messages(GROUP)
    assert record.text == "<i>Figure 1</i>" and record.media == photo

    # as the bot sends it: bytes without a filename, an HTML caption
    await bot.send_photo(GROUP, png, caption="<b>8 weeks</b>", parse_mode="HTML")
    assert isinstance(api.last_call("sendPhoto").params["photo"], UploadedFile)
    status, body = raw(api, "sendPhoto", chat_id=GROUP)
    assert (status, body["description"]) == (400, "Bad Request: there is no photo in the request")


async def test_raw_encodings(api: FakeBotApi) -> None:
    url = f"{api.base_url}{api.token}"
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with httpx.AsyncClient() as client:
        await client.post(
            f"{url}/sendMessage",
            data={"chat_id": "5", "text": "true", "reply_markup": json.dumps(markup)},
        )
        await client.post(
            f"{url}/sendPhoto",
            data={"chat_id": "8", "caption": "1024"},
            files={"photo": ("chart.png", b"\x89PNG", "image/png")},
        )
    form, upload = api.calls()
    assert form.params == {"chat_id": 5, "text": "true", "reply_markup": markup}
    assert upload.params["photo"] == UploadedFile("photo", "chart.png", "image/png", b"\x89PNG")
    assert upload.params["caption"] == "1024" and upload.result["caption"] == "1024"


# ---- Telegram's validation -----------------------------------------------------------------


async def test_markup_validation(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)can't find end tag corresponding to start tag"):
        await bot.send_message(1, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)unsupported start tag"):
        await bot.send_message(1, "x < y for all papers", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)unmatched end tag"):
        await bot.send_message(1, "<b><i>crossed</b></i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(1, "<b> </b>", parse_mode="HTML")
    ok = await bot.send_message(
        1, '<b>ResNet</b> &lt;v1.5&gt; <a href="https://arxiv.org/abs/1512.03385">arXiv</a>',
        parse_mode="HTML",
    )
    assert ok.text == "ResNet <v1.5> arXiv"
    # The bot sends HTML only; another parse mode is refused rather than taken as plain text.
    with pytest.raises(BadRequest, match="(?i)unsupported parse_mode"):
        await bot.send_message(1, r"*ResNet* v1\.5", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(1, "x", reply_markup=keyboard("x" * 65))
    await bot.send_message(1, "64 bytes", reply_markup=keyboard("é" * 32))
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(1, "65 bytes", reply_markup=keyboard("é" * 32 + "x"))
    no_action = json.dumps({"inline_keyboard": [[{"text": "no action"}]]})
    status, body = raw(api, "sendMessage", chat_id=1, text="x", reply_markup=no_action)
    assert status == 400 and "Text buttons are unallowed" in body["description"]
    assert [m.text for m in api.sent_messages()] == [
        '<b>ResNet</b> &lt;v1.5&gt; <a href="https://arxiv.org/abs/1512.03385">arXiv</a>',
        "64 bytes",
    ]


async def test_lengths_count_utf16_units_after_parsing(api: FakeBotApi, bot: Bot) -> None:
    # Telegram counts UTF-16 code units of the text it shows (tags and entities removed).
    await bot.send_message(1, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(1, "📄" * 2048)  # 2 units each: 4096
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(1, "x" * 4097)
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(1, "x" * 4095 + "📄")  # 4096 characters, 4097 units
    sent = await bot.send_message(1, "short")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.edit_message_text("x" * 4097, chat_id=1, message_id=sent.message_id)

    await bot.send_photo(1, b"\x89PNG", caption="&amp;" * 1024, parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)message caption is too long"):
        await bot.send_photo(1, b"\x89PNG", caption="x" * 1025)
    with pytest.raises(BadRequest, match="(?i)message caption is too long"):
        await bot.send_photo(1, b"\x89PNG", caption="x" * 1023 + "📄")
    assert [m.method for m in api.sent_messages()] == [
        "sendMessage", "sendMessage", "sendMessage", "sendPhoto",
    ]


async def test_edit_message_text(api: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(42, "page 1", reply_markup=keyboard("next"))
    edited = await bot.edit_message_text(
        "page 2", chat_id=42, message_id=sent.message_id, reply_markup=keyboard("prev")
    )
    assert not isinstance(edited, bool)
    assert edited.text == "page 2" and edited.edit_date is not None
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text(
            "page 2", chat_id=42, message_id=sent.message_id, reply_markup=keyboard("prev")
        )
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=42, message_id=sent.message_id + 1000)
    theirs = api.make_message_update(42, "a user's message")["message"]["message_id"]
    with pytest.raises(BadRequest, match="(?i)message can't be edited"):
        await bot.edit_message_text("x", chat_id=42, message_id=theirs)
    records = api.sent_messages(42)
    assert [(r.method, r.text, r.edited) for r in records] == [
        ("sendMessage", "page 1", False),
        ("editMessageText", "page 2", True),
    ]
    assert records[1].message_id == sent.message_id and records[1].callback_data == ["prev"]


# ---- updates -------------------------------------------------------------------------------


def test_bot_command_entities() -> None:
    assert bot_command_entities("/start") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert bot_command_entities("/papers@PapersTestBot 2016") == [
        {"type": "bot_command", "offset": 0, "length": 21}
    ]
    # offsets are UTF-16 code units: the emoji counts 2
    assert bot_command_entities("📄 see /help") == [
        {"type": "bot_command", "offset": 7, "length": 5}
    ]
    assert bot_command_entities("a/b and https://arxiv.org/abs/1") == []
    assert "entities" not in make_message_update(1, "hello")["message"]

    update = Update.de_json(make_message_update(1, "📄 see /help now"), None)
    assert update.message is not None
    assert list(update.message.parse_entities(["bot_command"]).values()) == ["/help"]


def test_update_builders_shapes() -> None:
    group = make_message_update(GROUP, "/digest@PapersTestBot", user_id=7, username="alice")
    callback = make_callback_update(42, 42, "page:2", message_id=10, message_text="Page 1")
    assert callback["update_id"] > group["update_id"]
    message = Update.de_json(group, None).message
    assert message is not None and message.chat.type == "supergroup"
    assert message.from_user is not None
    assert (message.from_user.id, message.from_user.username) == (7, "alice")
    assert message.from_user.language_code == "en"
    assert message.sender_chat is None
    query = Update.de_json(callback, None).callback_query
    assert query is not None and query.data == "page:2"
    assert query.message is not None and query.message.message_id == 10
    # Telegram sends chat_instance with every press: the same for every press in one chat
    again = make_callback_update(42, 42, "page:3", message_id=10)["callback_query"]
    other = make_callback_update(43, 43, "page:2", message_id=10)["callback_query"]
    assert query.chat_instance == again["chat_instance"] != other["chat_instance"]


def test_anonymous_admin_message_shape() -> None:
    # An anonymous group admin posts as @GroupAnonymousBot, on behalf of the group itself.
    raw = make_message_update(GROUP, "/subscribe gan", anonymous_admin=True)
    message = Update.de_json(raw, None).message
    assert message is not None and message.from_user is not None
    assert message.from_user.id == ANONYMOUS_ADMIN["id"] == 1087968824
    assert message.from_user.is_bot and message.from_user.username == "GroupAnonymousBot"
    assert message.sender_chat is not None and message.sender_chat.id == message.chat.id == GROUP


async def test_get_updates_offset_and_long_poll(api: FakeBotApi, bot: Bot) -> None:
    start = time.monotonic()
    # capped by max_long_poll (0.5 s): a deadline far below the 30 s asked for
    assert await asyncio.wait_for(bot.get_updates(timeout=30), 20) == ()
    assert time.monotonic() - start >= 0.45

    ids = [api.push_message(42, f"m{i}")["update_id"] for i in range(3)]
    assert [u.update_id for u in await bot.get_updates()] == ids
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[2:]
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    assert api.pending_updates() == []

    # A long poll returns as soon as an update arrives.
    api.max_long_poll = 10
    asyncio.get_running_loop().call_later(0.1, api.push_message, 42, "late")
    [late] = await asyncio.wait_for(bot.get_updates(offset=ids[2] + 1, timeout=10), 8)
    assert late.message is not None and late.message.text == "late"  # not the 10 s poll


async def test_process_update_command_in_group(api: FakeBotApi) -> None:
    async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html(f"<b>Digest</b> for {' '.join(context.args)}")

    app = build_app(api)
    app.add_handler(CommandHandler("digest", digest))
    ours = api.make_message_update(GROUP, "/digest@PapersTestBot 2016", user_id=7)
    theirs = api.make_message_update(GROUP, "/digest@SomeOtherBot 2017", user_id=7)
    assert ours["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 21}]
    await app.initialize()
    try:
        for raw in (ours, theirs):
            await app.process_update(Update.de_json(raw, app.bot))
    finally:
        await app.shutdown()
    [reply] = api.sent_messages(GROUP)
    assert reply.text == "<b>Digest</b> for 2016" and reply.parse_mode == "HTML"
    # PTB quotes the command in groups: the reply points at the user's message
    assert reply.params["reply_parameters"]["message_id"] == ours["message"]["message_id"]


async def test_real_polling_command_and_callback(api: FakeBotApi) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Welcome", reply_markup=keyboard("more"))

    async def more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Loading…")
        await query.edit_message_text("More papers")

    app = build_app(api)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(more, pattern="^more$"))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.05, timeout=dtm.timedelta(seconds=1))
    try:
        api.push_message(42, "/start", username="alice")
        [welcome] = await api.wait_for_messages(chat_id=42)
        assert welcome.text == "Welcome" and welcome.callback_data == ["more"]

        api.push_update(api.make_callback_update(42, 42, "more", message_id=welcome.message_id))
        [answer] = await api.wait_for_async("answerCallbackQuery")
        assert answer.params["text"] == "Loading…"
        edits = await api.wait_for_messages(2, chat_id=42)
        assert (edits[-1].method, edits[-1].text) == ("editMessageText", "More papers")
        assert edits[-1].message_id == welcome.message_id
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert "deleteWebhook" in api.methods()  # PTB's polling bootstrap
    assert api.pending_updates() == []  # PTB confirmed everything it processed


# ---- chats, admins, commands, webhook ------------------------------------------------------


async def test_get_chat_member_statuses(api: FakeBotApi, bot: Bot) -> None:
    api.set_chat_admins(GROUP, [11, api.bot_id], owner_id=10)
    owner, admin, ours, member = [await bot.get_chat_member(GROUP, u)
                                  for u in (10, 11, api.bot_id, 12)]  # fmt: skip
    assert isinstance(owner, ChatMemberOwner) and owner.status == "creator"
    assert isinstance(admin, ChatMemberAdministrator) and admin.status == "administrator"
    assert not admin.is_anonymous
    assert isinstance(ours, ChatMemberAdministrator) and ours.user.username == "PapersTestBot"
    assert member.status == "member" and member.user.id == 12
    # other groups know nobody as admin
    assert (await bot.get_chat_member(GROUP - 1, 11)).status == "member"
    call = api.last_call("getChatMember")
    assert call.params == {"chat_id": GROUP - 1, "user_id": 11}


async def test_add_chat(api: FakeBotApi, bot: Bot) -> None:
    api.add_chat(GROUP, "supergroup", title="Deep Learning Papers")
    sent = await bot.send_message(GROUP, "hello")
    assert (sent.chat.type, sent.chat.title) == ("supergroup", "Deep Learning Papers")
    assert (await bot.send_message(-42, "x")).chat.type == "group"  # invented on first use


async def test_commands_and_webhook(api: FakeBotApi, bot: Bot) -> None:
    commands = [BotCommand("papers", "Latest papers"), BotCommand("digest", "Weekly digest")]
    assert await bot.set_my_commands(commands)
    assert await bot.set_my_commands(
        [BotCommand("admin", "Admin tools")], scope=BotCommandScopeChat(GROUP), language_code="de"
    )
    assert api.commands() == [
        {"command": "papers", "description": "Latest papers"},
        {"command": "digest", "description": "Weekly digest"},
    ]
    assert api.commands({"type": "chat", "chat_id": GROUP}, "de") == [
        {"command": "admin", "description": "Admin tools"}
    ]
    assert api.commands(language_code="zh") is None
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Papers-Now", "x")])
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_DESCRIPTION_INVALID"):
        await bot.set_my_commands([BotCommand("papers", "x" * 257)])

    assert await bot.set_webhook("https://papers.example.invalid/hook", secret_token="s3cret")
    assert api.last_call("setWebhook").params["url"] == "https://papers.example.invalid/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    api.push_message(42, "queued while the webhook was set")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


# ---- waiting helpers -----------------------------------------------------------------------


def test_wait_for_blocks_until_calls_arrive(api: FakeBotApi) -> None:
    def send_later() -> None:
        time.sleep(0.1)
        for i in range(2):
            httpx.post(f"{api.base_url}{api.token}/sendMessage", data={"chat_id": 1, "text": i})

    threading.Thread(target=send_later, daemon=True).start()
    calls = api.wait_for("sendMessage", count=2, timeout=2)
    assert [c.params["text"] for c in calls] == ["0", "1"]
    assert calls[0].time <= calls[1].time

    def is_chat_1(call: ApiCall) -> bool:
        return call.chat_id == 1

    assert len(api.wait_for(is_chat_1, count=2, timeout=0.1)) == 2
    with pytest.raises(TimeoutError, match="expected 1 getMe"):
        api.wait_for("getMe", timeout=0.05)


async def test_wait_for_in_event_loop(api: FakeBotApi) -> None:
    with pytest.raises(RuntimeError, match="wait_for_async"):
        api.wait_for("getMe", timeout=0.01)
    with pytest.raises(TimeoutError):
        await api.wait_for_async("getMe", timeout=0.05)
    with pytest.raises(TimeoutError, match="message"):
        await api.wait_for_messages(chat_id=1, timeout=0.05)


async def test_stop_is_prompt_with_a_pending_long_poll() -> None:
    api = FakeBotApi(max_long_poll=30)
    async with Bot(api.token, base_url=api.base_url) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await api.wait_for_async(lambda c: True, timeout=1)  # getMe from Bot.initialize
        for _ in range(2000):  # until the long poll has reached the fake (an event, not a nap)
            if "getUpdates" in api.arrivals:
                break
            await asyncio.sleep(0.005)
        assert "getUpdates" in api.arrivals
        await asyncio.to_thread(api.stop)
        assert await asyncio.wait_for(poll, 10) == ()  # not the 30 s long poll
    api.stop()  # idempotent


# ---- rule 9: only what the bot calls -------------------------------------------------------

#: Bot API methods python-telegram-bot calls on the bot's behalf; bot/ never names them.
PTB_CALLS = {
    # Bot.initialize(): Application.initialize() (`run`, `deliver`) and cli.run.check_token's
    # `async with Bot(...)` ask getMe who the bot is (and so whether the token is valid).
    "getMe": "Bot.initialize",
    # app.run_polling() (`papers-bot run`): Updater.start_polling long-polls getUpdates...
    "getUpdates": "Updater.start_polling",
    # ...after deleting any webhook first (Telegram refuses getUpdates while one is set).
    "deleteWebhook": "Updater.start_polling",
    # app.run_webhook() (`papers-bot run --webhook URL`) registers the URL and secret token.
    "setWebhook": "Updater.start_webhook",
}
#: Bot API methods the bot calls through a CallbackQuery shortcut: `query.<name>(`.
QUERY_SHORTCUTS = {"answer": "answerCallbackQuery", "edit_message_text": "editMessageText"}
BOT_SOURCE = Path(bot_package.__file__).parent


def snake_case(method: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", method).lower()


def test_the_fake_speaks_only_what_the_bot_calls() -> None:
    # Issue 10, rule 9: the fake keeps only what the bot calls (and what Telegram checks).
    source = "\n".join(path.read_text() for path in sorted(BOT_SOURCE.rglob("*.py")))
    direct = set(re.findall(r"\bbot\.([a-z]+(?:_[a-z]+)+)\(", source))
    shortcuts = set(re.findall(r"\bquery\.([a-z_]+)\(", source))
    assert direct, f"no Bot API call found under {BOT_SOURCE}"
    assert shortcuts <= set(QUERY_SHORTCUTS), f"unknown CallbackQuery shortcut: {shortcuts}"
    called_by_bot = {m for m in FakeBotApi.METHODS if snake_case(m) in direct}
    called_by_bot |= {QUERY_SHORTCUTS[name] for name in shortcuts}
    implemented = set(FakeBotApi.METHODS)

    unused = implemented - called_by_bot - set(PTB_CALLS)
    assert not unused, f"the fake implements methods the bot never calls: {sorted(unused)}"
    missing = {name for name in direct if name not in map(snake_case, implemented)}
    assert not missing, f"the bot calls methods the fake does not answer: {sorted(missing)}"
    assert set(PTB_CALLS) <= implemented
    assert "run_polling(" in source and "run_webhook(" in source  # why PTB_CALLS are needed
    for method, handler in FakeBotApi.METHODS.items():
        assert callable(getattr(FakeBotApi, handler)), method
