"""CLI: `backfill` papers from the arXiv API and `search` the stored ones."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from datetime import date
from typing import Any

from bot.cli.common import UsageError
from bot.commands.search import find_papers
from bot.config import Config
from bot.pipeline.arxiv_sync import backfill
from feeds.model import Paper
from storage.db import open_db

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CATEGORY = re.compile(r"^[a-z\-]+(\.[A-Za-z\-]+)?$")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the backfill and search commands."""
    fill = subparsers.add_parser("backfill", help="store past papers from the arXiv API")
    fill.add_argument("--since", required=True, help="oldest submission date, YYYY-MM-DD")
    fill.add_argument("--categories", default="", help="e.g. cs.LG,cs.CV (default: config)")
    fill.add_argument("--page-size", type=int, default=100, help="results per request (≤ 2000)")
    fill.add_argument("--max-pages", type=int, default=None, help="stop after this many pages")
    fill.add_argument("--restart", action="store_true", help="start over instead of resuming")
    fill.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    fill.set_defaults(func=cmd_backfill)
    search = subparsers.add_parser("search", help="full-text search of stored arXiv papers")
    search.add_argument("words", nargs="+", help="plain words (put -- before a leading '-')")
    search.add_argument("--limit", type=int, default=20, help="at most this many results")
    search.add_argument("--json", action="store_true", help="print results as JSON")
    search.set_defaults(func=cmd_search)


def parse_since(value: str, today: date | None = None) -> date:
    """Read a YYYY-MM-DD date that is not in the future; raise UsageError otherwise."""
    try:
        if not _DATE.match(value.strip()):
            raise ValueError(value)
        since = date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"--since must be a date like 2017-03-14, got {value!r}") from None
    if since > (today or date.today()):
        raise UsageError(f"--since {since} is in the future")
    return since


def parse_categories(value: str) -> tuple[str, ...]:
    """Read a comma- or plus-separated category list; raise UsageError on a malformed one."""
    found = tuple(part for part in re.split(r"[,+\s]+", value.strip()) if part)
    bad = [category for category in found if not _CATEGORY.match(category)]
    if bad:
        raise UsageError(f"--categories has malformed categories: {', '.join(bad)}")
    return found


def cmd_backfill(args: argparse.Namespace) -> int:
    """Page through the API down to --since, resuming an interrupted run."""
    since = parse_since(args.since)
    categories = parse_categories(args.categories)
    if not 1 <= args.page_size <= 2000:
        raise UsageError(f"--page-size must be between 1 and 2000, got {args.page_size}")
    config = Config.from_env()
    db = open_db(config.db_path)
    report = asyncio.run(
        backfill(
            db, config, since, categories or None, page_size=args.page_size,
            max_pages=args.max_pages, progress=not args.no_progress, restart=args.restart,
        )
    )
    print(report.summary())
    return 1 if report.error else 0


def cmd_search(args: argparse.Namespace) -> int:
    """Print the stored papers that best match the words."""
    if args.limit < 1:
        raise UsageError(f"--limit must be at least 1, got {args.limit}")
    db = open_db(Config.from_env().db_path)
    papers = find_papers(db, " ".join(args.words), args.limit)
    if args.json:
        print(json.dumps([paper_json(p) for p in papers], ensure_ascii=False, indent=1))
    elif not papers:
        print(f"no stored paper matches {' '.join(args.words)!r}", file=sys.stderr)
    else:
        print("\n".join(search_line(paper) for paper in papers))
    return 0


def search_line(paper: Paper) -> str:
    """One result line: id, title, first author."""
    first = paper.authors[0] if paper.authors else "unknown author"
    more = " et al." if len(paper.authors) > 1 else ""
    return f"{paper.arxiv_id}v{paper.version}  {paper.title} — {first}{more}"


def paper_json(paper: Paper) -> dict[str, Any]:
    """A search result in the CLI's JSON shape."""
    return {
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "first_author": paper.authors[0] if paper.authors else "",
        "authors": list(paper.authors),
        "categories": list(paper.categories),
        "published": paper.published,
        "announced": paper.extra.get("announced"),
        "is_cross": paper.extra.get("is_cross", False),
        "url": paper.abs_url,
    }
