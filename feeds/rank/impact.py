"""Foresee how much a paper will matter: day-0 evidence first, then its citations (pure).

Day 0 knows only the record: who wrote it (their earlier citations, papers on the list, papers
seen before), what it says (hand-written word lists: deep-learning words, state-of-the-art
claims, benchmarks, a new dataset or tool), its shape (code released, a named method, lengths),
the team (industrial and well-known academic labs in the affiliations) and how close it is to the
list's text. A linear model turns these into `day0`, in units of the standing (z) of a paper's
later citations within its venue-year; its weights were fitted by bench/fit_impact.py on
NeurIPS/ICML/CVPR/AISTATS 2015-16 and ICCV 2015 papers only and ship in
feeds/data/impact_weights.json (numbers only; the data they were fitted on never ships).

Citations then take over, on one scale: S, the log2 of a paper's (expected) citations against
the list's bar for its age (60 in the first year, 200 in the second, ... 800).

    C0 = A + B * day0                            expected S, fitted on the same venue papers
    six months or older, count c known:          the list's criteria decide: S = log2((c + q + 1)
                                                 / (bar + 1)), q in [0, 0.9] from day0 only
                                                 breaks ties between equal counts
    younger, count c known:                      velocity against the one-year bar,
        S = w * log2((12 c / m + 1) / 61) + (1 - w) * C0,   w = 1 - m0/(m + m0) * k/(k + c)
    no count:                                    S = C0

and points = 3 * S + 4 when the count meets the bar (the list's own rule, at six months or more).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from feeds.bundled import bundled_bytes
from feeds.model import AuthorImpact, CitationCount, Paper, Reason, ReasonKey
from feeds.names import author_key, first_name, full_name_key, short_name
from feeds.rank.authors import AuthorHit

WEIGHTS_FILE = "impact_weights.json"
PER_DOUBLING = 3.0  # points per doubling of S (the ranker's scale)
BAR_BONUS = 4.0  # points for meeting the list's bar for the paper's age
NEW_MONTHS = 6  # younger papers are judged by velocity, older ones by their count
YEAR_BAR = 60  # the list's bar in a paper's first year
CITATION_BARS: tuple[tuple[float, int], ...] = ((1.5, 60), (2.5, 200), (3.5, 400), (4.5, 600))
OLDEST_BAR = 800
TIE_SHARE = 0.9  # at most this fraction of one citation: day-0 evidence only breaks ties


# ---------------------------------------------------------------- hand-written word lists

def _words(words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(w.strip() for w in words.split("|")) + r")", re.I)


THEORY = _words(r"theorem|lemma|we prove|proof|upper bound|lower bound|regret|minimax|"
                r"sample complexity|convergence rate|rate of convergence|convex|non-?convex|"
                r"PAC\b|provabl|guarantee|polynomial[- ]time|NP-hard|asymptotic|"
                r"consisten(?:t|cy)\b|submodular|spectral|kernel|bandit|matrix completion|"
                r"low-rank|sparse recovery")
DEEP = _words(r"deep|neural net|convolutional|\bCNNs?\b|recurrent|\bRNNs?\b|LSTM|end-to-end|"
              r"attention|autoencoder|adversarial|\bGANs?\b|embedding|layers?\b|backprop")
CLAIM = _words(r"state[- ]of[- ]the[- ]art|outperform|surpass|significantly (?:better|improv)|"
               r"large margin|new record|human[- ]level|best (?:published|reported)|"
               r"by a (?:large|wide|significant) margin")
BENCH = _words(r"ImageNet|COCO|PASCAL|VOC\b|Cityscapes|KITTI|CIFAR|MNIST|SVHN|Atari|"
               r"Penn Treebank|WMT|SQuAD|Switchboard|LibriSpeech|MuJoCo|benchmarks?\b")
RESOURCE = _words(r"(?:new|large[- ]scale|novel) (?:dataset|benchmark|corpus)|we (?:release|"
                  r"introduce a (?:new )?(?:dataset|benchmark))|toolkit|library|open[- ]source|"
                  r"publicly available|framework for")
SIMPLE = _words(r"simple|simply|surprising|easy to implement|straightforward|general[- ]purpose|"
                r"generic|efficient|real[- ]time|fast(?:er)?\b")
CODE = re.compile(r"github\.com|gitlab\.com|bitbucket\.org|code (?:is|will be|are)? ?"
                  r"(?:publicly |made |freely )?(?:available|released|online)|"
                  r"source code|our code|open[- ]sourced?|implementation is available|"
                  r"https?://\S+", re.I)
NAMED_METHOD = re.compile(r"^[A-Z0-9][\w\-+]*(?:[A-Z0-9][\w\-+]*)?\s*:")  # "SSD: Single Shot..."
# Large industrial labs and well-known ML/CV groups (as of 2016), in affiliations or e-mail
# domains; one fitted weight per tier.
INDUSTRY = _words(r"google|deepmind|facebook|\bfb\.com|microsoft|\bmsr\b|openai|baidu|nvidia|"
                  r"\bibm\b|amazon|apple|intel\b|adobe|uber|salesforce|metamind|twitter|tencent|"
                  r"alibaba|sensetime|yahoo|disney research|\bnec\b|xerox|toyota|megvii|"
                  r"face\+\+")
ACADEMIC = _words(r"stanford|berkeley|\bmit\b|mit\.edu|massachusetts institute|carnegie|cmu\b|"
                  r"toronto|montr[eé]al|mila\b|\bnyu\b|new york university|oxford|cambridge|"
                  r"\beth\b|ethz|\bucl\b|university college london|princeton|harvard|"
                  r"university of washington|washington\.edu|cornell|caltech|cuhk|"
                  r"chinese university of hong kong|tsinghua|max planck|mpi-|inria|tum\.de|"
                  r"technical university of munich|georgia tech|gatech|uiuc|illinois|ucla|"
                  r"ucsd|michigan|umich|columbia|edinburgh|epfl|usc\.edu|southern california")

LAB_NAMES = {"deepmind": "DeepMind", "fb.com": "Facebook", "msr": "Microsoft Research",
             "openai": "OpenAI", "nvidia": "NVIDIA", "ibm": "IBM", "metamind": "MetaMind",
             "sensetime": "SenseTime", "nec": "NEC", "face++": "Face++"}


def lab_name(affiliations: Sequence[str]) -> str:
    """The first large industrial lab named in the affiliations ('' when none)."""
    found = INDUSTRY.search(" ; ".join(a for a in affiliations if a))
    if not found:
        return ""
    word = found.group().strip().lower()
    return LAB_NAMES.get(word, word.title())


FEATURES = (
    "au_cites_max", "au_cites_sum", "au_h_max", "au_papers_max", "au_papers_sum",
    "au_cites_per_paper", "au_known_share", "au_any_known", "au_last_cites", "au_first_cites",
    "au_arxiv_max", "au_arxiv_sum", "list_authors", "list_max", "key_researcher", "list_sim",
    "list_nearest", "txt_theory", "txt_deep", "txt_claim", "txt_bench", "txt_resource",
    "txt_simple", "code", "title_named", "title_words", "abstract_words", "n_authors",
    "aff_industry", "aff_academic",
)


# ---------------------------------------------------------------- the model


@dataclass(frozen=True)
class ImpactModel:
    """The fitted numbers: day-0 weights (raw feature units), calibration, blend, venue tiers."""

    bias: float
    weights: Mapping[str, float]
    means: Mapping[str, float]  # of the fit data, to say which evidence stands out
    calib_a: float  # C0 = calib_a + calib_b * day0
    calib_b: float
    blend_m0: float  # months
    blend_k: float  # citations
    tiers: Mapping[str, float]  # day-0 units added for a venue status ("oral", "accepted", ...)
    meta: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: bytes) -> ImpactModel:
        """Read an impact_weights.json body."""
        data = json.loads(body)
        unknown = set(data["weights"]) - set(FEATURES)
        if unknown:
            raise ValueError(f"impact weights name unknown features: {sorted(unknown)}")
        return cls(data["bias"], data["weights"], data["means"], data["calib_a"],
                   data["calib_b"], data["blend_m0"], data["blend_k"], data["tiers"],
                   data.get("meta", {}))


@lru_cache(maxsize=1)
def shipped_model() -> ImpactModel:
    """The model shipped in feeds/data/impact_weights.json."""
    return ImpactModel.from_json(bundled_bytes(WEIGHTS_FILE))


# ---------------------------------------------------------------- inputs


class Activity(Protocol):
    """How many papers of an author the bot saw before a day (feeds.rank.authors)."""

    def papers_before(self, name: str, day: str) -> int: ...


class ImpactLookup(Protocol):
    """Finds an author's earlier record by name (AuthorImpacts, or a bench's leave-out view)."""

    def lookup(self, name: str) -> AuthorImpact | None: ...


class AuthorImpacts:
    """Author records by full-name key ('kaiming he'); an initials-only name ('K. He') finds the
    record when exactly one known author has that initial and surname."""

    def __init__(self, records: Iterable[AuthorImpact] = ()):
        self.by_full: dict[str, AuthorImpact] = {}
        by_initial: dict[str, set[str]] = {}
        for record in records:
            key = full_name_key(record.name)
            if not key:
                continue
            self.by_full[key] = record
            by_initial.setdefault(author_key(record.name), set()).add(key)
        self.by_initial = {k: next(iter(v)) for k, v in by_initial.items() if len(v) == 1}

    def __len__(self) -> int:
        return len(self.by_full)

    def lookup(self, name: str) -> AuthorImpact | None:
        """The author's record, or None when unknown."""
        found = self.by_full.get(full_name_key(name))
        if found is not None or len(first_name(name)) > 1:
            return found
        key = self.by_initial.get(author_key(name))
        return self.by_full[key] if key else None


