"""Loaders for the impact benchmark (../shared/data/impact), on this package's own helpers.

Ported from the research prototype's data.py (/work/research/impact, issue 12), which imported
an older copy of the package; here every name, title and list helper is the package's own
(feeds.names, feeds.awesome_list). Nothing here ships, and nothing read here may be copied into
the package, its tests or the repository: the impact/ data has no licence (benchmarks only, see
../shared/data/impact/SOURCES.md). Only fitted numbers leave the bench
(feeds/data/impact_weights.json, written by bench/fit_impact.py).

- venues/<venue><year>.json.xz: accepted papers with Google Scholar counts of 2024-25
- early-2017-06/<CONF><YEAR>/{paperlist,citations}.txt: counts of 2017-06-17 (the author prior)
- early-2019-03/results_<Conf>_<Year>.csv: counts of 2019-03-31
- iclr2017/: every ICLR 2017 submission (openreviewexplorer) + 2022 counts (googlescholar)
- ../awesome-dl-papers/readme-history: the list's README versions (the list as of a day)
- ../arxiv-pool (bench/pool.py): arXiv metadata, for the authors' activity before a day
"""

from __future__ import annotations

import ast
import csv
import difflib
import json
import lzma
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from pool import ROOT

from feeds.awesome_list import normalise_title, parse_awesome_list
from feeds.model import AuthorImpact, ListSnapshot, Paper
from feeds.names import author_key, first_name, full_name_key
from feeds.rank.authors import AuthorActivity

SHARED = ROOT.parent / "shared" / "data"  # CI: a fresh clone with ../shared beside it
IMPACT = SHARED / "impact"
HISTORY = SHARED / "awesome-dl-papers" / "readme-history"

# "Day 0" of each venue-year's papers (roughly when the accepted papers became public:
# acceptance notices, camera-ready and arXiv versions) and ICLR 2017's submission deadline.
# Approximate, as in the research.
VENUE_DATES = {
    "aistats2015": "2015-02-01", "aistats2016": "2016-02-01", "aistats2017": "2017-02-01",
    "icml2015": "2015-05-01", "icml2016": "2016-05-01", "icml2017": "2017-06-01",
    "icml2018": "2018-06-01", "icml2019": "2019-05-01",
    "cvpr2015": "2015-04-01", "cvpr2016": "2016-04-01", "cvpr2017": "2017-04-01",
    "cvpr2018": "2018-04-01", "cvpr2019": "2019-04-01", "iccv2015": "2015-10-01",
    "nips2015": "2015-10-01", "nips2016": "2016-09-01", "nips2017": "2017-09-01",
    "nips2018": "2018-09-01", "iclr2017": "2016-11-04",
}
EARLY_2017 = "2017-06-17"  # the date of the early-2017-06 counts (the author prior)
EARLY_2019 = "2019-03-31"
ICLR_14M = "2018-01-16"  # the ICLR explorer's early count was present on this day
FIT_YEARS = ("2015", "2016")  # the only venue-years anything may be fitted on


def months_between(start: str, end: str) -> float:
    """Months from one ISO day to another (30.44 days a month, as feeds.rank.signals)."""
    return (date.fromisoformat(end) - date.fromisoformat(start)).days / 30.44


# ---------------------------------------------------------------- titles


def norm_title(title: str) -> str:
    """Identity key of a title (the package's normalise_title over collapsed spaces)."""
    return normalise_title(re.sub(r"\s+", " ", title or ""))


class TitleIndex:
    """Find records by title: the exact normalised title, else a close fuzzy match."""

    def __init__(self, items: Iterable[tuple[str, object]], cutoff: float = 0.92):
        self.exact: dict[str, object] = {}
        for title, item in items:
            self.exact.setdefault(norm_title(title), item)
        self.by_word: dict[str, list[str]] = defaultdict(list)
        for key in self.exact:
            for word in set(key.split()):
                if len(word) > 3:
                    self.by_word[word].append(key)
        self.cutoff = cutoff

    def get(self, title: str, fuzzy: bool = True) -> object | None:
        """The record of this title, or of a title at least `cutoff` similar to it."""
        key = norm_title(title)
        if key in self.exact:
            return self.exact[key]
        if not fuzzy or not key:
            return None
        # candidates share one of the title's two rarest long words
        words = sorted((w for w in set(key.split()) if len(w) > 3 and w in self.by_word),
                       key=lambda w: (len(self.by_word[w]), w))
        pool: set[str] = set()
        for word in words[:2]:
            pool.update(self.by_word[word])
        best = difflib.get_close_matches(key, sorted(pool), n=1, cutoff=self.cutoff)
        return self.exact[best[0]] if best else None


