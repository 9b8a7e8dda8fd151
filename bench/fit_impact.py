"""Fit feeds/data/impact_weights.json on 2015-16 venue papers ONLY (never ICLR, never 2017+).

    python bench/fit_impact.py [--force]     (--force rebuilds the cached feature rows)

Fit data: the accepted papers of NeurIPS/ICML/CVPR/AISTATS 2015-16 and ICCV 2015
(../shared/data/impact/venues, no licence: only the fitted numbers leave the bench). Their
day-0 features are the package's own, `feeds.rank.impact.day0_features`, with
- the list view the ranker computes (`RankContext.signals`) from `build_inputs` on the README of
  2016-11-03, the paper's own entry removed when it is on the list;
- author priors of early-2017-06 with the paper itself left out (bench/impact_data.py);
- arXiv activity from the pool: only papers dated before the venue's day 0, never the paper
  itself (same normalised title).
The target is log1p(the 2024-25 Google Scholar count), z-scored within each venue-year.

As the research prototype did (/work/research/impact/fit.py, issue 12):
1. validation: fit on 2015 -> validate on 2016 and back, mean per-venue Spearman and AP for the
   top 10%; the model is ridge (alpha 300) on standardised features, the "no momentum" set
   (FEATURES minus key_researcher, which the 2016-11-03 README cannot show);
2. the chosen model refitted on all 2015-16 papers: weights in raw feature units and a bias;
3. venue tiers: oral / spotlight over poster, in day-0 units, on the cross-fitted day-0 score;
4. calibration C0 = A + B * day0 against the early-2017-06 counts (ages 9.5-26.5 months):
   log2((c + 1) / (bar + 1)), cross-fitted day-0;
5. the blend w = 1 - m0/(m + m0) * k/(k + c): chosen by the worst 2015-16 cohort's gain over
   its counts alone (Spearman + AP), the research's revised rule. (The package applies it only
   under six months; these cohorts are 9.5-26.5 months old, as in the research.)
`tiers.accepted` (= the oral weight) and `tiers.key_researcher` (0.15) are not fitted: venue
data holds accepted papers only and the 2016-11-03 README names no key researcher.
Writes the JSON sorted, 4 decimals; a second run writes the same bytes (the date in `meta`
changes only when a number does). The feature rows are cached in bench/.cache/.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import math
import sys
import time
from datetime import UTC, date, datetime

import impact_data as D
import numpy as np
from pool import ROOT, without
from scipy.stats import spearmanr
from sklearn.linear_model import Ridge
from sklearn.metrics import average_precision_score

from feeds.list_papers import bundled_bib, bundled_list_papers
from feeds.model import Paper
from feeds.rank.impact import FEATURES, YEAR_BAR, ListView, citation_bar, day0_features
from feeds.rank.inputs import build_inputs
from feeds.rank.ranker import RankContext, RankInputs, Weights

CACHE = ROOT / "bench" / ".cache"
ROWS = CACHE / "impact_fit_rows.json"
OUT = ROOT / "feeds" / "data" / "impact_weights.json"
LIST_DAY = "2016-11-03"

FIT = [f for f in FEATURES if f != "key_researcher"]  # the research's "no momentum" set
COMPACT = ["au_cites_sum", "au_cites_per_paper", "au_last_cites", "au_any_known",
           "au_arxiv_sum", "list_authors", "list_sim", "list_nearest", "txt_deep",
           "txt_theory", "txt_claim", "txt_bench", "code", "title_named", "n_authors",
           "aff_industry"]
CANDIDATES = {"no momentum": FIT, "compact": COMPACT}
CHOSEN = ("no momentum", 300.0)  # the research's choice on these splits
ALPHAS = (3.0, 30.0, 300.0)
GROUPS = {
    "author prior (early-2017-06)": [f for f in FIT if f.startswith("au_") and "arxiv" not in f],
    "author arXiv activity": ["au_arxiv_max", "au_arxiv_sum"],
    "list authors": ["list_authors", "list_max"],
    "list text similarity": ["list_sim", "list_nearest"],
    "word lists": [f for f in FIT if f.startswith("txt_")],
    "code / title / length": ["code", "title_named", "title_words", "abstract_words"],
    "team / affiliation": ["n_authors", "aff_industry", "aff_academic"],
}
SPLITS = ((("2015",), ("2016",)), (("2016",), ("2015",)))
M0_GRID = (0.5, 1.0, 2.0, 3.0, 4.5, 6.0, 9.0)
K_GRID = (1.0, 3.0, 10.0, 30.0, 100.0, math.inf)
KEY_RESEARCHER = 0.15  # unfitted: +0.133 * log 3, a list author with two list papers
DIGITS = 4


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- feature rows


def list_view(paper: Paper, inputs: RankInputs) -> ListView:
    """What the list says about the paper, computed by the ranker's own code."""
    context = RankContext(inputs.router, inputs.text, inputs.index, None, Weights())
    return context.signals(paper, inputs.router.query(paper), None, date(2020, 1, 1))[1]


