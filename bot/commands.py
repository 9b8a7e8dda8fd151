"""The command table: one row drives the handler, /help and Telegram's command menu."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import answers
from bot.answers import Asker
from bot.i18n import t
from bot.render import Reply, esc

Answer = Callable[[Asker, str], list[Reply] | Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Command:
    """One bot command."""

    name: str
    usage: str
    help_en: str
    help_zh: str
    answer: Answer
    changes_settings: bool = False  # in groups only admins may run it
    maintainers_only: bool = False
    runs_job: str = ""  # a scheduled job to run now, after the reply (e.g. /refresh)

    def help(self, lang: str) -> str:
        """The command's one-line description in a language."""
        return self.help_zh if lang == "zh" else self.help_en


def answer_help(asker: Asker, args: str) -> list[Reply]:
    """List every command with its usage."""
    lines = [t(asker.lang, "help_title")]
    for command in COMMANDS:
        if command.maintainers_only and not asker.is_maintainer:
            continue
        usage = f" {command.usage}" if command.usage else ""
        lines.append(f"/{command.name}{esc(usage)} — {esc(command.help(asker.lang))}")
    return [Reply("\n".join(lines))]


COMMANDS: list[Command] = [
    Command("start", "", "what this bot does; subscribe with one tap",
            "机器人简介；一键订阅", answers.answer_start),
    Command("help", "", "all commands", "全部命令", answer_help),
    Command("topics", "", "the list's topics with paper counts",
            "列表的主题及论文数", answers.answer_topics),
    Command("papers", "TOPIC", "a topic's papers: the list's and new ones from arXiv",
            "某主题的论文：列表中的和 arXiv 新论文", answers.answer_papers),
    Command("search", "WORDS", "search the list and stored arXiv papers",
            "搜索列表和已收录的 arXiv 论文", answers.answer_search),
    Command("paper", "ID|TITLE", "one paper: authors, links, topic, score and reasons",
            "单篇论文：作者、链接、主题、得分和理由", answers.answer_paper),
    Command("new", "", "today's top ranked arXiv papers", "今日排名最高的 arXiv 论文",
            answers.answer_new),
    Command("subscribe", 'TOPIC|"keyword"', "follow a topic or a keyword phrase",
            "订阅主题或关键词", answers.answer_subscribe, changes_settings=True),
    Command("unsubscribe", 'TOPIC|"keyword"', "stop following a topic or keyword",
            "取消订阅主题或关键词", answers.answer_unsubscribe, changes_settings=True),
    Command("mysubs", "", "this chat's subscriptions and settings", "本聊天的订阅和设置",
            answers.answer_mysubs),
    Command("digest", "instant|daily|weekly|off", "how often digests arrive",
            "摘要推送频率", answers.answer_digest, changes_settings=True),
    Command("lang", "en|zh", "answer in English or Chinese", "使用英文或中文回答",
            answers.answer_lang, changes_settings=True),
    Command("authors", "", "most frequent authors on the list, per topic",
            "列表中最常见的作者（按主题）", answers.answer_authors),
    Command("researchers", "TOPIC", "a topic's key researchers with links",
            "某主题的关键研究者及链接", answers.answer_researchers),
    Command("trends", "[WEEKS]", "a chart of new papers per topic per week",
            "每周各主题新论文数量图表", answers.answer_trends),
]

BY_NAME = {command.name: command for command in COMMANDS}


def register(command: Command) -> None:
    """Add a command to the table (used by the maintainer commands)."""
    COMMANDS.append(command)
    BY_NAME[command.name] = command
