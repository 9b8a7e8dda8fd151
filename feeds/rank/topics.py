"""Route a paper to the list's topics: calibrated probabilities, at most two topics, or "other".

Targets are the list's topical sections only (`ListSnapshot.topics`: the nine top-100 topics);
time and format buckets ("More Papers from 2016", New and Old papers, lectures, the appendix)
never are. The logit of topic t for paper x adds three kinds of evidence, all linear:

  z_t     = closeness_t(x) / LIST_TEMP            the list: trained at start from its entries
          + NB_WEIGHT * nb_t(x)                   the pool: word weights shipped in
                                                  feeds/data/routing_weights.json
          + PRIMARY_WEIGHT * [x's primary category is a field covering t among others: cs.CV]
          + DOMAIN_WEIGHT * [x's primary category covers t alone: cs.CL, cs.SD, eess.AS, cs.RO]
          + CROSS_WEIGHT * [a cross-listed category covers t]
  z_other = GATE_WEIGHT * gate(x) + NOML_WEIGHT * noml(x) - ML_WEIGHT * [x has an ML category]

closeness_t is the cosine of x's tf-idf vector (title words and bigrams, abstract, categories,
bib venue, author keys) to the centroid of section t's entries and keyword seeds; nb_t is the
length-normalised log-likelihood ratio of x's words under arXiv papers silver-labelled t
against all; gate is the same for papers with no ML category against ML-tagged ones (both
built by bench/build_routing_weights.py from the even half of the arXiv pool, list papers
left out). noml(x): the categories are known and none is ML or audio, and no title word is
strongly ML-specific ("...using GANs" filed in cs.MM). p = softmax(z / TEMPERATURE); the
constants were chosen on the tune quarter of the pool and the list (bench/relevance.py
measures on the other half).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from feeds.awesome_list import normalise_title
from feeds.bundled import bundled_bytes
from feeds.model import ListSnapshot, Paper, Scored, Section
from feeds.names import author_key
from feeds.rank.routing import SECTION_SEEDS
from feeds.rank.text import VENUE_NOISE, terms, unit, vector

OTHER = "other"
ML_TAGS = frozenset({"cs.LG", "cs.CV", "cs.CL", "cs.AI", "stat.ML", "cs.NE"})
AUDIO = frozenset({"cs.SD", "eess.AS"})
WEIGHTS_FILE = "routing_weights.json"
# A topic is keyed by a word of its section name, so renamed sections keep seeds and weights.
TOPIC_KEYS = ("understanding", "optimization", "generative", "convolutional", "detection",
              "video", "language", "speech", "reinforcement")
# Fields of arXiv categories: which topics a category's papers usually belong to.
CATEGORY_TOPICS: dict[str, tuple[str, ...]] = {
    "cs.CV": ("convolutional", "detection", "video", "understanding", "generative"),
    "eess.IV": ("convolutional", "detection", "video"),
    "cs.CL": ("language",),
    "cs.SD": ("speech",),
    "eess.AS": ("speech",),
    "cs.RO": ("reinforcement",),
    "cs.SY": ("reinforcement",),
    "cs.LG": ("optimization", "generative", "understanding", "reinforcement"),
    "stat.ML": ("optimization", "generative", "understanding"),
    "cs.NE": ("optimization", "generative", "understanding"),
    "cs.AI": ("reinforcement", "language"),
}
METHOD_CATEGORIES = frozenset({"cs.LG", "stat.ML", "cs.NE", "cs.AI"})  # methods, not a field
TITLE_WEIGHT = 3.0
ABSTRACT_TOKENS = 48.0
SEED_WEIGHT = 2.0
# A title word whose gate weight is at most this (>= e^3.5 = 33 times likelier in ML-tagged
# pool papers) marks an ML paper even without an ML category.
ML_TITLE_LLR = -3.5


@dataclass(frozen=True)
class TopicParams:
    """The router's constants, chosen on the pool's tune quarter and the list."""

    list_temp: float = 0.05
    nb_weight: float = 4.0
    gate_weight: float = 3.0
    primary_weight: float = 4.0
    domain_weight: float = 2.0
    cross_weight: float = 1.5
    noml_weight: float = 8.0
    ml_weight: float = 5.0
    temperature: float = 1.0
    fit_bar: float = 0.25  # a topic needs this probability (and to beat "other")
    second_bar: float = 0.25  # ...and a second topic this


PARAMS = TopicParams()
# The fit bar: digests and /papers show a topic's paper only when its fit (the topic's
# probability) reaches the topic's bar, however few papers that leaves. Routing's 0.25 names a
# paper's topics; a reader's list needs a surer fit where the topic's words are loose
# ("unsupervised", "adversarial": stereo depth, hashing and a C. elegans study once filled the
# Generative digest of a 50-paper week). Each bar is the lowest at which 85% of what passes is on
# topic (silver labels) on the arXiv pool's tune quarter; SHOW_BAR, where the labelled topics
# reach it together, is the bar of topics without a usable label. Measured on the pool's test
# half and a real 2017 feed, neither used to choose: bench/fit_bar.py.
SHOW_BAR = 0.45
SHOW_BARS: Mapping[str, float] = {"generative": 0.7, "language": 0.3, "speech": 0.25,
                                  "reinforcement": 0.35}


def show_bar(section: str) -> float:
    """The fit a paper needs to be shown under this topic (a section name)."""
    return SHOW_BARS.get(topic_key(section) or "", SHOW_BAR)


def shows(scored: Scored | None, section: str) -> bool:
    """Does the paper fit this topic well enough to be shown under it?"""
    fit = scored.fit(section) if scored is not None else 0.0
    return fit > 0 and fit >= show_bar(section)


def topic_key(name: str) -> str | None:
    """The key word of a section name ('Speech / Other Domain' -> 'speech'), if topical."""
    low = name.lower()
    return next((k for k in TOPIC_KEYS if k in low), None)


def topical_sections(snapshot: ListSnapshot) -> list[Section]:
    """The sections a paper may be routed to: the list's topics that have a topic key."""
    return [s for s in snapshot.topics() if topic_key(s.name)]


