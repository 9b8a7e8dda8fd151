"""Route a paper to the list's top-100 sections: tf-idf centroids, trained in milliseconds at start.

Each section's centroid averages its entries' vectors (title; abstract, categories and authors when
known; the bib venue) plus hand-written keyword seeds that spell out the section's name and its key
researchers. A paper's closeness to a section blends the cosine to its centroid with the cosine to
its single nearest entry (sections such as "More Papers from 2016" are topically mixed, so no
centroid stands for them). "other" is a fixed level that wins when no section is close. A
"More Papers from 2016" section takes only papers from that year, and for a paper of that year
every section's score adds the log of its share of that year's entries (against an even split):
the year section holds half of the list's 2016 papers, so it is as likely a home as any topic.
Measured by leave-one-out over the top-100 entries in bench/rank_quality.py.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from feeds.awesome_list import normalise_title
from feeds.model import ListSnapshot, Paper, Section
from feeds.names import author_key
from feeds.rank.text import Bag, Postings, Vector, paper_terms, postings, terms, unit, vector

OTHER = "other"

# Seeds spell out what each section's name means; keyed by a word of the name so that a renamed
# section keeps its seeds as long as the key word stays.
SECTION_SEEDS: tuple[tuple[str, str], ...] = (
    ("understanding", "understanding generalization generalize transfer transferable features "
     "representation visualizing visualization interpretability explain analysis adversarial "
     "examples robustness distillation knowledge invariance memorization domain adaptation"),
    ("optimization", "optimization optimizer training train gradient stochastic descent sgd adam "
     "momentum normalization batch dropout regularization initialization learning rate "
     "convergence hyperparameter activation overfitting weight decay"),
    ("generative", "unsupervised generative adversarial gan autoencoder variational density "
     "estimation sampling latent generation generate generating synthesis likelihood "
     "boltzmann representation learning"),
    ("convolutional", "convolutional convnet cnn architecture residual inception imagenet "
     "classification recognition layer depth deeper pooling efficient"),
    ("detection", "segmentation detection object semantic instance region proposal bounding "
     "box localization detector pixel scene"),
    ("video", "image video super resolution style captioning caption description visual action "
     "face photo colorization optical flow tracking retrieval"),
    ("language", "language natural processing translation machine sentence word text recurrent "
     "rnn lstm sequence parsing embedding vector semantic question answering attention memory "
     "dialogue character document encoder decoder"),
    ("speech", "speech recognition acoustic model audio speaker asr phoneme spoken voice medical "
     "biology sound"),
    ("reinforcement", "reinforcement policy reward agent robot robotic robotics control "
     "continuous q-learning actor critic atari game manipulation grasping navigation planning"),
)
# arXiv categories name their fields; they seed the sections that share the field.
CATEGORY_SEEDS: tuple[tuple[str, str], ...] = (
    ("cs.CV", "convolutional detection video understanding generative"),
    ("cs.CL", "language speech"),
    ("cs.SD", "speech"),
    ("eess.AS", "speech"),
    ("cs.RO", "reinforcement"),
    ("cs.SY", "reinforcement"),
    ("stat.ML", "optimization generative understanding"),
    ("cs.LG", "optimization generative understanding reinforcement"),
)
SEED_WEIGHT = 2.0  # the seed vector's weight against the (unit) average of the entries
OTHER_LEVEL = 0.08  # cosine at which "other" is as likely as a section
TEMPERATURE = 0.05  # softmax temperature on cosines
# Share of the nearest single entry in a section's closeness, and pseudo-entries (spread by
# section size) added to a year's counts for the year prior: chosen by leave-one-out over the
# top-100 entries (bench/rank_quality.py), where they give the best log-likelihood of the right
# section and top-1 0.77 (share 0 -> 0.75, 0.1 -> 0.76, 0.4 -> 0.75; smoothing 1 -> 0.76,
# 10 -> 0.75). Re-chosen without each held-out entry they give top-1 0.75.
NEAREST_SHARE = 0.3
PRIOR_SMOOTHING = 3.0




@dataclass(frozen=True)
class Router:
    """Section centroids and entries over tf-idf vectors; `route` turns them into probabilities."""

    centroids: Mapping[str, Vector]
    idf: Mapping[str, float]
    year_of: Mapping[str, int] = field(default_factory=dict)  # "More Papers from 2016" -> 2016
    entries: Postings = field(default_factory=Postings)  # every entry, labelled by its section
    year_prior: Mapping[int, Mapping[str, float]] = field(default_factory=dict)  # log ratios

    @property
    def sections(self) -> tuple[str, ...]:
        """The sections this router knows, in list order."""
        return tuple(self.centroids)

    def query(self, paper: Paper) -> dict[str, float]:
        """The paper's tf-idf vector in this router's term space."""
        return vector(paper_terms(paper), self.idf)

    def similarities(self, paper: Paper) -> dict[str, float]:
        """Cosine of the paper to the centroid of each section it may belong to."""
        return self.cosines(self.query(paper), _year(paper.published))

    def cosines(self, query: Vector, year: int | None) -> dict[str, float]:
        """Cosine of a query vector to each centroid open to papers of this year."""
        return {
            name: sum(x * centroid.get(t, 0.0) for t, x in query.items())
            for name, centroid in self.centroids.items()
            if name not in self.year_of or self.year_of[name] == year
        }

    def route(self, paper: Paper) -> list[tuple[str, float]]:
        """Return (section, probability) for every section and "other", best first."""
        return self.route_query(self.query(paper), _year(paper.published))

    def route_query(self, query: Vector, year: int | None) -> list[tuple[str, float]]:
        """`route` for a query vector already in this router's term space."""
        scores = section_scores(self.cosines(query, year), self.entries.best_per_label(query),
                                self.year_prior.get(year, {}) if year else {})
        return _softmax(scores)


