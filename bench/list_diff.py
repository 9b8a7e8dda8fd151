"""Time the list diff at 1,000 <-> 1,000 changed entries: the old all-pairs fuzzy pass vs today's.

    python bench/list_diff.py [--size 1000]

Every entry's title and link changed, so nothing pairs by key and every entry reaches the fuzzy
pass (the case that took minutes). The old pass is kept here, verbatim, as the baseline.
"""

from __future__ import annotations

import argparse
import time
from difflib import SequenceMatcher
from unittest import mock

from feeds import list_diff
from feeds.awesome_list import normalise_title
from feeds.model import Link, ListEntry, ListSnapshot, Section, SectionKind

WORDS = ("deep", "residual", "sparse", "recurrent", "adversarial", "graph", "attention")


def snapshot(count: int, word: str) -> ListSnapshot:
    entries = tuple(
        ListEntry("Papers", f"{word} {i:04d} {WORDS[i % 7]} {WORDS[i * 3 % 7]} networks", 2016,
                  "A. Author", (Link("pdf", f"https://{word}.example/{i}"),))
        for i in range(count)
    )
    return ListSnapshot((Section("Papers", SectionKind.TOP100, entries),))


def old_pair_fuzzy(left, right, similarity=None):  # type: ignore[no-untyped-def]
    """The pass before the rapidfuzz shortlist: every leftover against every leftover."""
    pairs, used_left, used_right = [], set(), set()
    for i, entry in enumerate(left):
        title = normalise_title(entry.title)
        best, best_ratio = None, list_diff.FUZZY_TITLE_RATIO
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
    list_diff._drop(left, used_left)
    list_diff._drop(right, used_right)
    return pairs


def timed(old: ListSnapshot, new: ListSnapshot) -> tuple[float, list_diff.ListDiff]:
    started = time.perf_counter()
    found = list_diff.diff_snapshots(old, new)
    return time.perf_counter() - started, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    size = parser.parse_args().size
    old, new = snapshot(size, "learning"), snapshot(size, "training")
    new_seconds, new_diff = timed(old, new)
    with mock.patch.object(list_diff, "_pair_fuzzy", old_pair_fuzzy):
        old_seconds, old_diff = timed(old, new)
    print(f"{size} <-> {size} changed entries: old {old_seconds:.2f} s, new {new_seconds:.3f} s, "
          f"ratio {old_seconds / new_seconds:.0f}x; same diff: {old_diff == new_diff}")


if __name__ == "__main__":
    main()
