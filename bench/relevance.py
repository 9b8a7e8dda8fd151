"""Relevance on real data: routing, keyword subscriptions, search and /paper, next to the old ones.

    python bench/relevance.py [--quick]

Every set is built by rule from ../shared/data (no hand-picked example), every figure printed
next to what the code before this work did on the same papers:

* Routing. The old router is feeds/rank/routing.py (still the ranker's similarity signal);
  the new one feeds/rank/topics.py. Silver sets, all on the pool's *test* half (odd first byte
  of md5(id); the shipped word weights were built on the even half and the constants tuned on
  a quarter of it, bench/silver.py): GAN-zoo papers found in the pool -> Generative (the zoo
  never trained anything); primary cs.SD or eess.AS -> Speech; primary cs.RO with an ML tag ->
  RL / Robotics; no ML category -> other; CVPR 2015-2019 (evaluation only) -> NLP, Speech or RL
  (lower is better); any paper -> a time or format bucket. Leave-one-out over the list's
  topical entries, the held-out entry removed from everything the router learns from.
* Keyword subscriptions: silver relevance = the paper carries the phrase's arXiv category
  (test half); the old rule is "whole words anywhere in title or abstract".
* Search and /paper, on a store of every pool paper plus the list (cached in bench/.cache):
  known-item MRR for every list title and 500 test-half pool titles, each given with one typo
  or one word dropped (alternately, seeded); precision@10 of "title or abstract holds the
  phrase (plural allowed)" for PHRASES; /paper with 200 CVPR titles that are not in the store
  (not found is right) and with the list's own titles (the entry is right). The old search is
  re-run on a Porter-stemmed index of the same store with its logic (list entries first).
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import silver  # noqa: E402
from pool import without  # noqa: E402

from bot.commands.search import CONFIDENT, find, title_matches  # noqa: E402
from bot.pipeline.list_sync import seed_bundled  # noqa: E402
from feeds.awesome_list import normalise_title  # noqa: E402
from feeds.bundled import bundled_snapshot  # noqa: E402
from feeds.keywords import central_in_abstract, keyword_matches, keyword_pattern  # noqa: E402
from feeds.list_papers import bundled_bib, bundled_list_papers, known_list_papers  # noqa: E402
from feeds.model import ListSnapshot, Paper  # noqa: E402
from feeds.rank import routing as old_routing  # noqa: E402
from feeds.rank.topics import OTHER, pick_topics, topical_sections, train_topic_router  # noqa: E402
from feeds.search import contains_phrase, folded  # noqa: E402
from storage import papers as store  # noqa: E402
from storage.db import Database, open_db  # noqa: E402

GOALS = {"GAN zoo": 0.85, "speech": 0.80, "robotics": 0.75, "no-ML": 0.80}
# Two-word technical phrases for precision@10 (a fixed list, chosen before measuring).
PHRASES = (
    "object detection", "semantic segmentation", "image classification", "speech recognition",
    "machine translation", "reinforcement learning", "neural network", "generative adversarial",
    "language model", "question answering", "word embeddings", "face recognition",
    "transfer learning", "domain adaptation", "attention mechanism", "recurrent neural",
    "convolutional networks", "gradient descent", "batch normalization", "knowledge graph",
    "sentiment analysis", "recommender systems", "pose estimation", "image captioning",
    "style transfer", "speaker verification", "motion planning", "policy gradient",
    "variational autoencoder", "graph convolutional",
)
KEYWORD_SETS = (  # phrase -> arXiv categories whose papers are "about" it (silver relevance)
    ("speech recognition", {"cs.SD", "eess.AS"}), ("music", {"cs.SD"}),
    ("object detection", {"cs.CV"}), ("image classification", {"cs.CV"}),
    ("semantic segmentation", {"cs.CV"}), ("face recognition", {"cs.CV"}),
    ("machine translation", {"cs.CL"}), ("sentiment analysis", {"cs.CL"}),
    ("question answering", {"cs.CL"}), ("recommender system", {"cs.IR"}),
    ("information retrieval", {"cs.IR"}), ("community detection", {"cs.SI"}),
    ("social network", {"cs.SI"}), ("motion planning", {"cs.RO"}), ("robot", {"cs.RO"}),
    ("brain", {"q-bio.NC"}),
)


def pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


# ------------------------------------------------------------------------------------ routing

def silver_sets() -> dict[str, list[Paper]]:
    """The routing sets (test half of the pool; the GAN zoo whole; CVPR whole)."""
    pool = silver.pool()
    test = [p for p in pool.values() if silver.split(p) == "test" and not silver.is_list_paper(p)]
    return {
        "GAN zoo": [pool[i] for i in sorted(silver.gan_zoo_ids())
                    if i in pool and not silver.is_list_paper(pool[i])],
        "speech": [p for p in test if silver.primary(p) in silver.AUDIO],
        "robotics": [p for p in test if silver.primary(p) == "cs.RO" and silver.has_ml(p)],
        "no-ML": [p for p in test if not silver.has_ml(p)],
        "CVPR": list(silver.cvpr_papers()),
    }


def _named(sections: Sequence[str], key: str) -> str:
    return next(n for n in sections if key in n.lower())


def routing(sets: dict[str, list[Paper]], snapshot: ListSnapshot) -> None:
    known = known_list_papers(snapshot, bundled_bib(), bundled_list_papers())
    old = old_routing.train_router(snapshot, known)
    new = train_topic_router(snapshot, known)
    topical = list(new.sections)
    buckets = {s.name for s in snapshot.sections} - set(topical)
    goal = {"GAN zoo": _named(topical, "generative"), "speech": _named(topical, "speech"),
            "robotics": _named(topical, "reinforcement"), "no-ML": OTHER}
    wrong_for_cvpr = {_named(topical, k) for k in ("language", "speech", "reinforcement")}
    print(f"{'set':40} {'n':>6} {'old':>7} {'new top-1':>10} {'new topics':>11}  goal")
    tops: dict[str, tuple[list[str], list[str], list[list[str]]]] = {}
    for name, papers in sets.items():
        old_top = [old.route(p)[0][0] for p in papers]
        ranked = [new.route(p) for p in papers]
        new_top = [r[0][0] for r in ranked]
        new_topics = [[t for t, _ in pick_topics(r, new.params)] for r in ranked]
        tops[name] = (old_top, new_top, new_topics)
        if name == "CVPR":
            continue
        target = goal[name]
        a = sum(x == target for x in old_top) / len(papers)
        b = sum(x == target for x in new_top) / len(papers)
        c = sum((x == [OTHER]) if target == OTHER else (target in x)
                for x in new_topics) / len(papers)
        label = f"{name} -> {target.split(' /')[0]}"
        print(f"{label:40} {len(papers):6} {pct(a):>7} {pct(b):>10} {pct(c):>11}  "
              f">= {pct(GOALS[name]).strip()}")
    zoo = sets["GAN zoo"]
    test_half = [i for i, p in enumerate(zoo) if silver.split(p) == "test"]
    old_top, new_top, new_topics = tops["GAN zoo"]
    target = goal["GAN zoo"]
    print(f"{'  GAN zoo, its test-half papers only':40} {len(test_half):6} "
          f"{pct(sum(old_top[i] == target for i in test_half) / len(test_half)):>7} "
          f"{pct(sum(new_top[i] == target for i in test_half) / len(test_half)):>10} "
          f"{pct(sum(target in new_topics[i] for i in test_half) / len(test_half)):>11}  "
          ">= 85.0%")
    old_top, new_top, new_topics = tops["CVPR"]
    n = len(old_top)
    a = sum(x in wrong_for_cvpr for x in old_top) / n
    b = sum(x in wrong_for_cvpr for x in new_top) / n
    c = sum(bool(wrong_for_cvpr & set(x)) for x in new_topics) / n
    print(f"{'CVPR 2015-2019 -> NLP, Speech or RL':40} {n:6} {pct(a):>7} {pct(b):>10} "
          f"{pct(c):>11}  <= 5.0%")
    total = sum(len(v[0]) for v in tops.values())
    a = sum(x in buckets for v in tops.values() for x in v[0]) / total
    b = sum(x in buckets for v in tops.values() for x in v[1]) / total
    c = sum(bool(set(x) & buckets) for v in tops.values() for x in v[2]) / total
    print(f"{'any set -> a time or format bucket':40} {total:6} {pct(a):>7} {pct(b):>10} "
          f"{pct(c):>11}  = 0")
    twos = sum(len(x) == 2 for v in tops.values() for x in v[2]) / total
    print(f"(the new router gives two topics to {pct(twos).strip()} of these papers)")
    sample = random.Random(1).sample(sets["no-ML"] + sets["speech"] + sets["robotics"], 1000)
    for label, router in (("old", old), ("new", new)):
        started = time.perf_counter()
        for paper in sample:
            router.route(paper)
        print(f"route 1,000 pool papers, {label} router: {time.perf_counter() - started:.3f} s")


def leave_one_out(snapshot: ListSnapshot) -> None:
    """Top-1 / top-3 by leave-one-out over the list's topical entries, both routers."""
    known = known_list_papers(snapshot, bundled_bib(), bundled_list_papers())
    by_title = {normalise_title(p.title): p for p in known}
    results: dict[str, list[tuple[str, list[str]]]] = {"old": [], "new": []}
    for section in topical_sections(snapshot):
        for entry in section.entries:
            title = normalise_title(entry.title)
            rest = without(snapshot, [e for e in snapshot.entries
                                      if normalise_title(e.title) == title])
            others = [p for t, p in by_title.items() if t != title]
            query = by_title.get(title) or Paper("", 1, entry.title, "", (), ())
            old = old_routing.train_router(rest, others).route(query)
            new = train_topic_router(rest, others).route(query)
            results["old"].append((section.name, [s for s, _ in old]))
            results["new"].append((section.name, [s for s, _ in new]))
    print(f"{'leave-one-out over the topical entries':40} {'n':>6} {'top-1':>7} {'top-3':>7}"
          "   goal 0.80 / 0.95")
    for label, rows in results.items():
        top1 = sum(r[0] == g for g, r in rows) / len(rows)
        top3 = sum(g in r[:3] for g, r in rows) / len(rows)
        print(f"{label + ' router':40} {len(rows):6} {top1:7.3f} {top3:7.3f}")


