"""Text as vectors: content words, weighted paper terms, tf-idf and term postings (pure)."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from feeds.awesome_list import normalise_title
from feeds.model import Paper
from feeds.names import author_key


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP = _words(
    "a an and are as at be by can for from has have in into is it its of on or our over that the "
    "their these this to we which with via using use used based new towards toward show paper "
    "propose proposed approach method methods result results also both such than then more most "
    "while when where how what not all each other only two one between through under without "
    "well may however thus here first many much very large small"
)
VENUE_NOISE = _words(
    "proceedings ieee conference international advance journal transaction arxiv preprint "
    "annual meeting association workshop springer acm"
)
TITLE_WEIGHT = 3.0
ABSTRACT_TOKENS = 12.0  # an abstract counts as this many title words in total
AUTHOR_WEIGHT = 1.0


_WORD = re.compile(r"[a-z][a-z0-9]*")
_FOLDED: dict[str, str] = {}


def terms(text: str) -> list[str]:
    """Lower-case content words of `text`, plurals folded ('Networks' -> 'network').

    ASCII text takes a fast path (lower-casing splits it as normalise_title would); the
    plural folding of each word is remembered.
    """
    folded_text = text.lower() if text.isascii() else normalise_title(text)
    out = []
    for word in _WORD.findall(folded_text):
        if word in STOP or len(word) < 2:
            continue
        folded = _FOLDED.get(word)
        if folded is None:
            folded = _FOLDED[word] = singular(word)
        out.append(folded)
    return out


def singular(word: str) -> str:
    """Fold an English plural as the router does ('networks' -> 'network')."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


Bag = defaultdict[str, float]


def paper_terms(paper: Paper) -> Bag:
    """Weighted terms of a paper: title, abstract (scaled), categories, venue and authors."""
    bag: Bag = defaultdict(float)
    for word in terms(paper.title):
        bag[word] += TITLE_WEIGHT
    words = terms(paper.abstract)
    for word in words:
        bag[word] += ABSTRACT_TOKENS / max(len(words), ABSTRACT_TOKENS)
    for category in paper.categories:
        bag[f"cat:{category}"] += 1.0
    for word in terms(paper.journal_ref):
        if word not in VENUE_NOISE:
            bag[word] += 1.0
    for name in paper.authors:
        if key := author_key(name):
            bag[f"au:{key}"] += AUTHOR_WEIGHT
    return bag


Vector = Mapping[str, float]


def vector(bag: Mapping[str, float], idf: Mapping[str, float]) -> dict[str, float]:
    """Sublinear tf x idf, unit length."""
    raw = {t: (1 + math.log(w) if w >= 1 else w) * idf.get(t, 1.0) for t, w in bag.items()}
    return unit(raw)


def unit(raw: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(x * x for x in raw.values())) or 1.0
    return {t: x / norm for t, x in raw.items() if x}


@dataclass(frozen=True)
class Postings:
    """Unit vectors of single documents, indexed by term, each with a label."""

    labels: tuple[str, ...] = ()
    index: Mapping[str, tuple[tuple[int, float], ...]] = field(default_factory=dict)

    def cosines(self, query: Vector) -> dict[int, float]:
        """Cosine of the query to every document sharing a term with it."""
        scores: dict[int, float] = {}
        for term, weight in query.items():
            for doc, value in self.index.get(term, ()):
                scores[doc] = scores.get(doc, 0.0) + weight * value
        return scores

    def best_per_label(self, query: Vector) -> dict[str, float]:
        """The highest cosine among each label's documents (labels with no shared term: absent)."""
        best: dict[str, float] = {}
        for doc, cosine in self.cosines(query).items():
            label = self.labels[doc]
            best[label] = max(cosine, best.get(label, 0.0))
        return best


def postings(docs: Iterable[tuple[str, Vector]]) -> Postings:
    """Index labelled unit vectors by term."""
    labels: list[str] = []
    index: dict[str, list[tuple[int, float]]] = {}
    for label, doc in docs:
        for term, value in doc.items():
            index.setdefault(term, []).append((len(labels), value))
        labels.append(label)
    return Postings(tuple(labels), {t: tuple(v) for t, v in index.items()})
