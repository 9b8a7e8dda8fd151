"""CLI: `list parse`, `list diff`, `list history` and `sync`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging

from bot.cli.common import read_input
from bot.config import Config
from bot.pipeline.arxiv_sync import sync_arxiv
from bot.pipeline.list_sync import ListSyncStatus, sync_list
from bot.pipeline.scoring import score_unscored
from feeds.awesome_list import parse_awesome_list
from feeds.list_diff import diff_snapshots
from feeds.model import ListDiff, ListEntry, ListSnapshot, PollStatus
from storage import lists
from storage.db import open_db
from storage.lists import current_snapshot

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the list and sync commands."""
    list_parser = subparsers.add_parser("list", help="parse, diff and show versions of the list")
    list_commands = list_parser.add_subparsers(dest="list_command", metavar="ACTION", required=True)
    parse = list_commands.add_parser("parse", help="parse a README into entries")
    parse.add_argument("file", help="README markdown file ('-' for stdin)")
    parse.add_argument("--json", action="store_true", help="print entries as JSON")
    parse.set_defaults(func=cmd_parse)
    diff = list_commands.add_parser("diff", help="compare two README files")
    diff.add_argument("old")
    diff.add_argument("new")
    diff.add_argument("--json", action="store_true", help="print the diff as JSON")
    diff.set_defaults(func=cmd_diff)
    history = list_commands.add_parser("history", help="list stored versions with counts")
    history.set_defaults(func=cmd_history)
    sync = subparsers.add_parser("sync", help="run one watcher pass now")
    sync.add_argument("--list", action="store_true", dest="sync_list", help="poll the README")
    sync.add_argument("--arxiv", action="store_true", dest="sync_arxiv", help="poll arXiv")
    sync.set_defaults(func=cmd_sync)


def cmd_parse(args: argparse.Namespace) -> int:
    """Print the entries of a README."""
    snapshot = parse_awesome_list(read_input(args.file))
    if args.json:
        print(json.dumps([e.to_json() for e in snapshot.entries], ensure_ascii=False, indent=1))
        return 0
    print(render_snapshot(snapshot))
    return 0


def render_snapshot(snapshot: ListSnapshot) -> str:
    """Render sections and entries as plain text."""
    lines = []
    for section in snapshot.sections:
        lines.append(f"## {section.name} [{section.kind}] ({len(section.entries)})")
        lines.extend(f"  {_entry_line(entry)}" for entry in section.entries)
    total = sum(len(s.entries) for s in snapshot.top100())
    lines.append(f"{len(snapshot.entries)} entries, {total} in top-100 sections")
    return "\n".join(lines)


def _entry_line(entry: ListEntry) -> str:
    year = f" ({entry.year})" if entry.year else ""
    arxiv = f" arXiv:{entry.arxiv_id}" if entry.arxiv_id else ""
    authors = f", {entry.authors}" if entry.authors else ""
    return f"{entry.title}{year}{authors}{arxiv}"


def cmd_diff(args: argparse.Namespace) -> int:
    """Print what changed between two README files."""
    old = parse_awesome_list(read_input(args.old))
    new = parse_awesome_list(read_input(args.new))
    diff = diff_snapshots(old, new)
    if args.json:
        print(json.dumps(diff.to_json(), ensure_ascii=False, indent=1))
    else:
        print(render_diff(diff))
    return 0


def render_diff(diff: ListDiff) -> str:
    """Render a diff as plain text, one change per line."""
    if diff.empty:
        return "no changes"
    lines = [f"+ [{e.section}] {_entry_line(e)}" for e in diff.added]
    lines += [f"- [{e.section}] {_entry_line(e)}" for e in diff.removed]
    lines += [f"> {_entry_line(m.entry)}: {m.from_section} -> {m.to_section}" for m in diff.moved]
    lines += [f"~ {_entry_line(e.before)}\n  => {_entry_line(e.after)}" for e in diff.edited]
    return "\n".join(lines)


def cmd_history(args: argparse.Namespace) -> int:
    """Print every stored version with entry and change counts."""
    db = open_db(Config.from_env().db_path)
    versions = lists.list_versions(db)
    if not versions:
        print("no list versions stored yet: run `papers-bot sync --list`")
        return 0
    counts = lists.diff_counts(db)
    for version in versions:
        change = counts.get(version.id)
        changed = (
            " +{added} -{removed} >{moved} ~{edited}".format(**change) if change else " (first)"
        )
        print(
            f"{version.id:>4}  {version.fetched_at}  {version.content_hash[:10]}  "
            f"{version.entry_count} entries, {version.top100_count} top-100{changed}  "
            f"{version.source_url}"
        )
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    """Run the requested watchers once and print one line each (a failure too, once: the
    watchers log nothing of their own here). Steps and retries are shown on stderr as they
    happen, so a long sync is not silent."""
    config = Config.from_env()
    db = open_db(config.db_path)
    do_list = args.sync_list or not args.sync_arxiv
    do_arxiv = args.sync_arxiv or not args.sync_list
    logging.getLogger("feeds.http").setLevel(logging.DEBUG)  # each failed attempt: one line
    failed = False
    if do_list:
        log.info("sync: fetching the list from %s", config.list_readme_url)
        report = asyncio.run(sync_list(db, config, next_step=None))
        print(report.summary(), flush=True)
        failed |= report.status is ListSyncStatus.ERROR
    if do_arxiv:
        log.info("sync: fetching arXiv's feed from %s", config.arxiv_rss_url)
        arxiv_report = asyncio.run(sync_arxiv(db, config, next_step=None))
        print(arxiv_report.summary(), flush=True)
        failed |= arxiv_report.status is PollStatus.ERROR
    # What the bot's own poll does next: /papers, /paper, /trends and suggestions read scores.
    log.info("sync: scoring the papers not scored yet")
    scored = score_unscored(db, current_snapshot(db))
    print(f"scored {scored} papers (routed to topics and ranked)")
    return 1 if failed else 0
