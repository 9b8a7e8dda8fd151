"""The house rules of the layout, checked on the code itself (ARCHITECTURE.md, issue 10).

Each test reads the source (ast) or imports modules in a fresh interpreter, so a change that
breaks a rule fails here with the file and line that broke it.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.commands.table import BUTTONS, COMMANDS
from bot.render.strings import MESSAGES
from feeds.model import ReasonKey
from tests.conftest import ROOT

PACKAGES = ("bot", "feeds", "storage")
SQL = re.compile(r"^\s*(select\b|insert\s+(or\s+\w+\s+)?into\b|update\s+\[?\w+\]?\s+set\b|"
                 r"delete\s+from\b|create\s+(table|index|trigger|virtual)\b|drop\s+\w+\b|"
                 r"pragma\b|with\s+\w+\s+as\s*\()", re.I)


def sources(*packages: str) -> Iterator[tuple[Path, ast.Module]]:
    """Every module of these packages, parsed."""
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"


def imported_modules(tree: ast.Module) -> Iterator[tuple[ast.AST, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node, node.module


def test_only_storage_imports_sqlite_or_holds_sql() -> None:
    found = []
    for path, tree in sources("bot", "feeds"):
        for node, module in imported_modules(tree):
            if module.split(".")[0] in ("sqlite_utils", "sqlite3"):
                found.append(f"{where(path, node)} imports {module}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and SQL.match(node.value):
                found.append(f"{where(path, node)} holds SQL: {node.value[:40]!r}")
    assert found == []
    # the rule's own check sees SQL where it is: in storage/
    assert any(SQL.match(n.value) for _, tree in sources("storage") for n in ast.walk(tree)
               if isinstance(n, ast.Constant) and isinstance(n.value, str))


PURE = [
    "feeds.model", "feeds.arxiv_rss", "feeds.arxiv_api", "feeds.arxiv_calendar",
    "feeds.author_impact", "feeds.listed",
    "feeds.awesome_list", "feeds.bib", "feeds.bundled", "feeds.citations", "feeds.list_diff",
    "feeds.list_papers", "feeds.list_patch", "feeds.names", "feeds.topics",
    "feeds.rank.authors", "feeds.rank.feedback", "feeds.rank.inputs", "feeds.rank.ranker",
    "feeds.rank.routing", "feeds.rank.signals", "feeds.rank.text",
    "bot.render.cards", "bot.render.charts", "bot.render.digest", "bot.render.html",
    "bot.render.reply", "bot.render.strings", "bot.pipeline.select",
]
IMPURE = ("httpx", "telegram", "sqlite_utils", "sqlite3")  # and feeds.http, the network edge


def test_parsers_ranking_and_rendering_load_no_network_database_or_telegram() -> None:
    code = (f"import importlib, json, sys\nfor name in {PURE!r}: importlib.import_module(name)\n"
            f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            f"{list(IMPURE)!r} or m == 'feeds.http')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert json.loads(done.stdout) == []


def test_no_table_is_filled_by_importing_a_module() -> None:
    """Commands and buttons are literal tuples in one module: nothing appends to them."""
    found = []
    for path, tree in sources(*PACKAGES):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("append", "extend", "update", "__setitem__") \
                    and isinstance(node.func.value, ast.Name) \
                    and node.func.value.id in ("COMMANDS", "BUTTONS", "BY_NAME", "JOBS"):
                found.append(where(path, node))
            if isinstance(node, ast.FunctionDef) and node.name.startswith("register_"):
                found.append(f"{where(path, node)} def {node.name}")
    assert found == []
    assert isinstance(COMMANDS, tuple) and isinstance(BUTTONS, tuple)


def test_the_app_the_help_and_the_menu_come_from_the_one_table() -> None:
    from telegram.ext import CommandHandler

    from bot.app import build_application
    from bot.config import Config
    from storage.db import open_db

    config = Config.from_env({"TELEGRAM_BOT_TOKEN": "123456:" + "a" * 30})
    app = build_application(config, open_db(), with_jobs=False)
    handled = [name for group in app.handlers.values() for handler in group
               if isinstance(handler, CommandHandler) for name in handler.commands]
    assert handled == [c.name for c in COMMANDS]
    assert all(f"cmd_{c.name}" in MESSAGES for c in COMMANDS)


_ALTERNATIVES = re.compile(r"#\s*\w+\s*\|\s*\w+(\s*\|\s*\w+)*\s*$")


def test_closed_sets_are_enums_not_strings_with_a_comment() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if _ALTERNATIVES.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


# Telegram's Bot API tells a blocked chat, a deleted one and rejected HTML apart only by the
# description of its error, so the one classifier in bot/delivery.py reads it, and no one else.
READS_TEXT_ALLOWED = {("bot/delivery.py", "classify"), ("bot/delivery.py", "send_reply")}


def test_no_decision_reads_text_meant_for_people() -> None:
    found = []
    for path, tree in sources(*PACKAGES):
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if _reads_text(node) and (str(path.relative_to(ROOT)),
                                          function.name) not in READS_TEXT_ALLOWED:
                    found.append(f"{where(path, node)} in {function.name}")
    assert found == []


def _reads_text(node: ast.AST) -> bool:
    """`"x" in summary`, `"x" in str(exc)`, `pattern.search(str(exc))` and the like."""
    def texty(expr: ast.AST) -> bool:
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
            return expr.func.id == "str" and bool(expr.args) and isinstance(
                expr.args[0], ast.Name) and expr.args[0].id in ("exc", "error", "err")
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
            return expr.func.attr in ("summary", "lower") and texty(expr.func.value) \
                or expr.func.attr == "summary"
        name = expr.id if isinstance(expr, ast.Name) else (
            expr.attr if isinstance(expr, ast.Attribute) else "")
        return name in ("summary", "message")

    if isinstance(node, ast.Compare) and any(isinstance(op, ast.In | ast.NotIn)
                                             for op in node.ops):
        return any(texty(c) for c in node.comparators)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr in ("search", "match", "fullmatch", "startswith", "endswith"):
        return any(texty(a) for a in node.args) or texty(node.func.value)
    return False


def test_every_text_has_english_and_chinese() -> None:
    missing = {key: sorted({"en", "zh"} - set(texts)) for key, texts in MESSAGES.items()
               if not (texts.get("en") and texts.get("zh"))}
    assert missing == {}
    assert [key for key in ReasonKey if key.value not in MESSAGES] == []


def test_every_text_the_code_asks_for_is_in_the_catalogue() -> None:
    asked = []
    for path, tree in sources("bot"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "t" and len(node.args) >= 2 \
                    and isinstance(node.args[1], ast.Constant):
                asked.append((where(path, node), node.args[1].value))
    assert len(asked) > 50
    assert [(at, key) for at, key in asked if key not in MESSAGES] == []


def test_the_arxiv_package_is_used_through_its_public_api_only() -> None:
    found = []
    for path, tree in sources(*PACKAGES):
        for node, module in imported_modules(tree):
            if module.startswith("arxiv.") or module == "arxiv._feed":
                found.append(f"{where(path, node)} imports {module}")
            if isinstance(node, ast.ImportFrom) and node.module == "arxiv" and any(
                    alias.name.startswith("_") for alias in node.names):
                found.append(f"{where(path, node)} imports a private name of arxiv")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                    and not node.attr.startswith("__") and isinstance(node.value, ast.Name) \
                    and node.value.id == "arxiv":
                found.append(f"{where(path, node)} uses arxiv.{node.attr}")
            if isinstance(node, ast.Attribute) and node.attr in ("_format_url", "_build_result"):
                found.append(f"{where(path, node)} uses {node.attr}")
    assert found == []


_TIMING = re.compile(r"assert[^#\n]*(elapsed|duration|seconds|perf_counter|monotonic|time\.time)"
                     r"[^#\n]*<")


def test_no_test_asserts_on_wall_clock_time() -> None:
    """Timing lives in bench/: CI machines are shared and a loaded one is slow. (A lower bound,
    "it waited at least the Retry-After", holds however loaded the machine is.)"""
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _TIMING.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_the_readme_says_where_to_change_what() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Where to change what", 1)[1].split("\n## ", 1)[0]
    for change in ("command", "feed source", "ranking signal", "digest", "language"):
        assert change in section.lower(), change
    for path in re.findall(r"`((?:bot|feeds|storage|tests)/[\w/.]+)`", section):
        assert (ROOT / path).exists(), path
