"""Compare two snapshots of the list: added, removed, moved and edited entries.

Entries are paired in passes, strictest first: same arXiv id, same normalised title, a shared
link, then a close title. So a fixed typo or a new link is an edit, never remove + add.
"""

from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher

from feeds.awesome_list import normalise_title
from feeds.model import Edited, ListDiff, ListEntry, ListSnapshot, Moved

FUZZY_TITLE_RATIO = 0.85


def diff_snapshots(old: ListSnapshot, new: ListSnapshot) -> ListDiff:
    """Return what changed from `old` to `new`."""
    left, right = list(old.entries), list(new.entries)
    pairs: list[tuple[ListEntry, ListEntry]] = []
    for key in (_arxiv_key, _title_key, _link_key):
        pairs += _pair_by_key(left, right, key)
    pairs += _pair_fuzzy(left, right)
    moved, edited = [], []
    for before, after in pairs:
        if before.section != after.section:
            moved.append(Moved(after, before.section, after.section))
        if _content(before) != _content(after):
            edited.append(Edited(before, after))
    return ListDiff(tuple(right), tuple(left), tuple(moved), tuple(edited))


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


def _pair_fuzzy(left: list[ListEntry], right: list[ListEntry]) -> list[tuple[ListEntry, ListEntry]]:
    """Pair leftovers whose titles are nearly equal (typo fixes, capitalisation, subtitles)."""
    pairs, used_left, used_right = [], set(), set()
    for i, entry in enumerate(left):
        title = normalise_title(entry.title)
        best, best_ratio = None, FUZZY_TITLE_RATIO
        for j, other in enumerate(right):
            if j in used_right:
                continue
            ratio = SequenceMatcher(None, title, normalise_title(other.title)).ratio()
            if ratio >= best_ratio:
                best, best_ratio = j, ratio
        if best is not None:
            pairs.append((entry, right[best]))
            used_left.add(i)
            used_right.add(best)
    _drop(left, used_left)
    _drop(right, used_right)
    return pairs


def _drop(items: list[ListEntry], positions: set[int]) -> None:
    items[:] = [item for position, item in enumerate(items) if position not in positions]
