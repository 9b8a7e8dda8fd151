"""CLI: `health` (Docker's health check), `backup` (an online copy) and `trends` (a PNG chart)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import UsageError
from bot.config import Config, ConfigError
from bot.render.charts import default_title, render_trends_png
from storage.backup import backup_database
from storage.db import open_db
from storage.health import HealthReport, check_health
from storage.trends import week_starts, weekly_counts

DEFAULT_MAX_AGE_HOURS = 26.0
MAX_WEEKS = 520


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the health, backup and trends commands."""
    health = subparsers.add_parser("health", help="exit 0 when the database is writable and "
                                   "the last poll is recent (Docker's HEALTHCHECK)")
    health.add_argument("--max-age", type=float, metavar="HOURS",
                        help=f"oldest acceptable last poll (default {DEFAULT_MAX_AGE_HOURS:g}, "
                        "or twice LIST_POLL_HOURS when that is longer)")
    health.set_defaults(func=cmd_health)
    backup = subparsers.add_parser("backup", help="copy the live database (safe while it runs)")
    backup.add_argument("file", help="where to write the copy")
    backup.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    backup.set_defaults(func=cmd_backup)
    trends = subparsers.add_parser("trends", help="chart papers per topic per week as a PNG")
    trends.add_argument("--out", required=True, metavar="FILE.png", help="PNG file to write")
    trends.add_argument("--weeks", type=int, default=12, help="weeks to show (default 12)")
    trends.add_argument("--lang", choices=("en", "zh"), default="en", help="chart language")
    trends.set_defaults(func=cmd_trends)


def cmd_health(args: argparse.Namespace) -> int:
    """Print one line; exit 0 when healthy, 1 otherwise (Docker reserves 2)."""
    if args.max_age is not None and args.max_age <= 0:
        raise UsageError("--max-age must be a positive number of hours")
    try:
        config = Config.from_env()
    except ConfigError as exc:
        report = HealthReport(False, str(exc))
    else:
        hours = args.max_age or max(DEFAULT_MAX_AGE_HOURS, 2 * config.list_poll_hours)
        report = check_health(config.db_path, hours * 3600, datetime.now(UTC))
    print(report.line())
    return 0 if report.ok else 1


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the database to FILE, verify it and print its size and row counts."""
    result = backup_database(Config.from_env().db_path, Path(args.file), force=args.force)
    print(f"backup: {result.path} ({result.size / 1_048_576:.1f} MiB, {result.size:,} bytes), "
          "integrity ok")
    width = max((len(name) for name in result.row_counts), default=0)
    for name, count in result.row_counts.items():
        print(f"  {name:<{width}}  {count:>9,}")
    return 0


def cmd_trends(args: argparse.Namespace) -> int:
    """Write a PNG of papers per topic per week."""
    if not 1 <= args.weeks <= MAX_WEEKS:
        raise UsageError(f"--weeks must be between 1 and {MAX_WEEKS}")
    db = open_db(Config.from_env().db_path)
    counts = weekly_counts(db, args.weeks)
    png = render_trends_png(counts, default_title(args.weeks, args.lang), args.lang,
                            weeks=week_starts(args.weeks))
    out = Path(args.out)
    try:
        out.write_bytes(png)
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    papers = sum(c.count for c in counts)
    print(f"trends: {out} ({len(png):,} bytes, {papers} papers in {args.weeks} weeks)")
    return 0
