"""How well does the ranker foresee impact? ICLR 2017 on day 0 and with counts, then 2017 venues.

    python bench/impact.py     (~75 s; ~90 s on a fresh clone; bench/fit_impact.py fits the weights)

What was fitted on what. Every number of feeds/data/impact_weights.json was fitted by
bench/fit_impact.py on the accepted papers of NeurIPS/ICML/CVPR/AISTATS 2015-16 and ICCV 2015
(../shared/data/impact/venues, target: their 2024-25 Google Scholar counts): the day-0 weights,
the calibration C0 = A + B * day0 and the blend (on those papers' early-2017-06 counts) and the
venue tiers; the feature set and ridge strength were chosen on the 2015 <-> 2016 venue
validation. ICLR 2017 and every 2017+ venue-year were never used to fit or choose anything in
the package; this bench only measures. (One caveat from the research that the package follows:
the blend's form with a count term, w = 1 - m0/(m + m0) * k/(k + c), was adopted after the
research's pre-registered age-only blend was seen to lose to the counts on ICLR; its constants
come from 2015-16 cohorts only. See /work/research/impact/REPORT.md, section 4.)

Test set: the 489 ICLR 2017 submissions, accepted or rejected, with a 2022 Google Scholar count
(the target). The ranker sees each as a Paper on 2016-11-04: the list README as of 2016-11-03
without the paper's own entry (one submission is on it), author priors of early-2017-06 (2015-16
conference papers only; no ICLR 2017 title is in them), the authors' arXiv papers in the pool
dated before 2016-11-04 (never the paper itself) and the e-mail domains as affiliations. "The
ranker's impact" is `Scored.impact` from `rank_candidates`, end to end; "the list-fit score" is
`Scored.score`, what `papers-bot rank` sorted by before.
With counts: the explorer's count of 2018-01-16 as a `CitationCount` (age 14.4 months).
Metrics: Spearman with the target; AP for the 10% most cited; 90% bootstrap intervals over
papers (1000 resamples). Temporal check: the same weights on NeurIPS, ICML and CVPR 2017
(accepted papers, 2024-25 counts; list as of each venue's day 0 without the paper's own entry),
and with the counts of 2019-03-31 where early-2019-03 has them (NeurIPS and ICML).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import impact_data as D
import numpy as np
from fit_impact import ListInputs, list_view
from scipy.stats import rankdata

from feeds.model import CitationCount, Paper, Scored
from feeds.rank.impact import ImpactLookup, day0_features, shipped_model
from feeds.rank.ranker import rank_candidates

BOOT = 1000
RANDOM_SEEDS = 100
ICLR_LIST_DAY = "2016-11-03"
GOAL_DAY0 = (0.45, 0.25)
GOAL_COUNTS = (0.88, 0.64)


# ---------------------------------------------------------------- metrics


def ap_top10(y: np.ndarray, s: np.ndarray) -> float:
    """Average precision for the 10% most cited, as sklearn's average_precision_score (steps at
    each distinct score), vectorised for the bootstrap."""
    order = np.argsort(-s, kind="mergesort")
    hits = (y >= np.percentile(y, 90))[order]
    last = np.r_[np.flatnonzero(np.diff(s[order])), len(s) - 1]  # the end of each tie group
    tps = np.cumsum(hits)[last]
    return float(np.sum(np.diff(np.r_[0.0, tps / tps[-1]]) * tps / (last + 1)))


def spearman(y: np.ndarray, s: np.ndarray) -> float:
    """Spearman's rho (average ranks for ties), as scipy's spearmanr."""
    return float(np.corrcoef(rankdata(s), rankdata(y))[0, 1])


def boot(y: np.ndarray, fn: Callable[[np.ndarray], tuple[float, float]]) -> np.ndarray:
    """(Spearman, AP) of `fn` over BOOT resamples of the papers (fixed seed)."""
    rng = np.random.default_rng(7)
    return np.array([fn(rng.integers(0, len(y), len(y))) for _ in range(BOOT)])


def metrics(y: np.ndarray, s: np.ndarray) -> tuple[float, float, str]:
    sp, ap = spearman(y, s), ap_top10(y, s)
    found = boot(y, lambda i: (spearman(y[i], s[i]), ap_top10(y[i], s[i])))
    (ls, la), (hs, ha) = np.percentile(found, [5, 95], axis=0)
    return sp, ap, f"{sp:6.3f} [{ls:.2f},{hs:.2f}]   {ap:6.3f} [{la:.2f},{ha:.2f}]"


def difference(y: np.ndarray, s: np.ndarray, base: np.ndarray) -> str:
    """s minus base, with a paired bootstrap interval."""
    found = boot(y, lambda i: (spearman(y[i], s[i]) - spearman(y[i], base[i]),
                               ap_top10(y[i], s[i]) - ap_top10(y[i], base[i])))
    (ls, la), (hs, ha) = np.percentile(found, [5, 95], axis=0)
    return (f"{spearman(y, s) - spearman(y, base):+6.3f} [{ls:+.3f},{hs:+.3f}]   "
            f"{ap_top10(y, s) - ap_top10(y, base):+6.3f} [{la:+.3f},{ha:+.3f}]")


def random_line(y: np.ndarray) -> str:
    rng = np.random.default_rng(0)
    found = np.array([(spearman(y, s), ap_top10(y, s))
                      for s in (rng.random(len(y)) for _ in range(RANDOM_SEEDS))])
    (ms, ma), (ss, sa) = found.mean(0), found.std(0)
    return f"{ms:6.3f} (sd {ss:.2f})        {ma:6.3f} (sd {sa:.2f})"


def line(name: str, text: str) -> None:
    print(f"  {name:52s} {text}")


def verdict(sp: float, ap: float, goal: tuple[float, float]) -> str:
    marks = [f"Spearman >= {goal[0]:.2f} {'met' if sp >= goal[0] else 'NOT met'}",
             f"AP >= {goal[1]:.2f} {'met' if ap >= goal[1] else 'NOT met'}"]
    return "goal: " + ", ".join(marks)


# ---------------------------------------------------------------- the ranker, end to end


@dataclass(frozen=True)
class Item:
    """One test paper: the record the ranker sees and what it is judged against."""

    paper: Paper
    title: str  # the title to leave out of the arXiv activity and the list
    impacts: ImpactLookup


@dataclass
class Ranked:
    """What the ranker and the day-0 features said about a set of papers."""

    impact: np.ndarray  # Scored.impact
    score: np.ndarray  # Scored.score (list fit)
    prior: np.ndarray  # the authors' prior alone: log1p(sum of earlier citations)
    tfidf: np.ndarray  # the ranker's similarity + nearest points (10 * cosine + 5 * nearest)


def rank(items: Sequence[Item], lists: ListInputs, now: date,
         counts: Sequence[int | None] | None = None, activity: bool = True) -> Ranked:
    """Each paper through `rank_candidates` on its own (its activity leaves it out)."""
    pool = D.pool_activity()
    found: list[tuple[Scored, dict[str, float]]] = []
    for i, item in enumerate(items):
        inputs = lists.leaving_out(item.title)
        mine = pool.leaving_out(item.title)
        count = counts[i] if counts is not None else None
        cites = ({item.paper.arxiv_id: CitationCount(item.paper.arxiv_id, count)}
                 if count is not None else None)
        scored = rank_candidates([item.paper], inputs, cites, now,
                                 activity=mine if activity else None,  # an Activity (duck-typed)
                                 impacts=item.impacts)
        features = day0_features(item.paper, list_view(item.paper, inputs), item.impacts, mine)
        found.append((scored[0], features))
    return Ranked(
        impact=np.array([s.impact for s, _ in found], float),
        score=np.array([s.score for s, _ in found], float),
        prior=np.array([f["au_cites_sum"] for _, f in found]),
        tfidf=np.array([10 * f["list_sim"] + 5 * f["list_nearest"] for _, f in found]),
    )


# ---------------------------------------------------------------- ICLR 2017


def iclr() -> None:
    papers = D.load_iclr2017()
    assert len(papers) == 489
    in_prior = {D.norm_title(p.title) for p in D.load_early_2017()}
    assert not any(D.norm_title(p.title) in in_prior for p in papers)
    lists = ListInputs(ICLR_LIST_DAY)
    priors = D.author_priors().view()
    items = [Item(p.as_paper(f"iclr2017-{i}"), p.title, priors) for i, p in enumerate(papers)]
    day0 = date.fromisoformat(D.VENUE_DATES["iclr2017"])
    y = np.array([p.target for p in papers], float)
    ranked = rank(items, lists, day0)
    bare = rank(items, lists, day0, activity=False)
    on_list = sum(lists.on_list(p.title) for p in papers)

    print(f"ICLR 2017: {len(papers)} submissions (accepted or rejected), target = Google "
          f"Scholar 2022; list {lists.readme} ({on_list} of them on it, scored without its "
          "entry),")
    print("author priors of early-2017-06, arXiv activity before 2016-11-04; weights fitted on "
          "2015-16 venue papers only")
    print(f"  {'':52s} Spearman [90% CI]   AP top-10% [90% CI]")
    sp, ap, text = metrics(y, ranked.impact)
    line("THE RANKER'S IMPACT (Scored.impact, day 0)", text)
    print(f"  {'':52s} {verdict(sp, ap, GOAL_DAY0)}")
    line("today's ranker: list-fit score (Scored.score)", metrics(y, ranked.score)[2])
    line("  the same without arXiv activity (research: 0.191)", metrics(y, bare.score)[2])
    line("authors' prior alone (sum of earlier citations)", metrics(y, ranked.prior)[2])
    line("tf-idf similarity to the list (10 sim + 5 nearest)", metrics(y, ranked.tfidf)[2])
    line("random (mean of 100 seeds)", random_line(y))
    line("reviewers' mean rating (not day 0)",
         metrics(y, np.array([p.mean_rating for p in papers]))[2])
    line("arxiv-sanity saves (not day 0)",
         metrics(y, np.array([p.karpathy for p in papers], float))[2])

    c14 = [p.citations_14m for p in papers]
    now = date.fromisoformat(D.ICLR_14M)
    months = D.months_between(D.VENUE_DATES["iclr2017"], D.ICLR_14M)
    counted = rank(items, lists, now, c14)
    counts = np.array(c14, float)
    print(f"\nWith the 14-month counts given to the ranker (CitationCount; published 2016-11-04, "
          f"now {D.ICLR_14M}: {months:.1f} months)")
    line("14-month counts alone", metrics(y, counts)[2])
    sp, ap, text = metrics(y, counted.impact)
    line("THE RANKER'S IMPACT with the counts", text)
    print(f"  {'':52s} {verdict(sp, ap, GOAL_COUNTS)}")
    line("ranker's impact minus counts alone (paired 90% CI)",
         difference(y, counted.impact, counts))
    worse = spearman(y, counted.impact) < spearman(y, counts) or \
        ap_top10(y, counted.impact) < ap_top10(y, counts)
    print(f"  {'':52s} never worse than the counts alone: {'NOT met' if worse else 'met'}")
    line("list-fit score with the counts (Scored.score)", metrics(y, counted.score)[2])


# ---------------------------------------------------------------- 2017 venue-years


def temporal(venue: str) -> None:
    papers = [p for p in D.load_venue(venue) if p.citations is not None]
    day = D.VENUE_DATES[venue]
    lists = ListInputs(day)
    priors = D.author_priors()
    items = [Item(p.as_paper(f"{venue}-{i}"), p.title, priors.view(D.self_exclusion(p)))
             for i, p in enumerate(papers)]
    y = np.array([p.citations for p in papers], float)
    ranked = rank(items, lists, date.fromisoformat(day))
    on_list = sum(lists.on_list(p.title) for p in papers)
    print(f"\n{venue}: {len(papers)} accepted papers, target Google Scholar 2024-25; list "
          f"{lists.readme} ({on_list} on it, each scored without its entry), day 0 {day}")
    line("the ranker's impact (day 0)", metrics(y, ranked.impact)[2])
    line("list-fit score", metrics(y, ranked.score)[2])
    line("authors' prior alone", metrics(y, ranked.prior)[2])
    line("tf-idf similarity to the list", metrics(y, ranked.tfidf)[2])
    line("random (mean of 100 seeds)", random_line(y))
    later = D.counts_2019(venue)
    if not later:
        return
    known = [i for i, p in enumerate(papers) if later.get(D.norm_title(p.title)) is not None]
    found = [later[D.norm_title(papers[i].title)] for i in known]
    months = D.months_between(day, D.EARLY_2019)
    counted = rank([items[i] for i in known], lists, date.fromisoformat(D.EARLY_2019), found)
    yk, counts = y[known], np.array(found, float)
    print(f"  with the counts of {D.EARLY_2019} ({months:.1f} months, {len(known)} papers found):")
    line("counts alone", metrics(yk, counts)[2])
    line("the ranker's impact with the counts", metrics(yk, counted.impact)[2])
    line("ranker's impact minus counts alone (paired 90% CI)",
         difference(yk, counted.impact, counts))


def main() -> None:
    started = time.time()
    meta = shipped_model().meta
    valid = meta.get("validation", {})
    assert isinstance(valid, dict)
    print(f"impact weights: fitted {meta.get('date', '?')} by {meta.get('by', '?')} on 2015-16 "
          f"venue papers; venue validation (2015 <-> 2016) Spearman {valid.get('spearman')}, "
          f"AP {valid.get('ap_top10')}\n")
    iclr()
    print("\nTemporal check: weights fitted on 2015-16, applied to 2017 venue-years")
    for venue in ("nips2017", "icml2017", "cvpr2017"):
        temporal(venue)
    print(f"\n[{time.time() - started:.0f}s]", file=sys.stderr)


if __name__ == "__main__":
    main()
