"""Load the arXiv pool (../shared/data/arxiv-pool/*.tsv.xz) as Papers, with repaired ids.

The upstream pipeline turned `arxiv_id` into floats and back (`1501.0303199999998`, `1703.0178`,
`708.066`); `repair_arxiv_id` undoes that as SOURCES.md explains.
"""

from __future__ import annotations

import csv
import lzma
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from feeds.awesome_list import normalise_title  # noqa: E402
from feeds.model import ListEntry, ListSnapshot, Paper  # noqa: E402
from feeds.names import full_name_key  # noqa: E402

POOL_DIR = ROOT.parent / "shared" / "data" / "arxiv-pool"
ML_TAGS = frozenset({"cs.LG", "cs.CV", "cs.CL", "cs.AI", "stat.ML", "cs.NE"})


def repair_arxiv_id(raw: str) -> str:
    """Undo the float round trip: pad yymm to 4 digits, round the suffix to 5 (4 before 1501)."""
    raw = raw.strip()
    if "/" in raw or not raw:
        return raw
    head, _, tail = raw.partition(".")
    yymm = head.zfill(4)
    width = 5 if int(yymm) >= 1501 else 4
    suffix = round(float(f"0.{tail or '0'}"), width)
    return f"{yymm}.{int(round(suffix * 10**width)):0{width}d}"


def load_pool(pool_dir: Path = POOL_DIR) -> dict[str, Paper]:
    """Read every *.tsv.xz file with the csv module; dedupe by repaired id (first wins)."""
    csv.field_size_limit(1 << 30)
    papers: dict[str, Paper] = {}
    for path in sorted(pool_dir.glob("*.tsv.xz")):
        with lzma.open(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                paper = _paper(row)
                papers.setdefault(paper.arxiv_id, paper)
    return papers


def _paper(row: dict[str, str]) -> Paper:
    categories = tuple(c.strip() for c in row["categories"].split(",") if c.strip())
    return Paper(
        arxiv_id=repair_arxiv_id(row["arxiv_id"]),
        version=2 if row.get("updated", "").strip() else 1,
        title=" ".join(row["title"].split()),
        abstract=" ".join(row["abstract"].split()),
        authors=tuple(a.strip() for a in row["author_text"].split(",") if a.strip()),
        categories=categories,
        primary_category=row.get("primary_cat", "") or (categories[0] if categories else ""),
        published=row["created"],
        updated=row.get("updated", ""),
        doi=row.get("doi", ""),
        comments=" ".join(row.get("comments", "").split()),
        source="pool",
    )


def is_ml_2015_2017(paper: Paper) -> bool:
    """True for papers created 2015-2017 that carry one of the ML tags."""
    return "2015" <= paper.published[:4] <= "2017" and bool(ML_TAGS & set(paper.categories))


@dataclass(frozen=True)
class Found:
    """A list entry found in the pool, and how."""

    entry: ListEntry
    paper: Paper
    how: str  # id | title


def find_list_papers(snapshot: ListSnapshot, pool: dict[str, Paper]) -> list[Found]:
    """Find list entries in the pool by repaired arXiv id, else by normalised title."""
    by_title: dict[str, Paper] = {}
    for paper in pool.values():
        by_title.setdefault(normalise_title(paper.title), paper)
    found = []
    for entry in snapshot.entries:
        if entry.arxiv_id and entry.arxiv_id in pool:
            found.append(Found(entry, pool[entry.arxiv_id], "id"))
        elif (paper := by_title.get(normalise_title(entry.title))) is not None:
            found.append(Found(entry, paper, "title"))
    return found


def without(snapshot: ListSnapshot, hidden: Iterable[ListEntry]) -> ListSnapshot:
    """Return the snapshot with these entries removed (their sections stay)."""
    gone = {(e.section, e.title) for e in hidden}
    sections = tuple(
        replace(s, entries=tuple(e for e in s.entries if (e.section, e.title) not in gone))
        for s in snapshot.sections
    )
    return ListSnapshot(sections)


def earlier_coauthors(pool: dict[str, Paper], ids: Iterable[str]) -> dict[str, frozenset[str]]:
    """For each paper: full-name keys of its authors' co-authors on earlier pool papers."""
    by_author: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for paper in pool.values():
        keys = tuple(dict.fromkeys(k for k in map(full_name_key, paper.authors) if k))
        for key in keys:
            by_author.setdefault(key, []).append((paper.published, keys))
    found = {}
    for arxiv_id in ids:
        paper = pool[arxiv_id]
        own = {full_name_key(name) for name in paper.authors}
        found[arxiv_id] = frozenset(
            other for key in own for day, keys in by_author.get(key, ())
            if day < paper.published for other in keys if other not in own)
    return found
