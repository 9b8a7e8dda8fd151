"""CLI: `run` starts the bot; `ask` prints what the bot would answer, without Telegram."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import signal
from dataclasses import replace
from typing import IO
from urllib.parse import urlsplit

from bot.cli.common import UsageError, one_line_error, redact, redact_secret
from bot.commands.base import Asker
from bot.commands.dispatch import parse_command, run_command
from bot.commands.table import BY_NAME
from bot.config import Config, ConfigError
from bot.pipeline.list_sync import seed_bundled
from bot.render.html import esc, to_plain
from bot.render.job_summary import job_title, localise_summary
from bot.render.reply import Reply
from bot.render.strings import t
from feeds.model import Lang
from storage import chats, lock, outbox
from storage.chats import CONSOLE_CHAT_ID
from storage.db import Database, open_db
from storage.outbox import OutboxStatus

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the run and ask commands."""
    run = subparsers.add_parser("run", help="start the Telegram bot")
    run.add_argument("--webhook", metavar="URL",
                     help="receive updates at this public HTTPS URL (behind a reverse proxy)")
    run.add_argument("--listen", default="0.0.0.0", help="webhook listen address")
    run.add_argument("--port", type=int, default=8443, help="webhook listen port")
    run.set_defaults(func=cmd_run)
    deliver = subparsers.add_parser("deliver", help="send the outbox's pending messages once")
    deliver.set_defaults(func=cmd_deliver)
    ask = subparsers.add_parser("ask", help="print the bot's answer to a command, offline")
    ask.add_argument("text", help='a command as typed in Telegram, e.g. "/papers gan"')
    ask.add_argument("--lang", choices=("en", "zh"),
                     help="answer in this language, this answer only (default: the console's own, "
                          "set by /lang)")
    ask.add_argument("--html", action="store_true", help="print the raw HTML sent to Telegram")
    ask.add_argument("--maintainer", action="store_true",
                     help="ask as one of MAINTAINER_IDS would (/suggestions, /stats, /refresh)")
    ask.set_defaults(func=cmd_ask)


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one command from the same logic the bot uses, and print it."""
    config = Config.from_env()
    db = open_db(config.db_path)
    seed_bundled(db)
    parsed = parse_command(args.text if args.text.startswith("/") else f"/{args.text}")
    if parsed is None:
        raise UsageError(f"not a command: {args.text!r} (try \"/papers gan\")")
    # The console is chat 0: its settings (/lang, /subscribe) persist between asks, and the
    # digest and delivery queries never include it, so nothing is ever sent to it.
    chat = chats.ensure_chat(db, CONSOLE_CHAT_ID, "private", "console")
    if args.lang:  # this answer only: the console keeps the language /lang gave it
        chat = replace(chat, lang=Lang(args.lang))
    asker = Asker(db, chat, CONSOLE_CHAT_ID, True, args.maintainer, user_name="console")
    job = console_job(parsed[0], asker)
    held = hold_for_console(config, job) if job else None
    print_replies(asyncio.run(run_command(asker, *parsed)), args.html)
    if job:  # what the bot does after its acknowledgement (/refresh): run it and report
        print("-" * 40)
        print_replies([asyncio.run(run_console_job(config, db, job, asker.lang))], args.html)
    del held
    return 0


def print_replies(replies: list[Reply], html: bool) -> None:
    """Print replies as the console shows them (or their raw HTML), a rule between them."""
    for number, reply in enumerate(replies):
        if number:
            print("-" * 40)
        print(reply.text if html else console_text(reply), flush=True)
        if reply.photo is not None:
            print(f"[a {len(reply.photo):,}-byte PNG chart: `papers-bot trends --out FILE.png`"
                  " saves it]")


def console_job(name: str, asker: Asker) -> str:
    """The job a command runs after its reply (/refresh), when this asker may run it."""
    command = BY_NAME.get(name)
    if command is None or not command.runs_job:
        return ""
    return command.runs_job if asker.is_maintainer or not command.maintainers_only else ""


def hold_for_console(config: Config, job: str) -> IO[str] | None:
    """Hold the database's bot lock while the console runs a job: the running bot runs its own
    jobs, and two refreshes at once would poll and queue twice."""
    try:
        return lock.hold(config.db_path)
    except lock.LockHeld as exc:
        raise UsageError(f"the bot is running on {exc.path} (pid {exc.pid}): send /{job} to "
                         "it in Telegram, or stop it to run it from here") from None


async def run_console_job(config: Config, db: Database, name: str, lang: Lang) -> Reply:
    """Run a job as the scheduler would, sending nothing (queued messages stay in the outbox
    for the bot), and report it as the bot reports to the chat that asked."""
    from bot.jobs import HeldOutbox, Services, job_table, run_recorded  # the scheduler's own

    job = next(job for job in job_table(config) if job.name == name)
    outcome = await run_recorded(Services(db, config, HeldOutbox()), job)
    text = t(lang, "job_report", job=esc(job_title(name, lang)),
             summary=esc(localise_summary(outcome.summary, lang)))
    waiting = outbox.counts(db).get(OutboxStatus.PENDING, 0)
    if waiting:
        text += "\n" + t(lang, "console_outbox_held", n=waiting)
    return Reply(text)


def console_text(reply: Reply) -> str:
    """Render a reply for a terminal: tags stripped, links kept, buttons as [labels]."""
    text = to_plain(reply.text, keep_links=True)
    buttons = ["  ".join(f"[{b.text}]" for b in row) for row in reply.keyboard]
    return "\n".join([text, *buttons])


def cmd_run(args: argparse.Namespace) -> int:
    """Start the bot: long polling, or a webhook with --webhook."""
    config = Config.from_env()
    redact_secret(config.require_token())
    # SIGTERM while Telegram is still awaited ends the process in one line, as Ctrl-C does
    # (once running, python-telegram-bot handles both and stops cleanly)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    asyncio.run(check_token(config))  # before PTB's start-up, which logs a rejected token
    held = lock.hold(config.db_path)  # one bot per database, for this process's life
    try:
        serve(args, config)
    finally:
        if held is not None:  # released at exit anyway; in-process callers (tests) need it now
            held.close()
    log.info("stopped cleanly")
    return 0


def serve(args: argparse.Namespace, config: Config) -> None:
    """Run the application until it stops; a Telegram failure becomes one ConfigError line."""
    from telegram.error import InvalidToken, TelegramError

    from bot.app import build_application

    db = open_db(config.db_path)
    seed_bundled(db)
    app = build_application(config, db)
    log.info("starting: database %s, Bot API %s", config.db_path, config.telegram_api_url)
    try:
        if args.webhook:
            cap_webhook_bodies(WEBHOOK_MAX_BYTES)
            app.run_webhook(
                listen=args.listen, port=args.port, webhook_url=args.webhook,
                url_path=urlsplit(args.webhook).path.lstrip("/"),
                secret_token=hashlib.sha256(
                    config.telegram_bot_token.encode()).hexdigest()[:32],
            )
        else:
            app.run_polling()
    except InvalidToken:  # e.g. getMe answered 502 at the check, then 401: PTB quotes the token
        raise token_rejected() from None
    except TelegramError as exc:
        raise ConfigError(f"the Telegram Bot API failed at start-up: "
                          f"{redact(str(exc), config.telegram_bot_token)}") from None
    if app.bot_data.token_watch.revoked:  # 401 on getUpdates: revoked while running
        raise token_rejected()


WEBHOOK_MAX_BYTES = 1024 * 1024  # an update is a few KB; Telegram's largest are far below


def cap_webhook_bodies(limit: int) -> None:
    """Refuse webhook requests larger than `limit` before reading them: PTB's webhook server is
    tornado's HTTPServer, which otherwise buffers up to 100 MB before the secret is checked.
    (`Configurable.configure` is tornado's public way to give every HTTPServer its defaults.)"""
    from tornado.httpserver import HTTPServer

    HTTPServer.configure(None, max_body_size=limit)


def token_rejected() -> ConfigError:
    """The one line for a token Telegram refuses (PTB's own message quotes the token)."""
    return ConfigError("TELEGRAM_BOT_TOKEN was rejected by the Telegram Bot API (401 "
                       "Unauthorized): revoked or mistyped? Ask @BotFather for the current one")


START_RETRY_SECONDS = (1, 2, 5, 10, 30, 60)  # then every 60 s, for as long as it takes


async def check_token(config: Config) -> None:
    """Wait until Telegram answers getMe: raise ConfigError when it rejects the token; while
    it cannot be reached, log one line per failed attempt (what failed, when the next one
    is) and try again, so a bot started during an outage comes up once Telegram is back."""
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    attempt = 0
    while True:
        try:
            async with Bot(config.require_token(), base_url=config.telegram_api_url):
                return
        except InvalidToken:
            raise token_rejected() from None
        except TelegramError as exc:
            wait = START_RETRY_SECONDS[min(attempt, len(START_RETRY_SECONDS) - 1)]
            attempt += 1
            log.warning("the Telegram Bot API did not answer getMe at start-up (attempt %d: "
                        "%s); trying again in %d s", attempt, one_line_error(exc), wait,
                        exc_info=exc if log.isEnabledFor(logging.DEBUG) else None)  # -v
            await asyncio.sleep(wait)


def cmd_deliver(args: argparse.Namespace) -> int:
    """Send pending outbox messages once (what the bot does every 30 s) and report."""
    from telegram.error import InvalidToken, TelegramError

    from bot.app import build_application

    config = Config.from_env()
    redact_secret(config.require_token())
    try:
        held = lock.hold(config.db_path)
    except lock.LockHeld as exc:  # the running bot delivers every 30 s: two would race
        raise UsageError(f"the bot is running on {exc.path} (pid {exc.pid}) and delivers the "
                         "outbox itself every 30 s; `deliver` is for when it is stopped") from None
    db = open_db(config.db_path)
    app = build_application(config, db, with_jobs=False)

    async def once() -> str:
        try:
            async with app:
                report = await app.bot_data.services.deliverer.deliver_pending()
        except InvalidToken:
            raise token_rejected() from None  # PTB's own message quotes the token
        except TelegramError as exc:  # e.g. Telegram unreachable: getMe at start-up failed
            raise ConfigError(f"the Telegram Bot API did not answer ({one_line_error(exc)}); "
                              "nothing was sent, the outbox keeps every message for the next "
                              "`deliver` or the running bot") from None
        return report.summary()

    print(asyncio.run(once()))
    del held
    return 0