NO_IMPACTS = AuthorImpacts()


@dataclass(frozen=True)
class ListView:
    """What the list says about a paper: its authors' hits and its closeness to the list."""

    hits: tuple[AuthorHit | None, ...]  # per author
    similarity: float  # cosine to the nearest section
    nearest: float  # cosine to the nearest list paper


# ---------------------------------------------------------------- features


def author_features(authors: Sequence[str], impacts: ImpactLookup) -> dict[str, float]:
    """The authors' earlier record, on log scales (an unknown count counts 0)."""
    found = [impacts.lookup(name) for name in authors]
    known = [f for f in found if f is not None]
    cites = [f.citations or 0 for f in known]
    papers = [f.papers or 0 for f in known]
    first, last = (found[0], found[-1]) if found else (None, None)
    return {
        "au_cites_max": math.log1p(max(cites, default=0)),
        "au_cites_sum": math.log1p(sum(cites)),
        "au_h_max": float(max((f.h_index or 0 for f in known), default=0)),
        "au_papers_max": math.log1p(max(papers, default=0)),
        "au_papers_sum": math.log1p(sum(papers)),
        "au_cites_per_paper": math.log1p(sum(cites) / max(sum(papers), 1)),
        "au_known_share": len(known) / max(len(authors), 1),
        "au_any_known": float(bool(known)),
        "au_last_cites": math.log1p(last.citations or 0) if last else 0.0,
        "au_first_cites": math.log1p(first.citations or 0) if first else 0.0,
    }


