"""How researchers name papers: /paper and /search on real queries, today's code beside this tree.

    python bench/queries.py [--base REV | --base-tree DIR] [--examples N] [--build]

The queries (bench/data/queries.tsv, committed) are built by the rules below from real data, not
picked by hand: `--build` rebuilds the file from ../shared/data and the bundled list (the same
seed gives the same file; tests/system/test_queries_bench.py checks that it does). Each row has
its kind (/paper or /search), language, the query, what answers it, how it is judged and which
rule built it:

* issue-18       the names issue 18 says a new user tried (yolo, resnet, vgg, seq2seq, wgan,
                 生成对抗网络, ...) and the aliases it names (AlexNet, GoogLeNet, word2vec, DQN,
                 AlphaGo, BatchNorm, SSD, WaveNet); ISSUE_NAMES maps each to the list paper it
                 means (both kinds). The only hand-written mapping, and it is the issue's own.
* colon-name     the name before a colon in a title ("SSD", "WaveNet", "Adam"): list entries and
                 the bib (lower-cased, as typed), pool papers (as written, one CamelCase or
                 capitals token that is no common word); seeded samples. Dropped: names longer
                 than three words, names two stored papers share, phrases in several titles
                 ("Deep reinforcement learning"), and the initials of another list title
                 ("LSTM: A search space odyssey" does not own "lstm").
* abstract-name  an acronym an abstract introduces, "long form (ACR)" found by the Schwartz-Hearst
                 rule, when the long form shares a word with the paper's title and the acronym
                 is in at most RARE other stored papers (a name, not a term such as CNN); or
                 "we call it X" / "dubbed X" / "termed X". Abstracts of the list's papers
                 (feeds/data/list_papers.json and the pool records of list entries), then a
                 seeded sample of pool papers.
* gan-zoo        the GAN zoo (../shared/data/arxiv-pool/the-gan-zoo_gans.tsv, MIT): an
                 abbreviation with exactly one row whose paper is stored (by arXiv id, or a list
                 entry by title), seeded sample.
* near-collision list titles whose short names are close but differ (Fast R-CNN / Faster R-CNN,
                 Memory networks / End-to-end memory networks): /paper each, lower-cased.
* typo-title     a list or pool title with two adjacent letters of one long word swapped
                 (seeded): /paper.
* partial-title  the shortest opening of at least three words that no other stored title
                 starts with: /search.
* zh-title       README.zh-CN.md's Chinese title of a list entry (the translation keeps the
                 links, so titles pair by link): /paper with the whole title, /search with the
                 part before "：" (or the whole title when it has none); /paper with the part
                 before "：" of other titles. A part two titles share is dropped (批归一化).
* zh-section     a part of a Chinese section name (物体检测, 强化学习): /search, on topic.
* zh-term        the Chinese terms issue 18 lists (目标检测, 变分自编码器, 词向量, ...), with the
                 English they stand for (ISSUE_ZH_TERMS): /search, on topic and with arXiv
                 papers.

How a query counts as right (`rule`):
* card      /paper shows a card, and every paper the reply shows (bold titles, arXiv links) is
            the expected one; "not found", a list of candidates or another paper is wrong.
* first     /search: the first result is the expected paper (issue 18: "/search puts the
            aliased paper first").
* on-topic  /search with a term: the first result's English title holds the term's words
            (plurals folded), or it is a list entry of the section the term names.
* on-topic+arxiv  the same, and the first page shows an arXiv paper not on the list (issue 18:
            "A Chinese query finds arXiv papers as well as list papers").
`expected` may name alternatives ("a || b": word2vec and DQN are two list papers each).

Held out: every query here was generated after, and apart from, the features of issue 18 (the
alias and Chinese work was done in other worktrees that never saw this file), so the whole set is
held out for that work. For later tuning, `split` marks half of the rows (md5 of the query, even
byte) as `dev`; the other half (`held`) should stay unseen, and both halves are reported.

The run: every query goes through the bot's own command path (bot.commands.dispatch.run_command,
as `papers-bot ask` does) on a fresh database seeded with the bundled list plus the 7,267 ML
arXiv records of 2015-2017 from ../shared/data/arxiv-pool (competition for /search), once with a
checkout of the base revision (default c0c8498, the code before issue 18; `git archive` into a
temporary directory, run in a subprocess with that tree first on sys.path) and once with this
tree. Both answers are judged here by the same rules and printed side by side, with a few failures
of each side.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SHARED = ROOT.parent / "shared" / "data"
QUERIES = BENCH / "data" / "queries.tsv"
BASE = "c0c8498"  # main before issue 18
SEED = 18
GOAL = 0.95
RARE = 3  # an acronym in more other stored papers than this is a term, not a paper's name
COLUMNS = ("id", "kind", "lang", "query", "expected", "rule", "built_by", "title", "split")

# Issue 18's own examples: the name a user typed -> the list paper the issue says it means.
ISSUE_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("yolo", ("You only look once: Unified, real-time object detection",)),
    ("resnet", ("Deep residual learning for image recognition",)),
    ("batch normalization", ("Batch normalization: Accelerating deep network training by "
                             "reducing internal covariate shift",)),
    ("vgg", ("Very deep convolutional networks for large-scale image recognition",)),
    ("seq2seq", ("Sequence to sequence learning with neural networks",)),
    ("faster r-cnn", ("Faster R-CNN: Towards Real-Time Object Detection with Region Proposal "
                      "Networks",)),
    ("wgan", ("Wasserstein GAN",)),
    ("vae", ("Auto-encoding variational Bayes",)),
    ("alexnet", ("ImageNet classification with deep convolutional neural networks",)),
    ("googlenet", ("Going deeper with convolutions",)),
    ("word2vec", ("Efficient estimation of word representations in vector space",
                  "Distributed representations of words and phrases and their compositionality")),
    ("dqn", ("Human-level control through deep reinforcement learning",
             "Playing atari with deep reinforcement learning")),
    ("alphago", ("Mastering the game of Go with deep neural networks and tree search",)),
    ("batchnorm", ("Batch normalization: Accelerating deep network training by reducing "
                   "internal covariate shift",)),
    ("ssd", ("SSD: Single shot multibox detector",)),
    ("wavenet", ("WaveNet: A Generative Model for Raw Audio",)),
    ("生成对抗网络", ("Generative adversarial nets",)),
)
# Issue 18's Chinese terms (its "Chinese as a first language" item) and their English.
ISSUE_ZH_TERMS: tuple[tuple[str, str], ...] = (
    ("生成对抗网络", "generative adversarial || words:gan"), ("目标检测", "object detection"),
    ("强化学习", "reinforcement learning"), ("注意力机制", "attention"),
    ("机器翻译", "machine translation"), ("变分自编码器", "variational autoencoder || words:vae"),
    ("词向量", "word vector || words:word embedding || words:word representation"),
    ("语义分割", "semantic segmentation"), ("残差网络", "residual network || words:resnet"),
    ("批归一化", "batch normalization || words:batchnorm"),
)
# Per-rule quotas (/paper, /search) for the sampled rules.
QUOTA = {"colon-name/list": (10, 10), "colon-name/pool": (4, 4), "abstract-name/list": (6, 6),
         "abstract-name/pool": (5, 5), "gan-zoo": (8, 8), "near-collision": (10, 0),
         "typo-title": (10, 0), "partial-title": (0, 10), "zh-title": (12, 12), "zh-name": (8, 0)}


@dataclass(frozen=True)
class Query:
    """One benchmark query and how it is judged."""

    id: str
    kind: str  # paper | search
    lang: str  # en | zh
    query: str
    expected: str  # "arXiv:ID" / "list:TITLE" (alternatives joined by " || "), or for on-topic
    # "words:W W[ || section:NAME]"
    rule: str  # card | first | on-topic
    built_by: str
    title: str = ""  # the expected paper's title, for reading
    split: str = ""

    @property
    def command(self) -> str:
        return f"/{self.kind} {self.query}"


def norm(text: str) -> str:
    """Case-fold and keep letters and digits (CJK too), for matching titles."""
    folded = unicodedata.normalize("NFKC", html.unescape(text)).casefold()
    return " ".join(re.findall(r"[^\W_]+", folded))


def singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and word.isascii() else word


def split_of(text: str) -> str:
    return "dev" if hashlib.md5(text.encode()).digest()[0] % 2 == 0 else "held"


# ------------------------------------------------------------------------------ the rules

def _project() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))


@dataclass
class Data:
    """What the rules read: the bundled list, the stored pool records, abstracts, Chinese."""

    entries: list[Any]
    pool: dict[str, Any]  # the stored pool records (ML, 2015-2017), by arXiv id
    entry_key: dict[int, str] = field(default_factory=dict)  # id(entry) -> key
    zh_title: dict[int, str] = field(default_factory=dict)  # id(entry) -> Chinese title

    def key_of(self, entry: Any) -> str:
        return self.entry_key[id(entry)]


def load_data() -> Data:
    """The bundled list and the pool records the bench stores."""
    _project()
    from pool import POOL_DIR, is_ml_2015_2017, load_pool

    from feeds.bundled import bundled_snapshot

    pool = {i: p for i, p in load_pool(POOL_DIR).items() if is_ml_2015_2017(p)}
    return data_of(list(bundled_snapshot().entries), pool)


def data_of(entries: list[Any], pool: dict[str, Any]) -> Data:
    """Key every entry: its arXiv id, else a stored record's id by title, else its title."""
    _project()
    from feeds.awesome_list import normalise_title
    from feeds.bundled import chinese_titles, link_key

    data = Data(entries, pool)
    by_title = {normalise_title(p.title): p.arxiv_id for p in pool.values()}
    zh = chinese_titles()
    for entry in data.entries:
        data.entry_key[id(entry)] = (f"arXiv:{entry.arxiv_id}" if entry.arxiv_id else
                                     f"arXiv:{by_title[normalise_title(entry.title)]}"
                                     if normalise_title(entry.title) in by_title
                                     else f"list:{entry.title}")
        if entry.links and link_key(entry.links[0].url) in zh:
            data.zh_title[id(entry)] = zh[link_key(entry.links[0].url)].strip("《》 ")
    return data


