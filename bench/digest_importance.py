"""Do digests choose the papers that will matter? A simulated digest day on held-out years.

    python bench/digest_importance.py     (~2-4 min: every paper is ranked on its own)

A digest day: one venue-year's papers arrive as one day's pool; four readers each follow one
topic; each reader's digest shows the eight papers the real code chooses: `rank_candidates`
(feeds/rank/ranker.py) scores and routes every paper, and `group_for_chat`
(bot/pipeline/select.py) keeps those over the topic's fit bar, most important first. Figure:
where the chosen eight stand by later citations within their topic's pool (the citation
percentile, mid-rank: 50 is the pool's middle, so a random eight average 50), per reader and as
the mean over readers. Beside it: the same readers under the old order (fit x importance); the
ceiling (the eight most cited of the papers over the bar: what a perfect importance would
choose behind the same gate); and, where reviews exist (ICLR), the eight papers of the topic
the reviewers rated highest (not a day-0 signal).

Splits (none was used to fit or choose anything in the package; the impact weights were fitted
on 2015-16 venue papers, see bench/impact.py):
- ICLR 2017: the 489 submissions with a 2022 Google Scholar count, accepted or rejected (the
  closest to an arXiv day). Topics from the authors' own keywords (venues/iclr2017.json.xz):
  'natural language processing' -> language, 'reinforcement learning' or 'games' ->
  reinforcement, 'unsupervised learning' -> generative (the list's "Unsupervised / Generative
  Models"), 'optimization' -> optimization (ICLR has too few detection papers for a reader).
  The list of 2016-11-04 had no NLP, RL or Generative heading to follow, so ICLR's papers are
  routed by the topic router of the list of ROUTING_DAY (2017-02-14, the first with the nine
  topics; it may hold a few ICLR papers, which only affects their routing); importance and list
  fit use the list of 2016-11-03 as bench/impact.py does.
- NeurIPS, ICML and CVPR 2017: accepted papers, 2024-25 counts. They carry no keywords, so a
  topic's pool is what the bot's own router sends there (`Scored.topics`, routing's 0.25); the
  four readers follow the four topics with the most papers of NLP, RL, Generative, Detection,
  then the others.
Every paper is arXiv-shaped: title, abstract, authors, date and categories (the pool's, when the
paper is in ../shared/data/arxiv-pool; else cs.CV for CVPR and cs.LG for the others). No
affiliations, no e-mail domains, no comments (arXiv records carry no e-mail domains; a comment
edited later would leak the venue). Day 0 is each venue's (impact_data.VENUE_DATES): the list's
README of that day without the paper's own entry, author priors of early-2017-06 without the
paper itself, the authors' arXiv papers in the pool before that day.
Data: ../shared/data/impact has no licence; benchmarks only, nothing of it leaves bench/.
"""

from __future__ import annotations

import json
import lzma
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import impact_data as D  # noqa: E402
from fit_impact import ListInputs  # noqa: E402

from bot.pipeline.select import group_for_chat, topic_fit  # noqa: E402
from feeds.model import Candidate, Paper, Scored, Subscription, SubscriptionKind, Topic  # noqa: E402
from feeds.rank.ranker import importance, rank_candidates  # noqa: E402
from feeds.rank.topics import show_bar  # noqa: E402
from feeds.topic_identity import identity_of_heading  # noqa: E402

SHOWN = 8  # DIGEST_PAPERS_PER_TOPIC's default
GOAL = 75.0
PREFERRED = (Topic.LANGUAGE, Topic.REINFORCEMENT, Topic.GENERATIVE, Topic.DETECTION)
OTHERS = (Topic.OPTIMIZATION, Topic.CONVOLUTIONAL, Topic.UNDERSTANDING, Topic.VIDEO,
          Topic.SPEECH)
