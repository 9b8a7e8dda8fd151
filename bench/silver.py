"""Real data for the relevance benchmark: the arXiv pool, its fixed splits, silver sets.

Splits are by the first byte b of md5(arXiv id), fixed, no randomness:
  test  = b odd       every pool figure of bench/relevance.py; never trained or tuned on
  build = b % 4 == 2  (with tune) the pool weights of feeds/data/routing_weights.json
  tune  = b % 4 == 0  the router's few constants (feeds/rank/topics.py TopicParams)
CVPR papers (../shared/data/impact, no licence) are evaluation only: nothing derived ships.
"""

from __future__ import annotations

import csv
import hashlib
import json
import lzma
import pickle
import re
from functools import cache
from pathlib import Path

from pool import POOL_DIR, ROOT, load_pool

from feeds.awesome_list import normalise_title
from feeds.model import Paper

SHARED = ROOT.parent / "shared" / "data"
GAN_ZOO = POOL_DIR / "the-gan-zoo_gans.tsv"
CVPR = sorted((SHARED / "impact" / "venues").glob("cvpr*.json.xz"))
CACHE = ROOT / "bench" / ".cache"
ML_TAGS = frozenset({"cs.LG", "cs.CV", "cs.CL", "cs.AI", "stat.ML", "cs.NE"})
AUDIO = frozenset({"cs.SD", "eess.AS"})
NON_ML_SIX = frozenset({"q-bio.NC", "cs.IR", "cs.HC", "math.ST", "cs.GR", "cs.SI"})


@cache
def pool() -> dict[str, Paper]:
    """The whole pool, ids repaired (a pickle under bench/.cache: 8 s -> 1 s)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / "pool.pkl"
    if cached.exists():
        loaded: dict[str, Paper] = pickle.loads(cached.read_bytes())
        return loaded
    papers = load_pool(POOL_DIR)
    cached.write_bytes(pickle.dumps(papers))
    return papers


def split(paper: Paper) -> str:
    """test / build / tune by the first byte of md5(arXiv id)."""
    b = hashlib.md5(paper.arxiv_id.encode()).digest()[0]
    return "test" if b % 2 else ("build" if b % 4 == 2 else "tune")


def primary(paper: Paper) -> str:
    """The paper's primary category."""
    return paper.primary_category or (paper.categories[0] if paper.categories else "")


def has_ml(paper: Paper) -> bool:
    """Does the paper carry one of the ML categories?"""
    return bool(ML_TAGS & set(paper.categories))


@cache
def gan_zoo_ids() -> frozenset[str]:
    """arXiv ids named by the GAN zoo (version suffix dropped)."""
    ids = set()
    with GAN_ZOO.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            found = re.search(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", row.get("Arxiv", ""))
            if found:
                ids.add(found.group(1))
    return frozenset(ids)


@cache
def cvpr_papers() -> tuple[Paper, ...]:
    """CVPR 2015-2019 accepted papers as Papers with category cs.CV (evaluation only)."""
    papers = []
    for path in CVPR:
        year = re.search(r"(\d{4})", path.name).group(1)  # type: ignore[union-attr]
        with lzma.open(path) as handle:
            records = json.loads(handle.read())
        for i, rec in enumerate(records):
            papers.append(Paper(
                arxiv_id=f"cvpr{year}-{i}", version=1, title=" ".join(rec["title"].split()),
                abstract=" ".join((rec.get("abstract") or "").split()),
                authors=tuple(a.strip() for a in rec.get("author", "").split(";") if a.strip()),
                categories=("cs.CV",), primary_category="cs.CV", published=f"{year}-06-01"))
    return tuple(papers)


@cache
def list_keys() -> tuple[frozenset[str], frozenset[str]]:
    """arXiv ids and normalised titles of every entry of the bundled list (all sections) and of
    list_papers.json: kept out of the pool weights so that leave-one-out stays honest."""
    from feeds.bundled import bundled_snapshot
    from feeds.list_papers import bundled_list_papers

    snap = bundled_snapshot()
    ids = {e.arxiv_id for e in snap.entries if e.arxiv_id}
    ids |= {p.arxiv_id for p in bundled_list_papers() if p.arxiv_id}
    titles = {normalise_title(e.title) for e in snap.entries}
    titles |= {normalise_title(p.title) for p in bundled_list_papers()}
    return frozenset(ids), frozenset(titles)


def is_list_paper(paper: Paper) -> bool:
    """Is this pool paper one of the list's?"""
    ids, titles = list_keys()
    return paper.arxiv_id in ids or normalise_title(paper.title) in titles


def cache_path(name: str) -> Path:
    """A file under bench/.cache (created)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    return CACHE / name
