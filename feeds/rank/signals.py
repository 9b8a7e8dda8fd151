"""The list-worthiness signals, each a pure function from a paper to points and a reason.

Points are on one additive scale (roughly log-odds of belonging on the list); feeds/rank/ranker.py
sums them. Weights live there next to the benchmark numbers that justify them. Reasons are
`Reason` records (a catalogue key and values), rendered in the reader's language by bot/render.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from feeds.model import CitationCount, Paper, Reason, ReasonKey
from feeds.names import short_name
from feeds.rank.authors import AuthorActivity, AuthorHit, AuthorIndex


class SignalKind(StrEnum):
    """What a signal measures (most are field names of feeds.rank.ranker.Weights)."""

    AUTHORS = "authors"
    KEY_RESEARCHER = "key_researcher"
    VENUE_ACCEPTED = "venue_accepted"
    VENUE_WORKSHOP = "venue_workshop"
    VENUE_SUBMITTED = "venue_submitted"
    SIMILARITY = "similarity"
    NEAREST = "nearest"
    REVISED = "revised"
    UNLISTED_ACTIVITY = "unlisted_activity"
    LIST_SHARE = "list_share"
    CITATIONS = "citations"
    LISTED = "listed"
    IMPACT = "impact"  # the impact model's points (feeds/rank/impact.py)
    EVIDENCE = "evidence"  # no points: day-0 evidence the impact signal already counted


class VenueStatus(StrEnum):
    """How far a paper got at a venue."""

    ACCEPTED = "accepted"
    WORKSHOP = "workshop"
    SUBMITTED = "submitted"


@dataclass(frozen=True)
class Signal:
    """One piece of evidence: its kind, its points and why (None: not worth saying)."""

    kind: SignalKind
    points: float
    reason: Reason | None = None
    weight: float | None = None  # how strongly to name the reason (default: |points|)

    @property
    def strength(self) -> float:
        """How prominently the reason is shown."""
        return abs(self.points if self.weight is None else self.weight)


# Venue names as they appear in comments and journal references.
VENUES: tuple[tuple[str, str], ...] = (
    ("NIPS", r"\bNIPS\b|\bNeurIPS\b|Neural Information Processing Systems"),
    ("ICML", r"\bICML\b|International Conference on Machine Learning"),
    ("ICLR", r"\bICLR\b|International Conference on Learning Representations"),
    ("CVPR", r"\bCVPR\b|Computer Vision and Pattern Recognition"),
    ("ICCV", r"\bICCV\b|International Conference on Computer Vision"),
    ("ECCV", r"\bECCV\b|European Conference on Computer Vision"),
    ("ACL", r"\bACL\b|Annual Meeting of the Association for Computational Linguistics"),
    ("EMNLP", r"\bEMNLP\b|Empirical Methods in Natural Language Processing"),
    ("NAACL", r"\bNAACL\b"),
    ("AAAI", r"\bAAAI\b"),
    ("IJCAI", r"\bIJCAI\b"),
    ("JMLR", r"\bJMLR\b|Journal of Machine Learning Research"),
    ("TPAMI", r"\bT-?PAMI\b|Pattern Analysis and Machine Intelligence"),
    ("Nature", r"\bNature\b"),
    ("Science", r"\bin Science\b|^Science\b"),
)
_VENUE_PATTERNS = tuple((name, re.compile(pattern)) for name, pattern in VENUES)
_ACCEPTED = re.compile(
    r"accepted|published|to appear|appears? in|appearing|camera[- ]?ready|proceedings|"
    r"\boral\b|spotlight|presented at|final version", re.I)
_SUBMITTED = re.compile(r"submitted|under review|in review|under submission", re.I)
_WORKSHOP = re.compile(r"workshop", re.I)
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True)
class VenueHint:
    """A top venue named in the comments or journal reference, and how far the paper got."""

    venue: str
    year: str
    status: VenueStatus

    def describe(self) -> Reason:
        """'Accepted at CVPR 2017', 'Workshop paper at NIPS 2014', 'Submitted to ICML 2017'."""
        where = {"venue": f"{self.venue} {self.year}".strip()}
        if self.status is VenueStatus.WORKSHOP:
            return Reason(ReasonKey.VENUE_WORKSHOP, where)
        if self.status is VenueStatus.SUBMITTED:
            return Reason(ReasonKey.VENUE_SUBMITTED, where)
        key = ReasonKey.VENUE_PUBLISHED if self.venue in _JOURNALS else ReasonKey.VENUE_ACCEPTED
        return Reason(key, where)


_JOURNALS = frozenset({"JMLR", "TPAMI", "Nature", "Science"})


def venue_hint(paper: Paper) -> VenueHint | None:
    """Find a top venue in the journal reference or comments, with its year and status."""
    for text, published in ((paper.journal_ref, True), (paper.comments, False)):
        for name, pattern in _VENUE_PATTERNS:
            found = pattern.search(text)
            if not found:
                continue
            year = _YEAR.search(text[found.start() : found.end() + 40])
            if _WORKSHOP.search(text):
                status = VenueStatus.WORKSHOP
            elif published or _ACCEPTED.search(text) or not _SUBMITTED.search(text):
                status = VenueStatus.ACCEPTED
            else:
                status = VenueStatus.SUBMITTED
            return VenueHint(name, year.group() if year else "", status)
    return None


_TIER = re.compile(r"\b(oral|spotlight)\b", re.I)


def venue_tier(paper: Paper, hint: VenueHint | None) -> str:
    """'oral', 'spotlight', 'accepted', 'workshop', 'submitted' or '' (no top venue named)."""
    if hint is None:
        return ""
    if hint.status is VenueStatus.ACCEPTED:
        found = _TIER.search(f"{paper.comments} {paper.journal_ref}")
        return found.group(1).lower() if found else "accepted"
    return hint.status.value


def venue_signal(paper: Paper, weights: Mapping[VenueStatus, float]) -> Signal | None:
    """Points for a venue hint: full for accepted, less for a workshop or a submission."""
    hint = venue_hint(paper)
    if hint is None:
        return None
    return Signal(SignalKind(f"venue_{hint.status}"), weights[hint.status], hint.describe())


def revised_signal(paper: Paper, weight: float) -> Signal | None:
    """A paper revised after first posting (v2+), often a camera-ready version."""
    if paper.version < 2 or not weight:
        return None
    return Signal(SignalKind.REVISED, weight, Reason(ReasonKey.REVISED, {"version": paper.version}))


def author_hits(paper: Paper, index: AuthorIndex) -> tuple[AuthorHit | None, ...]:
    """What the index knows about each author of the paper, in author order."""
    return tuple(index.lookup(name) for name in paper.authors)


def author_signals(
    hits: Sequence[AuthorHit | None], per_paper: float, key_bonus: float
) -> list[Signal]:
    """Points for authors of list papers (log of their count) and for key researchers."""
    found = [hit for hit in hits if hit]
    signals = []
    listed = sorted((h for h in found if h.papers), key=lambda h: -len(h.papers))
    if listed:
        points = sum(per_paper * math.log1p(len(h.papers)) * (1 if h.strong else 0.5)
                     for h in listed)
        signals.append(Signal(SignalKind.AUTHORS, points, _authors_reason(listed)))
    keys = [h for h in found if h.key_researcher]
    if keys:
        names = ", ".join(short_name(h.name) for h in keys[:3])
        signals.append(Signal(SignalKind.KEY_RESEARCHER, key_bonus * len(keys),
                              Reason(ReasonKey.KEY_RESEARCHER, {"names": names})))
    return signals


SHARE_SCALE = 10  # list_share ~ list papers per this many earlier papers, for prolific authors


def list_share(list_papers: int, earlier: int) -> float:
    """log(1 + list papers per SHARE_SCALE earlier papers), shrunk to log(1 + list papers)."""
    return math.log1p(SHARE_SCALE * list_papers / (SHARE_SCALE + earlier))


def activity_signals(
    paper: Paper, hits: Sequence[AuthorHit | None], activity: AuthorActivity,
    unlisted_weight: float, share_weight: float,
) -> list[Signal]:
    """Authors' records in the papers seen so far: many papers and none on the list count
    against a paper; the list author whose papers make the list most often counts for it."""
    day = paper.published[:10]
    earlier = [activity.papers_before(name, day) for name in paper.authors]
    unlisted = sum(math.log1p(n) for n, hit in zip(earlier, hits, strict=True) if not hit)
    signals = [Signal(SignalKind.UNLISTED_ACTIVITY, -unlisted_weight * unlisted)]
    shares = [(list_share(len(hit.papers), n) * (1 if hit.strong else 0.5), n, hit)
              for n, hit in zip(earlier, hits, strict=True) if hit and hit.papers]
    if shares:
        share, n, hit = max(shares, key=lambda item: item[0])
        reason = Reason(ReasonKey.LIST_SHARE, {"name": short_name(hit.name),
                                               "papers": len(hit.papers), "earlier": n})
        signals.append(Signal(SignalKind.LIST_SHARE, share_weight * share, reason))
    return signals


def _authors_reason(hits: list[AuthorHit]) -> Reason:
    top = hits[0]
    if len(hits) == 1:
        return Reason(ReasonKey.CO_AUTHOR, {"count": len(top.papers), "name": short_name(top.name)})
    names = ", ".join(f"{short_name(h.name)} ({len(h.papers)})" for h in hits[:3])
    if len(hits) > 3:
        return Reason(ReasonKey.CO_AUTHORS_MORE, {"names": names, "more": len(hits) - 3})
    return Reason(ReasonKey.CO_AUTHORS, {"names": names})


# The list's citation criteria (written in 2017): 2016 +60, 2015 +200, 2014 +400, 2013 +600,
# 2012 +800; i.e. by age in whole years 1 -> 60, 2 -> 200, ... Under 6 months: by discussion.
CITATION_BARS: tuple[tuple[float, int], ...] = ((1.5, 60), (2.5, 200), (3.5, 400), (4.5, 600))
OLDEST_BAR = 800
NEW_MONTHS = 6


def citation_bar(age_months: float) -> int | None:
    """The list's citation bar for a paper of this age; None while it is new (< 6 months)."""
    if age_months < NEW_MONTHS:
        return None
    years = age_months / 12
    return next((bar for limit, bar in CITATION_BARS if years < limit), OLDEST_BAR)


