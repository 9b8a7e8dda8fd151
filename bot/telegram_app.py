"""python-telegram-bot glue: build the Application, turn updates into answers, send replies."""

from __future__ import annotations

import logging

import sqlite_utils
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

import bot.maintainers  # noqa: F401 - registers the maintainer commands
from bot.answers import Asker
from bot.commands import BY_NAME, COMMANDS
from bot.config import Config
from bot.delivery import Deliverer, outbox_request
from bot.dispatch import (
    button_changes_settings,
    needs_admin_check,
    parse_command,
    run_button,
    run_command,
)
from bot.jobs import Services, run_job_now, schedule_jobs
from bot.render import Reply
from storage import chats

log = logging.getLogger(__name__)
ADMIN_STATUSES = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}


def build_application(
    config: Config, db: sqlite_utils.Database, with_jobs: bool = True
) -> Application:
    """Build the bot: handlers from the command table, rate limiter, jobs, our Bot API URL."""
    app = (
        ApplicationBuilder()
        .token(config.require_token())
        .base_url(config.telegram_api_url)
        .request(outbox_request())
        .rate_limiter(
            AIORateLimiter(overall_max_rate=config.telegram_rate_limit, overall_time_period=1,
                           max_retries=3)
        )
        .post_init(_post_init)
        .build()
    )
    app.bot_data.update(db=db, config=config)
    for command in COMMANDS:
        app.add_handler(CommandHandler(command.name, on_command))
    app.add_handler(MessageHandler(filters.COMMAND, on_command))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_error_handler(on_error)
    services = Services(db, config, Deliverer(app.bot, db))
    app.bot_data["services"] = services
    if with_jobs:
        schedule_jobs(app, services)
    return app


async def _post_init(app: Application) -> None:
    await publish_command_menu(app)


async def publish_command_menu(app: Application) -> None:
    """Set the command menu in English and Chinese; a failure is logged, never fatal."""
    config: Config = app.bot_data["config"]
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


def _language(update: Update) -> str | None:
    code = update.effective_user.language_code if update.effective_user else None
    return "zh" if code and code.lower().startswith("zh") else ("en" if code else None)


async def make_asker(
    update: Update, context: ContextTypes.DEFAULT_TYPE, needs_admin: bool
) -> Asker:
    """Build the asker for an update: its chat (created on first contact) and its rights."""
    db = context.bot_data["db"]
    config: Config = context.bot_data["config"]
    tg_chat, user = update.effective_chat, update.effective_user
    chat = chats.ensure_chat(
        db, tg_chat.id, tg_chat.type, tg_chat.title or "", lang=_language(update)
    )
    user_id = user.id if user else 0
    allowed = True
    if needs_admin and tg_chat.type != ChatType.PRIVATE:
        allowed = await is_group_admin(context, tg_chat.id, user_id, update.effective_message)
    return Asker(db, chat, user_id, allowed, user_id in config.maintainer_ids)


async def is_group_admin(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int, message: Message | None
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


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a command message."""
    message = update.effective_message
    if message is None or not message.text:
        return
    parsed = parse_command(message.text, context.bot.username)
    if parsed is None:
        return
    name, args = parsed
    asker = await make_asker(update, context, needs_admin_check(name))
    for reply in await run_command(asker, name, args):
        await send_reply(context, update.effective_chat.id, reply)
    command = BY_NAME.get(name)
    if command and command.runs_job and (asker.is_maintainer or not command.maintainers_only):
        run_job_now(context.application, command.runs_job, reply_to=update.effective_chat.id)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an inline button press."""
    query = update.callback_query
    data = (query.data or "")[:64]
    asker = await make_asker(update, context, button_changes_settings(data))
    result = run_button(asker, data)
    try:
        await query.answer(result.toast or None)
    except TelegramError as exc:  # e.g. a press older than Telegram's answer window
        log.info("could not answer a button press in chat %s: %s", update.effective_chat.id, exc)
    if result.edit is not None and query.message is not None:
        try:
            await query.edit_message_text(
                result.edit.text, parse_mode=ParseMode.HTML, reply_markup=markup(result.edit),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except BadRequest as exc:
            log.info("could not edit message: %s", exc)
    for reply in result.replies:
        await send_reply(context, update.effective_chat.id, reply)


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    """Turn a reply's buttons into Telegram's inline keyboard."""
    if not reply.keyboard:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row]
         for row in reply.keyboard]
    )


async def send_reply(context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply) -> None:
    """Send one reply as HTML without link previews; a blocked chat is deactivated."""
    try:
        if reply.photo is not None:
            await context.bot.send_photo(chat_id, reply.photo, caption=reply.text[:1024],
                                         parse_mode=ParseMode.HTML)
            return
        await context.bot.send_message(
            chat_id, reply.text, parse_mode=ParseMode.HTML, reply_markup=markup(reply),
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
    except Forbidden as exc:
        chats.deactivate_chat(context.bot_data["db"], chat_id, str(exc))
        log.info("chat %s deactivated: %s", chat_id, exc)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a handler failure in one line (the token never appears: see cli logging)."""
    log.warning("update failed: %s: %s", type(context.error).__name__, context.error)
