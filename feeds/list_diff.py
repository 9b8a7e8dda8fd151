"""Compare two snapshots of the list: added, removed, moved and edited entries.

Entries are paired in passes, strictest first: same arXiv id, same normalised title, a shared
link, then a close title. So a fixed typo or a new link is an edit, never remove + add.
"""

from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher

from rapidfuzz import fuzz, process

from feeds.awesome_list import normalise_title
from feeds.model import Edited, ListDiff, ListEntry, ListSnapshot, Moved

FUZZY_TITLE_RATIO = 0.85
FUZZY_CANDIDATES = 8  # closest unpaired titles weighed exactly, per leftover entry
Similarity = Callable[[str, str], float]


def diff_snapshots(
    old: ListSnapshot, new: ListSnapshot, similarity: Similarity | None = None
) -> ListDiff:
    """Return what changed from `old` to `new` (`similarity`: the exact title ratio, for tests)."""
    left, right = list(old.entries), list(new.entries)
    pairs: list[tuple[ListEntry, ListEntry]] = []
    for key in (_arxiv_key, _title_key, _link_key):
        pairs += _pair_by_key(left, right, key)
    pairs += _pair_fuzzy(left, right, similarity or title_ratio)
    moved, edited = [], []
    for before, after in pairs:
        if before.section != after.section:
            moved.append(Moved(after, before.section, after.section))
        if _content(before) != _content(after):
            edited.append(Edited(before, after))
    return ListDiff(tuple(right), tuple(left), tuple(moved), tuple(edited))


def lost_most(previous: ListSnapshot, current: ListSnapshot) -> bool:
    """True when `current` lost most of the list: over half of its entries, or over 30% of
    the top-100 sections' entries (a broken push, a truncated file): such a version waits
    for a second poll before it counts (bot/pipeline/list_sync.py)."""
    entries = len(current.entries) * 2 < len(previous.entries)
    top = sum(len(s.entries) for s in previous.top100())
    return entries or sum(len(s.entries) for s in current.top100()) < top * 0.7


def _content(entry: ListEntry) -> tuple[object, ...]:
    return (entry.title, entry.year, entry.authors, entry.links, entry.arxiv_id)


def _arxiv_key(entry: ListEntry) -> str | None:
    return entry.arxiv_id


def _title_key(entry: ListEntry) -> str | None:
    return normalise_title(entry.title) or None


def _link_key(entry: ListEntry) -> str | None:
    return entry.links[0].url.rstrip("/ ") if entry.links else None


def _pair_by_key(
    left: list[ListEntry], right: list[ListEntry], key: Callable[[ListEntry], str | None]
) -> list[tuple[ListEntry, ListEntry]]:
    """Pair entries with equal keys, preferring the same section; remove them from the lists."""
    index: dict[str, list[int]] = {}
    for position, entry in enumerate(right):
        value = key(entry)
        if value:
            index.setdefault(value, []).append(position)
    pairs, used_left, used_right = [], set(), set()
    for position, entry in enumerate(left):
        value = key(entry)
        candidates = [i for i in index.get(value or "", []) if i not in used_right]
        if not value or not candidates:
            continue
        chosen = max(
            candidates,
            key=lambda i: (right[i].section == entry.section, right[i].title == entry.title),
        )
        pairs.append((entry, right[chosen]))
        used_left.add(position)
        used_right.add(chosen)
    _drop(left, used_left)
    _drop(right, used_right)
    return pairs


def _pair_fuzzy(
    left: list[ListEntry], right: list[ListEntry], similarity: Similarity
) -> list[tuple[ListEntry, ListEntry]]:
    """Pair leftovers whose titles are nearly equal (typo fixes, capitalisation, subtitles).

    Greedy in document order, as before, but each entry is weighed only against its few
    closest unpaired titles by rapidfuzz's Indel ratio, which is never below difflib's ratio:
    nothing that could reach FUZZY_TITLE_RATIO is missed, and the exact (slow) ratio runs at
    most FUZZY_CANDIDATES times per entry instead of once per leftover.
    """
    pool: list[str | None] = [normalise_title(entry.title) for entry in right]
    pairs, used_left, used_right = [], set(), set()
    for i, entry in enumerate(left):
        title = normalise_title(entry.title)
        near = process.extract(title, pool, scorer=fuzz.ratio, processor=None,
                               score_cutoff=FUZZY_TITLE_RATIO * 100 - 1e-6,
                               limit=FUZZY_CANDIDATES)
        best, best_ratio = None, FUZZY_TITLE_RATIO
        for _, _, j in sorted(near, key=lambda found: found[2]):  # document order, as before
            ratio = similarity(title, pool[j] or "")
            if ratio >= best_ratio:
                best, best_ratio = j, ratio
        if best is not None:
            pairs.append((entry, right[best]))
            used_left.add(i)
            used_right.add(best)
            pool[best] = None  # rapidfuzz skips None choices
    _drop(left, used_left)
    _drop(right, used_right)
    return pairs


def title_ratio(a: str, b: str) -> float:
    """difflib's ratio of two normalised titles: the measure FUZZY_TITLE_RATIO is set for."""
    return SequenceMatcher(None, a, b).ratio()


def _drop(items: list[ListEntry], positions: set[int]) -> None:
    items[:] = [item for position, item in enumerate(items) if position not in positions]