class ListInputs:
    """`build_inputs` of one README, and of that README without one entry (cached per title)."""

    def __init__(self, day: str):
        self.readme, self.snapshot = D.list_snapshot_as_of(day)
        self.base = build_inputs(self.snapshot, bundled_bib(), bundled_list_papers())
        self.titles = {D.norm_title(e.title) for e in self.snapshot.entries}
        self._without: dict[str, RankInputs] = {}

    def on_list(self, title: str) -> bool:
        return D.norm_title(title) in self.titles

    def leaving_out(self, title: str) -> RankInputs:
        """The inputs without the paper's own entry (the paper must not vouch for itself)."""
        key = D.norm_title(title)
        if key not in self.titles:
            return self.base
        if key not in self._without:
            gone = [e for e in self.snapshot.entries if D.norm_title(e.title) == key]
            self._without[key] = build_inputs(without(self.snapshot, gone), bundled_bib(),
                                              bundled_list_papers(), topics=self.base.topics)
        return self._without[key]


def fit_venues() -> list[str]:
    """The venue-years that may be fitted on: 2015-16 (ICLR 2017 and 2017+ never)."""
    found = [v for v in D.venue_names() if v[-4:] in D.FIT_YEARS]
    assert "iclr2017" not in found and all(v[-4:] < "2017" for v in found)
    return found


def build_rows() -> list[dict]:
    """One row per 2015-16 venue paper with a later count: features, target, early count."""
    started = time.time()
    priors = D.author_priors()
    activity = D.pool_activity()
    lists = ListInputs(LIST_DAY)
    log(f"impact rows: inputs ready in {time.time() - started:.0f}s (list {lists.readme})")
    rows = []
    for venue in fit_venues():
        for i, paper in enumerate(D.load_venue(venue)):
            if paper.citations is None:
                continue
            record = paper.as_paper(f"{venue}-{i}")
            view = list_view(record, lists.leaving_out(paper.title))
            features = day0_features(record, view, priors.view(D.self_exclusion(paper)),
                                     activity.leaving_out(paper.title))
            early = D.early_match(paper)
            rows.append({
                "venue": venue, "status": paper.status, "features": features,
                "target": paper.citations,
                "early": early.citations if early else None,
                "early_age": D.months_between(paper.date, D.EARLY_2017),
                "on_list": lists.on_list(paper.title),
            })
        log(f"impact rows: {venue} done, {len(rows)} rows, {time.time() - started:.0f}s")
    return rows


def rows_key() -> str:
    """What the rows depend on: the package's code and data (but the weights), the loaders and
    this module's row builders. A change to any of them rebuilds the rows."""
    digest = hashlib.sha256()
    sources = sorted((ROOT / "feeds").rglob("*.py")) + sorted((ROOT / "feeds" / "data").iterdir())
    sources += [ROOT / "bench" / "impact_data.py", ROOT / "bench" / "pool.py"]
    for path in sources:
        if path.is_file() and path.name != OUT.name:
            digest.update(path.name.encode() + path.read_bytes())
    for item in (list_view, ListInputs, fit_venues, build_rows):
        digest.update(inspect.getsource(item).encode())
    return digest.hexdigest()[:16]


def load_rows(force: bool = False) -> list[dict]:
    """The cached rows when they are current, else built (about a minute) and cached."""
    key = rows_key()
    if ROWS.exists() and not force:
        cached = json.loads(ROWS.read_text())
        if cached.get("key") == key:
            return cached["rows"]
        log("impact rows: the package or the loaders changed, rebuilding")
    rows = build_rows()
    CACHE.mkdir(parents=True, exist_ok=True)
    ROWS.write_text(json.dumps({"key": key, "rows": rows}))
    return rows


# ---------------------------------------------------------------- the fit


def matrix(rows: list[dict], feats: list[str]) -> np.ndarray:
    return np.array([[r["features"][f] for f in feats] for r in rows], float)


def z_target(rows: list[dict]) -> np.ndarray:
    """log1p(later count), z-scored within each venue-year."""
    y = np.zeros(len(rows))
    venues = np.array([r["venue"] for r in rows])
    for venue in sorted(set(venues)):
        mask = venues == venue
        t = np.log1p([r["target"] for r, m in zip(rows, mask, strict=True) if m])
        y[mask] = (t - t.mean()) / t.std()
    return y


