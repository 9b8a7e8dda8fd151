"""Route a command text or a button press to its answer, enforcing who may do what."""

from __future__ import annotations

import inspect
import logging
import re
from dataclasses import dataclass

from bot import answers
from bot.answers import Asker
from bot.commands import BY_NAME, Command
from bot.i18n import t
from bot.render import Reply
from storage import chats

log = logging.getLogger(__name__)

MAX_ARGS = 4000
_COMMAND = re.compile(
    r"^/(?P<name>[A-Za-z0-9_]{1,32})(?:@(?P<bot>[A-Za-z0-9_]{3,64}))?(?P<rest>.*)$", re.S
)


@dataclass(frozen=True)
class ButtonResult:
    """What a button press does: a toast, a message edited in place, new messages."""

    toast: str = ""
    edit: Reply | None = None
    replies: tuple[Reply, ...] = ()


def parse_command(text: str, bot_username: str = "") -> tuple[str, str] | None:
    """Split '/cmd@Bot args' into (cmd, args); None if it is not a command for this bot."""
    found = _COMMAND.match(text.strip())
    if not found:
        return None
    target = found.group("bot")
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    return found.group("name").lower(), found.group("rest").strip()[:MAX_ARGS]


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
    try:
        result = command.answer(asker, args)
        return await result if inspect.isawaitable(result) else result
    except Exception:
        log.exception("command /%s failed", name)
        return [Reply(t(asker.lang, "error"))]


def _refusal(asker: Asker, command: Command) -> str:
    if command.maintainers_only and not asker.is_maintainer:
        return t(asker.lang, "maintainers_only")
    if command.changes_settings and not asker.can_change_settings:
        return t(asker.lang, "admins_only")
    return ""


def button_changes_settings(data: str) -> bool:
    """True when a button changes chat settings (subscribe buttons)."""
    return data.startswith("s:")


def run_button(asker: Asker, data: str) -> ButtonResult:
    """Handle callback data; forged or stale data gets a polite toast, never an error."""
    kind, _, rest = data.partition(":")
    handler = _BUTTONS.get(kind)
    if handler is None:
        return ButtonResult(toast=t(asker.lang, "expired_button"))
    try:
        return handler(asker, rest)
    except Exception:
        log.exception("button %r failed", data[:64])
        return ButtonResult(toast=t(asker.lang, "error"))


def _page_button(asker: Asker, rest: str) -> ButtonResult:
    token, _, page = rest.partition(":")
    section = answers.section_from_token(asker.snapshot(), token)
    if section is None or not page.isdigit():
        return ButtonResult(toast=t(asker.lang, "expired_button"))
    return ButtonResult(edit=answers.papers_page(asker, section, int(page)))


def _subscribe_button(asker: Asker, rest: str) -> ButtonResult:
    section = answers.section_from_token(asker.snapshot(), rest)
    if section is None:
        return ButtonResult(toast=t(asker.lang, "expired_button"))
    if not asker.can_change_settings:
        return ButtonResult(toast=t(asker.lang, "admins_only"))
    reply = answers.subscribe(asker, "topic", section.name)
    return ButtonResult(toast=_plain(reply.text), replies=(reply,))


def _vote_button(asker: Asker, rest: str) -> ButtonResult:
    sign, _, paper_id = rest.partition(":")
    if sign not in "+-" or not sign or not re.fullmatch(r"[\w./-]{4,40}", paper_id):
        return ButtonResult(toast=t(asker.lang, "expired_button"))
    chats.record_vote(asker.db, asker.chat.chat_id, paper_id, 1 if sign == "+" else -1)
    return ButtonResult(toast=t(asker.lang, "vote_thanks"))


def _plain(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)[:190]


_BUTTONS = {"p": _page_button, "s": _subscribe_button, "v": _vote_button}


def register_button(kind: str, handler) -> None:  # type: ignore[no-untyped-def]
    """Add a button kind (used by maintainer suggestions)."""
    _BUTTONS[kind] = handler
