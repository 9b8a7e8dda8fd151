"""Data shipped inside the package: the newest README (CC0), its bib and the zh translation."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from feeds.awesome_list import parse_awesome_list
from feeds.model import ListSnapshot

BUNDLED_SOURCE = "bundled:feeds/data/awesome-readme.md"


def bundled_bytes(name: str) -> bytes:
    """Return the bytes of a file in feeds/data/."""
    return resources.files("feeds").joinpath("data", name).read_bytes()


def bundled_readme() -> bytes:
    """Return the README snapshot shipped with the package."""
    return bundled_bytes("awesome-readme.md")


@cache
def bundled_snapshot() -> ListSnapshot:
    """Return the parsed bundled README (cached; snapshots are immutable)."""
    return parse_awesome_list(bundled_readme())


@cache
def chinese_section_names() -> dict[str, str]:
    """Map English section names of the newest list to their Chinese translation.

    README.zh-CN.md translates the list's sections in the same order, so they pair by position.
    """
    text = bundled_bytes("README.zh-CN.md").decode("utf-8")
    chinese = [m.group(1).strip() for m in re.finditer(r"^###\s+(.+)$", text, re.M)]
    english = [section.name for section in bundled_snapshot().sections]
    return dict(zip(english, chinese, strict=False))
