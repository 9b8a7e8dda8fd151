"""The `papers-bot` command line: one parser, subcommands registered by small modules."""

from __future__ import annotations

import argparse
import importlib
import logging
import re
import sys
from collections.abc import Sequence

from bot.config import ConfigError
from feeds.http import FetchError
from storage.db import StorageError

# Each module defines register(subparsers) and sets `func` on its parsers; func(args) -> int.
COMMAND_MODULES = (
    "bot.cli_list",
    "bot.cli_bot",
    "bot.cli_arxiv",
    "bot.cli_maint",
    "bot.cli_ops",
    "bot.cli_rank",
)


class UsageError(Exception):
    """Bad input on the command line; the message is shown as one line."""


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="papers-bot",
        description="Telegram bot and tools for the awesome-deep-learning-papers list.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def configure_logging(verbose: bool = False) -> None:
    """Log one line per event to stderr; keep httpx quiet (its URLs contain the bot token)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler],
                        force=True)
    for noisy in ("httpx", "httpcore", "telegram.ext.ExtBot", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


_TOKEN_SHAPE = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{20,}")


class RedactSecrets(logging.Filter):
    """Replace bot tokens (and any registered secret) in log lines with '[REDACTED]'."""

    secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = _TOKEN_SHAPE.sub("[REDACTED]", message)
        for secret in self.secrets:
            clean = clean.replace(secret, "[REDACTED]")
        if clean != message:
            record.msg, record.args = clean, None
        return True


def redact_secret(secret: str) -> None:
    """Never log this value (the bot token, API keys)."""
    if secret:
        RedactSecrets.secrets.add(secret)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        return int(args.func(args) or 0)
    except (ConfigError, UsageError, StorageError, FetchError) as exc:
        print(f"papers-bot: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("papers-bot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
