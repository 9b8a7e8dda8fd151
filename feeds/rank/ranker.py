"""The filter: score how well each candidate paper fits the list, route it, and say why.

Pure: papers + `RankInputs` (what the list is judged by, built once per list version in
feeds/rank/inputs.py) (+ citation counts when known, + the authors' activity in the papers the
bot has seen) in, `Scored` out. Signals (feeds/rank/signals.py) add points on one scale;
`Weights` says how many and why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from feeds.awesome_list import normalise_title
from feeds.listed import ListedIndex
from feeds.model import CitationCount, ListSnapshot, Paper, Reason, ReasonKey, Scored
from feeds.rank.authors import AuthorActivity, AuthorIndex
from feeds.rank.impact import (
    NO_IMPACTS,
    PER_DOUBLING,
    ImpactLookup,
    ImpactModel,
    ListView,
    Standing,
    day0_features,
    day0_reasons,
    day0_score,
    shipped_model,
    standing,
    standing_reason,
    tier_bonus,
)
from feeds.rank.routing import Router
from feeds.rank.signals import (
    CitationWeights,
    Signal,
    SignalKind,
    VenueStatus,
    activity_signals,
    age_in_months,
    author_hits,
    author_signals,
    citation_signal,
    revised_signal,
    venue_hint,
    venue_signal,
    venue_tier,
)
from feeds.rank.text import Postings, Vector, paper_terms, postings, vector
from feeds.rank.topics import OTHER, TopicRouter, pick_topics


@dataclass(frozen=True)
class Weights:
    """Points per unit of each signal; the defaults are the ones the benchmark supports.

    bench/rank_quality.py: random AP is 0.001 and tf-idf + LinearSVC reaches 0.02. Authors alone
    reach AP ~0.07, the key-researcher bonus lifts that to ~0.08, closeness to the sections and
    to the nearest list paper lift the whole to ~0.12; venue hints do not change AP (the famous
    co-authors' other papers name the same venues), so they stay small, as tie-breakers and
    explanations; a v2+ revision is measured but not used. With the authors' activity (the
    papers seen before this one) recall@100 rises from 0.43 to 0.56 at about the same AP:
    authors with many papers and none on the list count against a paper, the list author whose
    papers make the list most often counts for it. The six weights that `GRID` in the bench
    names were chosen by `python bench/rank_quality.py --tune` (coordinate ascent on AP +
    recall@100 / 2 over 20 folds of reshuffles other than the reported one); nested CV, which
    re-chooses them without the test fold, gives 0.09 AP and 0.50 recall@100 (the old signals:
    0.12 and 0.37). Citations cannot be measured on the pool: their weights follow the list's
    criteria, so that meeting the bar for the paper's age (+4, +3 per doubling) outranks a
    famous team alone (two well-known co-authors give ~+3 to +6) and falling far below it sinks
    a paper (-3 per halving, down to -9).
    """

    # per list author: log(1 + their list papers), halved when only the initial matches
    authors: float = 1.0
    key_researcher: float = 1.0  # per key researcher of a section among the authors
    venue_accepted: float = 0.5
    venue_workshop: float = 0.25
    venue_submitted: float = 0.125
    similarity: float = 10.0  # per unit of cosine to the nearest section (cosines ~0.05-0.4)
    nearest: float = 5.0  # per unit of cosine to the nearest single list paper (~0.1-0.7)
    revised: float = 0.0  # a v2+ paper (often camera-ready): measured in the bench, not used
    # only with `activity`: per log(1 + earlier papers) of each author unknown to the list
    unlisted_activity: float = 1.0
    list_share: float = 2.0  # per unit of the best list author's signals.list_share
    citation_bar: float = 4.0  # meeting the list's bar for the paper's age
    citation_per_doubling: float = 3.0  # per doubling above (or halving below) the bar
    citation_new: float = 1.0  # per log(1 + citations per month) while under 6 months

    @classmethod
    def unit(cls) -> Weights:
        """Every weight 1: the bench reads raw signal values this way."""
        return cls(**{name: 1.0 for name in cls.__dataclass_fields__})


SIMILARITY_REASON = 0.45  # name the nearest list paper when its cosine reaches this
DAY0_REASON_WEIGHT = 1.0  # where the day-0 estimate sits among the reasons (in points)


@dataclass(frozen=True)
class ListText:
    """Vectors of the list's papers, indexed by term, to find a candidate's nearest list paper."""

    entries: Postings  # labelled by title
    idf: Mapping[str, float]

    def nearest(self, paper: Paper) -> tuple[str, float]:
        """The most similar list paper's title and its cosine ('' and 0 when none)."""
        return self.nearest_to(vector(paper_terms(paper), self.idf))

    def nearest_to(self, query: Vector) -> tuple[str, float]:
        """`nearest` for a vector already in this term space."""
        scores = self.entries.cosines(query)
        if not scores:
            return "", 0.0
        best = max(scores, key=scores.__getitem__)
        return self.entries.labels[best], scores[best]


