"""Time arXiv ingest (parse + dedupe + store with FTS) against a bare feedparser.parse.

Run: python bench/ingest.py [--repeat 7] [FEED]
     python bench/ingest.py --big [12935] [FEED]

--big times the bot's whole poll of a huge day (issue 20, hostile case 3: 12,935 items, 21 MB;
built from FEED's items with fresh ids): download from 127.0.0.1, parse, store and score, as
the arXiv job does, while /help is answered every 100 ms on the same event loop. It prints
the poll's time and the worst reply delay beside a quiet baseline (the same replies, no poll).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
from sqlite_utils import Database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from feeds.arxiv_rss import parse_arxiv_rss  # noqa: E402
from storage import papers  # noqa: E402
from storage.db import open_db  # noqa: E402

DEFAULT_FEED = ROOT.parent / "shared" / "data" / "arxiv-samples" / "rss2_ml6_2000-items.xml"
GOAL = 1.5
BIG_ITEMS = 12_935  # the huge day of issue 20's hostile case 3


def ingest(body: bytes, db_path: Path, fts: str = "bulk") -> float:
    """Parse, dedupe and store `body` into a fresh database; return the seconds it took.

    fts: "bulk" as shipped (one INSERT ... SELECT per batch), "triggers" (sqlite-utils'
    per-row insert trigger) or "rebuild" (no triggers, full FTS rebuild after the batch).
    """
    db = open_db(db_path)  # schema and migrations are set-up, not ingest: not timed
    plain_insert = papers._insert_rows
    if fts == "triggers":
        db.execute("DROP TRIGGER [papers_ai]")  # back to sqlite-utils' unconditional trigger
        db.execute(
            "CREATE TRIGGER [papers_ai] AFTER INSERT ON papers BEGIN INSERT INTO papers_fts "
            "(rowid, title, abstract, authors) "
            "VALUES (new.rowid, new.title, new.abstract, new.authors); END"
        )
        papers._insert_rows = _insert_without_bulk_fts
    elif fts == "rebuild":
        for trigger in db["papers"].triggers:
            db.execute(f"DROP TRIGGER [{trigger.name}]")
        papers._insert_rows = _insert_without_bulk_fts
    try:
        start = time.perf_counter()
        feed = parse_arxiv_rss(body)
        papers.store_papers(db, feed.papers, feed.pub_date)
        if fts == "rebuild":
            with db.conn:
                db.execute("INSERT INTO papers_fts(papers_fts) VALUES('rebuild')")
        elapsed = time.perf_counter() - start
    finally:
        papers._insert_rows = plain_insert
    assert db.execute("SELECT count(*) FROM papers_fts").fetchone()[0] == db["papers"].count
    db.close()
    return elapsed


def _insert_without_bulk_fts(db: Database, rows: list[dict[str, Any]]) -> None:
    columns = ", ".join(papers.COLUMNS)
    marks = ", ".join("?" * len(papers.COLUMNS))
    db.conn.executemany(
        f"INSERT INTO papers ({columns}) VALUES ({marks})",
        [tuple(row.get(column) for column in papers.COLUMNS) for row in rows],
    )


def timed(step: Callable[[], object]) -> float:
    """Return the seconds one call of `step` takes."""
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main() -> int:
    """Run the benchmark and print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("feed", nargs="?", default=str(DEFAULT_FEED))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--big", type=int, nargs="?", const=BIG_ITEMS, default=0,
                        metavar="ITEMS", help="time the bot's poll of a huge day instead")
    args = parser.parse_args()
    if args.big:
        from bench.ingest_big import run_big

        return run_big(Path(args.feed).read_bytes(), args.big)
    body = Path(args.feed).read_bytes()
    items = len(parse_arxiv_rss(body).papers)
    runs: dict[str, list[float]] = {
        "bare": [], "parse": [], "bulk": [], "triggers": [], "rebuild": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.repeat):  # interleaved, so drift hits every variant alike
            runs["bare"].append(timed(lambda: feedparser.parse(body)))
            runs["parse"].append(timed(lambda: parse_arxiv_rss(body)))
            for fts in ("bulk", "triggers", "rebuild"):
                runs[fts].append(ingest(body, Path(tmp) / f"{fts}{n}.db", fts))
    median = {name: statistics.median(times) for name, times in runs.items()}
    ratio = median["bulk"] / median["bare"]
    print(f"feed: {args.feed} ({len(body) / 1e6:.1f} MB, {items} items), {args.repeat} runs")
    rows = [
        ("bare feedparser.parse", "bare"),
        ("parse_arxiv_rss only", "parse"),
        ("parse+dedupe+store, FTS bulk per batch (used)", "bulk"),
        ("parse+dedupe+store, FTS per-row triggers", "triggers"),
        ("parse+dedupe+store, FTS rebuild after", "rebuild"),
    ]
    for label, name in rows:
        print(f"{label:<48} {median[name] * 1000:8.1f} ms  ({median[name] / median['bare']:.2f}x)")
    verdict = "met" if ratio <= GOAL else "MISSED"
    print(f"ratio ingest/bare: {ratio:.2f}x (goal <= {GOAL}x: {verdict})")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