def stored_titles(data: Data) -> list[tuple[str, str]]:
    """(normalised title, key) of every stored paper: list entries and pool records."""
    found = [(norm(e.title), data.key_of(e)) for e in data.entries]
    return found + [(norm(p.title), f"arXiv:{p.arxiv_id}") for p in data.pool.values()]


def initials(title: str) -> str:
    return "".join(w[0] for w in re.findall(r"[^\W_]+", title.casefold()))


def colon_name(title: str) -> str | None:
    """The name before a colon: 'SSD' of 'SSD: Single shot multibox detector'."""
    head, colon, _ = title.partition(":")
    head = head.strip()
    if not colon or not head or len(head.split()) > 3:
        return None
    return head


def name_like(name: str) -> bool:
    """One token with a capital after its first letter or a digit: DeepHash, ORB-SLAM, MADE."""
    return len(name.split()) == 1 and bool(re.search(r".[A-Z0-9]", name))


def colon_names(data: Data) -> Iterator[tuple[str, str, str, str]]:
    """(name, key, title, source) for every usable colon name; list and bib first, then pool.
    A list name is lower-cased (as people type "ssd"); a pool paper's name is kept as written,
    must look like one (`name_like`) and be no common word ("CLEAR"). A name that is a phrase
    in more than RARE other stored titles is a term ("Deep reinforcement learning: an
    overview")."""
    _project()
    from feeds.list_papers import bundled_bib

    titles = [f" {t} " for t, _ in stored_titles(data)]
    words = Counter(w for p in data.pool.values() for w in set(norm(f"{p.title} {p.abstract}")
                                                                .split()))
    list_initials = {initials(e.title): data.key_of(e) for e in data.entries}
    by_title = {norm(e.title): e for e in data.entries}
    candidates: list[tuple[str, str, str, str]] = []
    for entry in data.entries:
        candidates.append((entry.title, data.key_of(entry), entry.title, "list"))
    for bib in bundled_bib():
        entry = by_title.get(norm(bib.title))
        if entry is not None:
            candidates.append((bib.title, data.key_of(entry), entry.title, "list"))
    for paper in sorted(data.pool.values(), key=lambda p: p.arxiv_id):
        candidates.append((paper.title, f"arXiv:{paper.arxiv_id}", paper.title, "pool"))
    named: dict[str, set[str]] = defaultdict(set)
    for title, key, _, _ in candidates:
        name = colon_name(title)
        if name:
            named[norm(name)].add(key)
    seen = set()
    for title, key, shown, source in candidates:
        name = colon_name(title)
        if not name or norm(name) in seen or (source == "pool" and not name_like(name)):
            continue
        seen.add(norm(name))
        taken = list_initials.get(norm(name).replace(" ", ""))
        if len(named[norm(name)]) > 1 or (taken and taken != key) or len(norm(name)) < 3:
            continue
        if sum(1 for t in titles if f" {norm(name)} " in t) > RARE + 1:
            continue
        if source == "pool":  # as written; and not a word that many abstracts use ("CLEAR")
            if words[norm(name)] > RARE + 1:
                continue
            yield name, key, shown, source
        else:
            yield name.lower(), key, shown, source


