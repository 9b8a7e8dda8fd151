"""CLI: `rank` — score candidate papers for the list, most important first, with reasons.

Each paper gets two numbers: `impact`, where its foreseen (or counted) citations stand against
the list's bar for its age, in doublings (0: at the bar; feeds/rank/impact.py), and `score`, how
well it fits the list (who wrote it, how close it is to the list's papers; feeds/rank/ranker.py).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.cli.common import UsageError, read_input
from bot.config import Config
from bot.pipeline.scoring import rank_papers, stored_activity, stored_impacts
from bot.render.strings import render_reason
from feeds.author_impact import read_author_impact_jsonl
from feeds.awesome_list import parse_awesome_list
from feeds.bundled import bundled_snapshot
from feeds.citations import parse_citations_file
from feeds.model import CitationCount, Lang, ListSnapshot, Paper, PaperSource, Scored
from feeds.rank.authors import AuthorActivity
from feeds.rank.impact import AuthorImpacts
from storage.db import open_db
from storage.lists import newest_snapshot

_VERSIONED = re.compile(r"^(?P<id>.+?)v(?P<version>\d+)$")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the rank command."""
    rank = subparsers.add_parser("rank", help="score candidate papers for the list")
    rank.add_argument("--candidates", required=True, metavar="FILE.jsonl",
                      help="one paper per line: id, title, abstract, authors, categories, "
                           "published, comments ('-' for stdin)")
    rank.add_argument("--list-file", metavar="README.md",
                      help="the list to judge against (default: stored newest, else bundled)")
    rank.add_argument("--citations", metavar="FILE.json",
                      help='citation counts: {"<arxiv id>": 412, ...} or Semantic Scholar records')
    rank.add_argument("--author-impact", metavar="FILE.jsonl",
                      help='authors\' earlier records, one a line: {"name": "Kaiming He", '
                           '"citations": 12345, "papers": 40, "h_index": 30, "as_of": '
                           '"2017-06-17"} (default: those the bot has fetched, if any)')
    rank.add_argument("--by", choices=("impact", "fit"), default="impact",
                      help="order by foreseen impact (default) or by list fit")
    rank.add_argument("--json", action="store_true", help="print JSON instead of a table")
    rank.add_argument("--limit", type=int, default=0, metavar="N", help="show the best N only")
    rank.add_argument("--now", type=_date, metavar="YYYY-MM-DD",
                      help="measure paper ages from this date (default: today)")
    rank.set_defaults(func=cmd_rank)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def cmd_rank(args: argparse.Namespace) -> int:
    """Read candidates, rank them against the list and print the result."""
    if args.limit < 0:
        raise UsageError("--limit must be 0 (all) or a positive number")
    papers = parse_candidates(read_input(args.candidates), args.candidates)
    snapshot = load_list(args.list_file)
    citations = load_citations(args.citations) if args.citations else None
    impacts = (load_author_impact(args.author_impact) if args.author_impact
               else stored_impacts_or_none(papers))
    scored = rank_papers(papers, snapshot, citations, args.now or datetime.now(UTC).date(),
                         stored_activity_or_none(papers), impacts=impacts)
    if args.by == "impact":
        scored.sort(key=lambda s: (-(s.impact if s.impact is not None else -99.0), s.paper_id))
    shown = scored[: args.limit] if args.limit else scored
    if args.json:
        print(json.dumps([scored_json(s) for s in shown], ensure_ascii=False, indent=1))
    else:
        print(render_table(shown))
    return 0