MIN_POOL = 3 * SHOWN  # a topic needs this many papers to give a reader a digest worth scoring
ICLR_KEYWORDS = {
    "natural language processing": Topic.LANGUAGE,
    "reinforcement learning": Topic.REINFORCEMENT, "games": Topic.REINFORCEMENT,
    "unsupervised learning": Topic.GENERATIVE,
    "optimization": Topic.OPTIMIZATION,
}
# The list took its nine topic headings on 2017-02-14; before that NLP, RL and Generative were
# not headings a reader could follow or the router could send papers to ("RL / Robotics",
# "Unsupervised", "Machine Translation / QnA"). ICLR 2017's day (2016-11-04) is routed by the
# topics of this day's list; its impact and list fit still use the list of its own day.
ROUTING_DAY = "2017-02-14"
ICLR_TOPICS = (Topic.LANGUAGE, Topic.REINFORCEMENT, Topic.GENERATIVE, Topic.OPTIMIZATION)


@dataclass(frozen=True)
class Item:
    """One paper of the day: the arXiv-shaped record, its later count, its labels."""

    paper: Paper
    title: str
    citations: int
    priors: D.PriorView
    rating: float | None = None  # reviewers' mean (ICLR)
    labels: frozenset[str] = frozenset()  # topics from the venue's keywords (ICLR)


def percentile(value: float, pool: Sequence[float]) -> float:
    """Mid-rank percentile of `value` among `pool` (below + half the ties, in %)."""
    below = sum(v < value for v in pool)
    ties = sum(v == value for v in pool)
    return 100.0 * (below + 0.5 * ties) / len(pool)


def pool_records() -> dict[str, Paper]:
    """The arXiv pool by normalised title (for categories; first record wins)."""
    from silver import pool

    found: dict[str, Paper] = {}
    for paper in pool().values():
        found.setdefault(D.norm_title(paper.title), paper)
    return found


def arxiv_shaped(paper_id: str, title: str, abstract: str, authors: tuple[str, ...], day: str,
                 field: str, records: dict[str, Paper]) -> Paper:
    """What an arXiv record of this paper holds on day 0 (no affiliations, no comments)."""
    known = records.get(D.norm_title(title))
    categories = known.categories if known is not None and known.categories else (field,)
    return Paper(paper_id, 1, title, abstract, authors, categories,
                 primary_category=categories[0], published=day)


def score(items: Sequence[Item], day: str) -> list[Candidate]:
    """Each paper through `rank_candidates` on its own (the list and its authors' activity
    without it), as the bot would score it on day 0; routed by the topics of ROUTING_DAY's
    list when the day's list has no such topics."""
    lists = ListInputs(day)
    topics = ListInputs(ROUTING_DAY).base.topics if day < ROUTING_DAY else None
    activity = D.pool_activity()
    now = date.fromisoformat(day)
    found = []
    for item in items:
        inputs = lists.leaving_out(item.title)
        if topics is not None:
            inputs = replace(inputs, topics=topics)
        (scored,) = rank_candidates([item.paper], inputs, None, now,
                                    activity=activity.leaving_out(item.title),  # type: ignore[arg-type]
                                    impacts=item.priors)
        found.append(Candidate(item.paper, scored))
    return found


def chosen(topic: str, candidates: Sequence[Candidate],
           weight: Callable[[Candidate], float] | None = None) -> list[Candidate]:
    """The eight a reader of `topic` is shown: the real selection (or another `weight`)."""
    subs = [Subscription(1, SubscriptionKind.TOPIC, topic)]
    groups = (group_for_chat(subs, candidates) if weight is None
              else group_for_chat(subs, candidates, weight))
    return list(groups[0].papers[:SHOWN]) if groups else []


def old_order(topic: str, candidates: Sequence[Candidate]) -> list[Candidate]:
    """The eight the previous order chose: over the bar, by fit x importance."""
    over = [c for c in candidates
            if (fit := topic_fit(c.scored, topic)) > 0 and fit >= show_bar(topic)]
    return sorted(over, key=lambda c: -topic_fit(c.scored, topic) * importance(c.scored))[:SHOWN]


