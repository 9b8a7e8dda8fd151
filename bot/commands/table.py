"""The command table: one row per command drives its handler, /help and Telegram's menu.

Button presses have a table too: the first field of the callback data names the handler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands import browse, digest_rest, maintainers, search, settings, today, trends
from bot.commands.base import Answer, Asker, ButtonHandler
from bot.render.html import esc
from bot.render.reply import Reply
from bot.render.strings import MESSAGES, t


@dataclass(frozen=True)
class Command:
    """One bot command."""

    name: str
    usage: str
    answer: Answer
    changes_settings: bool = False  # in groups only admins may run it
    maintainers_only: bool = False
    runs_job: str = ""  # a scheduled job to run now, after the reply (e.g. /refresh)
    writes: bool = False  # answered on the writer (every other command only reads)

    def help(self, lang: str) -> str:
        """The command's one-line description in a language."""
        return t(lang, f"cmd_{self.name}")


_USAGE_WORD = re.compile(r"[A-Za-z]+")


def usage_text(usage: str, lang: str) -> str:
    """A command's usage with its placeholders in the language ('TOPIC' -> '主题'); the words
    to type as they are (instant|daily, en|zh)."""
    def word(match: re.Match[str]) -> str:
        key = f"usage_{match.group().lower()}"
        return t(lang, key) if key in MESSAGES else match.group()
    return _USAGE_WORD.sub(word, usage)


def answer_help(asker: Asker, args: str) -> list[Reply]:
    """List every command with its usage."""
    lines = [t(asker.lang, "help_title")]
    for command in COMMANDS:
        if command.maintainers_only and not asker.is_maintainer:
            continue
        usage = f" {usage_text(command.usage, asker.lang)}" if command.usage else ""
        lines.append(f"/{command.name}{esc(usage)} — {esc(command.help(asker.lang))}")
    return [Reply("\n".join(lines))]


COMMANDS: tuple[Command, ...] = (
    Command("start", "", browse.answer_start),
    Command("help", "", answer_help),
    Command("topics", "", browse.answer_topics),
    Command("papers", "TOPIC", browse.answer_papers),
    Command("search", "WORDS", search.answer_search, writes=True),
    Command("paper", "ID|TITLE", search.answer_paper),
    Command("new", "", today.answer_new),
    Command("subscribe", 'TOPIC|"keyword"', settings.answer_subscribe, changes_settings=True,
            writes=True),
    Command("unsubscribe", 'TOPIC|"keyword"', settings.answer_unsubscribe,
            changes_settings=True, writes=True),
    Command("mysubs", "", settings.answer_mysubs),
    Command("digest", "instant|daily|weekly|off [HOUR]", settings.answer_digest,
            changes_settings=True, writes=True),
    Command("lang", "en|zh", settings.answer_lang, changes_settings=True,
            writes=True),
    Command("authors", "", browse.answer_authors),
    Command("researchers", "TOPIC", browse.answer_researchers),
    Command("trends", "[WEEKS]", trends.answer_trends),
    Command("suggestions", "", maintainers.answer_suggestions, maintainers_only=True),
    Command("refresh", "", maintainers.answer_refresh, maintainers_only=True,
            runs_job="refresh"),
    Command("stats", "", maintainers.answer_stats, maintainers_only=True),
)
BY_NAME = {command.name: command for command in COMMANDS}


@dataclass(frozen=True)
class ButtonKind:
    """One kind of inline button: the prefix of its callback data and what a press does."""

    prefix: str
    press: ButtonHandler
    changes_settings: bool = False  # in groups only admins may press it
    writes: bool = False  # handled on the writer (every other button only reads)


BUTTONS: tuple[ButtonKind, ...] = (
    ButtonKind("p", browse.page_button),
    ButtonKind("s", settings.subscribe_button, changes_settings=True, writes=True),
    ButtonKind("v", settings.vote_button, writes=True),
    ButtonKind("g", maintainers.decision_button, writes=True),
    ButtonKind("gp", maintainers.page_button),
    ButtonKind("q", search.search_button),
    ButtonKind("c", search.card_button),
    ButtonKind("r", digest_rest.rest_button),
)
BUTTON_BY_PREFIX = {kind.prefix: kind for kind in BUTTONS}
