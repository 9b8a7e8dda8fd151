"""python-telegram-bot glue: build the Application, turn updates into answers, send replies.

Handlers, /help and the command menu all come from the command table (bot/commands/table.py);
what handlers and jobs share is one typed `BotState` (PTB's bot_data, via ContextTypes).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

import httpx
from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Message, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.commands.base import Asker, ButtonResult
from bot.commands.dispatch import (
    addressed_to,
    button_changes_settings,
    button_write,
    command_write,
    needs_admin_check,
    parse_command,
    run_button,
    run_command,
    written_button,
    written_replies,
)
from bot.commands.table import BY_NAME, COMMANDS
from bot.config import Config
from bot.delivery import Deliverer, markup, move_chat, outbox_request, send_reply
from bot.jobs import Scheduler, Services, job_table
from bot.render.reply import Reply
from bot.render.strings import t
from feeds.model import Lang
from storage import chats
from storage.db import DB_ERRORS, Database, limit_lock_wait
from storage.writer import Pending, Writer

log = logging.getLogger(__name__)
STORAGE_RETRY_SECONDS = 30.0  # a message the database refused is handled again after this...
STORAGE_RETRIES = 120  # ...for up to an hour; the user is told once
ADMIN_STATUSES = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
MAX_CONCURRENT_UPDATES = 256


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates are handled concurrently, each chat's one after another in arrival order.

    python-telegram-bot handles updates one at a time by default, so a slow answer (a /trends
    chart) held every other chat's; with plain concurrent updates a chat's own commands could
    overtake each other (a /lang before the /mysubs sent after it). PTB starts one task per
    update in arrival order; each takes its chat's lock first thing, and asyncio's locks wake
    their waiters in order.
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # tasks holding or awaiting each lock

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers once the earlier updates of its chat are done."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:  # no one else waits: forget the chat's lock
                del self._users[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


class BotState:
    """What every handler and job shares: services and the scheduler (set once, at build)."""

    def __init__(self) -> None:
        self._services: Services | None = None
        self._scheduler: Scheduler | None = None
        self.token_watch = TokenWatch()
        # a message whose handling the database refused (disk full): tries so far, by update
        self.storage_attempts: dict[int, int] = {}
        self.storage_retry_seconds = STORAGE_RETRY_SECONDS
        self.storage_retries: set[asyncio.Task[None]] = set()

    def attach(self, services: Services, scheduler: Scheduler) -> None:
        """Give the bot its services and scheduler."""
        self._services, self._scheduler = services, scheduler

    @property
    def services(self) -> Services:
        """The database, settings, arXiv limiter and deliverer."""
        if self._services is None:
            raise RuntimeError("the application was not built by build_application")
        return self._services

    @property
    def scheduler(self) -> Scheduler:
        """The job table on this application's JobQueue."""
        if self._scheduler is None:
            raise RuntimeError("the application was not built by build_application")
        return self._scheduler

    @property
    def db(self) -> Database:
        """The database."""
        return self.services.db

    @property
    def config(self) -> Config:
        """The settings."""
        return self.services.config


class TokenWatch:
    """Telegram answers getUpdates with 401 once the token is revoked while the bot runs;
    python-telegram-bot then ends its polling loop (with a traceback) and the process idles,
    deaf, forever. The watch stops the application instead, and `papers-bot run` says why in
    one line (`revoked`)."""

    def __init__(self) -> None:
        self.revoked = False
        self.app: BotApp | None = None

    async def on_response(self, response: httpx.Response) -> None:
        """httpx's response hook on the getUpdates transport."""
        if response.status_code == 401 and not self.revoked:
            self.revoked = True
            if self.app is not None and self.app.running:
                self.app.stop_running()

    def request(self) -> HTTPXRequest:
        """PTB's getUpdates transport (its defaults), watched."""
        return HTTPXRequest(connection_pool_size=1,
                            httpx_kwargs={"event_hooks": {"response": [self.on_response]}})


BotContext = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotState]
BotApp = Application[Any, BotContext, dict[Any, Any], dict[Any, Any], BotState, Any]
CONTEXT_TYPES = ContextTypes(bot_data=BotState)