def routed_to(scored: Scored | None, topic: str) -> bool:
    """The router sent the paper to this topic (one of its one or two topics)."""
    return scored is not None and any(identity_of_heading(name) == topic
                                      for name, _ in scored.topics)


@dataclass
class Reader:
    """One reader's digest on one day."""

    topic: str
    pool: int
    shown: int
    mine: float  # mean percentile of the chosen eight
    old: float
    reviewers: float | None
    ceiling: float  # the eight most cited of those over the bar: a perfect importance
    on_topic: int  # of the chosen, how many are labelled (or routed) to the topic


def day(name: str, items: Sequence[Item], day0: str, topics: Sequence[str] | None) -> list[Reader]:
    """Score the day, pick the readers' topics, print and return each reader's figures."""
    started = time.time()
    candidates = score(items, day0)
    by_id = {c.paper.arxiv_id: (c, item) for c, item in zip(candidates, items, strict=True)}
    if topics is None:  # no keywords: the router's topics, the four largest preferred first
        sizes = {t: sum(routed_to(c.scored, t) for c in candidates) for t in PREFERRED + OTHERS}
        ok = [t for t in PREFERRED + OTHERS if sizes[t] >= MIN_POOL]
        topics = ([t for t in PREFERRED if t in ok] + sorted(
            (t for t in OTHERS if t in ok), key=lambda t: -sizes[t]))[:4]

        def in_topic(c: Candidate, item: Item, t: str) -> bool:
            return routed_to(c.scored, t)
        source = "routed there by the bot's router"
    else:
        def in_topic(c: Candidate, item: Item, t: str) -> bool:
            return t in item.labels
        source = "labelled by the venue's keywords"
    print(f"\n{name}: {len(items)} papers, day 0 {day0} ({time.time() - started:.0f} s to rank); "
          f"a topic's pool = its papers {source}")
    print(f"  {'reader':14} {'pool':>5} {'over bar':>8} {'chosen 8':>9} {'old order':>9} "
          f"{'reviewers':>9} {'ceiling':>9} {'on topic':>8}")
    readers = []
    for topic in topics:
        pool = [item.citations for c, item in by_id.values() if in_topic(c, item, topic)]
        if not pool:
            continue
        mine = chosen(topic, candidates)
        old = old_order(topic, candidates)
        over = chosen(topic, candidates, lambda c: float(by_id[c.paper.arxiv_id][1].citations))
        shown = len(group_for_chat([Subscription(1, SubscriptionKind.TOPIC, topic)],
                                   candidates)[0].papers) if mine else 0

        def mean_pct(picked: Sequence[Candidate], pool: list[int] = pool) -> float:
            return statistics.fmean(percentile(by_id[c.paper.arxiv_id][1].citations, pool)
                                    for c in picked) if picked else float("nan")
        rated = None
        labelled = [(c, item) for c, item in by_id.values() if in_topic(c, item, topic)]
        if all(item.rating is not None for _, item in labelled):
            best = sorted(labelled, key=lambda ci: -(ci[1].rating or 0.0))[:SHOWN]
            rated = mean_pct([c for c, _ in best])
        hits = sum(in_topic(*by_id[c.paper.arxiv_id], topic) for c in mine)
        reader = Reader(topic, len(pool), shown, mean_pct(mine), mean_pct(old), rated,
                        mean_pct(over), hits)
        readers.append(reader)
        print(f"  {topic:14} {reader.pool:>5} {reader.shown:>8} {reader.mine:>9.1f} "
              f"{reader.old:>9.1f} {_num(reader.reviewers):>9} {reader.ceiling:>9.1f} "
              f"{hits:>5}/{len(mine)}")
    print(f"  {'mean':14} {'':>5} {'':>8} {_mean(readers, 'mine'):>9.1f} "
          f"{_mean(readers, 'old'):>9.1f} {_num(_mean(readers, 'reviewers')):>9} "
          f"{_mean(readers, 'ceiling'):>9.1f}")
    return readers


