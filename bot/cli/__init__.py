"""The `papers-bot` command line: one parser; each command group lives in its own module."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.cli import arxiv, lists, ops, rank, run, suggestions
from bot.cli.common import UsageError, configure_logging, redact
from bot.config import Config, ConfigError
from feeds.http import FetchError
from storage.backup import BackupRefused
from storage.db import DB_ERRORS, StorageError

# Each module's `register(subparsers)` adds its commands and sets `func(args) -> int` on them.
COMMAND_GROUPS = (lists, run, arxiv, suggestions, ops, rank)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every command."""
    parser = argparse.ArgumentParser(
        prog="papers-bot",
        description="Telegram bot and tools for the awesome-deep-learning-papers list.",
    )
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log debug details, and a traceback with any error")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in COMMAND_GROUPS:
        group.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        return int(args.func(args) or 0)
    except (ConfigError, UsageError, StorageError, FetchError, BackupRefused) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        print("papers-bot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except DB_ERRORS as exc:  # e.g. the disk filled up after the database opened
        return fail(f"database {database_path()}: {exc}")
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return fail(f"{where}{exc.strerror or exc}")


def fail(message: str) -> int:
    """Print the one error line of a failed command (secrets blanked); exit code 2."""
    print(f"papers-bot: error: {redact(' '.join(message.split()))}", file=sys.stderr)
    return 2


def database_path() -> str:
    """The configured database, for error lines (the default when settings are broken)."""
    try:
        return Config.from_env().db_path
    except ConfigError:
        return Config.db_path


if __name__ == "__main__":
    sys.exit(main())