def section_scores(
    cosines: Mapping[str, float], nearest: Mapping[str, float], prior: Mapping[str, float],
    share: float = NEAREST_SHARE,
) -> dict[str, float]:
    """Softmax logits: blended closeness over the temperature plus the year prior, and "other"."""
    scores = {
        name: ((1 - share) * cos + share * nearest.get(name, 0.0)) / TEMPERATURE
        + prior.get(name, 0.0)
        for name, cos in cosines.items()
    }
    scores[OTHER] = OTHER_LEVEL / TEMPERATURE
    return scores


def _year(published: str) -> int | None:
    return int(published[:4]) if published[:4].isdigit() else None


def _softmax(scores: Mapping[str, float]) -> list[tuple[str, float]]:
    top = max(scores.values())
    exp = {k: math.exp(v - top) for k, v in scores.items()}
    total = sum(exp.values())
    return sorted(((k, v / total) for k, v in exp.items()), key=lambda kv: -kv[1])


def train_router(snapshot: ListSnapshot, known: Iterable[Paper] = ()) -> Router:
    """Train on the snapshot's top-100 sections; `known` list papers add abstracts and venues."""
    by_title = {normalise_title(p.title): p for p in known}
    docs = [
        (section, paper_terms(by_title.get(normalise_title(e.title)) or _bare(e.title)))
        for section in snapshot.top100()
        for e in section.entries
    ]
    frequency = Counter(t for _, bag in docs for t in bag)
    idf = {t: math.log((len(docs) + 1) / (c + 1)) + 1 for t, c in frequency.items()}
    vectors = [(section, vector(bag, idf)) for section, bag in docs]
    centroids: dict[str, Vector] = {}
    years: dict[str, int] = {}
    for section in snapshot.top100():
        mean: Bag = defaultdict(float)
        own = [doc for s, doc in vectors if s is section]
        for doc in own:
            for t, x in doc.items():
                mean[t] += x / len(own)
        for t, x in vector(_seed_bag(section), idf).items():
            mean[t] += SEED_WEIGHT * x
        centroids[section.name] = unit(mean)
        if found := re.search(r"\b(?:19|20)\d\d\b", section.name):
            years[section.name] = int(found.group())
    entries = postings((s.name, doc) for s, doc in vectors)
    return Router(centroids, idf, years, entries, year_priors(snapshot.top100(), years))


def year_priors(
    sections: Iterable[Section], years: Mapping[str, int], smoothing: float = PRIOR_SMOOTHING
) -> dict[int, dict[str, float]]:
    """For each year with its own section: log of each open section's share of that year's
    entries, smoothed towards section sizes, against an even split."""
    sections = tuple(sections)
    priors = {}
    for year in set(years.values()):
        shown = [s for s in sections if years.get(s.name, year) == year]
        sizes = {s.name: len(s.entries) + 1 for s in shown}
        counts = {s.name: sum(e.year == year for e in s.entries) for s in shown}
        total = sum(counts.values()) + smoothing
        priors[year] = {
            name: math.log((n + smoothing * sizes[name] / sum(sizes.values())) / total * len(shown))
            for name, n in counts.items()
        }
    return priors


def _bare(title: str) -> Paper:
    return Paper("", 1, title, "", (), ())


def _seed_bag(section: Section) -> Bag:
    """Keyword, category and key-researcher seeds for a section, from its name and comment."""
    bag: Bag = defaultdict(float)
    low = section.name.lower()
    for key, words in SECTION_SEEDS:
        if key in low:
            for word in terms(words):
                bag[word] += 1.0
    for category, keys in CATEGORY_SEEDS:
        if any(key in low for key in keys.split()):
            bag[f"cat:{category}"] += 1.0
    for researcher in section.key_researchers:
        if key := author_key(researcher.name):
            bag[f"au:{key}"] += 1.0
    return bag


@lru_cache(maxsize=1)
def default_router() -> Router:
    """The router trained on the bundled README, bib and list-paper metadata."""
    from feeds.bundled import bundled_snapshot
    from feeds.list_papers import bundled_bib, bundled_list_papers, known_list_papers

    snapshot = bundled_snapshot()
    return train_router(snapshot, known_list_papers(snapshot, bundled_bib(), bundled_list_papers()))


def route(paper: Paper, router: Router | None = None) -> list[tuple[str, float]]:
    """Return (section, probability) pairs for `paper`, best first, "other" included."""
    return (router or default_router()).route(paper)
