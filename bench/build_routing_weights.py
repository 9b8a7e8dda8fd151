"""Build feeds/data/routing_weights.json: word weights from silver-labelled arXiv metadata.

    python bench/build_routing_weights.py [--split train|build] [--out FILE]

Input: ../shared/data/arxiv-pool/*.tsv.xz (arXiv metadata), ids repaired. Used: the even-md5
half of the pool ("train" = build + tune; "build" = one quarter, for tuning the constants),
never a list paper (any section, by id or title) and never a GAN-zoo paper; the odd half is
bench/relevance.py's test set. Silver topic labels (SILVER) come from arXiv categories and title
words only; a paper may carry several. For each topic: llr(w) = log P(w | topic) - log P(w | all)
with P(w | topic) Dirichlet-smoothed towards P(w | all) (MU pseudo-tokens), kept when
|llr| >= KEEP and the word occurs in >= MIN_DF papers. The gate is llr(w) = log P(w | no ML
category) - log P(w | ML). Words are the router's text_bag. Deterministic: the same pool and
list give the same file. Rebuild when text_bag, terms, TITLE_WEIGHT or ABSTRACT_TOKENS change.
The file holds word weights only: no titles, no abstracts, nothing of ../shared/data/impact.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import silver  # noqa: E402
from pool import ROOT  # noqa: E402

from feeds.model import Paper  # noqa: E402
from feeds.rank.topics import AUDIO, ML_TAGS, TOPIC_KEYS, text_bag  # noqa: E402

MU = 5000.0
KEEP = 0.5
TOP = 1500
MIN_DF = 5
ROUND = 2
OUT = ROOT / "feeds" / "data" / "routing_weights.json"


def _t(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


# (topic key, needs an ML category, category test, title pattern or None)
SILVER: tuple[tuple[str, bool, frozenset[str] | None, re.Pattern[str] | None], ...] = (
    ("speech", False, AUDIO, None),
    ("reinforcement", True, frozenset({"cs.RO"}), None),
    ("reinforcement", True, None, _t(r"reinforcement|q-learning|policy|actor.critic|robot")),
    ("language", True, frozenset({"cs.CL"}), None),
    ("generative", True, None, _t(r"generative|\bgans?\b|(?-i:[A-Za-z0-9]GANs?\b)|adversarial net|"
                                  r"auto-?encoder|\bvae\b|variational|boltzmann|"
                                  r"density estimation|unsupervised")),
    ("detection", True, frozenset({"cs.CV"}), _t(r"detect|segment|locali[sz]|proposal")),
    ("video", True, frozenset({"cs.CV"}), _t(r"video|caption|super.resolution|\bfaces?\b|facial|"
                                             r"action|style|tracking|pose|question answering|"
                                             r"coloriz|retrieval")),
    ("convolutional", True, frozenset({"cs.CV"}),
     _t(r"architecture|residual|network design|compress|prun|quanti[sz]|binar|efficient|mobile|"
        r"image classification|imagenet|deeper|\bwide\b|\bdepth\b")),
    ("optimization", True, None, _t(r"optimi[sz]|gradient|\bsgd\b|training|dropout|normali[sz]|"
                                    r"regulari[sz]|initiali[sz]|learning rate|convergence|"
                                    r"hyper-?parameter|activation function")),
    ("understanding", True, None, _t(r"adversarial (example|attack|perturbation|robust)|transfer|"
                                     r"interpretab|explain|visuali[sz]|generali[sz]|"
                                     r"understanding|distill|domain adaptation|robustness|"
                                     r"invarian")),
)


def silver_topics(paper: Paper) -> set[str]:
    """Silver topic keys of a pool paper (training labels only; see SILVER)."""
    cats = set(paper.categories)
    ml = bool(cats & ML_TAGS)
    found = set()
    for key, needs_ml, categories, title in SILVER:
        if needs_ml and not ml:
            continue
        if categories is not None and not (cats & categories):
            continue
        if title is not None and not title.search(paper.title):
            continue
        found.add(key)
    # the vision topics are exclusive: detection before video before convolutional
    if "detection" in found:
        found -= {"video", "convolutional"}
    if "video" in found:
        found.discard("convolutional")
    return found


def training_papers(splits: set[str]) -> Iterator[Paper]:
    """Pool papers of these splits, no GAN-zoo and no list paper."""
    zoo = silver.gan_zoo_ids()
    for paper in silver.pool().values():
        if silver.split(paper) in splits and paper.arxiv_id not in zoo \
                and not silver.is_list_paper(paper):
            yield paper


def _llr(fg: Counter[str], bg: dict[str, float], vocab: set[str], p_all: dict[str, float],
         against: Counter[str] | None = None) -> dict[str, float]:
    """Positive weights, the TOP with the largest count x llr; with `against` also the TOP most
    negative (count in `against` x |llr|)."""
    size = sum(fg[t] for t in vocab)
    pos, neg = [], []
    for t in vocab:
        value = math.log((fg[t] + MU * p_all[t]) / (size + MU) / bg[t])
        if value >= KEEP:
            pos.append((value * fg[t], t, round(value, ROUND)))
        elif against is not None and value <= -KEEP:
            neg.append((-value * against[t], t, round(value, ROUND)))
    keep = sorted(pos, reverse=True)[:TOP] + sorted(neg, reverse=True)[:TOP]
    return {t: v for _, t, v in keep}


def build(splits: set[str]) -> dict[str, Any]:
    """The weights file's content."""
    counts: dict[str, Counter[str]] = {}
    background: Counter[str] = Counter()
    ml_counts: Counter[str] = Counter()
    noml_counts: Counter[str] = Counter()
    df: Counter[str] = Counter()
    n_docs: Counter[str] = Counter()
    for paper in training_papers(splits):
        bag = text_bag(paper)
        background.update(bag)
        df.update(bag.keys())
        cats = set(paper.categories)
        if cats & ML_TAGS:
            ml_counts.update(bag)
        elif not cats & AUDIO:
            noml_counts.update(bag)
        for key in silver_topics(paper):
            counts.setdefault(key, Counter()).update(bag)
            n_docs[key] += 1
        n_docs["all"] += 1
    vocab = {t for t, c in df.items() if c >= MIN_DF}
    total = sum(background[t] for t in vocab)
    p_all = {t: background[t] / total for t in vocab}
    topics = {key: _llr(c, p_all, vocab, p_all) for key, c in sorted(counts.items())
              if key in TOPIC_KEYS}
    ml_size = sum(ml_counts[t] for t in vocab)
    p_ml = {t: (ml_counts[t] + MU * p_all[t]) / (ml_size + MU) for t in vocab}
    gate = _llr(noml_counts, p_ml, vocab, p_all, against=ml_counts)
    meta = {"splits": sorted(splits), "docs": dict(n_docs), "mu": MU, "keep": KEEP, "top": TOP,
            "min_df": MIN_DF,
            "source": "shared/data/arxiv-pool *.tsv.xz, even md5(id) half, "
                      "no list or GAN-zoo papers"}
    return {"meta": meta, "topics": topics, "gate": gate}


def main() -> None:
    """Build and write the file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="train", choices=("train", "build"))
    parser.add_argument("--out", default=None, help=f"default {OUT} (train) or the cache")
    args = parser.parse_args()
    splits = {"build", "tune"} if args.split == "train" else {"build"}
    out = Path(args.out) if args.out else (
        OUT if args.split == "train" else silver.cache_path("weights_build.json"))
    weights = build(splits)
    out.write_text(json.dumps(weights, separators=(",", ":"), sort_keys=True))
    sizes = {k: len(v) for k, v in weights["topics"].items()}
    print(f"{out}: {out.stat().st_size / 1024:.0f} KiB; docs {weights['meta']['docs']}; "
          f"terms {sizes}; gate {len(weights['gate'])}")


if __name__ == "__main__":
    main()