_GAN_NAME = re.compile(r"(?<=[A-Za-z0-9])GANs?\b")  # RSGAN, CycleGAN, tempoGAN: also "gan"


def text_bag(paper: Paper) -> dict[str, float]:
    """Title words (x3) and title bigrams, abstract words scaled to ABSTRACT_TOKENS in all.
    A method name ending in upper-case GAN ("CycleGAN") also counts as the word "gan"."""
    bag: dict[str, float] = {}
    get = bag.get
    title = terms(_GAN_NAME.sub(" gan", paper.title) if "GAN" in paper.title else paper.title)
    for word in title:
        bag[word] = get(word, 0.0) + TITLE_WEIGHT
    for a, b in zip(title, title[1:], strict=False):
        pair = f"{a}_{b}"
        bag[pair] = get(pair, 0.0) + TITLE_WEIGHT
    abstract = paper.abstract
    words = terms(_GAN_NAME.sub(" gan", abstract) if "GAN" in abstract else abstract)
    if words:
        each = ABSTRACT_TOKENS / max(len(words), ABSTRACT_TOKENS)
        for word in words:
            bag[word] = get(word, 0.0) + each
    return bag


def _letters(word: str) -> str:
    return "".join(ch for ch in word.lower() if "a" <= ch <= "z")


SKIPPED = "\0skipped"


def extra_bag(paper: Paper, surnames: frozenset[str] | None = None) -> dict[str, float]:
    """Categories, bib venue words and author keys (`surnames`: skip other authors early)."""
    bag: dict[str, float] = {}

    def add(term: str) -> None:
        bag[term] = bag.get(term, 0.0) + 1.0

    for category in paper.categories:
        add(f"cat:{category}")
    for word in terms(paper.journal_ref):
        if word not in VENUE_NOISE:
            add(word)
    for name in paper.authors:
        if surnames is not None and name.isascii() and "," not in name and \
                not any(_letters(w) in surnames for w in name.replace(".", " ").split()[-2:]):
            # no list author has this surname: the key would be an unknown term of weight 1
            # and idf 1, so only the vector's norm needs it
            add(SKIPPED)
            continue
        if key := author_key(name):
            add(f"au:{key}")
    return bag


def paper_bag(paper: Paper) -> dict[str, float]:
    """text_bag plus categories, bib venue and author keys (the list part's features)."""
    bag = dict(text_bag(paper))
    for term, weight in extra_bag(paper).items():
        bag[term] = bag.get(term, 0.0) + weight
    return bag


def primary_category(paper: Paper) -> str:
    """The paper's primary arXiv category ('' when unknown)."""
    return paper.primary_category or (paper.categories[0] if paper.categories else "")


@dataclass(frozen=True)
class PoolWeights:
    """Word weights learned from silver-labelled arXiv metadata (topic -> llr, and the gate)."""

    topics: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    gate: Mapping[str, float] = field(default_factory=dict)  # llr(no ML category : ML)
    meta: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: bytes) -> PoolWeights:
        """Read a routing_weights.json body."""
        data = json.loads(body)
        return cls(data["topics"], data["gate"], data.get("meta", {}))


@lru_cache(maxsize=1)
def shipped_weights() -> PoolWeights:
    """The pool weights shipped in feeds/data/routing_weights.json."""
    return PoolWeights.from_json(bundled_bytes(WEIGHTS_FILE))