def schwartz_hearst(short: str, before: str) -> str | None:
    """The long form of `short` at the end of `before` (Schwartz & Hearst 2003), or None."""
    letters = short.lower()
    words = before.split()[-min(len(short) + 5, len(short) * 2):]
    text = " ".join(words).lower()
    s, t = len(letters) - 1, len(text) - 1
    while s >= 0:
        c = letters[s]
        if not c.isalnum():
            s -= 1
            continue
        while t >= 0 and (text[t] != c or (s == 0 and t > 0 and text[t - 1].isalnum())):
            t -= 1
        if t < 0:
            return None
        t -= 1
        s -= 1
    start = text.rfind(" ", 0, t + 1) + 1
    return text[start:].strip() or None


_PAREN = re.compile(r"\(([A-Z][A-Za-z0-9\-]*[A-Z][A-Za-z0-9\-]*?)s?\)")
_NAMED = re.compile(r"\b(?:we (?:call|name|dub|term)|called|dubbed|named|termed|coined)\s+"
                    r"(?:it\s+|this\s+|them\s+)?(?:the\s+)?[\"“']?"
                    r"([A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9\-]*|[A-Z][a-z]+[A-Z][A-Za-z0-9]*)")
_OWN = re.compile(r"\b(?:we|our|this (?:paper|work|article))\b|\bpropos|\bintroduc", re.I)
_STOP = frozenset(("a", "an", "the", "of", "for", "and", "with", "in", "on", "to", "by", "via",
                   "from", "using", "networks", "network", "neural", "deep", "learning", "model",
                   "models"))