def activity_features(paper: Paper, activity: Activity | None) -> dict[str, float]:
    """The authors' papers seen before this one (log of the most active and of the sum)."""
    day = paper.published[:10]
    counts = [activity.papers_before(a, day) for a in paper.authors] if activity and day else []
    return {"au_arxiv_max": math.log1p(max(counts, default=0)),
            "au_arxiv_sum": math.log1p(sum(counts))}


def list_features(view: ListView) -> dict[str, float]:
    """Authors of list papers (halved for initials-only matches) and closeness to the list."""
    listed = [h for h in view.hits if h and h.papers]
    return {
        "list_authors": sum(math.log1p(len(h.papers)) * (1 if h.strong else 0.5) for h in listed),
        "list_max": max((math.log1p(len(h.papers)) for h in listed), default=0.0),
        "key_researcher": float(sum(1 for h in view.hits if h and h.key_researcher)),
        "list_sim": view.similarity,
        "list_nearest": view.nearest,
    }


def text_features(paper: Paper) -> dict[str, float]:
    """Word-list counts (capped at 5, log) and the record's shape."""
    text = f"{paper.title}. {paper.abstract}"

    def hits(pattern: re.Pattern[str]) -> float:
        return math.log1p(min(len(pattern.findall(text)), 5))

    return {
        "txt_theory": hits(THEORY),
        "txt_deep": hits(DEEP),
        "txt_claim": hits(CLAIM),
        "txt_bench": hits(BENCH),
        "txt_resource": hits(RESOURCE),
        "txt_simple": hits(SIMPLE),
        "code": float(has_code(paper)),
        "title_named": float(bool(NAMED_METHOD.match(paper.title))),
        "title_words": math.log1p(len(paper.title.split())),
        "abstract_words": math.log1p(len(paper.abstract.split())),
    }