def _invert(tables: Mapping[str, Mapping[str, float]]) -> dict[str, tuple[tuple[str, float], ...]]:
    """{label: {term: w}} -> {term: ((label, w), ...)}: a query touches only its own terms."""
    index: dict[str, list[tuple[str, float]]] = {}
    for label, table in tables.items():
        for term, w in table.items():
            index.setdefault(term, []).append((label, w))
    return {t: tuple(v) for t, v in index.items()}


@dataclass(frozen=True)
class Evidence:
    """What routing one paper sees before the constants are applied."""

    cosines: Mapping[str, float]
    nb: Mapping[str, float]
    gate: float
    prior_primary: Mapping[str, float]
    prior_cross: Mapping[str, float]
    prior_domain: Mapping[str, float]  # the primary category's field is this one topic
    noml: bool  # categories known, none of them ML or audio, title names no ML method
    ml: bool


IndexEntry = tuple[tuple[tuple[int, float], ...], tuple[tuple[int, float], ...], float | None]


@dataclass(frozen=True)
class TopicRouter:
    """The topical sections of one list version, their centroids and the pool weights."""

    sections: tuple[str, ...]
    keys: Mapping[str, str]  # section name -> topic key
    centroids: Mapping[str, Mapping[str, float]]
    idf: Mapping[str, float]
    params: TopicParams = PARAMS
    # term -> (centroid weights by section index, pool word weights by index, gate weight)
    index: Mapping[str, IndexEntry] = field(default_factory=dict)
    surnames: frozenset[str] | None = None  # last words of the list's author keys

    def evidence(self, paper: Paper) -> Evidence:
        """Everything routing needs, in one pass over the paper's terms."""
        text = text_bag(paper)
        bag = dict(text)
        extra = extra_bag(paper, self.surnames)
        skipped = extra.pop(SKIPPED, 0.0)
        for t, w in extra.items():
            bag[t] = bag.get(t, 0.0) + w
        idf = self.idf.get
        raw = {t: (1 + math.log(w) if w >= 1 else w) * idf(t, 1.0) for t, w in bag.items()}
        norm = math.sqrt(sum(x * x for x in raw.values()) + skipped) or 1.0
        n = len(self.sections)
        cos, nb = [0.0] * n, [0.0] * n
        gate, ml_title = 0.0, False
        lookup = self.index.get
        for t, x in raw.items():
            found = lookup(t)
            if found is None:
                continue
            centroid, words, g = found
            x /= norm
            for i, w in centroid:
                cos[i] += x * w
            tw = text.get(t)
            if tw:
                for i, w in words:
                    nb[i] += tw * w
                if g is not None:
                    gate += tw * g
                    ml_title = ml_title or (g <= ML_TITLE_LLR and tw >= TITLE_WEIGHT)
        total = sum(text.values()) or 1.0
        return Evidence(
            dict(zip(self.sections, cos, strict=True)),
            {name: v / total for name, v in zip(self.sections, nb, strict=True)},
            gate / total, *_category_priors(paper), *_ml_flags(paper, ml_title),
        )

    def logits(self, ev: Evidence, params: TopicParams | None = None) -> dict[str, float]:
        """The score of every topic and of "other" before the softmax."""
        p = params or self.params
        z = {}
        for name in self.sections:
            key = self.keys[name]
            z[name] = (ev.cosines.get(name, 0.0) / p.list_temp + p.nb_weight * ev.nb.get(name, 0)
                       + p.primary_weight * ev.prior_primary.get(key, 0.0)
                       + p.domain_weight * ev.prior_domain.get(key, 0.0)
                       + p.cross_weight * ev.prior_cross.get(key, 0.0))
        z[OTHER] = p.gate_weight * ev.gate + p.noml_weight * ev.noml - p.ml_weight * ev.ml
        return z

    def route(self, paper: Paper) -> list[tuple[str, float]]:
        """(topic, probability) for every topical section and "other", best first."""
        return softmax(self.logits(self.evidence(paper)), self.params.temperature)

    def topics(self, paper: Paper) -> list[tuple[str, float]]:
        """Up to two (topic, p) that reach the fit bar; [("other", p_other)] when none does."""
        return pick_topics(self.route(paper), self.params)


