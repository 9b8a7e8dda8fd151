"""How well does the ranker find list papers it was not told about? And how well does routing work?

Run from the repository root: `python bench/rank_quality.py` (needs numpy and scikit-learn, for
the baseline and the metrics only). Pool: the 12 arXiv TSV files in ../shared/data/arxiv-pool,
ids repaired, deduplicated; candidates are ML-tagged papers created 2015-2017. Positives: entries
of every section of the newest README found in the pool. Five folds: a fold's positives are hidden
from the ranker (entries, bib records, abstracts and author lists all removed) and mixed into the
pool; the other positives are the known list and are left out of the evaluation.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
from pool import Found, find_list_papers, is_ml_2015_2017, load_pool, without
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import average_precision_score
from sklearn.svm import LinearSVC

from feeds.authors import build_author_index, list_paper_authors, merge_arxiv_authors
from feeds.awesome_list import normalise_title
from feeds.bundled import bundled_snapshot
from feeds.list_papers import bundled_bib, known_list_papers
from feeds.model import ListSnapshot, Paper
from feeds.rank import Weights, list_text, paper_signals
from feeds.routing import train_router

FOLDS = 5
SEED = 2017
NOW = date(2020, 1, 1)  # the pool snapshot; no citations in it, so the date never matters


@dataclass
class Fold:
    """One fold: labels over the evaluated papers, raw signals per paper, baseline scores."""

    labels: np.ndarray
    signals: list[dict[str, float]]
    svm: np.ndarray


def positives_in_pool(found: list[Found], candidates: dict[str, Paper]) -> list[Found]:
    """List entries found in the pool that are candidates (one per paper)."""
    seen: dict[str, Found] = {}
    for item in found:
        if item.paper.arxiv_id in candidates:
            seen.setdefault(item.paper.arxiv_id, item)
    return sorted(seen.values(), key=lambda f: f.paper.arxiv_id)


def build_fold(held: set[str], snapshot: ListSnapshot, found: list[Found],
               candidates: dict[str, Paper], known_ids: set[str]) -> Fold:
    """Hide the held-out papers from everything the ranker learns from, then score the pool."""
    sub = without(snapshot, [f.entry for f in found if f.paper.arxiv_id in held])
    visible = [f.paper for f in found if f.paper.arxiv_id not in held]
    bib = bundled_bib()
    known = known_list_papers(sub, bib, visible)
    index = build_author_index(merge_arxiv_authors(list_paper_authors(sub, bib), visible), sub)
    router = train_router(sub, known)
    text = list_text(sub, known, router.idf)
    evaluated = [p for i, p in candidates.items() if i not in known_ids - held]
    unit = Weights.unit()
    signals = []
    for paper in evaluated:
        points: Counter[str] = Counter()
        for signal in paper_signals(paper, router, text, index, None, NOW, unit):
            points[signal.kind] += signal.points
        signals.append(dict(points))
    labels = np.array([p.arxiv_id in held for p in evaluated])
    return Fold(labels, signals, svm_scores(known, evaluated))


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


def combine(fold: Fold, weights: Weights) -> np.ndarray:
    """Recombine the unit-weight signals with these weights (every signal is linear)."""
    w = {"authors": weights.authors, "key_researcher": weights.key_researcher,
         "venue_accepted": weights.venue_accepted, "venue_workshop": weights.venue_workshop,
         "venue_submitted": weights.venue_submitted, "similarity": weights.similarity,
         "nearest": weights.nearest,
         "revised": weights.revised}
    return np.array([sum(w.get(k, 0.0) * v for k, v in s.items()) for s in fold.signals])


def metrics(labels: np.ndarray, scores: np.ndarray,
            rng: np.random.Generator) -> tuple[float, float]:
    """Average precision and recall@100 (ties broken at random)."""
    order = np.lexsort((rng.random(len(scores)), -scores))
    return average_precision_score(labels, scores), labels[order[:100]].sum() / labels.sum()


def evaluate(folds: list[Fold], scorer: Callable[[Fold], np.ndarray]) -> tuple[float, float]:
    """Mean AP and recall@100 over the folds."""
    rng = np.random.default_rng(SEED)
    results = [metrics(fold.labels, scorer(fold), rng) for fold in folds]
    return tuple(np.mean(results, axis=0))  # type: ignore[return-value]


VENUE = ("venue_accepted", "venue_workshop", "venue_submitted")


def variants() -> list[tuple[str, Weights]]:
    """The default weights, each signal alone, each left out, and each doubled."""
    default = Weights()
    signals = [("authors", ("authors",)), ("key researchers", ("key_researcher",)),
               ("venue", VENUE), ("section similarity", ("similarity",)),
               ("nearest list paper", ("nearest",))]
    rows = [("ranker (default weights)", default),
            ("  authors + key researchers only", _scaled(default, 0.0, "authors",
                                                         "key_researcher", keep=True))]
    rows += [(f"  {name} only", _scaled(default, 0.0, *fields, keep=True))
             for name, fields in signals]
    rows += [(f"  without {name}", _scaled(default, 0.0, *fields)) for name, fields in signals]
    rows += [(f"  {name} x2", _scaled(default, 2.0, *fields)) for name, fields in signals[1:]]
    revised = replace(default, revised=0.25)  # measured, not used
    rows += [("  revised v2+ (+0.25) only", _scaled(revised, 0.0, "revised", keep=True)),
             ("  with revised v2+ (+0.25)", revised)]
    return rows


def _scaled(weights: Weights, factor: float, *fields: str, keep: bool = False) -> Weights:
    """Multiply these fields by `factor` (or, with keep, every other field by 0)."""
    values = {}
    for name in Weights.__dataclass_fields__:
        value = getattr(weights, name)
        if keep:
            values[name] = value if name in fields else 0.0
        else:
            values[name] = value * factor if name in fields else value
    return Weights(**values)


def report_ranking(folds: list[Fold]) -> None:
    """Print the ranker, its ablations and the two baselines side by side."""
    rng = np.random.default_rng(SEED)
    rows: list[tuple[str, Callable[[Fold], np.ndarray]]] = [
        (name, lambda f, w=weights: combine(f, w)) for name, weights in variants()
    ]
    rows += [("tf-idf + LinearSVC (C=0.01)", lambda f: f.svm),
             ("random", lambda f: rng.random(len(f.labels)))]
    print(f"{'scorer':44} {'AP':>7} {'R@100':>7}")
    for name, scorer in rows:
        ap, recall = evaluate(folds, scorer)
        print(f"{name:44} {ap:7.3f} {recall:7.3f}")
    prevalence = np.mean([f.labels.mean() for f in folds])
    print(f"{'random, expected (positives / papers)':44} {prevalence:7.4f} "
          f"{np.mean([100 / len(f.labels) for f in folds]):7.3f}")


def routing_accuracy(snapshot: ListSnapshot, found: list[Found]) -> None:
    """Leave-one-out over the top-100 entries: train on the other 99, route the held-out one."""
    bib = bundled_bib()
    known = {normalise_title(p.title): p
             for p in known_list_papers(snapshot, bib, [f.paper for f in found])}
    hits: Counter[str] = Counter()
    for section in snapshot.top100():
        for entry in section.entries:
            title = normalise_title(entry.title)
            # the held-out paper's own text is the query only, never training data
            train = [p for t, p in known.items() if t != title]
            ranked = [n for n, _ in train_router(without(snapshot, [entry]), train).route(
                known[title])]
            group = "year" if re.search(r"\b20\d\d\b", section.name) else "topic"
            hits[group] += 1
            hits[f"{group}1"] += ranked[0] == section.name
            hits[f"{group}3"] += section.name in ranked[:3]
    total = hits["topic"] + hits["year"]
    print(f"routing, leave-one-out over {total} top-100 entries (query: title, plus abstract "
          f"and categories when the pool has the paper, plus the bib venue):")
    print(f"  all: top-1 {(hits['topic1'] + hits['year1']) / total:.2f}, "
          f"top-3 {(hits['topic3'] + hits['year3']) / total:.2f}")
    for group, label in (("topic", "9 topical sections"), ("year", "'More Papers from 2016'")):
        print(f"  {hits[group]} entries of the {label}: top-1 {hits[group + '1'] / hits[group]:.2f}"
              f", top-3 {hits[group + '3'] / hits[group]:.2f}")


def main() -> None:
    """Load, fold, score, print."""
    started = time.monotonic()
    pool = load_pool()
    candidates = {i: p for i, p in pool.items() if is_ml_2015_2017(p)}
    snapshot = bundled_snapshot()
    found = find_list_papers(snapshot, pool)
    positives = positives_in_pool(found, candidates)
    print(f"pool: {len(pool)} papers after repairing and deduplicating ids; "
          f"{len(candidates)} ML-tagged, created 2015-2017")
    by_section = Counter(f.entry.section for f in positives)
    print(f"positives: {len(positives)} entries of the newest README (all its sections) found "
          f"among them, matched by {dict(Counter(f.how for f in positives))}:")
    for name, count in by_section.items():
        print(f"  {count:2} {name}")
    ids = [f.paper.arxiv_id for f in positives]
    random.Random(SEED).shuffle(ids)
    known_ids = set(ids)
    folds = [build_fold(set(ids[k::FOLDS]), snapshot, found, candidates, known_ids)
             for k in range(FOLDS)]
    print(f"{FOLDS} folds of {min(f.labels.sum() for f in folds)}-"
          f"{max(f.labels.sum() for f in folds)} hidden positives among "
          f"{len(folds[0].labels)} papers; metrics are means over the folds\n")
    report_ranking(folds)
    print()
    routing_accuracy(snapshot, found)
    print(f"\nfinished in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