def has_code(paper: Paper) -> bool:
    """Does the abstract or the comments point to code?"""
    return bool(CODE.search(paper.abstract) or CODE.search(paper.comments))


def team_features(paper: Paper) -> dict[str, float]:
    """Team size and whether a large industrial lab or a well-known academic group is in it."""
    affiliations = " ; ".join(a for a in paper.affiliations if a)
    return {
        "n_authors": math.log(max(len(paper.authors), 1)),
        "aff_industry": float(bool(INDUSTRY.search(affiliations))),
        "aff_academic": float(bool(ACADEMIC.search(affiliations))),
    }


def day0_features(paper: Paper, view: ListView, impacts: ImpactLookup = NO_IMPACTS,
                  activity: Activity | None = None) -> dict[str, float]:
    """Every day-0 feature of one paper, by name (FEATURES)."""
    return {
        **author_features(paper.authors, impacts),
        **activity_features(paper, activity),
        **list_features(view),
        **text_features(paper),
        **team_features(paper),
    }


def day0_score(features: Mapping[str, float], model: ImpactModel) -> float:
    """The linear day-0 score (within-venue-year z of later log citations)."""
    return model.bias + sum(w * features.get(name, 0.0) for name, w in model.weights.items())


# ---------------------------------------------------------------- citations take over


def citation_bar(months: float) -> int:
    """The list's bar for a paper of this age (the first year's bar while it is new)."""
    years = (12.0 if months < NEW_MONTHS else months) / 12
    return next((bar for limit, bar in CITATION_BARS if years < limit), OLDEST_BAR)


@dataclass(frozen=True)
class Standing:
    """Where a paper stands against the list's bar, in log2 units, and from what evidence."""

    value: float  # S
    expected: float  # C0, what day-0 evidence alone says
    share: float  # how much the citation count counted (0: none known)
    meets_bar: bool  # six months or older and at or over the list's bar

    @property
    def points(self) -> float:
        """Ranker points: PER_DOUBLING per doubling, BAR_BONUS for meeting the bar."""
        return PER_DOUBLING * self.value + BAR_BONUS * self.meets_bar


def standing(day0: float, citations: int | None, months: float | None,
             model: ImpactModel) -> Standing:
    """S from the day-0 score and, when known, the citation count at this age."""
    expected = model.calib_a + model.calib_b * day0
    if citations is None or months is None:
        return Standing(expected, expected, 0.0, False)
    if months >= NEW_MONTHS:
        bar = citation_bar(months)
        tie = TIE_SHARE / (1 + math.exp(-expected))  # < 1 citation: never beats a real one
        value = math.log2((citations + tie + 1) / (bar + 1))
        return Standing(value, expected, 1.0, citations >= bar)
    share = 1 - model.blend_m0 / (months + model.blend_m0) * model.blend_k / (
        model.blend_k + citations)
    velocity = math.log2((12 * citations / max(months, 1.0) + 1) / (YEAR_BAR + 1))
    return Standing(share * velocity + (1 - share) * expected, expected, share, False)