# ----------------------------------------------------------------------------------- keywords

def _old_keyword(phrase: str, paper: Paper) -> bool:
    """The old rule: whole words anywhere in title + abstract, no plural."""
    words = [re.escape(word) for word in phrase.split()]
    pattern = re.compile(r"(?<!\w)" + r"[\W_]+".join(words) + r"(?!\w)", re.IGNORECASE)
    return bool(pattern.search(f"{paper.title}\n{paper.abstract}"))


def keywords() -> None:
    papers = [p for p in silver.pool().values() if silver.split(p) == "test"]
    rules: dict[str, Callable[[str, Paper], bool]] = {
        "old (anywhere, whole words)": _old_keyword,
        "new (title, or central in the abstract)":
            lambda phrase, paper: keyword_matches(phrase, paper) is not None,
    }
    totals = {name: [0, 0, 0] for name in rules}
    for phrase, cats in KEYWORD_SETS:
        pattern = keyword_pattern(phrase)
        mention = [p for p in papers if pattern.search(p.title) or pattern.search(p.abstract)
                   or _old_keyword(phrase, p)]
        relevant = {p.arxiv_id for p in mention if cats & set(p.categories)}
        for name, rule in rules.items():
            hit = [p for p in mention if rule(phrase, p)]
            totals[name][0] += len(hit)
            totals[name][1] += sum(p.arxiv_id in relevant for p in hit)
            totals[name][2] += len(relevant)
    print(f"keyword subscriptions, {len(KEYWORD_SETS)} phrases, silver relevance = the "
          f"phrase's arXiv category (pool test half, {len(papers)} papers)")
    for name, (hit, good, relevant) in totals.items():
        print(f"  {name:42} delivered {hit:6}  precision {good / hit:.3f}  "
              f"recall {good / relevant:.3f}")
    passing = sum(1 for phrase, _ in KEYWORD_SETS for p in papers
                  if keyword_pattern(phrase).search(p.abstract)
                  and not keyword_pattern(phrase).search(p.title)
                  and not central_in_abstract(phrase, p.abstract))
    print(f"  abstract-only mentions judged passing (no longer delivered): {passing}")


