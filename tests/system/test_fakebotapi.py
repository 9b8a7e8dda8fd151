"""The fake Bot API speaks the protocol the real python-telegram-bot (22.x) expects."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator

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
    MenuButtonCommands,
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

from tests.support.fakebotapi import (
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
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as b:
        yield b


def build_app(api: FakeBotApi, builder: ApplicationBuilder | None = None) -> Application:
    builder = builder or ApplicationBuilder()
    return builder.token(api.token).base_url(api.base_url).base_file_url(api.base_file_url).build()


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
    with pytest.raises(Forbidden):
        await bot.send_chat_action(99, "typing")
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

    async with httpx.AsyncClient() as client:
        res = await client.post(f"{api.base_url}{api.token}/frobnicate")
        assert res.status_code == 404
        assert res.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }
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
    start = time.monotonic()
    await bot.send_message(1, "fast")
    assert time.monotonic() - start < 0.2


# ---- request encodings ---------------------------------------------------------------------


async def test_send_photo_multipart_and_download(api: FakeBotApi, bot: Bot) -> None:
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

    [record] = api.sent_messages(GROUP)
    assert record.text == "<i>Figure 1</i>" and record.media == photo

    file = await bot.get_file(sent.photo[-1].file_id)
    assert await file.download_as_bytearray() == bytearray(png)
    again = await bot.send_photo(GROUP, sent.photo[-1].file_id)  # re-send by file_id
    assert again.photo[-1].file_id == sent.photo[-1].file_id


async def test_raw_encodings(api: FakeBotApi) -> None:
    url = f"{api.base_url}{api.token}"
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with httpx.AsyncClient() as client:
        await client.post(
            f"{url}/sendMessage",
            data={"chat_id": "5", "text": "true", "reply_markup": json.dumps(markup)},
        )
        await client.post(
            f"{url}/sendmessage", json={"chat_id": 6, "text": "json", "reply_markup": markup}
        )
        await client.get(f"{url}/SENDMESSAGE", params={"chat_id": "7", "text": "get"})
        await client.post(
            f"{url}/sendDocument",
            data={"chat_id": "8", "caption": "notes"},
            files={"document": ("notes.txt", b"hello", "text/plain")},
        )
    form, as_json, get, document = api.calls()
    assert form.params == {"chat_id": 5, "text": "true", "reply_markup": markup}
    assert as_json.method == "sendMessage" and as_json.params["reply_markup"] == markup
    assert get.http_method == "GET" and get.params == {"chat_id": 7, "text": "get"}
    upload = document.params["document"]
    assert upload == UploadedFile("document", "notes.txt", "text/plain", b"hello")
    assert document.result["document"]["file_name"] == "notes.txt"


# ---- Telegram's validation -----------------------------------------------------------------


async def test_markup_validation(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)can't find end tag corresponding to start tag"):
        await bot.send_message(1, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)unsupported start tag"):
        await bot.send_message(1, "x < y for all papers", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)character '.' is reserved"):
        await bot.send_message(1, "*ResNet* v1.5", parse_mode="MarkdownV2")
    ok = await bot.send_message(
        1, r"*ResNet* v1\.5 [arXiv](https://arxiv.org/abs/1512.03385)", parse_mode="MarkdownV2"
    )
    assert ok.text == "ResNet v1.5 arXiv"
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(1, "x", reply_markup=keyboard("x" * 65))
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(1, "x" * 4097)
    assert [m.text for m in api.sent_messages()] == [
        r"*ResNet* v1\.5 [arXiv](https://arxiv.org/abs/1512.03385)"
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
    query = Update.de_json(callback, None).callback_query
    assert query is not None and query.data == "page:2"
    assert query.message is not None and query.message.message_id == 10


async def test_get_updates_offset_and_long_poll(api: FakeBotApi, bot: Bot) -> None:
    start = time.monotonic()
    assert await bot.get_updates(timeout=30) == ()  # capped by max_long_poll (0.5 s)
    assert 0.45 <= time.monotonic() - start < 2.0

    ids = [api.push_message(42, f"m{i}")["update_id"] for i in range(3)]
    assert [u.update_id for u in await bot.get_updates()] == ids
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[2:]
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    assert api.pending_updates() == []

    # A long poll returns as soon as an update arrives.
    api.max_long_poll = 10
    asyncio.get_running_loop().call_later(0.1, api.push_message, 42, "late")
    start = time.monotonic()
    [late] = await bot.get_updates(offset=ids[2] + 1, timeout=10)
    assert late.message is not None and late.message.text == "late"
    assert time.monotonic() - start < 1.5

    # allowed_updates filters (and is remembered, as on Telegram)
    api.push_callback(42, 42, "cb")
    api.push_message(42, "text")
    got = await bot.get_updates(offset=late.update_id + 1, allowed_updates=["message"])
    assert [u.message.text for u in got if u.message] == ["text"] and len(got) == 1


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

        api.push_callback(42, 42, "more", message_id=welcome.message_id)
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


async def test_group_admins(api: FakeBotApi, bot: Bot) -> None:
    api.add_user(10, "Owner", "owner")
    api.set_chat_admins(GROUP, [11, api.bot_id], owner_id=10)
    admins = await bot.get_chat_administrators(GROUP)
    assert [type(a) for a in admins] == [
        ChatMemberOwner,
        ChatMemberAdministrator,
        ChatMemberAdministrator,
    ]
    assert [a.user.id for a in admins] == [10, 11, api.bot_id]
    assert admins[0].user.username == "owner"

    assert (await bot.get_chat_member(GROUP, 11)).status == "administrator"
    assert (await bot.get_chat_member(GROUP, 12)).status == "member"
    api.set_chat_member(GROUP, 12, "left")
    assert (await bot.get_chat_member(GROUP, 12)).status == "left"

    chat = await bot.get_chat(GROUP)
    assert chat.type == "supergroup" and chat.title

    with pytest.raises(BadRequest, match="(?i)no administrators in the private chat"):
        await bot.get_chat_administrators(42)


async def test_strict_chats() -> None:
    with FakeBotApi(strict_chats=True) as api:
        api.add_chat(GROUP, "supergroup", title="Deep Learning Papers")
        async with Bot(api.token, base_url=api.base_url) as bot:
            assert (await bot.get_chat(GROUP)).title == "Deep Learning Papers"
            with pytest.raises(BadRequest, match="Chat not found"):
                await bot.send_message(777, "who?")


async def test_commands_menu_and_webhook(api: FakeBotApi, bot: Bot) -> None:
    commands = [BotCommand("papers", "Latest papers"), BotCommand("digest", "Weekly digest")]
    assert await bot.set_my_commands(commands)
    assert await bot.set_my_commands(
        [BotCommand("admin", "Admin tools")], scope=BotCommandScopeChat(GROUP), language_code="de"
    )
    assert await bot.get_my_commands() == tuple(commands)
    assert api.commands() == [
        {"command": "papers", "description": "Latest papers"},
        {"command": "digest", "description": "Weekly digest"},
    ]
    assert api.commands({"type": "chat", "chat_id": GROUP}, "de") == [
        {"command": "admin", "description": "Admin tools"}
    ]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == () and api.commands() is None

    assert await bot.set_chat_menu_button(chat_id=42, menu_button=MenuButtonCommands())
    assert api.menu_button(42) == {"type": "commands"}

    assert await bot.set_webhook("https://papers.example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://papers.example.invalid/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates() == ()
    assert await bot.send_chat_action(42, "typing")
    assert await bot.log_out() and await bot.close()


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
    api.clear_calls()
    assert api.calls() == []


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
        await asyncio.sleep(0.1)
        start = time.monotonic()
        await asyncio.to_thread(api.stop)
        assert await poll == ()
        assert time.monotonic() - start < 1.0
    api.stop()  # idempotent