def tier_bonus(status: str, model: ImpactModel) -> float:
    """Day-0 units for how far the paper got at a venue ('' for none)."""
    return model.tiers.get(status, 0.0)


def expected_citations(expected: float) -> int:
    """A day-0 standing as the citations it foretells at the one-year mark."""
    return max(0, round(2 ** expected * (YEAR_BAR + 1) - 1))


# ---------------------------------------------------------------- reasons

AUTHOR_REASON = 0.1  # day-0 units an evidence group must add before it is named
SHOWN_CITATIONS = 1000  # authors' earlier citations worth naming without a weight


def contributions(features: Mapping[str, float], model: ImpactModel) -> dict[str, float]:
    """How much each feature moved the day-0 score from the fit data's average paper."""
    return {name: w * (features.get(name, 0.0) - model.means.get(name, 0.0))
            for name, w in model.weights.items()}


def day0_reasons(paper: Paper, features: Mapping[str, float], view: ListView,
                 impacts: ImpactLookup, model: ImpactModel) -> list[tuple[float, Reason]]:
    """The day-0 evidence worth saying, with its weight in day-0 units (strongest first)."""
    moved = contributions(features, model)
    found: list[tuple[float, Reason]] = []
    record = [(name, impacts.lookup(name)) for name in paper.authors]
    known = [(name, r) for name, r in record if r is not None and r.citations]
    prior = sum(v for k, v in moved.items() if k.startswith("au_") and "arxiv" not in k)
    if known and (prior >= AUTHOR_REASON or sum(r.citations or 0 for _, r in known)
                  >= SHOWN_CITATIONS):
        name, best = max(known, key=lambda item: item[1].citations or 0)
        total = sum((r.citations or 0) for _, r in {r.name: (n, r) for n, r in known}.values())
        found.append((max(prior, AUTHOR_REASON), Reason(ReasonKey.AUTHORS_RECORD, {
            "citations": total, "h_index": max(r.h_index or 0 for _, r in known),
            "name": short_name(name), "authors": len(known)})))
    lab = lab_name(paper.affiliations)
    if lab and moved.get("aff_industry", 0.0) > 0:
        found.append((moved["aff_industry"], Reason(ReasonKey.INDUSTRY_LAB, {"lab": lab})))
    if features.get("code") and moved.get("code", 0.0) > 0:
        found.append((moved["code"], Reason(ReasonKey.CODE_RELEASED)))
    benchmarks = sorted({m.group().strip() for m in BENCH.finditer(paper.abstract)
                         if not m.group().lower().startswith("benchmark")})
    if benchmarks and moved.get("txt_bench", 0.0) >= AUTHOR_REASON:
        found.append((moved["txt_bench"], Reason(ReasonKey.BENCHMARKS,
                                                 {"names": ", ".join(benchmarks[:3])})))
    return sorted(found, key=lambda item: -item[0])


def standing_reason(result: Standing, citations: int | None, months: float | None) -> Reason:
    """Why the paper stands where it does: its count against the bar, or the day-0 estimate."""
    if citations is not None and months is not None and result.share:
        values = {"citations": citations, "months": round(months, 2)}
        if months < NEW_MONTHS:
            return Reason(ReasonKey.CITATIONS_NEW, {**values, "bar": YEAR_BAR})
        key = ReasonKey.CITATIONS_ABOVE if result.meets_bar else ReasonKey.CITATIONS_BELOW
        return Reason(key, {**values, "bar": citation_bar(months)})
    return Reason(ReasonKey.DAY0_ESTIMATE, {"expected": expected_citations(result.expected),
                                            "bar": YEAR_BAR})


def count_of(count: CitationCount | None) -> int | None:
    """The citation count when the service knows it."""
    return count.citations if count is not None else None