# ------------------------------------------------------------------------------------- search

def build_store(path: Path) -> Database:
    """Every pool paper plus the list; an old-style Porter index beside the new one."""
    if path.exists():
        return open_db(path)
    db = open_db(path)
    seed_bundled(db)
    all_papers = sorted(silver.pool().values(), key=lambda p: p.published)
    for start in range(0, len(all_papers), 5000):
        store.store_papers(db, all_papers[start : start + 5000])
        print(f"  stored {min(start + 5000, len(all_papers))} papers", file=sys.stderr)
    db.execute("CREATE VIRTUAL TABLE old_fts USING fts5(title, abstract, authors, "
               "tokenize='porter', content='papers')")
    db.execute("INSERT INTO old_fts (rowid, title, abstract, authors) "
               "SELECT rowid, title, abstract, authors FROM papers")
    db.conn.commit()
    return db


def _quote_words(text: str) -> list[str]:
    return ['"' + t.replace('"', '""') + '"' for t in text.split() if re.search(r"\w", t)][:32]


class OldSearch:
    """The search before this work: Porter stems, list entries first, then arXiv papers."""

    def __init__(self, db: Database, snapshot: ListSnapshot) -> None:
        self.db = db
        self.entries = sqlite3.connect(":memory:")
        self.entries.execute("CREATE VIRTUAL TABLE e USING fts5(title, authors, section, "
                             "tokenize='porter')")
        self.list = snapshot.entries
        self.entries.executemany("INSERT INTO e (rowid, title, authors, section) VALUES "
                                 "(?, ?, ?, ?)", [(i, x.title, x.authors, x.section)
                                                  for i, x in enumerate(self.list)])

    def _entries(self, tokens: list[str]) -> list[int]:
        sql = "SELECT rowid FROM e WHERE e MATCH ? ORDER BY bm25(e, 10.0, 2.0, 1.0) LIMIT 10"
        found = [r[0] for r in self.entries.execute(sql, [" ".join(tokens)])]
        if not found and len(tokens) > 1:
            found = [r[0] for r in self.entries.execute(sql, [" OR ".join(tokens)])]
        return found

    def _papers(self, tokens: list[str], limit: int) -> list[str]:
        sql = ("SELECT rowid FROM (SELECT rowid, bm25(old_fts, 10.0, 1.0, 4.0) AS s FROM "
               "old_fts WHERE old_fts MATCH ? ORDER BY rowid DESC LIMIT 2000) ORDER BY s, "
               "rowid DESC LIMIT ?")
        rows = self.db.conn.execute(sql, [" ".join(tokens), limit]).fetchall()
        if not rows and len(tokens) > 1:
            rows = self.db.conn.execute(sql, [" OR ".join(tokens), limit]).fetchall()
        ids = [r[0] for r in rows]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        found = dict(self.db.conn.execute(
            f"SELECT rowid, arxiv_id FROM papers WHERE rowid IN ({marks})", ids).fetchall())
        return [found[r] for r in ids if r in found]

    def search(self, text: str) -> list[tuple[str, str]]:
        """Results as (kind, key): ('entry', title) and ('paper', arXiv id)."""
        tokens = _quote_words(text)
        if not tokens:
            return []
        entries = [self.list[i] for i in self._entries(tokens)]
        listed = {e.arxiv_id for e in entries if e.arxiv_id}
        out = [("entry", normalise_title(e.title)) for e in entries]
        out += [("paper", i) for i in self._papers(tokens, 10) if i not in listed]
        return out

    def paper(self, text: str) -> tuple[str, str] | None:
        """What /paper answered: the first list hit, else the first paper hit, else None."""
        tokens = _quote_words(text)
        entries = self._entries(tokens) if tokens else []
        if entries:
            return ("entry", normalise_title(self.list[entries[0]].title))
        found = self._papers(tokens, 1) if tokens else []
        return ("paper", found[0]) if found else None


