"""How well does the ranker find list papers it was not told about? And how well does routing work?

Run from the repository root: `python bench/rank_quality.py` (needs numpy and scikit-learn, for
the baseline and the metrics only; `--tune` re-chooses the default weights instead, see `tune`).
Pool: the 12 arXiv TSV files in ../shared/data/arxiv-pool, ids repaired, deduplicated; candidates
are ML-tagged papers created 2015-2017. Positives: entries of every section of the newest README
found in the pool. Five folds: a fold's positives are hidden from the ranker (entries, bib
records, abstracts and author lists all removed) and mixed into the pool; the other positives are
the known list and are left out of the evaluation. Author activity is built from the whole pool
(it holds no labels); each candidate only counts papers from before its own date.

The default weights were chosen with `--tune` on folds of other reshuffles (TUNE_SEEDS), never
on the reported ones. Nested CV: inside each outer fold, the weights are chosen again by 4-fold
CV over that fold's known positives only (the outer fold's positives stay hidden and count as
ordinary pool papers), then applied to the outer fold. Candidate signals that the ranker does
not use are measured the same way. Routing: leave-one-out over the top-100 entries, with the
two routing settings also re-chosen without each held-out entry (nested LOO).
"""

from __future__ import annotations

import math
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date

import numpy as np
from pool import (
    ML_TAGS,
    Found,
    earlier_coauthors,
    find_list_papers,
    is_ml_2015_2017,
    load_pool,
    without,
)
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import average_precision_score
from sklearn.svm import LinearSVC

from feeds.awesome_list import normalise_title
from feeds.bundled import bundled_snapshot
from feeds.list_papers import bundled_bib, known_list_papers
from feeds.model import ListSnapshot, Paper
from feeds.rank.authors import AuthorActivity, AuthorIndex, author_activity
from feeds.rank.inputs import build_inputs
from feeds.rank.ranker import Weights, paper_signals
from feeds.rank.routing import (
    NEAREST_SHARE,
    PRIOR_SMOOTHING,
    section_scores,
    train_router,
    year_priors,
)

FOLDS = 5
INNER_FOLDS = 4
SEED = 2017
TUNE_SEEDS = (1, 2, 3, 4)  # reshuffles the default weights were chosen on (never SEED)
NOW = date(2020, 1, 1)  # the pool snapshot; no citations in it, so the date never matters

SIGNALS = ("authors", "key_researcher", "venue_accepted", "venue_workshop", "venue_submitted",
           "similarity", "nearest", "revised", "unlisted_activity", "list_share")
# Candidate signals computed here only: measured by nested CV, not used by the ranker.
EXTRAS = ("team size (log authors)", "non-ML categories", "named-method title",
          "code/pages in comments", "list authors 2 hops away")
COLUMNS = SIGNALS + EXTRAS
GRID = {"authors": (0.5, 1.0, 2.0), "key_researcher": (0.0, 0.5, 1.0, 2.0, 4.0),
        "similarity": (0.0, 5.0, 10.0, 20.0), "nearest": (0.0, 2.5, 5.0, 10.0),
        "unlisted_activity": (0.0, 0.25, 0.5, 1.0, 2.0), "list_share": (0.0, 1.0, 2.0, 4.0)}
EXTRA_GRID = (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0)
NAMED_METHOD = re.compile(r"^[A-Z][\w-]*[A-Z][\w-]*:")


@dataclass(frozen=True)
class Data:
    """Everything the folds are built from."""

    snapshot: ListSnapshot
    found: list[Found]
    candidates: dict[str, Paper]
    positives: list[str]  # candidate ids of list entries, sorted
    activity: AuthorActivity
    extras: dict[str, np.ndarray]  # static candidate signals per id (the co-author one is 0)
    coauthors: dict[str, frozenset[str]]


@dataclass
class Fold:
    """One fold: labels over the evaluated papers, unit signals per paper, baseline scores."""

    labels: np.ndarray
    x: np.ndarray  # papers x COLUMNS
    tiebreak: np.ndarray
    svm: np.ndarray | None = None