def _category_priors(paper: Paper) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Which topics the primary (a field, or one topic's field) and cross-lists cover."""
    first = primary_category(paper)
    prim: dict[str, float] = {}
    cross: dict[str, float] = {}
    domain: dict[str, float] = {}
    for category in dict.fromkeys(paper.categories):
        covered = CATEGORY_TOPICS.get(category, ())
        if category != first:
            target = cross
        elif len(covered) == 1:
            target = domain
        elif category in METHOD_CATEGORIES:
            continue  # a general-methods primary (cs.LG...) says nothing of the topic
        else:
            target = prim
        for key in covered:
            target[key] = 1.0
    return prim, cross, domain


def _ml_flags(paper: Paper, ml_title: bool) -> tuple[bool, bool]:
    cats = set(paper.categories)
    ml = bool(ML_TAGS & cats)
    noml = bool(cats) and not ((ML_TAGS | AUDIO) & cats) and not ml_title
    return noml, ml


def pick_topics(ranked: Sequence[tuple[str, float]], params: TopicParams = PARAMS
                ) -> list[tuple[str, float]]:
    """The fit-bar rule on a `route` result: the first topic needs p >= fit_bar (and to beat
    "other"), a second one p >= second_bar; no topic -> [("other", p_other)]."""
    chosen: list[tuple[str, float]] = []
    for topic, p in ranked:
        if topic == OTHER:
            break  # topics ranked below "other" never count
        if p >= (params.fit_bar if not chosen else params.second_bar):
            chosen.append((topic, p))
        if len(chosen) == 2 or p < params.fit_bar:
            break
    return chosen or [(OTHER, dict(ranked).get(OTHER, 0.0))]


def softmax(scores: Mapping[str, float], temperature: float = 1.0) -> list[tuple[str, float]]:
    """Probabilities from scores, best first."""
    top = max(scores.values())
    exp = {k: math.exp((v - top) / temperature) for k, v in scores.items()}
    total = sum(exp.values())
    return sorted(((k, v / total) for k, v in exp.items()), key=lambda kv: -kv[1])


def _seed_bag(section: Section, key: str) -> dict[str, float]:
    bag: dict[str, float] = {}
    for seed_key, words in SECTION_SEEDS:
        if seed_key == key:
            for word in terms(words):
                bag[word] = bag.get(word, 0.0) + 1.0
    for researcher in section.key_researchers:
        if k := author_key(researcher.name):
            bag[f"au:{k}"] = bag.get(f"au:{k}", 0.0) + 1.0
    return bag


def _bare(title: str, year: int | None = None) -> Paper:
    return Paper("", 1, title, "", (), (), published=f"{year}-01-01" if year else "")


def train_topic_router(
    snapshot: ListSnapshot, known_papers: Iterable[Paper] = (),
    params: TopicParams = PARAMS, pool: PoolWeights | None = None,
) -> TopicRouter:
    """Train on the snapshot's topical sections; `known_papers` are list papers with abstracts,
    categories and venues (feeds/list_papers); bucket entries are left out."""
    pool = pool if pool is not None else shipped_weights()
    by_title = {normalise_title(p.title): p for p in known_papers}
    sections = topical_sections(snapshot)
    docs = [(section.name, paper_bag(by_title.get(normalise_title(e.title))
                                     or _bare(e.title, e.year)))
            for section in sections for e in section.entries]
    frequency: dict[str, int] = {}
    for _, bag in docs:
        for term in bag:
            frequency[term] = frequency.get(term, 0) + 1
    idf = {t: math.log((len(docs) + 1) / (c + 1)) + 1 for t, c in frequency.items()}
    vectors = [(name, vector(bag, idf)) for name, bag in docs]
    keys = {s.name: topic_key(s.name) or "" for s in sections}
    centroids = {s.name: _centroid(s, keys[s.name], vectors, idf) for s in sections}
    names = tuple(s.name for s in sections)
    position = {name: i for i, name in enumerate(names)}
    by_centroid = _invert(centroids)
    by_words = _invert({s.name: pool.topics.get(keys[s.name], {}) for s in sections})
    index: dict[str, IndexEntry] = {
        t: (tuple((position[n], w) for n, w in by_centroid.get(t, ())),
            tuple((position[n], w) for n, w in by_words.get(t, ())),
            pool.gate.get(t))
        for t in set(by_centroid) | set(by_words) | set(pool.gate)
    }
    surnames = frozenset(t.split()[-1] for t in idf if t.startswith("au:"))
    return TopicRouter(names, keys, centroids, idf, params, index, surnames)


def _centroid(section: Section, key: str, vectors: Sequence[tuple[str, Mapping[str, float]]],
              idf: Mapping[str, float]) -> dict[str, float]:
    own = [doc for name, doc in vectors if name == section.name]
    mean: dict[str, float] = {}
    for doc in own:
        for t, x in doc.items():
            mean[t] = mean.get(t, 0.0) + x / len(own)
    for t, x in vector(_seed_bag(section, key), idf).items():
        mean[t] = mean.get(t, 0.0) + SEED_WEIGHT * x
    return unit(mean)
