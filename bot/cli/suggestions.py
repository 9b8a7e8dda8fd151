"""CLI: `suggestions make` makes this week's suggestions now; `suggestions export` writes the
accepted ones as a diff against the newest README."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Config
from bot.pipeline.list_sync import seed_bundled
from bot.pipeline.suggestions import enqueue_suggestions, export_accepted, make_suggestions
from storage import lists
from storage.db import open_db
from storage.lists import current_snapshot


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the suggestions commands."""
    parser = subparsers.add_parser("suggestions", help="maintainer suggestions")
    actions = parser.add_subparsers(dest="suggestions_command", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="accepted suggestions as a unified diff")
    export.add_argument("--out", help="write the diff to this file instead of stdout")
    export.set_defaults(func=cmd_export)
    make = actions.add_parser("make", help="make this week's suggestions now (the Monday job)")
    make.set_defaults(func=cmd_make)


def cmd_make(args: argparse.Namespace) -> int:
    """Make suggestions from the scored papers as the weekly job does; queue them for every
    maintainer (the bot sends them) and print one line each."""
    config = Config.from_env()
    db = open_db(config.db_path)
    seed_bundled(db)
    made = make_suggestions(db, current_snapshot(db), datetime.now(UTC),
                            config.suggestions_per_week)
    queued = enqueue_suggestions(db, made, config.maintainer_ids)
    for suggestion in made:
        print(f"{suggestion.arxiv_id}  {suggestion.title} -> {suggestion.target_section}")
    if not made:
        print("no new suggestions: no unsuggested scored paper is over the bar (sync first), "
              f"or this week's {config.suggestions_per_week} (SUGGESTIONS_PER_WEEK) are made")
        return 0
    to = (f"{queued} messages queued for {len(config.maintainer_ids)} maintainers (the bot "
          "sends them)" if config.maintainer_ids else "no MAINTAINER_IDS to send them to")
    print(f"{len(made)} suggestions made; {to}; see them with "
          "`papers-bot ask --maintainer /suggestions`")
    return 0


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