def load_data(pool: dict[str, Paper]) -> Data:
    """Candidates, positives, activity and the static candidate signals."""
    candidates = {i: p for i, p in pool.items() if is_ml_2015_2017(p)}
    snapshot = bundled_snapshot()
    found = find_list_papers(snapshot, pool)
    positives = sorted({f.paper.arxiv_id for f in found if f.paper.arxiv_id in candidates})
    extras = {i: _static_extras(p) for i, p in candidates.items()}
    return Data(snapshot, found, candidates, positives, author_activity(pool.values()), extras,
                earlier_coauthors(pool, candidates))


def _static_extras(paper: Paper) -> np.ndarray:
    return np.array([
        math.log(max(len(paper.authors), 1)),
        len(set(paper.categories) - ML_TAGS),
        bool(NAMED_METHOD.match(paper.title)),
        bool(re.search(r"github|\bcode\b|\bpages\b", paper.comments, re.I)),
        0.0,
    ])


def build_fold(data: Data, hidden: set[str], labelled: set[str], svm: bool = False) -> Fold:
    """Hide these positives from everything the ranker learns from, then score the pool."""
    sub = without(data.snapshot, [f.entry for f in data.found if f.paper.arxiv_id in hidden])
    visible = [f.paper for f in data.found if f.paper.arxiv_id not in hidden]
    inputs = build_inputs(sub, bundled_bib(), visible)
    known, index = inputs.known, inputs.index
    shown = set(data.positives) - hidden
    evaluated = [p for i, p in data.candidates.items() if i not in shown]
    unit, rows = Weights.unit(), []
    listed = _list_author_test(index)
    for paper in evaluated:
        points: Counter[str] = Counter()
        for signal in paper_signals(paper, inputs, None, NOW, unit, data.activity):
            points[signal.kind] += signal.points
        extra = data.extras[paper.arxiv_id].copy()
        extra[-1] = math.log1p(sum(map(listed, data.coauthors[paper.arxiv_id])))
        rows.append(np.r_[[points[k] for k in SIGNALS], extra])
    labels = np.array([p.arxiv_id in labelled for p in evaluated])
    tiebreak = np.random.default_rng(SEED).random(len(evaluated))
    return Fold(labels, np.array(rows), tiebreak, svm_scores(known, evaluated) if svm else None)


def _list_author_test(index: AuthorIndex) -> Callable[[str], bool]:
    """Is this full-name key ('yoshua bengio') an author of a visible list paper?"""
    def listed(key: str) -> bool:
        first, _, last = key.partition(" ")
        papers = index.papers_by_key.get(f"{first[:1]} {last}")
        known = index.first_names.get(f"{first[:1]} {last}", frozenset())
        return bool(papers) and (len(first) == 1 or first in known
                                 or not any(len(k) > 1 for k in known))
    return listed


def svm_scores(known: Sequence[Paper], evaluated: Sequence[Paper]) -> np.ndarray:
    """tf-idf + LinearSVC(C=0.01): the known list's texts against the whole evaluated pool."""
    list_docs = [f"{p.title} {p.abstract}" for p in known]
    pool_docs = [f"{p.title} {p.abstract}" for p in evaluated]
    vectoriser = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2)
    vectoriser.fit(pool_docs + list_docs)
    x_train = vectoriser.transform(list_docs + pool_docs)
    y_train = np.r_[np.ones(len(list_docs)), np.zeros(len(pool_docs))]
    model = LinearSVC(C=0.01, class_weight="balanced").fit(x_train, y_train)
    return model.decision_function(vectoriser.transform(pool_docs))


def as_vector(weights: Weights, extra: dict[str, float] | None = None) -> np.ndarray:
    """Column weights: the Weights fields named like the signals, plus candidate weights."""
    values = {**{k: getattr(weights, k) for k in SIGNALS}, **(extra or {})}
    return np.array([values.get(k, 0.0) for k in COLUMNS])


def metrics(fold: Fold, scores: np.ndarray) -> tuple[float, float]:
    """Average precision and recall@100 (ties broken at random)."""
    order = np.lexsort((fold.tiebreak, -scores))
    recall = fold.labels[order[:100]].sum() / fold.labels.sum()
    return average_precision_score(fold.labels, scores), recall


def evaluate(folds: Sequence[Fold], scorer: Callable[[Fold], np.ndarray]) -> tuple[float, float]:
    """Mean AP and recall@100 over the folds."""
    return tuple(np.mean([metrics(f, scorer(f)) for f in folds], axis=0))  # type: ignore