def build_application(config: Config, db: Database, with_jobs: bool = True) -> BotApp:
    """Build the bot: handlers from the command table, rate limiter, jobs, our Bot API URL."""
    watch = TokenWatch()
    app: BotApp = (
        ApplicationBuilder()
        .token(config.require_token())
        .base_url(config.telegram_api_url)
        .context_types(CONTEXT_TYPES)
        .request(outbox_request())
        .get_updates_request(watch.request())
        .concurrent_updates(ChatOrderedProcessor())
        .rate_limiter(
            AIORateLimiter(overall_max_rate=config.telegram_rate_limit, overall_time_period=1,
                           max_retries=3)
        )
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    # New messages only: an edited message must never run its command again.
    fresh = filters.UpdateType.MESSAGE
    for command in COMMANDS:
        app.add_handler(CommandHandler(command.name, on_command, filters=fresh))
    app.add_handler(MessageHandler(filters.COMMAND & fresh, on_command))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE
                                   & fresh, on_plain_text))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    app.add_error_handler(on_error)
    limit_lock_wait(db)  # the loop's own connection: reads never wait; writes go to the writer
    services = Services(db, config, Deliverer(app.bot, db), writer=Writer.for_db(db))
    scheduler = Scheduler(app, services, {job.name: job for job in job_table(config)})
    app.bot_data.attach(services, scheduler)
    app.bot_data.token_watch, watch.app = watch, app
    if with_jobs:
        scheduler.schedule()
    return app


async def _post_init(app: BotApp) -> None:
    await publish_command_menu(app)


async def _post_shutdown(app: BotApp) -> None:
    app.bot_data.services.writes().close()  # land what is handed over (logs what could not)


async def _post_stop(app: BotApp) -> None:
    """Messages still waiting for the database to take writes again are dropped, said once."""
    waiting = list(app.bot_data.storage_retries)
    for task in waiting:
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)
    if waiting:
        log.info("stopping: %d messages that waited for the database are not answered",
                 len(waiting))


async def publish_command_menu(app: BotApp) -> None:
    """Set the command menu in English and Chinese; a failure is logged, never fatal."""
    config = app.bot_data.config
    public = [c for c in COMMANDS if not c.maintainers_only]
    try:
        await app.bot.set_my_commands([BotCommand(c.name, c.help("en")) for c in public])
        await app.bot.set_my_commands(
            [BotCommand(c.name, c.help("zh")) for c in public], language_code="zh"
        )
        for user_id in config.maintainer_ids:
            await app.bot.set_my_commands(
                [BotCommand(c.name, c.help("en")) for c in COMMANDS],
                scope=BotCommandScopeChat(user_id),
            )
    except TelegramError as exc:
        log.warning("could not set the command menu (continuing): %s", exc)


def _language(update: Update) -> Lang | None:
    code = update.effective_user.language_code if update.effective_user else None
    return Lang.ZH if code and code.lower().startswith("zh") else (Lang.EN if code else None)


async def make_asker(update: Update, context: BotContext, needs_admin: bool) -> Asker:
    """Build the asker for an update: its chat (registered on first contact: while another
    process holds the write lock the registration waits on the writer, the reply does not)."""
    state = context.bot_data
    tg_chat, user = update.effective_chat, update.effective_user
    assert tg_chat is not None  # commands and button presses always come from a chat
    chat_id, kind, title, lang = tg_chat.id, tg_chat.type, tg_chat.title or "", _language(update)
    chat = chats.get_chat(state.db, chat_id)
    if chat is None or not chat.active:
        joined = await state.services.writes().settle(
            lambda db: chats.ensure_chat(db, chat_id, kind, title, lang=lang))
        chat = (joined.done.result() if joined.landed
                else chats.newcomer(chat_id, kind, title, lang, existing=chat))
    user_id = user.id if user else 0
    allowed = True
    if needs_admin and tg_chat.type != ChatType.PRIVATE:
        allowed = await is_group_admin(context, tg_chat.id, user_id, update.effective_message)
    name = (user.full_name or (f"@{user.username}" if user.username else "")) if user else ""
    return Asker(state.db, chat, user_id, allowed, user_id in state.config.maintainer_ids,
                 user_name=name, writer=state.services.writes())