def parse_candidates(body: bytes, name: str = "candidates") -> list[Paper]:
    """Parse JSONL candidates; a bad line raises UsageError naming its line number."""
    papers = []
    for number, line in enumerate(body.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            papers.append(candidate_paper(json.loads(line)))
        except (ValueError, TypeError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise UsageError(f"{name}:{number}: bad candidate: {reason}") from None
    return papers


def candidate_paper(data: Any) -> Paper:
    """Build a Paper from one candidate object; raise ValueError on a bad shape."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    raw_id = _text(data, "id", required=True)
    title = _text(data, "title", required=True)
    versioned = _VERSIONED.match(raw_id)
    arxiv_id = versioned.group("id") if versioned else raw_id
    version = int(versioned.group("version")) if versioned else int(data.get("version") or 1)
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        abstract=_text(data, "abstract"),
        authors=_strings(data, "authors"),
        categories=_strings(data, "categories"),
        published=_text(data, "published"),
        journal_ref=_text(data, "journal_ref"),
        comments=_text(data, "comments"),
        source=PaperSource.CLI,
    )


def _text(data: dict[str, Any], key: str, required: bool = False) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise ValueError(f"missing {key!r}")
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key!r} must be a string")
    return " ".join(value.split())


def _strings(data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if isinstance(value, str):
        value = [v for v in re.split(r",\s*|\s+and\s+", value)]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key!r} must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def load_list(path: str | None) -> ListSnapshot:
    """The given README, else the stored newest list, else the README shipped with the bot."""
    if path:
        return parse_awesome_list(read_input(path))
    db_path = Path(Config.from_env().db_path)
    if db_path.exists():
        stored = newest_snapshot(open_db(db_path))
        if stored is not None:
            return stored
    return bundled_snapshot()


def stored_activity_or_none(papers: list[Paper]) -> AuthorActivity | None:
    """The candidates' authors' records among the bot's stored papers, when a database exists."""
    db_path = Path(Config.from_env().db_path)
    if not db_path.exists():
        return None
    return stored_activity(open_db(db_path), papers)


def stored_impacts_or_none(papers: list[Paper]) -> AuthorImpacts:
    """The candidates' authors' records the bot has fetched, when a database exists."""
    db_path = Path(Config.from_env().db_path)
    if not db_path.exists():
        return AuthorImpacts()
    return stored_impacts(open_db(db_path), papers)


def load_author_impact(path: str) -> AuthorImpacts:
    """Read an author-impact JSONL file. A line that is malformed or cannot be keyed is skipped
    and counted in one line on stderr; a file with author lines but none usable is refused."""
    found = read_author_impact_jsonl(read_input(path).decode("utf-8", errors="replace"))
    if found.skipped and not found.records:
        raise UsageError(f"{path}: no usable author record: {found.skipped_summary()}")
    if found.skipped:
        print(f"papers-bot: {path}: {found.skipped_summary()}", file=sys.stderr)
    return AuthorImpacts(found.records)


def load_citations(path: str) -> dict[str, CitationCount]:
    """Read a citations JSON file; a bad file raises UsageError."""
    try:
        return parse_citations_file(json.loads(read_input(path)))
    except ValueError as exc:
        raise UsageError(f"{path}: bad citations file: {exc}") from None


def render_table(scored: list[Scored]) -> str:
    """A readable table: rank, score, id, section and the reasons."""
    if not scored:
        return "no candidates"
    lines = [f"{'#':>3}  {'impact':>6}  {'fit':>6}  {'id':<12}  {'section':<28}  reasons"]
    for rank, item in enumerate(scored, 1):
        section = item.section if len(item.section) <= 28 else item.section[:27] + "…"
        reasons = "; ".join(render_reason(r, Lang.EN) for r in item.reasons) or "-"
        impact = f"{item.impact:6.2f}" if item.impact is not None else f"{'-':>6}"
        lines.append(f"{rank:>3}  {impact}  {item.score:6.2f}  {item.paper_id:<12}  "
                     f"{section:<28}  {reasons}")
    return "\n".join(lines)


def scored_json(scored: Scored) -> dict[str, Any]:
    """One ranked candidate in the CLI's JSON shape (reasons in English)."""
    return {
        "id": scored.paper_id,
        "score": round(scored.score, 3),
        "impact": round(scored.impact, 3) if scored.impact is not None else None,
        "section": scored.section,
        "reasons": [render_reason(r, Lang.EN) for r in scored.reasons],
        "topics": [{"section": name, "p": round(p, 3)} for name, p in scored.topics],
    }