def objective(folds: Sequence[Fold], w: np.ndarray) -> float:
    """What the weights are chosen for: mean AP + mean recall@100 / 2."""
    ap, recall = evaluate(folds, lambda f: f.x @ w)
    return ap + recall / 2


def choose(folds: Sequence[Fold], start: Weights,
           grid: dict[str, Sequence[float]]) -> Weights:
    """Coordinate ascent on the objective, two rounds over the grid."""
    weights = start
    for _ in range(2):
        for name, values in grid.items():
            trials = [replace(weights, **{name: v}) for v in values]
            weights = max(trials, key=lambda w: objective(folds, as_vector(w)))
    return weights


def choose_extra(folds: Sequence[Fold], weights: Weights, extra: str) -> float:
    """The best weight for one candidate column, the others fixed."""
    return max(EXTRA_GRID, key=lambda v: objective(folds, as_vector(weights, {extra: v})))


def folds_for(data: Data, seed: int, svm: bool = False) -> list[Fold]:
    """Five folds of the positives, shuffled with this seed."""
    ids = list(data.positives)
    random.Random(seed).shuffle(ids)
    return [build_fold(data, set(ids[k::FOLDS]), set(ids[k::FOLDS]), svm) for k in range(FOLDS)]


def nested(data: Data, outers: list[Fold]) -> dict[str, list[tuple[float, float]]]:
    """Per outer fold (folds_for SEED): weights chosen on inner folds of its known positives."""
    ids = list(data.positives)
    random.Random(SEED).shuffle(ids)
    results: dict[str, list[tuple[float, float]]] = {}
    for k, outer in enumerate(outers):
        held = set(ids[k::FOLDS])
        rest = [i for i in ids if i not in held]
        random.Random(SEED + k).shuffle(rest)
        inner = [build_fold(data, held | set(rest[j::INNER_FOLDS]), set(rest[j::INNER_FOLDS]))
                 for j in range(INNER_FOLDS)]
        old = {**GRID, "unlisted_activity": (0.0,), "list_share": (0.0,)}
        start = replace(Weights(), unlisted_activity=0.0, list_share=0.0)
        scored = {"without activity": as_vector(choose(inner, start, old))}
        chosen = choose(inner, Weights(), GRID)
        scored["ranker"] = as_vector(chosen)
        scored["activity only"] = as_vector(choose(inner, start, {
            k: GRID[k] for k in ("unlisted_activity", "list_share")}))
        revised = choose(inner, chosen, {"revised": (0.0, 0.25, 0.5, 1.0)})
        scored["revised v2+"] = as_vector(revised)
        for name in EXTRAS:
            scored[name] = as_vector(chosen, {name: choose_extra(inner, chosen, name)})
        for name, w in scored.items():
            results.setdefault(name, []).append(metrics(outer, outer.x @ w))
    return results


def variants() -> list[tuple[str, Weights]]:
    """The default weights, without activity, each signal alone, each left out, each doubled."""
    default = Weights()
    signals = [("authors", ("authors",)), ("key researchers", ("key_researcher",)),
               ("venue", ("venue_accepted", "venue_workshop", "venue_submitted")),
               ("section similarity", ("similarity",)), ("nearest list paper", ("nearest",)),
               ("unlisted authors' activity", ("unlisted_activity",)),
               ("list share of best author", ("list_share",))]
    rows = [("ranker (default weights)", default),
            ("  without author activity (old signals)",
             _scaled(default, 0.0, "unlisted_activity", "list_share"))]
    rows += [(f"  {name} only", _scaled(default, 0.0, *names, keep=True))
             for name, names in signals]
    rows += [(f"  without {name}", _scaled(default, 0.0, *names)) for name, names in signals]
    rows += [(f"  {name} x2", _scaled(default, 2.0, *names)) for name, names in signals[1:]]
    return rows


def _scaled(weights: Weights, factor: float, *names: str, keep: bool = False) -> Weights:
    """Multiply these fields by `factor` (or, with keep, every other field by 0)."""
    values = {}
    for field in fields(Weights):
        value = getattr(weights, field.name)
        if keep:
            values[field.name] = value if field.name in names else 0.0
        else:
            values[field.name] = value * factor if field.name in names else value
    return Weights(**values)