async def is_group_admin(
    context: BotContext, chat_id: int, user_id: int, message: Message | None
) -> bool:
    """True when the user administers the group (anonymous admins included)."""
    if message is not None and message.sender_chat and message.sender_chat.id == chat_id:
        return True
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.warning("could not check admin rights in chat %s: %s", chat_id, exc)
        return False
    return member.status in ADMIN_STATUSES


async def on_command(update: Update, context: BotContext) -> None:
    """Answer a command message."""
    message = update.effective_message
    if message is None or not message.text or update.effective_chat is None:
        return
    parsed = parse_command(message.text, context.bot.username)
    if parsed is None:
        return
    name, args = parsed
    chat_id = update.effective_chat.id
    if (name not in BY_NAME and update.effective_chat.type != ChatType.PRIVATE
            and not addressed_to(message.text, context.bot.username)):
        return  # another bot's command in a shared group: not ours to answer, nor to register
    asker = await make_asker(update, context, needs_admin_check(name))
    thread = topic_of(message)
    command = BY_NAME.get(name)
    runs_job = bool(command and command.runs_job
                    and (asker.is_maintainer or not command.maintainers_only))
    if command and runs_job and context.bot_data.scheduler.busy(command.runs_job):
        await reply_to(context, chat_id, Reply(t(asker.lang, f"{command.runs_job}_busy")), thread)
        return  # one run at a time: a second press while one runs changes nothing
    if (command and command.changes_settings and asker.can_change_settings
            and asker.chat.thread_id != thread):
        # in a forum, the chat's digests go to the topic its settings were last changed in
        await asker.writes().settle(
            lambda db: chats.set_chat_setting(db, chat_id, thread_id=thread))
    written = command_write(asker, name, args)
    if written is not None and not await written.settle():
        # another process holds the write lock: answer when the write lands, and meanwhile
        # let the next updates through
        context.application.create_task(
            _reply_when_written(context, chat_id, written, asker.lang, thread))
        return
    replies = await (written_replies(written, asker.lang) if written is not None
                     else run_command(asker, name, args))
    for reply in replies:
        await reply_to(context, chat_id, reply, thread)
    if command and runs_job:
        context.bot_data.scheduler.run_now(command.runs_job, reply_to=chat_id)


async def _reply_when_written(context: BotContext, chat_id: int, written: Pending[list[Reply]],
                              lang: str, thread: int | None) -> None:
    for reply in await written_replies(written, lang):
        await reply_to(context, chat_id, reply, thread)


async def on_plain_text(update: Update, context: BotContext) -> None:
    """Text that is no command, in a private chat: one line on what to send (no chat is
    registered for it)."""
    if update.effective_chat is None:
        return
    lang = _language(update) or Lang.EN
    chat = chats.get_chat(context.bot_data.db, update.effective_chat.id)
    await reply_to(context, update.effective_chat.id,
                   Reply(t(chat.lang if chat else lang, "plain_text_hint")),
                   topic_of(update.effective_message))


async def on_button(update: Update, context: BotContext) -> None:
    """Answer an inline button press."""
    query = update.callback_query
    if query is None or update.effective_chat is None:
        return
    data = (query.data or "")[:64]
    asker = await make_asker(update, context, button_changes_settings(data))
    written = button_write(asker, data)
    if written is not None and not await written.settle():  # the write lock is held elsewhere
        context.application.create_task(_show_when_written(update, context, written, asker.lang))
        return
    result = (await written_button(written, asker.lang) if written is not None
              else run_button(asker, data))
    await show_button_result(update, context, result)


async def _show_when_written(update: Update, context: BotContext,
                             written: Pending[ButtonResult], lang: str) -> None:
    await show_button_result(update, context, await written_button(written, lang))


async def show_button_result(update: Update, context: BotContext, result: ButtonResult) -> None:
    """Answer the press (toast), edit its message, send new messages."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    try:
        await query.answer(result.toast or None)
    except TelegramError as exc:  # e.g. a press older than Telegram's answer window
        log.info("could not answer a button press in chat %s: %s", chat_id, exc)
    if result.edit is not None and query.message is not None:
        try:
            await query.edit_message_text(
                result.edit.text, parse_mode=ParseMode.HTML,
                reply_markup=markup(result.edit.keyboard),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except BadRequest as exc:
            log.info("could not edit message: %s", exc)
    thread = topic_of(query.message) if isinstance(query.message, Message) else None
    for reply in result.replies:
        await reply_to(context, chat_id, reply, thread)


async def on_migrate(update: Update, context: BotContext) -> None:
    """A group was upgraded to a supergroup: Telegram posts `migrate_to_chat_id` in the old
    group and `migrate_from_chat_id` in the new one; either moves the chat (once)."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        move_chat(context.bot_data.db, message.chat_id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        move_chat(context.bot_data.db, message.migrate_from_chat_id, message.chat_id)