def list_text(snapshot: ListSnapshot, known: Iterable[Paper], idf: Mapping[str, float]) -> ListText:
    """Index the snapshot's entries (with known abstracts) for nearest-paper lookups."""
    by_title = {normalise_title(p.title): p for p in known}
    docs = (
        (entry.title, vector(paper_terms(
            by_title.get(normalise_title(entry.title)) or Paper("", 1, entry.title, "", (), ())),
            idf))
        for entry in snapshot.entries
    )
    return ListText(postings(docs), idf)


def rank_candidates(
    papers: Sequence[Paper],
    inputs: RankInputs,
    citations: Mapping[str, CitationCount] | None = None,
    now: date | None = None,
    weights: Weights = Weights(),
    activity: AuthorActivity | None = None,
    impacts: ImpactLookup = NO_IMPACTS,
) -> list[Scored]:
    """Score and route every paper; best first. `activity` (built from the stored papers)
    adds the authors' records; `impacts` their earlier citations."""
    context = RankContext(inputs.router, inputs.text, inputs.index, activity, weights, impacts)
    today = now or datetime.now(UTC).date()
    counts = citations or {}
    scored = []
    for paper in papers:
        query = inputs.router.query(paper)
        probs = inputs.topics.route(paper)
        count = counts.get(paper.arxiv_id)
        signals, view = context.signals(paper, query, count, today)
        result, explained = context.impact(paper, view, count, today)
        signals += explained
        if listed := inputs.listed.find(paper):
            signals.append(Signal(SignalKind.LISTED, 0.0, Reason(
                ReasonKey.LISTED, {"section": listed.entry.section})))
        scored.append(_scored(paper, probs, pick_topics(probs, inputs.topics.params), signals,
                              result.value))
    return sorted(scored, key=lambda s: (-s.score, s.paper_id))


@dataclass(frozen=True)
class RankInputs:
    """What candidates are judged against, built once per list version (feeds/rank/inputs.py)."""

    snapshot: ListSnapshot
    index: AuthorIndex
    known: tuple[Paper, ...]  # one Paper per list entry, with whatever metadata is known
    router: Router  # closeness to the list's sections (a similarity signal)
    text: ListText
    listed: ListedIndex  # the list's entries by arXiv id, DOI, title + first author + year
    topics: TopicRouter  # which topics a paper belongs to (feeds/rank/topics.py)


@dataclass(frozen=True)
class RankContext:
    """Everything a paper is judged against, with the weights to judge by."""

    router: Router
    text: ListText
    index: AuthorIndex
    activity: AuthorActivity | None
    weights: Weights
    impacts: ImpactLookup = NO_IMPACTS
    model: ImpactModel = field(default_factory=shipped_model)

    def signals(self, paper: Paper, query: Vector, citation: CitationCount | None,
                now: date) -> tuple[list[Signal], ListView]:
        """Every signal that fires for one paper, with points already weighted, and what the
        list says about the paper (for the impact model)."""
        weights = self.weights
        venue = {VenueStatus.ACCEPTED: weights.venue_accepted,
                 VenueStatus.WORKSHOP: weights.venue_workshop,
                 VenueStatus.SUBMITTED: weights.venue_submitted}
        cite = CitationWeights(weights.citation_bar, weights.citation_per_doubling,
                               weights.citation_new)
        hits = author_hits(paper, self.index)
        best = max(self.router.cosines(query, _year(paper)).values(), default=0.0)
        title, cosine = self.text.nearest_to(query)
        close = cosine >= SIMILARITY_REASON
        similar = Reason(ReasonKey.SIMILAR, {"title": title}) if close else None
        signals = [
            *author_signals(hits, weights.authors, weights.key_researcher),
            venue_signal(paper, venue),
            Signal(SignalKind.SIMILARITY, weights.similarity * best, similar),
            Signal(SignalKind.NEAREST, weights.nearest * cosine),
            revised_signal(paper, weights.revised),
            citation_signal(paper, citation, now, cite),
        ]
        if self.activity is not None:
            signals += activity_signals(paper, hits, self.activity, weights.unlisted_activity,
                                        weights.list_share)
        return [s for s in signals if s is not None], ListView(hits, best, cosine)

    def impact(self, paper: Paper, view: ListView, citation: CitationCount | None,
               now: date) -> tuple[Standing, list[Signal]]:
        """Where the paper stands against the list's bar (feeds/rank/impact.py), with its
        strongest day-0 evidence as explanations (no points: the score does not count them)."""
        features = day0_features(paper, view, self.impacts, self.activity)
        hint = venue_hint(paper)
        status = venue_tier(paper, hint)
        day0 = day0_score(features, self.model) + tier_bonus(status, self.model) + (
            tier_bonus("key_researcher", self.model) * features["key_researcher"])
        cites = citation.citations if citation is not None else None
        months = age_in_months(paper.published or (citation.publication_date if citation
                                                   else ""), now)
        result = standing(day0, cites, months, self.model)
        units = PER_DOUBLING * self.model.calib_b  # points per day-0 unit
        explained = [Signal(SignalKind.EVIDENCE, 0.0, reason, units * moved)
                     for moved, reason in day0_reasons(paper, features, view, self.impacts,
                                                       self.model)]
        if not result.share:  # with a count, the citation signal says it
            explained.append(Signal(SignalKind.IMPACT, 0.0, standing_reason(result, cites, months),
                                    DAY0_REASON_WEIGHT))
        return result, explained


