"""CLI: `suggestions export` writes accepted suggestions as a diff against the newest README."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import Config
from bot.pipeline.list_sync import seed_bundled
from bot.pipeline.suggestions import export_accepted
from storage import lists
from storage.db import open_db


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the suggestions commands."""
    parser = subparsers.add_parser("suggestions", help="maintainer suggestions")
    actions = parser.add_subparsers(dest="suggestions_command", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="accepted suggestions as a unified diff")
    export.add_argument("--out", help="write the diff to this file instead of stdout")
    export.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    """Print (or write) a unified diff that adds every accepted suggestion to the README."""
    db = open_db(Config.from_env().db_path)
    seed_bundled(db)
    latest = lists.latest_version(db)
    readme = lists.version_body(db, latest.id).decode("utf-8") if latest else ""
    diff = export_accepted(db, readme)
    if not diff:
        print("no accepted suggestions to export", file=sys.stderr)
        return 0
    if args.out:
        Path(args.out).write_text(diff, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(diff)
    return 0