def ap_top10(y: np.ndarray, s: np.ndarray) -> float:
    return float(average_precision_score(y >= np.percentile(y, 90), s))


def per_venue(rows: list[dict], scores: np.ndarray) -> dict[str, tuple[float, float]]:
    venues = np.array([r["venue"] for r in rows])
    out = {}
    for venue in sorted(set(venues)):
        mask = venues == venue
        y = np.array([r["target"] for r, m in zip(rows, mask, strict=True) if m], float)
        out[venue] = (float(spearmanr(scores[mask], y)[0]), ap_top10(y, scores[mask]))
    return out


class Linear:
    """Ridge on standardised features; weights and bias in raw feature units."""

    def __init__(self, feats: list[str], alpha: float):
        self.feats, self.alpha = feats, alpha

    def fit(self, rows: list[dict]) -> Linear:
        x = matrix(rows, self.feats)
        self.mu, self.sd = x.mean(0), x.std(0) + 1e-9
        model = Ridge(alpha=self.alpha).fit((x - self.mu) / self.sd, z_target(rows))
        self.w = model.coef_ / self.sd
        self.b = float(model.intercept_ - (self.w * self.mu).sum())
        return self

    def predict(self, rows: list[dict]) -> np.ndarray:
        return matrix(rows, self.feats) @ self.w + self.b


def in_years(rows: list[dict], years: tuple[str, ...]) -> list[dict]:
    return [r for r in rows if r["venue"][-4:] in years]


def validate(rows: list[dict], feats: list[str], alpha: float
             ) -> tuple[float, float, list[dict[str, tuple[float, float]]]]:
    """Mean over the two year splits of the mean per-venue Spearman and AP@10%."""
    sp, ap, tables = [], [], []
    for train, test in SPLITS:
        te = in_years(rows, test)
        res = per_venue(te, Linear(feats, alpha).fit(in_years(rows, train)).predict(te))
        tables.append(res)
        sp.append(np.mean([a for a, _ in res.values()]))
        ap.append(np.mean([b for _, b in res.values()]))
    return float(np.mean(sp)), float(np.mean(ap)), tables


def cross_fitted(rows: list[dict], feats: list[str], alpha: float) -> np.ndarray:
    """Day-0 score of every row from the model fitted on the other year."""
    out = np.zeros(len(rows))
    for train, test in SPLITS:
        idx = [i for i, r in enumerate(rows) if r["venue"][-4:] in test]
        out[idx] = Linear(feats, alpha).fit(in_years(rows, train)).predict(
            [rows[i] for i in idx])
    return out


def evidence(cites: float, months: float) -> float:
    """log2 of a count against the list's bar for its age (velocity under six months)."""
    if months < 6:
        return math.log2((12 * cites / max(months, 1.0) + 1) / (YEAR_BAR + 1))
    return math.log2((cites + 1) / (citation_bar(months) + 1))


def share(months: float, counts: np.ndarray, m0: float, k: float) -> np.ndarray:
    """The count's share: grows with age (m0) and with the count itself (k)."""
    day0_share = m0 / (months + m0)
    if math.isinf(k):
        return np.full(len(counts), 1 - day0_share)
    return 1 - day0_share * k / (k + counts)


def choose_blend(cohorts: dict[str, tuple]) -> tuple[float, float]:
    """(m0, k) with the best worst-cohort gain (Spearman + AP) over the counts alone."""
    best, best_gain = (M0_GRID[0], K_GRID[0]), -1e9
    for k in K_GRID:
        for m0 in M0_GRID:
            gs, ga = [], []
            for age, c, c0, y, raw in cohorts.values():
                w = share(age, raw, m0, k)
                s = w * c + (1 - w) * c0
                gs.append(spearmanr(s, y)[0] - spearmanr(c, y)[0])
                ga.append(ap_top10(y, s) - ap_top10(y, c))
            worst = min(a + b for a, b in zip(gs, ga, strict=True))
            print(f"    m0={m0:<4g} k={k:<4g} mean gain Spearman {np.mean(gs):+.4f} AP "
                  f"{np.mean(ga):+.4f}  worst {min(gs):+.4f} / {min(ga):+.4f}  worst sum "
                  f"{worst:+.4f}")
            if worst > best_gain + 1e-9:
                best, best_gain = (m0, k), worst
    return best