def introduced_names(title: str, abstract: str) -> list[str]:
    """Acronyms and names this abstract introduces for its own work: "long form (ACR)" in a
    sentence of the authors' own ("we", "our", "this paper", "propose", "introduce"), its long
    form sharing two content words with the title (one when the title has one) or the acronym
    in the title; or "we call it X"."""
    title_words = {singular(w) for w in norm(title).split()} - _STOP
    found = []
    for sentence in re.split(r"(?<=[.!?])\s+", abstract):
        if not _OWN.search(sentence):
            continue
        for match in _PAREN.finditer(sentence):
            short = match.group(1)
            long = schwartz_hearst(short, sentence[: match.start()])
            shared = {singular(w) for w in norm(long or "").split()} & title_words
            if re.search(r"-[a-z]{3,}", short):
                continue  # "(PCA-based)" is no name
            if long and (len(shared) >= min(2, len(title_words)) or short in title.split()):
                found.append(short)
    found += _NAMED.findall(abstract)
    return list(dict.fromkeys(found))


def document_frequency(pool: dict[str, Any]) -> Counter[str]:
    """In how many pool papers each token (case kept, a final s dropped) appears."""
    df: Counter[str] = Counter()
    for paper in pool.values():
        tokens = re.findall(r"[\w][\w\-+]*", f"{paper.title} {paper.abstract}")
        df.update({t[:-1] if t.endswith("s") else t for t in tokens})
    return df


def abstract_names(data: Data) -> Iterator[tuple[str, str, str, str]]:
    """(name, key, title, source): list papers' abstracts first, then pool abstracts."""
    _project()
    from feeds.list_papers import bundled_list_papers

    list_keys = {data.key_of(e) for e in data.entries}
    list_papers: dict[str, Any] = {}
    for paper in bundled_list_papers():
        if paper.arxiv_id and f"arXiv:{paper.arxiv_id}" in list_keys:
            list_papers[paper.arxiv_id] = paper
    for entry in data.entries:
        key = data.key_of(entry)
        if key.startswith("arXiv:") and key[6:] in data.pool:
            list_papers.setdefault(key[6:], data.pool[key[6:]])
    sources = [("list", p) for _, p in sorted(list_papers.items())]
    sources += [("pool", p) for i, p in sorted(data.pool.items()) if i not in list_papers]
    named: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for source, paper in sources:
        for name in introduced_names(paper.title, paper.abstract):
            named[name].append((source, paper))
    df = document_frequency(data.pool)
    for name, papers in named.items():
        if len({p.arxiv_id for _, p in papers}) != 1 or len(name) < 3:
            continue
        source, paper = papers[0]
        if df[name[:-1] if name.endswith("s") else name] - (paper.arxiv_id in data.pool) > RARE:
            continue
        yield name, f"arXiv:{paper.arxiv_id}", paper.title, source


def gan_zoo(data: Data) -> Iterator[tuple[str, str, str, str]]:
    """(abbreviation, key, title, 'zoo') for zoo rows whose abbreviation is unique and stored."""
    rows = list(csv.DictReader((SHARED / "arxiv-pool" / "the-gan-zoo_gans.tsv").open(
        encoding="utf-8"), delimiter="\t"))
    count = Counter(norm(r["Abbr."]) for r in rows)
    by_title = {norm(e.title): data.key_of(e) for e in data.entries}
    by_id = {data.key_of(e): e.title for e in data.entries if data.key_of(e).startswith("arXiv")}
    for row in rows:
        abbr = row["Abbr."].strip()
        if count[norm(abbr)] != 1 or len(abbr) < 3:
            continue
        found = re.search(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", row["Arxiv"])
        key = f"arXiv:{found.group(1)}" if found else ""
        if key and (key[6:] in data.pool or key in by_id):
            title = data.pool[key[6:]].title if key[6:] in data.pool else by_id[key]
            yield abbr, key, title, "zoo"
        elif norm(row["Title"]) in by_title:
            yield abbr, by_title[norm(row["Title"])], row["Title"], "zoo"


def near_collisions(data: Data) -> Iterator[tuple[str, str, str, str]]:
    """Short names of list entries that are close to another entry's but differ."""
    from rapidfuzz import fuzz

    shorts = []
    for entry in data.entries:
        if not re.search(r"[a-z]", entry.title):
            continue
        short = colon_name(entry.title) or (entry.title if len(entry.title.split()) <= 4
                                            else None)
        if short:
            shorts.append((short, entry))
    for short, entry in shorts:
        for other_short, other in shorts:
            if data.key_of(other) == data.key_of(entry) or norm(short) == norm(other_short):
                continue
            a, b = norm(short), norm(other_short)
            if fuzz.ratio(a, b) >= 75 or (len(a.split()) >= 2 and f" {a} " in f" {b} "):
                yield short.lower(), data.key_of(entry), entry.title, "list"
                break


def swap_typo(title: str, rng: random.Random) -> str | None:
    """Two adjacent letters of one word of six or more letters swapped."""
    words = title.split()
    long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long:
        return None
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    if w[j] == w[j + 1]:
        return None
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)