# ---------------------------------------------------------------- names


def clean_name(name: str) -> str:
    """Strip corresponding-author stars, 'et al.' and spacing."""
    name = re.sub(r"\bet al\.?", "", name.replace("*", "")).strip(" ,.;")
    return re.sub(r"\s+", " ", name)


def split_author_field(text: str) -> tuple[str, ...]:
    """'A; B; C' or 'A;B;C' (venue files) -> names."""
    return tuple(clean_name(a) for a in re.split(r"\s*;\s*", text or "") if clean_name(a))


# ---------------------------------------------------------------- venue files


@dataclass
class VenuePaper:
    """One accepted paper of a venue-year (venues/*.json.xz)."""

    venue: str  # nips2015
    title: str
    authors: tuple[str, ...]
    abstract: str
    citations: int | None  # Google Scholar 2024-25; None when not found
    status: str = ""  # Oral / Spotlight / Poster where the venue says
    affiliations: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    date: str = ""

    @property
    def year(self) -> str:
        return self.venue[-4:]

    def as_paper(self, paper_id: str) -> Paper:
        """The record as the ranker would see it on day 0 (affiliations and e-mail domains in
        one list, as the research did; no comments, so no venue hint)."""
        return Paper(paper_id, 1, self.title, self.abstract, self.authors, (),
                     published=self.date,
                     affiliations=tuple(a for a in self.affiliations + self.domains if a))


def venue_names() -> list[str]:
    """Every venue-year with a file, ICLR 2017 included."""
    return sorted(p.name[: -len(".json.xz")] for p in (IMPACT / "venues").glob("*.json.xz"))


@cache
def load_venue(venue: str) -> tuple[VenuePaper, ...]:
    """Papers of one venue-year with their 2024-25 counts (ICCV's duplicated 'From Oral ...'
    records dropped)."""
    with lzma.open(IMPACT / "venues" / f"{venue}.json.xz", "rt", encoding="utf-8") as handle:
        rows = json.load(handle)
    found = []
    for row in rows:
        if re.match(r"from (oral|poster|spotlight)\b", norm_title(str(row.get("title", "")))):
            continue
        raw = str(row.get("gs_citation", "")).strip()
        cites = int(raw) if re.fullmatch(r"-?\d+", raw) else None
        found.append(VenuePaper(
            venue=venue,
            title=" ".join(str(row.get("title", "")).split()),
            authors=split_author_field(row.get("author", "")),
            abstract=" ".join(str(row.get("abstract", "")).split()),
            citations=cites if cites is not None and cites >= 0 else None,
            status=str(row.get("status") or ""),
            affiliations=tuple(a.strip() for a in str(row.get("aff", "")).split(";")),
            domains=tuple(a.strip() for a in str(row.get("aff_domain", "")).split(";")),
            date=VENUE_DATES.get(venue, f"{venue[-4:]}-06-01"),
        ))
    return tuple(found)


# ---------------------------------------------------------------- early-2017-06


@dataclass(frozen=True)
class EarlyPaper:
    """A 2015-16 conference paper with its count of 2017-06-17 (-1 -> None)."""

    conf: str  # NIPS2016
    title: str
    authors: tuple[str, ...]
    citations: int | None

    @property
    def uid(self) -> str:
        return f"{self.conf.lower()}:{norm_title(self.title)}"


def _early_authors(conf: str, line: str) -> tuple[str, ...]:
    line = line.strip()
    if conf.startswith("ICML"):
        names = line.split(" ; PMLR")[0].split(";")[0].split(",")
    elif conf.startswith("NIPS"):
        names = [part.split(",")[0] for part in line.split(";")]
    else:  # CVPR / ICCV / ECCV: "A, B, C" (ECCV lists end in "et al.")
        names = line.split(",")
    return tuple(n for n in (clean_name(n) for n in names) if n and re.search(r"[A-Za-z]", n))