def new_search(db: Database, snapshot: ListSnapshot, text: str) -> list[tuple[str, str]]:
    return [("entry", normalise_title(h.entry.title)) if h.entry
            else ("paper", h.paper.arxiv_id if h.paper else "") for h in find(db, snapshot, text)]


def perturb(title: str, rng: random.Random, typo: bool) -> str:
    """One typo (a letter of a long word changed) or one word dropped."""
    words = title.split()
    if typo or len(words) < 3:
        long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if long:
            i = rng.choice(long)
            w = words[i]
            j = rng.randrange(1, len(w) - 1)
            words[i] = w[:j] + ("e" if w[j] != "e" else "a") + w[j + 1:]
            return " ".join(words)
    del words[rng.randrange(len(words))]
    return " ".join(words)


def mrr(ranks: Sequence[int | None]) -> float:
    return sum(1 / r for r in ranks if r) / len(ranks)


def search_figures(db: Database, snapshot: ListSnapshot, quick: bool) -> None:
    old = OldSearch(db, snapshot)
    rng = random.Random(2026)
    items: list[tuple[str, tuple[str, str]]] = []
    for i, entry in enumerate(snapshot.entries):
        items.append((perturb(entry.title, rng, i % 2 == 0), ("entry",
                                                               normalise_title(entry.title))))
    listed = silver.list_keys()[0]
    pool = [p for p in silver.pool().values() if silver.split(p) == "test"
            and p.arxiv_id not in listed and len(p.title.split()) >= 3]
    for i, paper in enumerate(rng.sample(sorted(pool, key=lambda p: p.arxiv_id),
                                         100 if quick else 500)):
        items.append((perturb(paper.title, rng, i % 2 == 0), ("paper", paper.arxiv_id)))

    def rank(results: list[tuple[str, str]], want: tuple[str, str]) -> int | None:
        return next((i + 1 for i, r in enumerate(results) if r == want), None)

    n_list = len(snapshot.entries)
    old_ranks = [rank(old.search(q), want) for q, want in items]
    new_ranks = [rank(new_search(db, snapshot, q), want) for q, want in items]
    print("search known-item MRR (one typo or one word dropped)   old     new    goal")
    for label, part in (("list titles", slice(0, n_list)), ("pool titles", slice(n_list, None)),
                        ("all", slice(None))):
        print(f"  {label:12} n={len(old_ranks[part]):4}                     "
              f"{mrr(old_ranks[part]):.3f}   {mrr(new_ranks[part]):.3f}   >= 0.95")
    known = {p.arxiv_id: p for p in bundled_list_papers()}

    def holds(result: tuple[str, str], phrase: str) -> bool:
        kind, key = result
        if kind == "paper":
            paper = store.get_paper(db, key)
            text = f"{paper.title} {paper.abstract}" if paper else ""
        else:
            entry = next(e for e in snapshot.entries if normalise_title(e.title) == key)
            meta = known.get(entry.arxiv_id or "")
            text = f"{entry.title} {meta.abstract if meta else ''}"
        return contains_phrase(folded(text), phrase.split())

    print(f"search precision@10, {len(PHRASES)} two-word phrases (title or abstract holds it)")
    for label, run in (("old", old.search), ("new", lambda q: new_search(db, snapshot, q))):
        precisions = []
        for phrase in PHRASES:
            top = run(phrase)[:10]
            precisions.append(sum(holds(r, phrase) for r in top) / 10)
        print(f"  {label}: {sum(precisions) / len(precisions):.3f}   (goal >= 0.9; "
              f"worst: {min(zip(precisions, PHRASES, strict=True))[1]} {min(precisions):.1f})")
    paper_figures(db, snapshot, old)