def age_in_months(published: str, now: date) -> float | None:
    """Months between an ISO date (or year) and `now`; None when unknown."""
    match = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", published or "")
    if not match:
        return None
    year, month, day = (int(g) if g else 1 for g in match.groups())
    return max(0.0, (now - date(year, month, day)).days / 30.44)


@dataclass(frozen=True)
class CitationWeights:
    """Points for meeting the list's bar, per doubling above or below it, and for velocity."""

    bar: float
    per_doubling: float
    new_per_log: float


def citation_signal(
    paper: Paper, count: CitationCount | None, now: date, weights: CitationWeights
) -> Signal | None:
    """Compare citations with the list's bar for the paper's age (velocity for new papers)."""
    if count is None or count.citations is None:
        return None
    months = age_in_months(paper.published or count.publication_date, now)
    if months is None:
        return None
    cites = count.citations
    bar = citation_bar(months)
    values = {"citations": cites, "months": round(months, 2)}
    if bar is None:
        points = weights.new_per_log * math.log1p(cites / max(months, 1.0))
        return Signal(SignalKind.CITATIONS, points,
                      Reason(ReasonKey.CITATIONS_NEW, {**values, "bar": CITATION_BARS[0][1]}))
    ratio = math.log2((cites + 1) / (bar + 1))
    points = weights.per_doubling * max(-3.0, min(4.0, ratio))
    if cites >= bar:
        return Signal(SignalKind.CITATIONS, points + weights.bar,
                      Reason(ReasonKey.CITATIONS_ABOVE, {**values, "bar": bar}))
    return Signal(SignalKind.CITATIONS, points,
                  Reason(ReasonKey.CITATIONS_BELOW, {**values, "bar": bar}))
