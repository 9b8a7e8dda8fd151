"""Route a command text or a button press to its answer, enforcing who may do what."""

from __future__ import annotations

import inspect
import logging
import re
from dataclasses import replace

from bot.commands.base import Asker, ButtonResult
from bot.commands.table import BUTTON_BY_PREFIX, BY_NAME, Command
from bot.render.reply import Reply
from bot.render.strings import t
from storage.db import Database
from storage.writer import Pending

log = logging.getLogger(__name__)

MAX_ARGS = 4000
_COMMAND = re.compile(
    r"^/(?P<name>[A-Za-z0-9_]{1,32})(?:@(?P<bot>[A-Za-z0-9_]{3,64}))?(?P<rest>.*)$", re.S
)


def parse_command(text: str, bot_username: str = "") -> tuple[str, str] | None:
    """Split '/cmd@Bot args' into (cmd, args); None if it is not a command for this bot."""
    found = _COMMAND.match(text.strip())
    if not found:
        return None
    target = found.group("bot")
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    return found.group("name").lower(), found.group("rest").strip()[:MAX_ARGS]


def addressed_to(text: str, bot_username: str) -> bool:
    """True when the command names this bot: '/cmd@ThisBot'."""
    found = _COMMAND.match(text.strip())
    target = found.group("bot") if found else None
    return bool(target and bot_username and target.lower() == bot_username.lower())


def needs_admin_check(command_name: str) -> bool:
    """True when running this command in a group needs the caller to be an admin."""
    command = BY_NAME.get(command_name)
    return bool(command and command.changes_settings)


async def run_command(asker: Asker, name: str, args: str) -> list[Reply]:
    """Answer one command; refusals and failures become polite replies."""
    command = BY_NAME.get(name)
    if command is None:
        return [Reply(t(asker.lang, "unknown_command"))]
    refusal = _refusal(asker, command)
    if refusal:
        return [Reply(refusal)]
    written = command_write(asker, name, args)
    if written is not None:
        return await written_replies(written, asker.lang)
    try:
        result = command.answer(asker, args)
        return await result if inspect.isawaitable(result) else result
    except Exception:
        log.exception("command /%s failed", name)
        return [Reply(t(asker.lang, "error"))]


def command_write(asker: Asker, name: str, args: str) -> Pending[list[Reply]] | None:
    """Hand a command that writes to the writer, to be answered in its one transaction (None:
    the command only reads, is unknown or is refused: answer it with run_command)."""
    command = BY_NAME.get(name)
    if command is None or not command.writes or _refusal(asker, command):
        return None

    def answer(db: Database) -> list[Reply]:
        result = command.answer(replace(asker, db=db), args)
        assert isinstance(result, list), f"/{name} writes, so it must answer synchronously"
        return result

    return asker.writes().submit(answer)


async def written_replies(written: Pending[list[Reply]], lang: str) -> list[Reply]:
    """The replies of a command answered on the writer (a failure is a polite reply)."""
    try:
        return await written.result()
    except Exception:
        log.exception("a command that writes failed")
        return [Reply(t(lang, "error"))]


def _refusal(asker: Asker, command: Command) -> str:
    if command.maintainers_only and not asker.is_maintainer:
        return t(asker.lang, "maintainers_only")
    if command.changes_settings and not asker.can_change_settings:
        return t(asker.lang, "admins_only")
    return ""


def button_changes_settings(data: str) -> bool:
    """True when pressing this button changes chat settings (subscribe buttons)."""
    kind = BUTTON_BY_PREFIX.get(data.partition(":")[0])
    return bool(kind and kind.changes_settings)


def run_button(asker: Asker, data: str) -> ButtonResult:
    """Handle callback data; forged or stale data gets a polite toast, never an error.
    (A button that writes runs in the caller's transaction: the bot uses button_write.)"""
    prefix, _, rest = data.partition(":")
    kind = BUTTON_BY_PREFIX.get(prefix)
    if kind is None:
        return ButtonResult(toast=t(asker.lang, "expired_button"))
    try:
        return kind.press(asker, rest)
    except Exception:
        log.exception("button %r failed", data[:64])
        return ButtonResult(toast=t(asker.lang, "error"))


def button_write(asker: Asker, data: str) -> Pending[ButtonResult] | None:
    """Hand a press of a button that writes to the writer (None: it only reads)."""
    kind = BUTTON_BY_PREFIX.get(data.partition(":")[0])
    if kind is None or not kind.writes:
        return None
    return asker.writes().submit(lambda db: run_button(replace(asker, db=db), data))


async def written_button(written: Pending[ButtonResult], lang: str) -> ButtonResult:
    """What a press handled on the writer came to (a failure is a polite toast)."""
    try:
        return await written.result()
    except Exception:
        log.exception("a button that writes failed")
        return ButtonResult(toast=t(lang, "error"))
