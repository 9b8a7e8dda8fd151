"""Would the list's maintainers have been told about the papers that mattered? 2016 and 2017.

    python bench/suggestion_replay.py     (~3-5 min)

A light replay of the suggestion path only (bench/replay.py replays 2017 through every job; this
one replays both years fast enough to calibrate on): week by week, the ML papers of the arXiv
pool (../shared/data/arxiv-pool: cs.LG/CV/CL/AI/stat.ML/cs.NE papers cross-listed into the 12
categories it holds) whose first version falls in the week are scored by the real ranker
(`rank_candidates`, on the list's README as of that week, author priors of early-2017-06 without
the paper itself, the authors' arXiv papers in the pool before it) and stored with their scores
in a real database; every Tuesday at 09:00 UTC the real `make_suggestions` runs (at most
SUGGESTIONS_PER_WEEK = 10 in any seven days, never a paper the list holds then, only papers
whose impact standing reaches the bar). The list began on 2016-06-03: 2016's earlier weeks are
judged against that first version. Papers are scored once, on day 0: the replay has no
citation counts of the time, so it does not model the bot's later rescoring with counts.

Judged by citation counts matched by normalised title (the pool holds no counts): early-2017-06
(2015-16 conference papers, 2017-06-17), early-2019-03 (NeurIPS 2014-18, ICML 2017-18,
2019-03-31), venues/ (NeurIPS/ICML/CVPR/AISTATS/ICCV 2015-19 and ICLR 2017, counts of
2024-25) and ICLR 2017's 2022 counts. Coverage is partial (conference papers only; the rest
have no count) and is printed.
- precision: of the suggestions with a count, how many later met the list's citation criteria
  (feeds/rank/impact.py `citation_bar`: +60 in the first year and a half, +200 by two and a half,
  +400, +600, +800 older; met when any dated count reaches the bar for the paper's age then);
  beside it the floor that counts every suggestion without a count as a miss;
- recall: of the year's replayed papers now at 1,000+ citations (2024-25, or ICLR's 2022 count)
  and not on the list when they appeared, how many were suggested.
Calibration: the bar (`SUGGESTION_BAR` in bot/pipeline/suggestions.py) is chosen on 2016 as the
grid value with the highest min(precision, recall); 2017 is held out and reported at that bar
(and at the shipped bar). Data: ../shared/data/impact has no licence; benchmarks only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import impact_data as D  # noqa: E402
from fit_impact import ListInputs  # noqa: E402
from pool import ML_TAGS  # noqa: E402

from bot.pipeline.suggestions import PER_WEEK, SUGGESTION_BAR, make_suggestions  # noqa: E402
from feeds.model import Paper, Scored  # noqa: E402
from feeds.rank.impact import citation_bar  # noqa: E402
from feeds.rank.ranker import rank_candidates  # noqa: E402
from storage import papers, scores  # noqa: E402
from storage.db import Database, open_db  # noqa: E402

FIRST_LIST = "2016-06-03"
FAMOUS = 1000
GRID = tuple(round(-3.6 + 0.2 * i, 1) for i in range(19))  # -3.6 .. 0.0
GOALS = (0.5, 0.5)
COUNT_DATES = {"early-2017-06": D.EARLY_2017, "early-2019-03": D.EARLY_2019,
               "venues": "2025-01-01", "iclr-2022": "2022-04-24", "iclr-14m": D.ICLR_14M}


@dataclass(frozen=True)
class Count:
    """A citation count and the day it was taken."""

    citations: int
    day: str
    source: str


def known_counts() -> dict[str, list[Count]]:
    """Every dated count we have, by normalised title."""
    found: dict[str, list[Count]] = defaultdict(list)
    for early in D.load_early_2017():
        if early.citations is not None:
            found[D.norm_title(early.title)].append(Count(early.citations, D.EARLY_2017,
                                                          "early-2017-06"))
    for later in D.load_early_2019():
        if later.citations is not None:
            found[D.norm_title(later.title)].append(Count(later.citations, D.EARLY_2019,
                                                          "early-2019-03"))
    for venue in D.venue_names():
        for paper in D.load_venue(venue):
            if paper.citations is not None:
                found[D.norm_title(paper.title)].append(Count(paper.citations,
                                                              COUNT_DATES["venues"], "venues"))
    for iclr in D.load_iclr2017():
        key = D.norm_title(iclr.title)
        found[key].append(Count(iclr.target, COUNT_DATES["iclr-2022"], "iclr-2022"))
        found[key].append(Count(iclr.citations_14m, D.ICLR_14M, "iclr-14m"))
    return found


def met_criteria(paper: Paper, counts: Sequence[Count]) -> bool:
    """Did any dated count reach the list's bar for the paper's age on that day?"""
    return any(c.citations >= citation_bar(D.months_between(paper.published[:10], c.day))
               for c in counts if c.day > paper.published[:10])


def now_count(counts: Sequence[Count]) -> int:
    """The latest count (2024-25, or ICLR's 2022)."""
    return max((c.citations for c in counts if c.source in ("venues", "iclr-2022")), default=0)


def weeks_of(year: int) -> list[date]:
    """The Mondays of the ISO weeks of a year."""
    monday = date.fromisocalendar(year, 1, 1)
    return [monday + timedelta(weeks=i) for i in range(date(year, 12, 28).isocalendar()[1])]


@dataclass
class Year:
    """A year's replayed papers, scored on day 0, by week."""

    year: int
    weeks: list[date]
    papers: dict[date, list[Paper]]
    scored: dict[str, Scored]
    listed_at_start: set[str]  # ids of papers on the list when they appeared


def score_year(year: int, pool: dict[str, Paper]) -> Year:
    """Rank every ML paper of the year on its own, on the list of its week."""
    started = time.time()
    mondays = weeks_of(year)
    week_of = {m + timedelta(days=d): m for m in mondays for d in range(7)}
    by_week: dict[date, list[Paper]] = defaultdict(list)
    for paper in pool.values():
        day = date.fromisoformat(paper.published[:10]) if paper.published[:10] else None
        if day in week_of and ML_TAGS & set(paper.categories):
            by_week[week_of[day]].append(paper)
    priors = D.author_priors()
    own: dict[str, frozenset[str]] = defaultdict(frozenset)
    for early in D.load_early_2017():
        key = D.norm_title(early.title)
        own[key] = own[key] | {early.uid}
    activity = D.pool_activity()
    inputs_by_readme: dict[str, ListInputs] = {}
    scored: dict[str, Scored] = {}
    listed: set[str] = set()
    for monday in mondays:
        day = max(monday + timedelta(days=6), date.fromisoformat(FIRST_LIST)).isoformat()
        readme = D.readme_as_of(day)
        if readme not in inputs_by_readme:
            inputs_by_readme.clear()  # one list at a time: each is built once, in order
            inputs_by_readme[readme] = ListInputs(day)
        lists = inputs_by_readme[readme]
        for paper in by_week[monday]:
            (found,) = rank_candidates(
                [paper], lists.base, None, date.fromisoformat(paper.published[:10]),
                activity=activity.leaving_out(paper.title),  # type: ignore[arg-type]
                impacts=priors.view(own[D.norm_title(paper.title)]))
            scored[paper.arxiv_id] = found
            if lists.base.listed.find(paper) is not None:
                listed.add(paper.arxiv_id)
    total = sum(len(v) for v in by_week.values())
    print(f"{year}: {total} ML papers of the pool in {len(mondays)} weeks ranked in "
          f"{time.time() - started:.0f} s", file=sys.stderr)
    return Year(year, mondays, dict(by_week), scored, listed)


def suggest(year: Year, bar: float, per_week: int = PER_WEEK) -> tuple[list[str], list[int]]:
    """Replay the weeks through the real make_suggestions; the suggested ids in order and how
    many each week."""
    db: Database = open_db(":memory:")
    made: list[str] = []
    per: list[int] = []
    for monday in year.weeks:
        week = year.papers.get(monday, [])
        announced = monday + timedelta(days=7)
        if week:
            papers.store_papers(db, week, announced=announced)
            scores.save_scores(db, [year.scored[p.arxiv_id] for p in week])
        now = datetime.combine(announced + timedelta(days=1), datetime.min.time(),
                               UTC).replace(hour=9)
        snapshot = D.list_snapshot_as_of(max(now.date().isoformat(), FIRST_LIST))[1]
        found = make_suggestions(db, snapshot, now, per_week, bar)
        made += [s.arxiv_id for s in found]
        per.append(len(found))
    return made, per


@dataclass
class Figures:
    """Precision and recall of one replay."""

    made: int
    per_week_max: int
    per_week_mean: float
    judged: int  # suggestions with a count
    hits: int  # ... that met the criteria
    famous: int  # the year's 1,000+ papers the replay could suggest
    famous_found: int

    @property
    def precision(self) -> float:
        return self.hits / self.judged if self.judged else 0.0

    @property
    def floor(self) -> float:
        return self.hits / self.made if self.made else 0.0

    @property
    def recall(self) -> float:
        return self.famous_found / self.famous if self.famous else 0.0


def judge(year: Year, made: list[str], per: list[int], counts: dict[str, list[Count]],
          pool: dict[str, Paper]) -> Figures:
    """Precision and recall of the suggestions."""
    judged = [i for i in made if counts.get(D.norm_title(pool[i].title))]
    hits = [i for i in judged if met_criteria(pool[i], counts[D.norm_title(pool[i].title)])]
    replayed = [p for week in year.papers.values() for p in week]
    famous = {p.arxiv_id for p in replayed if p.arxiv_id not in year.listed_at_start
              and now_count(counts.get(D.norm_title(p.title), [])) >= FAMOUS}
    return Figures(len(made), max(per, default=0), statistics.fmean(per) if per else 0.0,
                   len(judged), len(hits), len(famous), len(famous & set(made)))


def line(label: str, f: Figures) -> str:
    return (f"{label:22} {f.made:>5} {f.per_week_mean:>6.1f} {f.per_week_max:>4} "
            f"{f.judged:>5} {f.hits:>4} {100 * f.precision:>8.1f}% {100 * f.floor:>6.1f}% "
            f"{f.famous_found:>3}/{f.famous:<3} {100 * f.recall:>6.1f}%")


HEAD = (f"{'bar':22} {'made':>5} {'/week':>6} {'max':>4} {'count':>5} {'met':>4} "
        f"{'precision':>9} {'floor':>7} {'1000+':>7} {'recall':>7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    started = time.time()
    from silver import pool as load

    pool = load()
    counts = known_counts()
    years = {y: score_year(y, pool) for y in (2016, 2017)}
    for y, year in years.items():
        replayed = [p for week in year.papers.values() for p in week]
        with_count = sum(bool(counts.get(D.norm_title(p.title))) for p in replayed)
        base = sum(met_criteria(p, counts[D.norm_title(p.title)]) for p in replayed
                   if counts.get(D.norm_title(p.title)))
        print(f"{y}: {len(replayed)} ML papers of the pool replayed, {with_count} with a "
              f"citation count ({100 * with_count / max(len(replayed), 1):.0f}%; of these "
              f"{100 * base / max(with_count, 1):.0f}% met the criteria: the precision of "
              f"suggesting at random), {len(year.listed_at_start)} on the list when they "
              "appeared")
    print(f"\nSUGGESTIONS: at most {PER_WEEK} a week; precision = met the list's criteria later "
          "(of those with a count; floor: of all); recall = the year's 1,000+ papers suggested")
    print(f"\n2016 (calibration), bar on the impact standing S:\n{HEAD}")
    grid = []
    for bar in GRID:
        made, per = suggest(years[2016], bar)
        f = judge(years[2016], made, per, counts, pool)
        grid.append((bar, f))
        print(line(f"{bar:+.1f}", f))
    best_bar, best = max(grid, key=lambda bf: (min(bf[1].precision, bf[1].recall), bf[0]))
    print(f"chosen on 2016: bar {best_bar:+.1f} (highest min(precision, recall)); shipped "
          f"SUGGESTION_BAR {SUGGESTION_BAR:+.1f}")
    print(f"\n2017 (held out: never used to choose):\n{HEAD}")
    shown = {}
    for label, bar in ((f"chosen {best_bar:+.1f}", best_bar),
                       (f"shipped {SUGGESTION_BAR:+.1f}", SUGGESTION_BAR)):
        made, per = suggest(years[2017], bar)
        shown[label] = f = judge(years[2017], made, per, counts, pool)
        print(line(label, f))
    for cap in (2, 1):  # the pool is a fraction of ML arXiv: a fuller week fills the cap
        made_c, per_c = suggest(years[2017], SUGGESTION_BAR, cap)
        print(line(f"shipped, {cap} a week", judge(years[2017], made_c, per_c, counts, pool)))
    print("(the pool holds only ML papers cross-listed into its 12 categories, some 5-10x fewer "
          "than ML arXiv: on the full feed about as many papers clear the bar per suggestion "
          "slot as at 1-2 a week here)")
    held = shown[f"shipped {SUGGESTION_BAR:+.1f}"]
    made = set(suggest(years[2017], SUGGESTION_BAR)[0])
    print(f"2017's papers at {FAMOUS:,}+ citations now, by impact standing S on day 0 "
          "(+ suggested):")
    famous = [p for week in years[2017].papers.values() for p in week
              if now_count(counts.get(D.norm_title(p.title), [])) >= FAMOUS]
    for paper in sorted(famous, key=lambda p: -years[2017].scored[p.arxiv_id].impact):
        mark = "+" if paper.arxiv_id in made else " "
        print(f"  {mark} S {years[2017].scored[paper.arxiv_id].impact:+5.2f} "
              f"{now_count(counts[D.norm_title(paper.title)]):>6,} {paper.title[:70]}")
    cal = dict(grid).get(round(SUGGESTION_BAR, 1))
    if cal is not None:
        print(f"\nSUGGESTIONS 2016 (calibration, bar {SUGGESTION_BAR:+.1f}): precision "
              f"{100 * cal.precision:.0f}% (floor {100 * cal.floor:.0f}%), recall "
              f"{100 * cal.recall:.0f}%, {cal.per_week_mean:.1f} a week (max {cal.per_week_max})")
    print(f"SUGGESTIONS 2017 (held out, bar {SUGGESTION_BAR:+.1f}): precision "
          f"{100 * held.precision:.0f}% (floor {100 * held.floor:.0f}%), recall "
          f"{100 * held.recall:.0f}%, {held.per_week_mean:.1f} a week (max {held.per_week_max})")
    met = [held.precision >= GOALS[0], held.recall >= GOALS[1]]
    print(f"goal precision >= 50% at <= {PER_WEEK} a week: {'met' if met[0] else 'NOT met'}; "
          f"recall >= 50%: {'met' if met[1] else 'NOT met'}")
    print(f"\n[{time.time() - started:.0f}s]", file=sys.stderr)


if __name__ == "__main__":
    main()