@cache
def load_early_2017() -> tuple[EarlyPaper, ...]:
    """Every paper of early-2017-06: NIPS/ICML/CVPR 2015-16, ICCV 2015, ECCV 2016."""
    found = []
    for folder in sorted((IMPACT / "early-2017-06").iterdir()):
        counts: dict[str, int] = {}
        for line in (folder / "citations.txt").read_text(encoding="utf-8").splitlines():
            if "\t" in line:
                title, _, value = line.rpartition("\t")
                if re.fullmatch(r"-?\d+", value.strip()):
                    counts.setdefault(norm_title(title), int(value))
        lines = (folder / "paperlist.txt").read_text(encoding="utf-8").split("\n")
        for i in range(0, len(lines) - 1, 2):
            title = lines[i].strip()
            if not title:
                continue
            count = counts.get(norm_title(title))
            found.append(EarlyPaper(folder.name, title, _early_authors(folder.name, lines[i + 1]),
                                    count if count is not None and count >= 0 else None))
    return tuple(found)


# venue-year -> its early-2017-06 folder
EARLY_CONF = {"nips2015": "NIPS2015", "nips2016": "NIPS2016", "icml2015": "ICML2015",
              "icml2016": "ICML2016", "cvpr2015": "CVPR2015", "cvpr2016": "CVPR2016",
              "iccv2015": "ICCV2015"}


@cache
def _early_by_conf() -> dict[str, tuple[EarlyPaper, ...]]:
    by_conf: dict[str, list[EarlyPaper]] = defaultdict(list)
    for paper in load_early_2017():
        by_conf[paper.conf].append(paper)
    return {conf: tuple(papers) for conf, papers in by_conf.items()}


@cache
def _early_index() -> dict[str, TitleIndex]:
    return {conf: TitleIndex((p.title, p) for p in papers)
            for conf, papers in _early_by_conf().items()}


def early_match(paper: VenuePaper) -> EarlyPaper | None:
    """The same paper in early-2017-06 within its conference-year: by title, else (NIPS titles
    changed between submission and camera-ready) by the same authors and a loosely similar
    title."""
    conf = EARLY_CONF.get(paper.venue)
    if conf is None:
        return None
    hit = _early_index()[conf].get(paper.title)
    if isinstance(hit, EarlyPaper):
        return hit
    mine = {author_key(a) for a in paper.authors} - {""}
    best, best_score = None, 0.0
    for other in _early_by_conf()[conf]:
        theirs = {author_key(a) for a in other.authors} - {""}
        if not mine or not theirs:
            continue
        overlap = len(mine & theirs) / min(len(mine), len(theirs))
        if overlap < 0.99 and not (overlap >= 0.5 and len(mine & theirs) >= 2):
            continue
        ratio = difflib.SequenceMatcher(None, norm_title(paper.title),
                                        norm_title(other.title)).ratio()
        score = overlap + ratio
        if ratio >= 0.35 and score > best_score:
            best, best_score = other, score
    return best


def self_exclusion(paper: VenuePaper) -> frozenset[str]:
    """uids to leave out of the author prior when scoring this paper: the paper itself."""
    hit = early_match(paper)
    return frozenset({hit.uid}) if hit else frozenset()


# ---------------------------------------------------------------- author priors


def h_index(counts: Iterable[int]) -> int:
    ranked = sorted((c for c in counts if c), reverse=True)
    return sum(1 for i, c in enumerate(ranked, 1) if c >= i)