def _mean(readers: Sequence[Reader], what: str) -> float | None:
    values = [getattr(r, what) for r in readers if getattr(r, what) is not None]
    return statistics.fmean(values) if values else None


def _num(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "-"


def iclr_items(records: dict[str, Paper]) -> list[Item]:
    """ICLR 2017's submissions, with their keywords' topics."""
    with lzma.open(D.IMPACT / "venues" / "iclr2017.json.xz", "rt", encoding="utf-8") as handle:
        keywords = {D.norm_title(r["title"]): {ICLR_KEYWORDS[k.strip().lower()] for k in
                                               r.get("keywords", "").split(";")
                                               if k.strip().lower() in ICLR_KEYWORDS}
                    for r in json.load(handle)}
    priors = D.author_priors().view()
    day0 = D.VENUE_DATES["iclr2017"]
    return [Item(arxiv_shaped(f"iclr2017-{i}", p.title, p.abstract, p.authors, day0, "cs.LG",
                              records), p.title, p.target, priors, p.mean_rating,
                 frozenset(keywords.get(D.norm_title(p.title), set())))
            for i, p in enumerate(D.load_iclr2017())]


def venue_items(venue: str, records: dict[str, Paper]) -> list[Item]:
    """A 2017 venue's accepted papers with a later count."""
    priors = D.author_priors()
    field = "cs.CV" if venue.startswith("cvpr") else "cs.LG"
    day0 = D.VENUE_DATES[venue]
    return [Item(arxiv_shaped(f"{venue}-{i}", p.title, p.abstract, p.authors, day0, field,
                              records), p.title, p.citations,
                 priors.view(D.self_exclusion(p)))
            for i, p in enumerate(D.load_venue(venue)) if p.citations is not None]


def main() -> None:
    started = time.time()
    records = pool_records()
    print("DIGEST IMPORTANCE: mean citation percentile, within their topic's pool, of the "
          f"{SHOWN} papers each reader's digest shows (random 50; goal >= {GOAL:.0f})")
    print("chosen 8 = the real selection (fit over the bar, most important first); old order = "
          "fit x importance; reviewers = the topic's 8 best-rated (not day 0); ceiling = the 8 "
          "most cited over the bar (a perfect importance); on topic = of the chosen, labelled")
    iclr = day("ICLR 2017 (all submissions; 2022 counts)", iclr_items(records),
               D.VENUE_DATES["iclr2017"], ICLR_TOPICS)
    venues = []
    for venue, label in (("nips2017", "NeurIPS 2017"), ("icml2017", "ICML 2017"),
                         ("cvpr2017", "CVPR 2017")):
        venues += day(f"{label} (accepted; 2024-25 counts)",
                      venue_items(venue, records), D.VENUE_DATES[venue], None)
    print(f"\nDIGEST IMPORTANCE ICLR 2017: chosen eight {_mean(iclr, 'mine'):.1f}, old order "
          f"{_mean(iclr, 'old'):.1f}, reviewers' top eight {_num(_mean(iclr, 'reviewers'))}, "
          "random 50.0")
    print(f"DIGEST IMPORTANCE 2017 venues: chosen eight {_mean(venues, 'mine'):.1f}, old order "
          f"{_mean(venues, 'old'):.1f}, random 50.0 ({len(venues)} readers)")
    print(f"goal >= {GOAL:.0f}: ICLR {'met' if (_mean(iclr, 'mine') or 0) >= GOAL else 'NOT met'}"
          f", 2017 venues {'met' if (_mean(venues, 'mine') or 0) >= GOAL else 'NOT met'}")
    print(f"\n[{time.time() - started:.0f}s]", file=sys.stderr)


if __name__ == "__main__":
    main()