def paper_signals(
    paper: Paper,
    inputs: RankInputs,
    citation: CitationCount | None,
    now: date,
    weights: Weights = Weights(),
    activity: AuthorActivity | None = None,
    impacts: ImpactLookup = NO_IMPACTS,
) -> list[Signal]:
    """Every signal that fires for one paper, with points already weighted."""
    context = RankContext(inputs.router, inputs.text, inputs.index, activity, weights, impacts)
    return context.signals(paper, inputs.router.query(paper), citation, now)[0]


def _year(paper: Paper) -> int | None:
    return int(paper.published[:4]) if paper.published[:4].isdigit() else None


def _scored(paper: Paper, probs: list[tuple[str, float]], topics: list[tuple[str, float]],
            signals: list[Signal], impact: float) -> Scored:
    """Assemble the record: topics, probabilities, score, reasons strongest first."""
    section = topics[0][0]
    listed = SignalKind.LISTED
    shown = sorted((s for s in signals if s.reason and (s.strength or s.kind is listed)),
                   key=lambda s: (s.kind is not listed, -s.strength))
    return Scored(
        paper_id=paper.arxiv_id,
        score=sum(s.points for s in signals),
        section=section,
        section_probs=tuple((name, round(p, 4)) for name, p in probs),
        reasons=tuple(s.reason for s in shown if s.reason is not None),
        topics=tuple((name, round(p, 4)) for name, p in topics if name != OTHER),
        impact=round(impact, 4),
    )


# importance: 0.5 at about the top tenth of machine-learning arXiv papers by day-0 impact (the
# pool in bench/, 2015-17: median S -4.2, 90th percentile -2.9, 97th -2.0, 99th -1.2)
IMPORTANCE_MID = -2.9
IMPORTANCE_SPREAD = 0.6  # log2 units: the median paper ~0.1, the top 3% ~0.8, the top 1% ~0.96


# Where the pool's day-0 impact percentiles fall (the comment above): (impact, top percent).
TOP_PERCENTS = ((-1.2, 1), (-2.0, 3), (-2.9, 10), (-4.2, 50))


def top_percent(scored: Scored | None) -> int | None:
    """The smallest 'top N%' of machine-learning arXiv papers by expected impact that this paper
    is in (1, 3, 10 or 50), None below the median or unscored."""
    if scored is None:
        return None
    value = importance(scored)
    for anchor, percent in TOP_PERCENTS:
        if value >= 1.0 / (1.0 + math.exp(-(anchor - IMPORTANCE_MID) / IMPORTANCE_SPREAD)):
            return percent
    return None


def importance(scored: Scored | None, shift: float = 0.0) -> float:
    """0..1: how much a paper matters beside how well it fits (0 unscored).

    From its impact standing (feeds/rank/impact.py); `shift` are points a chat's votes moved it
    (PER_DOUBLING points are one doubling). A score stored before impact existed maps as before.
    """
    if scored is None:
        return 0.0
    if scored.impact is None:
        return 1.0 / (1.0 + math.exp(-(scored.score + shift - 3.0) / 2.0))
    value = scored.impact + shift / PER_DOUBLING
    return 1.0 / (1.0 + math.exp(-(value - IMPORTANCE_MID) / IMPORTANCE_SPREAD))