class AuthorPriors:
    """Each author's papers in early-2017-06 (by full-name key), with leave-out views.

    `view(exclude)` is a `feeds.rank.impact.ImpactLookup`: its `lookup(name)` sums the author's
    papers except those whose uid is in `exclude` (the paper being scored, when it is itself in
    the prior). An initials-only name ("A. Smith") finds the author when exactly one known
    author has that initial and surname (as feeds.rank.impact.AuthorImpacts).
    """

    def __init__(self, papers: Iterable[EarlyPaper], as_of: str = EARLY_2017):
        self.as_of = as_of
        self.by_full: dict[str, dict[str, int]] = defaultdict(dict)
        by_initial: dict[str, set[str]] = defaultdict(set)
        self.display: dict[str, str] = {}
        for paper in papers:
            for name in dict.fromkeys(paper.authors):
                full = full_name_key(name)
                if not full:
                    continue
                self.by_full[full][paper.uid] = paper.citations or 0
                by_initial[author_key(name)].add(full)
                self.display.setdefault(full, name)
        self.by_initial = {k: next(iter(v)) for k, v in by_initial.items() if len(v) == 1}

    def key(self, name: str) -> str | None:
        """The full-name key this name finds, if any."""
        full = full_name_key(clean_name(name))
        if full in self.by_full:
            return full
        if len(first_name(clean_name(name))) <= 1:  # only an initial is known
            return self.by_initial.get(author_key(clean_name(name)))
        return None

    def lookup(self, name: str, exclude: frozenset[str] = frozenset()) -> AuthorImpact | None:
        """The author's record without the papers in `exclude` (None when nothing is left)."""
        key = self.key(name)
        if key is None:
            return None
        counts = [c for uid, c in self.by_full[key].items() if uid not in exclude]
        if not counts:
            return None
        return AuthorImpact(self.display[key], sum(counts), len(counts), h_index(counts),
                            self.as_of)

    def view(self, exclude: frozenset[str] = frozenset()) -> PriorView:
        """An ImpactLookup that leaves these papers out."""
        return PriorView(self, exclude)


@dataclass(frozen=True)
class PriorView:
    """AuthorPriors with some papers left out: the ImpactLookup protocol (`lookup(name)`)."""

    priors: AuthorPriors
    exclude: frozenset[str] = frozenset()

    def lookup(self, name: str) -> AuthorImpact | None:
        return self.priors.lookup(name, self.exclude)


@cache
def author_priors() -> AuthorPriors:
    """The author prior of early-2017-06 (2015-16 conference papers, counts of 2017-06-17)."""
    return AuthorPriors(load_early_2017())


# ---------------------------------------------------------------- early-2019-03


@dataclass(frozen=True)
class Early2019:
    """An accepted paper with its count of 2019-03-31."""

    venue: str  # nips2017 (NeurIPS files are named nips like venues/)
    title: str
    authors: tuple[str, ...]
    citations: int | None


@cache
def load_early_2019() -> tuple[Early2019, ...]:
    """Every paper of early-2019-03: NeurIPS 2014-18, ICML 2017-18."""
    found = []
    for path in sorted((IMPACT / "early-2019-03").glob("results_*.csv")):
        _, conf, year = path.stem.split("_")
        venue = f"{conf.lower().replace('neurips', 'nips')}{year}"
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                try:
                    names = tuple(clean_name(n) for n in ast.literal_eval(row["authors"]))
                except (ValueError, SyntaxError):
                    names = tuple(clean_name(n) for n in row["authors"].strip("[]").split(","))
                raw = (row.get("citations") or "").strip()
                try:
                    cites: int | None = int(float(raw))
                except ValueError:
                    cites = None
                found.append(Early2019(venue, row["name"], names,
                                       cites if cites is not None and cites >= 0 else None))
    return tuple(found)


def counts_2019(venue: str) -> dict[str, int | None]:
    """Normalised title -> count of 2019-03-31 for one venue-year (exact titles only)."""
    found: dict[str, int | None] = {}
    for paper in load_early_2019():
        if paper.venue == venue:
            found[norm_title(paper.title)] = paper.citations
    return found


# ---------------------------------------------------------------- ICLR 2017


@dataclass
class IclrPaper:
    """One ICLR 2017 submission with every label the benchmark uses."""

    title: str
    abstract: str
    authors: tuple[str, ...]
    domains: tuple[str, ...]  # the authors' e-mail domains (a stand-in for affiliations)
    decision: str
    ratings: tuple[int, ...]
    citations_14m: int  # the count already present on 2018-01-16 (~14 months)
    karpathy: int  # arxiv-sanity saves
    target: int  # Google Scholar count of 2022-04 (THE TARGET)
    arxiv_id: str = ""
    date: str = VENUE_DATES["iclr2017"]
    extra: dict = field(default_factory=dict)

    @property
    def mean_rating(self) -> float:
        return sum(self.ratings) / len(self.ratings) if self.ratings else 0.0

    @property
    def accepted(self) -> bool:
        return self.decision.startswith("Accept")

    def as_paper(self, paper_id: str) -> Paper:
        """The submission as the ranker would see it on day 0 (no comments: no venue hint)."""
        return Paper(paper_id, 1, self.title, self.abstract, self.authors, (),
                     published=self.date, affiliations=self.domains)


