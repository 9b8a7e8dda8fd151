"""Query benchmark: /search and /papers over 100,000 stored papers against the raw SQL they need.

The database is built once from the real arXiv pool (68k papers, topped up to 100k with copies
under fresh ids), every paper scored by the real ranker, and cached in bench/.cache/.

    python bench/query.py [--papers 100000] [--rebuild]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pool import load_pool  # noqa: E402

from bot.commands.base import Asker  # noqa: E402
from bot.commands.browse import answer_papers  # noqa: E402
from bot.commands.search import answer_search  # noqa: E402
from bot.pipeline.list_sync import seed_bundled  # noqa: E402
from bot.pipeline.scoring import score_unscored  # noqa: E402
from feeds.rank.topics import show_bar  # noqa: E402
from feeds.search import parse_query  # noqa: E402
from feeds.topic_identity import topic_for_heading  # noqa: E402
from storage import chats, papers, search  # noqa: E402
from storage.db import open_db  # noqa: E402
from storage.lists import current_snapshot  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
PER_DAY = 250
TOPICS = ["cnn", "gan", "nlp", "rl", "detection", "speech", "optimization", "image",
          "understanding", "2016"]


def build(path: Path, count: int) -> None:
    """Store `count` papers (the pool, then copies under new ids) and score them all."""
    pool = list(load_pool().values())
    db = open_db(path)
    seed_bundled(db)
    start = date(2015, 1, 5)
    made = 0
    while made < count:
        batch = []
        for paper in pool[: min(len(pool), count - made)]:
            fresh = f"9{made // 99999:03d}.{made % 99999:05d}"
            arxiv_id = paper.arxiv_id if made < len(pool) else fresh
            batch.append(replace(paper, arxiv_id=arxiv_id, announce_type="new"))
            made += 1
        for chunk in range(0, len(batch), PER_DAY):  # arXiv-like: PER_DAY papers a weekday
            number = (made - len(batch) + chunk) // PER_DAY
            day = start + timedelta(days=7 * (number // 5) + number % 5)
            papers.store_papers(db, batch[chunk : chunk + PER_DAY], announced=day)
        print(f"  stored {made} papers", file=sys.stderr)
    started = time.perf_counter()
    scored = score_unscored(db, current_snapshot(db))
    print(f"  scored {scored} papers in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    db.close()


def queries() -> list[str]:
    """Realistic searches: words from the list's titles, one to three at a time."""
    db = open_db()
    titles = [e.title for e in current_snapshot(db).entries]
    words = [t.split()[:3] for t in titles if len(t.split()) >= 3]
    return [" ".join(w[: 1 + i % 3]) for i, w in enumerate(words[:80])]


def timed(step, rounds: int = 1) -> float:  # type: ignore[no-untyped-def]
    """Milliseconds for one call of `step`."""
    started = time.perf_counter()
    for _ in range(rounds):
        step()
    return (time.perf_counter() - started) * 1000 / rounds


def p95(values: list[float]) -> float:
    """The 95th percentile."""
    return statistics.quantiles(values, n=20)[-1]


def run(path: Path) -> dict[str, float]:
    """Time /search and /papers against raw SQL; return the figures."""
    db = open_db(path)
    asker = Asker(db, chats.ensure_chat(db, 0), 0)
    full_bm25 = ("select rowid from papers_fts where papers_fts match ? "
                 f"order by bm25(papers_fts, {search.FTS_WEIGHTS}) limit 10")
    raw_search = ("select rowid from (select rowid, bm25(papers_fts, "
                  f"{search.FTS_WEIGHTS}) as s from papers_fts where papers_fts match ? "
                  "order by rowid desc limit ?) order by s limit 10")
    # what /papers asks, written by hand as one ordered query: a topic's papers over its fit
    # bar (either of a paper's two topics), newest first
    raw_topic = ("select * from scores where ((topic = ? and section_prob >= ?) or "
                 "(topic2 = ? and section2_prob >= ?)) and announced is not null "
                 "order by announced desc limit 16")
    found = {"search": [], "search_raw": [], "search_full": [], "papers": [], "papers_raw": []}
    sections = {topic_for_heading(s.name) for s in current_snapshot(db).top100()} - {None}
    for query in queries() * 2:  # the second round is warm
        tokens = search.match_expression(parse_query(query))  # the expression /search runs
        window = [tokens, search.SEARCH_WINDOW]
        found["search_raw"].append(timed(lambda: list(db.query(raw_search, window))))  # noqa: B023
        found["search_full"].append(timed(lambda: list(db.query(full_bm25, [tokens]))))  # noqa: B023
        found["search"].append(timed(lambda: answer_search(asker, query)))  # noqa: B023
    for topic in TOPICS * 6:
        found["papers"].append(timed(lambda: answer_papers(asker, topic)))  # noqa: B023
    for name in sorted(t for t in sections if t) * 6:
        bar = show_bar(name)
        found["papers_raw"].append(timed(
            lambda: list(db.query(raw_topic, [name, bar, name, bar]))))  # noqa: B023
    return {key: p95(values) for key, values in found.items()} | {"papers_count":
                                                                   db["papers"].count}


def main() -> None:
    """Build (or reuse) the database, time the queries, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"query-{args.papers}.db"
    if args.rebuild or not path.exists():
        path.unlink(missing_ok=True)
        print(f"building {path} (once; later runs reuse it)", file=sys.stderr)
        build(path, args.papers)
    result = run(path)
    search_ratio = result["search"] / result["search_raw"]
    papers_ratio = result["papers"] / result["papers_raw"]
    print(f"papers stored                 {result['papers_count']}")
    print(f"/search p95                   {result['search']:.2f} ms vs its raw FTS5 query "
          f"{result['search_raw']:.2f} ms = {search_ratio:.2f}x  (goal <= 2x and <= 10 ms: "
          f"{'met' if search_ratio <= 2 and result['search'] <= 10 else 'MISSED'})")
    print(f"  (raw FTS5 bm25 over every match, the naive query: {result['search_full']:.2f} ms)")
    print(f"/papers p95                   {result['papers']:.2f} ms vs its raw SQL "
          f"{result['papers_raw']:.2f} ms = {papers_ratio:.2f}x  (goal <= 2x and <= 10 ms: "
          f"{'met' if papers_ratio <= 2 and result['papers'] <= 10 else 'MISSED'})")


if __name__ == "__main__":
    main()