def unique_opening(title: str, titles: list[str]) -> str | None:
    """The shortest opening of >= 3 words (not the whole title, not ending on a small word)
    that starts no other stored title."""
    words = title.split()
    for n in range(3, len(words)):
        if norm(words[n - 1]) in _STOP - {"networks", "network", "neural", "deep", "learning"}:
            continue
        head = norm(" ".join(words[:n]))
        if sum(1 for t in titles if t.startswith(head)) == 1:
            return " ".join(words[:n])
    return None


def chinese_sections() -> Iterator[tuple[str, str, str]]:
    """(Chinese part, English part, English section) of the topical sections' names."""
    _project()
    from feeds.bundled import bundled_snapshot, chinese_section_names
    from feeds.model import SectionKind

    topical = {s.name for s in bundled_snapshot().sections if s.kind is SectionKind.TOP100}
    for english, chinese in chinese_section_names().items():
        en_parts = [p.strip() for p in english.split("/")]
        zh_parts = [p.strip() for p in re.split(r"[/／]", chinese)]
        if len(en_parts) != len(zh_parts):
            continue
        if english not in topical:
            continue
        for zh, en in zip(zh_parts, en_parts, strict=True):
            if zh and not zh.isascii() and not zh.startswith("其他") and not re.search(r"\d", zh):
                yield zh, en, english


def build(data: Data) -> list[Query]:
    """Every query, by the rules in the module's docstring."""
    rng = random.Random(SEED)
    rows: list[Query] = []
    by_title = {norm(e.title): e for e in data.entries}

    def add(kind: str, lang: str, query: str, expected: str, rule: str, built_by: str,
            title: str = "") -> None:
        if any(r.kind == kind and norm(r.query) == norm(query) for r in rows):
            return
        rows.append(Query("", kind, lang, query, expected, rule, built_by, title))

    for name, titles in ISSUE_NAMES:
        keys = " || ".join(data.key_of(by_title[norm(t)]) for t in titles)
        lang = "en" if name.isascii() else "zh"
        add("paper", lang, name, keys, "card", "issue-18", titles[0])
        if lang == "en":
            add("search", lang, name, keys, "first", "issue-18", titles[0])
    for term, english in ISSUE_ZH_TERMS:
        add("search", "zh", term, f"words:{english}", "on-topic+arxiv", "zh-term",
            english.split(" || ")[0])

    def sample(label: str, items: list[tuple[str, str, str, str]], query_rule: str) -> None:
        papers, searches = QUOTA[label]
        picked = rng.sample(items, min(len(items), papers + searches))
        papers = round(len(picked) * papers / (papers + searches))
        for i, (name, key, title, _) in enumerate(picked):
            kind = "paper" if i < papers else "search"
            add(kind, "en", name, key, "card" if kind == "paper" else "first", query_rule, title)

    names = list(colon_names(data))
    sample("colon-name/list", [n for n in names if n[3] == "list"], "colon-name")
    sample("colon-name/pool", [n for n in names if n[3] == "pool"], "colon-name")
    names = list(abstract_names(data))
    sample("abstract-name/list", [n for n in names if n[3] == "list"], "abstract-name")
    sample("abstract-name/pool", [n for n in names if n[3] == "pool"], "abstract-name")
    sample("gan-zoo", list(gan_zoo(data)), "gan-zoo")
    sample("near-collision", list(near_collisions(data)), "near-collision")

    stored = [t for t, _ in stored_titles(data)]
    listed = sorted((e.title, data.key_of(e)) for e in data.entries
                    if len(e.title.split()) >= 4 and stored.count(norm(e.title)) == 1)
    pooled = sorted((p.title, f"arXiv:{p.arxiv_id}") for p in data.pool.values()
                    if len(p.title.split()) >= 4)
    typos = []
    for title, key in rng.sample(listed, 12) + rng.sample(pooled, 8):
        typo = swap_typo(title, rng)
        if typo:
            typos.append((typo, key, title, ""))
    sample("typo-title", typos, "typo-title")
    partial = []
    for title, key in rng.sample(listed, 12) + rng.sample(pooled, 8):
        opening = unique_opening(title, stored)
        if opening:
            partial.append((opening, key, title, ""))
    sample("partial-title", partial, "partial-title")

    zh_titles = sorted((data.zh_title[id(e)], data.key_of(e), e.title) for e in data.entries
                       if id(e) in data.zh_title and not data.zh_title[id(e)].isascii())
    zh_heads = Counter(re.split(r"[：:]", zh)[0] for zh, _, _ in zh_titles)
    zh_count = Counter(zh for zh, _, _ in zh_titles)
    zh_pick = rng.sample([z for z in zh_titles if zh_count[z[0]] == 1],
                         sum(QUOTA["zh-title"]))
    for i, (zh, key, title) in enumerate(zh_pick):
        if i < QUOTA["zh-title"][0]:
            add("paper", "zh", zh, key, "card", "zh-title", title)
        else:
            head = re.split(r"[：:]", zh)[0]
            if zh_heads[head] == 1 and not head.isascii():
                add("search", "zh", head, key, "first", "zh-title", title)
    named = [(re.split(r"[：:]", zh)[0], key, title) for zh, key, title in zh_titles
             if re.search(r"[：:]", zh) and (zh, key, title) not in zh_pick]
    named = [n for n in named if zh_heads[n[0]] == 1 and not n[0].isascii()]
    for head, key, title in rng.sample(named, min(len(named), QUOTA["zh-name"][0])):
        add("paper", "zh", head, key, "card", "zh-title", title)
    for zh, en, section in chinese_sections():
        add("search", "zh", zh, f"words:{en.lower()} || section:{section}", "on-topic",
            "zh-section", en)
    return balance(rows, rng)