def fit(rows: list[dict]) -> dict:
    """Every fitted number, printed as it is found."""
    assert rows and all(r["venue"][-4:] in D.FIT_YEARS and r["venue"] != "iclr2017"
                        for r in rows), "only 2015-16 venue rows may be fitted on"
    print(f"fit rows: {len(rows)} papers of {', '.join(sorted({r['venue'] for r in rows}))}; "
          f"{sum(r['on_list'] for r in rows)} on the list of {LIST_DAY} (own entry left out)")

    print("\n## 1. validation: fit 2015 -> validate 2016 and back (mean per-venue Spearman / "
          "AP top 10%)")
    scores = {}
    for name, feats in CANDIDATES.items():
        for alpha in ALPHAS:
            sp, ap, _ = validate(rows, feats, alpha)
            scores[name, alpha] = sp + ap
            print(f"  {name:12s} ({len(feats):2d} features) alpha={alpha:<5g} Spearman {sp:.3f}"
                  f"  AP {ap:.3f}")
    name, alpha = CHOSEN
    feats = CANDIDATES[name]
    by_rule = max(scores, key=scores.__getitem__)
    print(f"  chosen: {name}, alpha={alpha:g} (the research's choice; best Spearman + AP here: "
          f"{by_rule[0]}, alpha={by_rule[1]:g})")
    base = [per_venue(in_years(rows, te), matrix(in_years(rows, te), ["au_cites_sum"])[:, 0])
            for _, te in SPLITS]
    print(f"  authors' prior alone (au_cites_sum): Spearman "
          f"{np.mean([np.mean([a for a, _ in t.values()]) for t in base]):.3f}  AP "
          f"{np.mean([np.mean([b for _, b in t.values()]) for t in base]):.3f}")
    sp, ap, tables = validate(rows, feats, alpha)
    print("  per venue, chosen model:        Spearman   AP@10%")
    for (train, _), table in zip(SPLITS, tables, strict=True):
        for venue, (s, a) in table.items():
            print(f"    fit {train[0]} -> {venue:12s}   {s:6.3f}   {a:6.3f}")
    print(f"  VALIDATION (mean of both directions): Spearman {sp:.3f}  AP {ap:.3f}   "
          "(research: 0.489 / 0.483)")

    print("\n## 2. ablation on the same splits (Spearman / AP; change without, score alone)")
    for group, members in GROUPS.items():
        out = validate(rows, [f for f in feats if f not in members], alpha)
        alone = validate(rows, members, alpha)
        print(f"  {group:30s} without: {out[0] - sp:+.3f} / {out[1] - ap:+.3f}   alone: "
              f"{alone[0]:.3f} / {alone[1]:.3f}")

    print("\n## 3. the chosen model refitted on 2015-16 (per unit, per SD)")
    model = Linear(feats, alpha).fit(rows)
    per_sd = {f: float(w * s) for f, w, s in zip(feats, model.w, model.sd, strict=True)}
    for f, w in sorted(zip(feats, model.w, strict=True), key=lambda kv: -abs(per_sd[kv[0]])):
        print(f"  {f:20s} {w:+.4f}   ({per_sd[f]:+.3f} per SD)")
    print(f"  bias {model.b:+.4f}")

    print("\n## 4. venue tiers over the cross-fitted day-0 score")
    d_cf = cross_fitted(rows, feats, alpha)
    tiered = [i for i, r in enumerate(rows) if r["status"] in ("Oral", "Spotlight", "Poster")]
    x = np.c_[d_cf[tiered], [rows[i]["status"] == "Oral" for i in tiered],
              [rows[i]["status"] == "Spotlight" for i in tiered], np.ones(len(tiered))]
    ols = np.linalg.lstsq(x, z_target(rows)[tiered], rcond=None)[0]
    oral, spotlight = ols[1] / ols[0], ols[2] / ols[0]
    print(f"  z ~ {ols[0]:.2f} * (day0 + {oral:.3f} oral + {spotlight:.3f} spotlight)  "
          f"[day-0 units; {len(tiered)} papers]")

    print("\n## 5. calibration and the blend (early-2017-06 counts, cross-fitted day-0)")
    known = [i for i, r in enumerate(rows) if r["early"] is not None]
    ev = np.array([evidence(rows[i]["early"], rows[i]["early_age"]) for i in known])
    slope, intercept = np.polyfit(d_cf[known], ev, 1)
    print(f"  C0 = {intercept:.4f} + {slope:.4f} * day0   [{len(known)} papers]")
    cohorts = {}
    for venue in sorted({rows[i]["venue"] for i in known}):
        idx = [i for i in known if rows[i]["venue"] == venue]
        age = rows[idx[0]]["early_age"]
        raw = np.array([rows[i]["early"] for i in idx], float)
        c = np.array([evidence(n, age) for n in raw])
        c0 = intercept + slope * d_cf[idx]
        y = np.array([rows[i]["target"] for i in idx], float)
        cohorts[venue] = (age, c, c0, y, raw)
        print(f"  {venue:10s} age {age:4.1f} months n={len(idx):4d}  Spearman day-0 "
              f"{spearmanr(c0, y)[0]:.3f}, count {spearmanr(c, y)[0]:.3f}")
    print("  w = 1 - m0/(m + m0) * k/(k + c), by the worst cohort's gain over its counts alone:")
    m0, k = choose_blend(cohorts)
    assert math.isfinite(k), "the age-only blend (k = inf) does not fit the JSON's schema"
    print(f"  chosen: m0={m0:g}, k={k:g}")
    return {
        "bias": model.b,
        "weights": dict(zip(feats, map(float, model.w), strict=True)),
        "means": dict(zip(feats, map(float, model.mu), strict=True)),
        "calib_a": float(intercept), "calib_b": float(slope),
        "blend_m0": m0, "blend_k": k,
        "tiers": {"oral": float(oral), "spotlight": float(spotlight),
                  "accepted": float(oral), "key_researcher": KEY_RESEARCHER},
        "validation": {"spearman": sp, "ap_top10": ap},
        "rows": len(rows), "alpha": alpha, "set": name,
    }