def report_ranking(folds: list[Fold], nested_results: dict[str, list[tuple[float, float]]]) -> None:
    """Print the ranker, its ablations, the nested estimates and the baselines side by side."""
    rng = np.random.default_rng(SEED)
    rows: list[tuple[str, Callable[[Fold], np.ndarray]]] = [
        (name, lambda f, w=weights: f.x @ as_vector(w)) for name, weights in variants()]
    rows += [("tf-idf + LinearSVC (C=0.01)", lambda f: f.svm),  # type: ignore[misc]
             ("random", lambda f: rng.random(len(f.labels)))]
    print(f"{'scorer (fixed-seed 5-fold)':52} {'AP':>6} {'R@100':>6}")
    for name, scorer in rows:
        ap, recall = evaluate(folds, scorer)
        print(f"{name:52} {ap:6.3f} {recall:6.3f}")
    prevalence = np.mean([f.labels.mean() for f in folds])
    print(f"{'random, expected (positives / papers)':52} {prevalence:6.4f} "
          f"{np.mean([100 / len(f.labels) for f in folds]):6.3f}")
    print("\nnested CV (same outer folds; weights re-chosen on 4 inner folds of the known "
          "positives only;\n a candidate signal's weight is chosen on top of the ranker's):")
    labels = {"without activity": "old signals, their 4 weights re-chosen",
              "ranker": "ranker, all 6 weights re-chosen",
              "activity only": "ranker, 2 activity weights re-chosen (rest default)"}
    for name, results in nested_results.items():
        label = labels.get(name, f"  + candidate: {name}")
        ap, recall = np.mean(results, axis=0)
        print(f"{label:52} {ap:6.3f} {recall:6.3f}")


def tune(data: Data) -> None:
    """Choose the default weights on folds of other reshuffles (TUNE_SEEDS), never SEED's."""
    folds = [fold for seed in TUNE_SEEDS for fold in folds_for(data, seed)]
    chosen = choose(folds, Weights(), GRID)
    value = objective(folds, as_vector(chosen))
    print(f"chosen on {len(folds)} folds of seeds {TUNE_SEEDS} (objective {value:.3f}):")
    print({name: getattr(chosen, name) for name in GRID})


def routing_accuracy(snapshot: ListSnapshot, found: list[Found]) -> None:
    """Leave-one-out over the top-100 entries: train on the other 99, route the held-out one."""
    known = {normalise_title(p.title): p
             for p in known_list_papers(snapshot, bundled_bib(), [f.paper for f in found])}
    cases = []
    for section in snapshot.top100():
        for entry in section.entries:
            title = normalise_title(entry.title)
            # the held-out paper's own text is the query only, never training data
            rest = without(snapshot, [entry])
            router = train_router(rest, [p for t, p in known.items() if t != title])
            query, year = router.query(known[title]), entry.year
            priors = {a: year_priors(rest.top100(), router.year_of, a).get(year, {})
                      for a in SMOOTHINGS}
            cases.append(RouteCase(section.name, bool(re.search(r"\b20\d\d\b", section.name)),
                                   router.cosines(query, year),
                                   router.entries.best_per_label(query), priors))
    shipped = [case.hits(NEAREST_SHARE, PRIOR_SMOOTHING) for case in cases]
    print(f"routing, leave-one-out over {len(cases)} top-100 entries (query: title, plus abstract "
          f"and categories when the pool has the paper, plus the bib venue):")
    print(f"  all: top-1 {np.mean([h[0] for h in shipped]):.2f}, "
          f"top-3 {np.mean([h[1] for h in shipped]):.2f}")
    print(f"\n{'top-1 / top-3 of':52} {'all':>9}  {'topical':>9}  {'year sect.':>9}")
    for label, share, smoothing in (
            (f"router (nearest-entry share {NEAREST_SHARE}, year prior {PRIOR_SMOOTHING:g})",
             NEAREST_SHARE, PRIOR_SMOOTHING),
            ("  centroids only (the previous router)", 0.0, None),
            ("  + year prior only", 0.0, PRIOR_SMOOTHING),
            ("  + nearest entry only", NEAREST_SHARE, None)):
        print(f"{label:52} {_route_line(cases, [c.hits(share, smoothing) for c in cases])}")
    for criterion in ("log-likelihood", "top-1 + top-3 / 2"):
        print(f"{'nested LOO, both re-chosen by ' + criterion:52} "
              f"{_route_line(cases, _nested_route_hits(cases, criterion))}")
    counts = Counter(case.by_year for case in cases)
    print(f"(entries: {counts[False]} in the topical sections, {counts[True]} in the year section)")