def balance(rows: list[Query], rng: random.Random) -> list[Query]:
    """As many /paper as /search: drop seeded extras of the larger kind (English, sampled rules
    only), then number the rows."""
    kinds = Counter(r.kind for r in rows)
    bigger = max(kinds, key=lambda k: kinds[k])
    extra = kinds[bigger] - min(kinds.values())
    droppable = [i for i, r in enumerate(rows) if r.kind == bigger and r.lang == "en"
                 and r.built_by not in ("issue-18", "near-collision")]
    gone = set(rng.sample(droppable, extra)) if extra else set()
    kept = [r for i, r in enumerate(rows) if i not in gone]
    return [Query(f"q{n:03d}", r.kind, r.lang, r.query, r.expected, r.rule, r.built_by, r.title,
                  split_of(r.command)) for n, r in enumerate(kept, 1)]


def write_queries(rows: list[Query], path: Path = QUERIES) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter="\t", lineterminator="\n")
        out.writerow(COLUMNS)
        for row in rows:
            out.writerow([getattr(row, c) for c in COLUMNS])


def read_queries(path: Path = QUERIES) -> list[Query]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [Query(**{c: r[c] for c in COLUMNS}) for r in csv.DictReader(handle,
                                                                            delimiter="\t")]


# ------------------------------------------------------------------------ answering (child)

def answer(records: Path, queries: Path) -> None:
    """Run in a subprocess with the tree to test first on sys.path: build its database, ask
    every query through its command dispatch, print one JSON line per query."""
    import asyncio
    import dataclasses
    import os

    from bot.commands.base import Asker
    from bot.commands.dispatch import parse_command, run_command
    from bot.pipeline.list_sync import seed_bundled
    from feeds.model import Lang, Paper
    from storage import chats
    from storage import papers as store
    from storage.db import open_db

    fields = {f.name for f in dataclasses.fields(Paper)}
    papers = []
    for line in records.read_text(encoding="utf-8").splitlines():
        raw: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                               for k, v in json.loads(line).items() if k in fields}
        papers.append(Paper(**raw))
    db = open_db(os.path.join(tempfile.mkdtemp(dir=records.parent), "bench.db"))
    seed_bundled(db)
    for start in range(0, len(papers), 2000):
        store.store_papers(db, papers[start : start + 2000])
    askers = {}
    for number, lang in enumerate(("en", "zh"), 1):
        chats.ensure_chat(db, number, "private", "bench")
        chats.set_chat_setting(db, number, lang=Lang(lang))
        askers[lang] = Asker(db, chats.ensure_chat(db, number), number, True, False,
                             user_name="bench")

    import bot

    print(json.dumps({"tree": str(Path(bot.__file__).resolve().parent.parent)}), flush=True)

    async def ask_all() -> None:
        for query in read_queries(queries):
            parsed = parse_command(query.command)
            assert parsed is not None, query.command
            replies = await run_command(askers[query.lang], *parsed)
            print(json.dumps({"id": query.id, "texts": [r.text for r in replies]},
                             ensure_ascii=False), flush=True)

    asyncio.run(ask_all())


# ----------------------------------------------------------------------------- judging

