"""The README history as consecutive pairs, and a diff reduced to comparable JSON."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from feeds.model import ListDiff
from tests.conftest import README_HISTORY


def versions() -> list[Path]:
    """The 125 recorded README versions, oldest first."""
    return sorted(README_HISTORY.glob("[0-9][0-9][0-9]_*.md"))


def pairs() -> list[tuple[Path, Path]]:
    """Consecutive versions, plus versions 20 apart (bigger diffs that reach the fuzzy pass)."""
    found = versions()
    return [*zip(found, found[1:], strict=False), *zip(found[::5], found[20::5], strict=False)]


def summary(diff: ListDiff) -> dict[str, Any]:
    """What a diff says, as lists of plain strings (for a JSON fixture)."""
    return {
        "added": [e.to_json() for e in diff.added],
        "removed": [e.to_json() for e in diff.removed],
        "moved": [[m.entry.to_json(), m.from_section, m.to_section] for m in diff.moved],
        "edited": [[e.before.to_json(), e.after.to_json()] for e in diff.edited],
    }


def fingerprint(diff: ListDiff) -> str:
    """Counts of each kind plus a hash of the whole summary: equal iff the diffs are equal."""
    whole = summary(diff)
    text = json.dumps(whole, sort_keys=True, ensure_ascii=False)
    counts = " ".join(f"{kind}={len(items)}" for kind, items in whole.items())
    return f"{counts} sha256={hashlib.sha256(text.encode()).hexdigest()[:16]}"