def topic_of(message: Message | None) -> int | None:
    """The forum topic a message was posted in (None: not a forum topic message)."""
    if message is None or not message.is_topic_message:
        return None
    return message.message_thread_id


async def reply_to(context: BotContext, chat_id: int, reply: Reply,
                   thread_id: int | None = None) -> None:
    """Send an answer through the one send path (in the forum topic it came from); a chat
    that blocked us is switched off."""
    try:
        await send_reply(context.bot, chat_id, reply, thread_id)
    except ChatMigrated as exc:  # the group became a supergroup meanwhile: answer there
        move_chat(context.bot_data.db, chat_id, exc.new_chat_id)
        await send_reply(context.bot, exc.new_chat_id, reply)
    except Forbidden as exc:
        reason = str(exc)
        await context.bot_data.services.writes().settle(
            lambda db: chats.deactivate_chat(db, chat_id, reason))
        log.info("chat %s deactivated: %s", chat_id, exc)


async def on_error(update: object, context: BotContext) -> None:
    """Log a failure in one line (the token never appears: see cli logging). With no update,
    a job or python-telegram-bot's polling failed (polling tries again by itself, backing off
    up to 30 s); a message the database refused is handled again later (`storage_failed`)."""
    error = context.error
    what = f"{type(error).__name__}: {' '.join(str(error).split())}"
    trace = error if log.isEnabledFor(logging.DEBUG) else None  # a traceback only with -v
    if isinstance(error, DB_ERRORS) and isinstance(update, Update):
        await storage_failed(update, context, what)
    elif update is not None:
        log.warning("update failed: %s", what, exc_info=trace)
    elif context.job is not None:
        log.warning("job %s failed: %s; it runs again at its next time", context.job.name, what,
                    exc_info=trace)
    else:
        log.warning("polling Telegram for updates failed (%s); trying again in at most 30 s",
                    what, exc_info=trace)


async def storage_failed(update: Update, context: BotContext, what: str) -> None:
    """The database refused a write while handling this update (a full disk, most likely):
    tell the user once that the answer will come, and handle the message again every
    `storage_retry_seconds` until it goes through; one line per failed attempt. A button
    press is not pressed again (the user sees the notice and can press it once more)."""
    state = context.bot_data
    attempt = state.storage_attempts.get(update.update_id, 0) + 1
    chat = update.effective_chat
    again = update.message is not None and attempt <= STORAGE_RETRIES
    if attempt == 1 and chat is not None:
        notice = Reply(t(_language(update) or Lang.EN, "storage_unavailable"))
        try:
            await send_reply(context.bot, chat.id, notice, topic_of(update.effective_message))
        except TelegramError as exc:
            log.info("could not tell chat %s about the database: %s", chat.id, exc)
    where = f"chat {chat.id}" if chat else "an unknown chat"
    if again:
        log.warning("a message from %s could not be handled: the database refused a write "
                    "(%s); handling it again in %g s (attempt %d)", where, what,
                    state.storage_retry_seconds, attempt)
        # a plain task (PTB's create_task would hold a stop up to storage_retry_seconds)
        task = asyncio.create_task(_handle_again(context.application, update, attempt))
        state.storage_retries.add(task)
        task.add_done_callback(state.storage_retries.discard)
    else:
        log.warning("an update from %s could not be handled: the database refused a write "
                    "(%s); not tried again", where, what)


async def _handle_again(app: Application[Any, Any, Any, Any, BotState, Any], update: Update,
                        attempt: int) -> None:
    state = app.bot_data
    await asyncio.sleep(state.storage_retry_seconds)
    state.storage_attempts[update.update_id] = attempt
    try:
        await app.process_update(update)
    finally:
        state.storage_attempts.pop(update.update_id, None)