_MENTION = re.compile(r"<b>(.*?)</b>|arxiv\.org/(?:abs|pdf)/([\w.\-/]+?)(?:v\d+)?(?:\.pdf)?"
                      r"[\"'<\s]", re.S)


@dataclass
class Judge:
    """Maps what a reply shows back to papers, and decides right or wrong."""

    keys_by_title: dict[str, set[str]]
    titles_by_key: dict[str, set[str]]
    section_by_key: dict[str, set[str]]

    @classmethod
    def of(cls, data: Data) -> Judge:
        keys: dict[str, set[str]] = defaultdict(set)
        titles: dict[str, set[str]] = defaultdict(set)
        sections: dict[str, set[str]] = defaultdict(set)
        for entry in data.entries:
            key = data.key_of(entry)
            keys[norm(entry.title)].add(key)
            titles[key].add(entry.title)
            sections[key].add(entry.section)
            if id(entry) in data.zh_title:
                keys[norm(data.zh_title[id(entry)])].add(key)
        for paper in data.pool.values():
            keys[norm(paper.title)].add(f"arXiv:{paper.arxiv_id}")
            titles[f"arXiv:{paper.arxiv_id}"].add(paper.title)
        return cls(dict(keys), dict(titles), dict(sections))

    def shown(self, text: str, skip_header: bool = False) -> list[set[str]]:
        """The papers a reply shows, in order: each as the keys it could be (a results page's
        first line is its header, which may quote the query: skipped)."""
        found = []
        start = text.find("\n") + 1 if skip_header else 0
        for match in _MENTION.finditer(text[start:] + " "):
            if match.group(1) is not None:
                keys = self.keys_by_title.get(norm(re.sub(r"<[^>]+>", "", match.group(1))))
            else:
                keys = {f"arXiv:{match.group(2)}"}
            if keys:
                found.append(keys)
        return found

    def right(self, query: Query, texts: list[str]) -> tuple[bool, str]:
        """Right or wrong, and what was shown (a title, or the reply's opening)."""
        text = "\n".join(texts)
        shown = self.shown(text, skip_header=query.kind == "search")
        wanted = set(query.expected.split(" || "))
        first = sorted(shown[0])[0] if shown else ""
        seen = (min(self.titles_by_key.get(first, {first})) if shown else
                re.sub(r"<[^>]+>", "", text).replace("\n", " ")[:70])
        if query.rule == "card":
            ok = len(texts) == 1 and bool(shown) and any(
                all(w in keys for keys in shown) for w in wanted)
        elif query.rule == "first":
            ok = bool(shown) and bool(wanted & shown[0])
        else:
            ok = bool(shown) and any(self.on_topic(w, shown[0]) for w in wanted)
            if query.rule == "on-topic+arxiv":  # and an arXiv paper that is not on the list
                arxiv = any(k not in self.section_by_key for keys in shown for k in keys)
                seen += "" if arxiv else " (no arXiv paper on the page)"
                ok = ok and arxiv
        return ok, seen

    def on_topic(self, wanted: str, keys: set[str]) -> bool:
        how, _, what = wanted.partition(":")
        if how == "section":
            return any(what in self.section_by_key.get(k, ()) for k in keys)
        words = {singular(w) for w in norm(what).split()}
        return any(words <= {singular(w) for w in norm(t).split()}
                   for k in keys for t in self.titles_by_key.get(k, ()))


# ----------------------------------------------------------------------------- the run

def records_file(data: Data, folder: Path) -> Path:
    path = folder / "records.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for paper in sorted(data.pool.values(), key=lambda p: (p.published, p.arxiv_id)):
            raw = {k: v for k, v in asdict(paper).items() if k != "extra"}
            handle.write(json.dumps(raw, ensure_ascii=False) + "\n")
    return path


def checkout(base: str, folder: Path) -> Path:
    """The base revision's files in `folder` (git archive: nothing is registered in the repo)."""
    tree = folder / f"base-{base}"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", base], capture_output=True,
                             check=True)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def ask(tree: Path, records: Path, queries: Path) -> tuple[dict[str, list[str]], float]:
    """Every query's reply texts from the code in `tree`, and the seconds it took."""
    import os

    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--answer",
                           str(records), str(queries)], cwd=tree, env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode:
        raise SystemExit(f"answering with {tree} failed:\n{done.stderr[-3000:]}")
    found = {}
    for line in done.stdout.splitlines():
        row = json.loads(line)
        if "tree" in row:  # the code that answered is the tree asked for, not another
            assert Path(row["tree"]) == tree.resolve(), (row["tree"], tree)
            continue
        found[row["id"]] = row["texts"]
    return found, time.perf_counter() - started


def pct(hits: int, total: int) -> str:
    return f"{100 * hits / total:5.1f}%" if total else "    -"