@cache
def load_iclr2017() -> tuple[IclrPaper, ...]:
    """The 489 ICLR 2017 submissions that have a 2022 count (openreviewexplorer order)."""
    folder = IMPACT / "iclr2017"
    explorer = json.loads((folder / "openreviewexplorer_iclr2017.json").read_text("utf-8"))
    scholar = json.loads((folder / "googlescholar_iclr2017_ver220424.json").read_text("utf-8"))
    by_title = TitleIndex((k, v) for k, v in scholar.items())
    found = []
    for row in explorer:
        hit = by_title.get(row["title"], fuzzy=False)
        if not isinstance(hit, dict):
            continue
        arxiv = re.search(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", hit.get("pub_url") or "")
        found.append(IclrPaper(
            title=" ".join(row["title"].split()),
            abstract=" ".join(row["abstract"].split()),
            authors=tuple(clean_name(a) for a in row["authors"]),
            domains=tuple(row.get("emails") or ()),
            decision=row["decision"],
            ratings=tuple(row["ratings"]),
            citations_14m=int(row["citations"]),
            karpathy=int(row["karpathy"]),
            target=int(hit["num_citations"]),
            arxiv_id=arxiv.group(1) if arxiv else "",
        ))
    return tuple(found)


# ---------------------------------------------------------------- the list


def readme_as_of(day: str) -> str:
    """File name of the newest README version dated on or before `day` (YYYY-MM-DD)."""
    best = None
    for path in sorted(HISTORY.glob("*.md")):
        parts = path.stem.split("_")
        if len(parts) >= 2 and parts[1] <= day:
            best = path
    if best is None:
        raise FileNotFoundError(f"no README version on or before {day}")
    return best.name


@cache
def list_snapshot_as_of(day: str) -> tuple[str, ListSnapshot]:
    """The newest README version dated on or before `day`, parsed by the package."""
    name = readme_as_of(day)
    return name, parse_awesome_list((HISTORY / name).read_bytes())


# ---------------------------------------------------------------- arXiv activity


class PoolActivity:
    """The authors' arXiv papers before a day, from the pool (bench/pool.py), by full-name key
    (feeds.rank.authors.AuthorActivity); `leaving_out(title)` gives an `Activity` that never
    counts the paper itself (any pool paper with the same normalised title)."""

    def __init__(self, papers: Iterable[Paper]):
        key = cache(full_name_key)  # ~68k papers share far fewer names: key each name once
        dates: dict[str, list[str]] = defaultdict(list)
        self.by_title: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)
        for paper in papers:  # as feeds.rank.authors.author_activity, with the keys cached
            keys = tuple(dict.fromkeys(k for k in map(key, paper.authors) if k))
            day = sys.intern(paper.published[:10])
            for k in keys:
                dates[k].append(day)
            self.by_title[norm_title(paper.title)].append((day, frozenset(keys)))
        self.activity = AuthorActivity({k: tuple(sorted(v)) for k, v in dates.items()})

    def leaving_out(self, title: str) -> LeaveOut:
        return LeaveOut(self.activity, tuple(self.by_title.get(norm_title(title), ())))


@dataclass(frozen=True)
class LeaveOut:
    """`papers_before(name, day)` without the pool records of one paper (the one scored)."""

    activity: AuthorActivity
    own: Sequence[tuple[str, frozenset[str]]] = ()

    def papers_before(self, name: str, day: str) -> int:
        key = full_name_key(name)
        mine = sum(1 for when, keys in self.own if key in keys and (not day or when < day))
        return self.activity.papers_before(name, day) - mine


@cache
def pool_activity() -> PoolActivity:
    """The activity over the whole arXiv pool (every category, ids repaired, deduplicated)."""
    from silver import pool

    return PoolActivity(pool().values())