SHARES = (0.0, 0.1, 0.2, 0.3, 0.4)
SMOOTHINGS = (1.0, 3.0, 10.0)


@dataclass(frozen=True)
class RouteCase:
    """One held-out top-100 entry: its section and what the router trained without it saw."""

    section: str
    by_year: bool
    cosines: dict[str, float]
    nearest: dict[str, float]
    priors: dict[float, dict[str, float]]

    def scores(self, share: float, smoothing: float | None) -> dict[str, float]:
        """The router's logits with these settings."""
        prior = self.priors[smoothing] if smoothing else {}
        return section_scores(self.cosines, self.nearest, prior, share)

    def hits(self, share: float, smoothing: float | None) -> tuple[bool, bool]:
        """Is the right section first, and among the first three?"""
        scores = self.scores(share, smoothing)
        ranked = sorted(scores, key=lambda name: -scores[name])
        return ranked[0] == self.section, self.section in ranked[:3]

    def log_likelihood(self, share: float, smoothing: float | None) -> float:
        """Log of the probability the router gives the right section."""
        scores = self.scores(share, smoothing)
        top = max(scores.values())
        return scores[self.section] - top - math.log(sum(math.exp(v - top)
                                                         for v in scores.values()))


def _route_line(cases: list[RouteCase], hits: list[tuple[bool, bool]]) -> str:
    parts = []
    for keep in (lambda c: True, lambda c: not c.by_year, lambda c: c.by_year):
        chosen = [h for c, h in zip(cases, hits, strict=True) if keep(c)]
        parts.append(f"{np.mean([h[0] for h in chosen]):.2f} {np.mean([h[1] for h in chosen]):.2f}")
    return "  ".join(parts)


def _nested_route_hits(cases: list[RouteCase], criterion: str) -> list[tuple[bool, bool]]:
    """For each entry: pick share and smoothing by the criterion on the other 99, route it."""
    grid = [(s, a) for s in SHARES for a in (None, *SMOOTHINGS)]
    table = {g: [case.hits(*g) for case in cases] for g in grid}
    if criterion == "log-likelihood":
        total = {g: np.array([case.log_likelihood(*g) for case in cases]) for g in grid}
    else:
        total = {g: np.array([a + b / 2 for a, b in hits]) for g, hits in table.items()}
    found = []
    for i in range(len(cases)):
        best = max(grid, key=lambda g: total[g].sum() - total[g][i])
        found.append(table[best][i])
    return found


def main() -> None:
    """Load, fold, score, print."""
    started = time.monotonic()
    pool = load_pool()
    data = load_data(pool)
    if "--tune" in sys.argv:
        tune(data)
        return
    print(f"pool: {len(pool)} papers after repairing and deduplicating ids; "
          f"{len(data.candidates)} ML-tagged, created 2015-2017")
    entries = [f for f in data.found if f.paper.arxiv_id in data.positives]
    firsts = {f.paper.arxiv_id: f for f in reversed(entries)}
    print(f"positives: {len(data.positives)} entries of the newest README (all its sections) found "
          f"among them, matched by {dict(Counter(f.how for f in firsts.values()))}:")
    for name, count in Counter(f.entry.section for f in firsts.values()).items():
        print(f"  {count:2} {name}")
    folds = folds_for(data, SEED, svm=True)
    print(f"{FOLDS} folds of {min(f.labels.sum() for f in folds)}-"
          f"{max(f.labels.sum() for f in folds)} hidden positives among "
          f"{len(folds[0].labels)} papers; metrics are means over the folds\n")
    report_ranking(folds, nested(data, folds))
    print()
    routing_accuracy(data.snapshot, data.found)
    print(f"\nfinished in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