def report(queries: list[Query], results: dict[str, dict[str, tuple[bool, str]]],
           examples: int) -> None:
    sides = list(results)
    groups: list[tuple[str, Iterable[Query]]] = [
        (f"/{kind} {lang}", [q for q in queries if q.kind == kind and q.lang == lang])
        for kind in ("paper", "search") for lang in ("en", "zh")]
    groups += [("/paper", [q for q in queries if q.kind == "paper"]),
               ("/search", [q for q in queries if q.kind == "search"]),
               ("English", [q for q in queries if q.lang == "en"]),
               ("Chinese", [q for q in queries if q.lang == "zh"]),
               ("split dev", [q for q in queries if q.split == "dev"]),
               ("split held", [q for q in queries if q.split == "held"])]
    groups += [(f"  by {rule}", [q for q in queries if q.built_by == rule])
               for rule in dict.fromkeys(q.built_by for q in queries)]
    groups.append(("overall", queries))
    head = "".join(f"{s:>16}" for s in sides)
    print(f"{'queries':26} {'n':>4}{head}   goal")
    for label, members in groups:
        members = list(members)
        cells = "".join(f"{pct(sum(results[s][q.id][0] for q in members), len(members)):>16}"
                        for s in sides)
        goal = f">= {100 * GOAL:.0f}%" if not label.startswith(("  by", "split")) else ""
        print(f"{label:26} {len(members):4}{cells}   {goal}")
    if len(sides) == 2:
        base, this = sides
        fixed = [q for q in queries if results[this][q.id][0] and not results[base][q.id][0]]
        broken = [q for q in queries if results[base][q.id][0] and not results[this][q.id][0]]
        print(f"\n{this} vs {base}: {len(fixed)} right now that were wrong, {len(broken)} wrong "
              "now that were right" + (":" if broken else ""))
        for q in broken[:examples]:
            print(f"  {q.command!s:44.44} want {q.title[:38]!r:42} got "
                  f"{results[this][q.id][1][:60]!r} [{q.built_by}, {q.rule}]")
    for side in sides:
        wrong = [q for q in queries if not results[side][q.id][0]]
        print(f"\n{side}: {len(wrong)} wrong; e.g.")
        for q in random.Random(SEED).sample(wrong, min(examples, len(wrong))):
            print(f"  {q.command!s:44.44} want {q.title[:38]!r:42} got "
                  f"{results[side][q.id][1][:90]!r} [{q.built_by}, {q.rule}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE, help=f"base revision (default {BASE})")
    parser.add_argument("--base-tree", type=Path, help="a checkout to use as the base instead")
    parser.add_argument("--examples", type=int, default=6, help="failures shown per side")
    parser.add_argument("--build", action="store_true",
                        help=f"rebuild {QUERIES.relative_to(ROOT)} from the data, then run")
    parser.add_argument("--dump", type=Path, help="write every query's outcome per side (TSV)")
    parser.add_argument("--answer", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.answer:  # the child: the tree under test is the cwd, first on sys.path
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
        answer(*args.answer)
        return
    started = time.perf_counter()
    if not (SHARED / "arxiv-pool").is_dir():
        raise SystemExit(f"needs {SHARED} (the arXiv pool)")
    data = load_data()
    if args.build:
        write_queries(build(data))
    queries = read_queries()
    counts = Counter((q.kind, q.lang) for q in queries)
    print(f"{len(queries)} queries ({QUERIES.relative_to(ROOT)}): " + ", ".join(
        f"/{k} {lang} {n}" for (k, lang), n in sorted(counts.items())) +
        f"; store: bundled list ({len(data.entries)} entries) + {len(data.pool):,} arXiv "
        "records (pool, ML, 2015-2017)")
    judge = Judge.of(data)
    results: dict[str, dict[str, tuple[bool, str]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-queries-") as tmp:
        folder = Path(tmp)
        records = records_file(data, folder)
        base_tree = args.base_tree or checkout(args.base, folder)
        label = f"base {args.base}" if not args.base_tree else "base tree"
        for side, tree in ((label, base_tree), ("this tree", ROOT)):
            answers, seconds = ask(tree, records, QUERIES)
            results[side] = {q.id: judge.right(q, answers[q.id]) for q in queries}
            print(f"{side}: answered in {seconds:.0f} s ({tree})")
        if not args.base_tree:
            shutil.rmtree(base_tree, ignore_errors=True)
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as handle:
            handle.write("id\tcommand\tbuilt_by\trule\texpected\t" + "\t".join(
                f"{side}\t{side}: shown" for side in results) + "\n")
            for q in queries:
                cells = "\t".join(f"{'right' if results[s][q.id][0] else 'wrong'}\t"
                                  f"{results[s][q.id][1]}" for s in results)
                handle.write(f"{q.id}\t{q.command}\t{q.built_by}\t{q.rule}\t{q.title}\t"
                             f"{cells}\n")
    print()
    report(queries, results, args.examples)
    print(f"\nfinished in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
