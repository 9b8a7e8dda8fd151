"""How fast the ranker judges a day of arXiv, setup included (was a timing test).

    python bench/rank_speed.py

Ranks 1,000 pool papers (30 real ones, repeated with new ids) against the bundled list with
the authors' activity, and trains the router alone, each best of five runs; prints papers per
second next to the goal of 1,000 a second (a busy arXiv day is about 2,000 ML papers).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cli.rank import candidate_paper  # noqa: E402
from feeds.bundled import bundled_snapshot  # noqa: E402
from feeds.list_papers import bundled_bib, bundled_list_papers, known_list_papers  # noqa: E402
from feeds.rank.authors import author_activity  # noqa: E402
from feeds.rank.inputs import build_inputs  # noqa: E402
from feeds.rank.ranker import rank_candidates  # noqa: E402
from feeds.rank.routing import train_router  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "rank" / "pool_sample.jsonl"
PAPERS = 1000
RUNS = 5


def best_of(runs: int, work) -> float:  # type: ignore[no-untyped-def]
    """The fastest of `runs` runs of `work()`, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    """Time training and ranking, print the figures."""
    sample = [candidate_paper(json.loads(line)) for line in SAMPLE.read_text().splitlines()]
    papers = [replace(p, arxiv_id=f"{p.arxiv_id}-{i}") for i in range(PAPERS // len(sample) + 1)
              for p in sample][:PAPERS]
    activity = author_activity(papers)
    snapshot = bundled_snapshot()
    known = known_list_papers(snapshot, bundled_bib(), bundled_list_papers())
    train = best_of(RUNS, lambda: train_router(snapshot, known))
    whole = best_of(RUNS, lambda: rank_candidates(
        papers, build_inputs(snapshot, bundled_bib(), bundled_list_papers()),
        activity=activity))
    print(f"router training              {train * 1000:8.1f} ms")
    print(f"rank {PAPERS} papers (setup incl.) {whole * 1000:8.1f} ms")
    rate = PAPERS / whole
    print(f"ranking rate: {rate:,.0f} papers/s = {rate / 1000:.2f}x the goal of 1,000/s")


if __name__ == "__main__":
    main()