def paper_figures(db: Database, snapshot: ListSnapshot, old: OldSearch) -> None:
    stored = {normalise_title(r[0]) for r in db.conn.execute("SELECT title FROM papers")}
    stored |= {normalise_title(e.title) for e in snapshot.entries}
    cvpr = [p for p in silver.cvpr_papers() if normalise_title(p.title) not in stored]
    sample = random.Random(7).sample(cvpr, 200)

    def new_answer(text: str) -> tuple[str, str] | None:
        matches = title_matches(db, snapshot, text)
        if not matches or matches[0].closeness < CONFIDENT:
            return None
        best = matches[0]
        return ("entry", normalise_title(best.entry.title)) if best.entry else (
            "paper", best.paper.arxiv_id if best.paper else "")

    old_nf = sum(old.paper(p.title) is None for p in sample) / len(sample)
    new_nf = sum(new_answer(p.title) is None for p in sample) / len(sample)
    print(f"/paper with 200 CVPR titles not in the store -> not found: old {pct(old_nf)}  "
          f"new {pct(new_nf)}  (goal >= 99%)")
    entries = snapshot.entries
    old_right = sum(old.paper(e.title) == ("entry", normalise_title(e.title)) for e in entries)
    new_right = sum(new_answer(e.title) == ("entry", normalise_title(e.title)) for e in entries)
    print(f"/paper with the list's {len(entries)} titles -> the right paper: "
          f"old {pct(old_right / len(entries))}  new {pct(new_right / len(entries))}  "
          "(goal 100%)")


# --------------------------------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 pool titles, not 500")
    args = parser.parse_args()
    started = time.time()
    snapshot = bundled_snapshot()
    print("== routing (pool: test half, never trained or tuned on) ==")
    routing(silver_sets(), snapshot)
    leave_one_out(snapshot)
    print("\n== keyword subscriptions ==")
    keywords()
    print("\n== search and /paper ==")
    search_figures(build_store(silver.cache_path("relevance-store.db")), snapshot, args.quick)
    print(f"\nfinished in {time.time() - started:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