# ---------------------------------------------------------------- the JSON


def rounded(value: float) -> float:
    return round(value, DIGITS) + 0.0  # + 0.0: never -0.0


def weights_json(found: dict, day: str) -> str:
    """The impact_weights.json body (schema of feeds.rank.impact.ImpactModel.from_json)."""
    body = {
        "bias": rounded(found["bias"]),
        "weights": {k: rounded(v) for k, v in found["weights"].items()},
        "means": {k: rounded(v) for k, v in found["means"].items()},
        "calib_a": rounded(found["calib_a"]), "calib_b": rounded(found["calib_b"]),
        "blend_m0": float(found["blend_m0"]), "blend_k": float(found["blend_k"]),
        "tiers": {k: rounded(v) for k, v in found["tiers"].items()},
        "meta": {
            "date": day,
            "by": "bench/fit_impact.py",
            "data": "accepted papers of NeurIPS/ICML/CVPR/AISTATS 2015-16 and ICCV 2015 "
                    f"({found['rows']} papers, ../shared/data/impact/venues); target "
                    "log1p(Google Scholar 2024-25) z-scored per venue-year; author priors "
                    "early-2017-06 leaving the paper out; list README of 2016-11-03 without "
                    "the paper's entry; arXiv activity before the venue's day 0. Never ICLR "
                    "2017 or any 2017+ venue-year.",
            "model": f"ridge alpha={found['alpha']:g} on standardised features, set "
                     f"'{found['set']}' (FEATURES minus key_researcher); weights in raw units",
            "alpha": found["alpha"],
            "validation": {"split": "fit 2015 -> validate 2016 and back, mean per-venue",
                           "spearman": round(found["validation"]["spearman"], 3),
                           "ap_top10": round(found["validation"]["ap_top10"], 3)},
            "calibration": "C0 = calib_a + calib_b * day0 against log2((c+1)/(bar+1)) of "
                           "the early-2017-06 counts, cross-fitted day-0",
            "blend": "m0, k by the worst 2015-16 cohort's gain over its counts alone",
            "unfitted": "tiers.accepted = the oral weight (no rejected papers to fit on); "
                        "tiers.key_researcher = 0.15 (the 2016-11-03 README names none)",
        },
    }
    return json.dumps(body, indent=1, sort_keys=True) + "\n"


def write(found: dict) -> bool:
    """Write the JSON; keep the old date when no number changed (byte-identical re-runs)."""
    today = datetime.now(UTC).date().isoformat()
    if OUT.exists():
        old = json.loads(OUT.read_text())
        old_day = str(old.get("meta", {}).get("date", ""))
        if old_day and OUT.read_text() == weights_json(found, old_day):
            return False
    OUT.write_text(weights_json(found, today))
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="rebuild the cached feature rows")
    parser.add_argument("--dry-run", action="store_true", help="fit and print, write nothing")
    args = parser.parse_args()
    started = time.time()
    rows = load_rows(args.force)
    found = fit(rows)
    if not args.dry_run:
        changed = write(found)
        print(f"\n{'wrote' if changed else 'unchanged:'} {OUT.relative_to(ROOT)}")
    log(f"fit_impact: {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
