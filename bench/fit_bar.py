"""Where the fit bar of digests and /papers stands: the on-topic share of what passes, per bar.

    python bench/fit_bar.py

A digest topic group and `/papers` show a paper only when its fit for the topic (the router's
calibrated probability, feeds/rank/topics.py) reaches SHOW_BAR. Routing itself gives a topic
from p >= 0.25; in a small pool (a 50-paper week) those weak fits filled the Generative digest
with stereo depth, hashing and a C. elegans study. This prints, for bars from 0.25 up, the
share of papers passing the bar that are on topic, and how many pass.

"On topic" is a silver label fixed by rule before measuring (ON_TOPIC below): for Generative a
paper named by the GAN zoo or whose title uses the topic's words; for NLP, Speech and RL /
Robotics the field's arXiv category or title words; for Detection title words. The bar was
chosen on the pool's *tune* quarter (bench/silver.py: md5 first byte % 4 == 0), ML-tagged
papers, the list's own papers left out; it is measured on the pool's *test* half and on the
2,000-item real 2017 feed (../shared/data/arxiv-samples/rss2_ml6_2000-items.xml), neither seen
when choosing. The GAN zoo's recall says how many real GAN papers a bar loses.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import silver  # noqa: E402

from feeds.arxiv_rss import parse_arxiv_rss  # noqa: E402
from feeds.bundled import bundled_snapshot  # noqa: E402
from feeds.list_papers import bundled_bib, bundled_list_papers, known_list_papers  # noqa: E402
from feeds.model import Paper  # noqa: E402
from feeds.rank.topics import SHOW_BAR, SHOW_BARS, TopicRouter, pick_topics, train_topic_router  # noqa: E402

FEED = silver.SHARED / "arxiv-samples" / "rss2_ml6_2000-items.xml"
BARS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)
GOAL = 0.85  # on-topic share of a digest's papers


def _title(pattern: str) -> Callable[[Paper], bool]:
    found = re.compile(pattern, re.IGNORECASE)
    return lambda paper: bool(found.search(paper.title))


def _cats(*cats: str) -> Callable[[Paper], bool]:
    return lambda paper: bool(set(cats) & set(paper.categories))


_GEN_TITLE = _title(r"generat|adversarial|\bgans?\b|[a-z0-9]gans?\b|auto-?encod|variational|"
                    r"boltzmann|unsupervised|density estimat|synthesi[sz]|latent|self-supervis")
_NLP_TITLE = _title(r"language|translat|\btext|\bwords?\b|sentence|dialog|question|parsing|"
                    r"summari[sz]|\bnlp\b|lexic|corpus|entity|sentiment|document|reading|"
                    r"recurrent|\brnns?\b|lstm|\bgru|sequence")  # the section is "NLP / RNNs"
_SPEECH_TITLE = _title(r"speech|audio|speaker|music|acoustic|sound|voice")
_RL_TITLE = _title(r"reinforcement|polic(y|ies)|robot|reward|agents?\b|control|navigat|grasp|"
                   r"bandit|planning|imitation|q-learning|games?\b|manipulat")
ON_TOPIC: dict[str, Callable[[Paper], bool]] = {
    "generative": lambda p: p.arxiv_id in silver.gan_zoo_ids() or _GEN_TITLE(p),
    "language": lambda p: _cats("cs.CL")(p) or _NLP_TITLE(p),
    "speech": lambda p: _cats("cs.SD", "eess.AS")(p) or _SPEECH_TITLE(p),
    "reinforcement": lambda p: _cats("cs.RO")(p) or _RL_TITLE(p),
    "detection": _title(r"detect|segment|locali[sz]|instance|proposal|bounding|pedestrian"),
}


def fits(router: TopicRouter, papers: Sequence[Paper]) -> list[dict[str, float]]:
    """Each paper's fit per topic key: p for its one or two topics, else nothing."""
    keys = router.keys
    return [{keys[t]: p for t, p in pick_topics(router.route(paper), router.params)
             if t in keys} for paper in papers]


def table(name: str, papers: Sequence[Paper], router: TopicRouter) -> dict[str, float]:
    """Print the on-topic share per bar and topic; return each topic's lowest bar reaching
    GOAL (DEFAULT_BAR when none does)."""
    found = fits(router, papers)
    chosen: dict[str, float] = {}
    print(f"\n{name}: {len(papers)} papers. On-topic share of what passes (passing papers)")
    print(f"{'bar':>5} " + " ".join(f"{k[:13]:>17}" for k in ON_TOPIC) + f" {'all five':>17}")
    for bar in BARS:
        cells, good_all, n_all = [], 0, 0
        for key, label in ON_TOPIC.items():
            passing = [p for p, f in zip(papers, found, strict=True) if f.get(key, 0.0) >= bar]
            good = sum(label(p) for p in passing)
            good_all, n_all = good_all + good, n_all + len(passing)
            cells.append(f"{good / len(passing):6.2f} ({len(passing):5})" if passing else
                         f"{'-':>17}")
            if passing and good / len(passing) >= GOAL:
                chosen.setdefault(key, bar)
        share = good_all / max(n_all, 1)
        if share >= GOAL:
            chosen.setdefault("all five", bar)
        print(f"{bar:5.2f} " + " ".join(f"{c:>17}" for c in cells) + f" {share:6.2f} ({n_all:5})")
    summary = []
    for key, label in ON_TOPIC.items():
        line = []
        for bar in (0.25, SHOW_BARS.get(key, SHOW_BAR)):
            passing = [p for p, f in zip(papers, found, strict=True) if f.get(key, 0.0) >= bar]
            line.append(f"{sum(label(p) for p in passing) / max(len(passing), 1):.2f}")
        summary.append(f"{key} {line[0]} -> {line[1]}")
    print("on-topic share, routing's 0.25 -> the shipped bar: " + ", ".join(summary))
    zoo = [i for i, p in enumerate(papers) if p.arxiv_id in silver.gan_zoo_ids()]
    if zoo:
        kept = " ".join(f"{bar}: {sum(found[i].get('generative', 0.0) >= bar for i in zoo)}"
                        for bar in BARS)
        print(f"GAN zoo papers here: {len(zoo)}; how many pass each bar for Generative: {kept}")
    return chosen


def main() -> None:
    snapshot = bundled_snapshot()
    router = train_topic_router(
        snapshot, known_list_papers(snapshot, bundled_bib(), bundled_list_papers()))
    pool = [p for p in silver.pool().values()
            if silver.has_ml(p) and not silver.is_list_paper(p)]
    chosen = table("TUNE quarter of the pool (the bars were chosen here)",
                   [p for p in pool if silver.split(p) == "tune"], router)
    print(f"lowest bar reaching an on-topic share of {GOAL} on the tune quarter: {chosen}")
    print(f"shipped (feeds/rank/topics.py SHOW_BARS, others {SHOW_BAR}): {dict(SHOW_BARS)}")
    table("TEST half of the pool (measured only)",
          [p for p in pool if silver.split(p) == "test"], router)
    if FEED.exists():
        feed = [p for p in parse_arxiv_rss(FEED.read_bytes()).papers
                if not silver.is_list_paper(p)]
        table("2,000-item feed, 2017 (measured only)", feed, router)


if __name__ == "__main__":
    sys.exit(main())
