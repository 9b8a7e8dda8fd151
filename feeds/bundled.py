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


@cache
def chinese_titles() -> dict[str, str]:
    """Chinese titles of the list's entries from README.zh-CN.md, keyed by the entry's first
    link (the translation keeps the links; its years and sections differ in places)."""
    translated = parse_awesome_list(bundled_bytes("README.zh-CN.md"))
    # the translation quotes titles in book-title marks: 《进化策略：…》
    return {link_key(e.links[0].url): e.title.strip().strip("《》").strip()
            for e in translated.entries if e.links}


def link_key(url: str) -> str:
    """A link as an identity: scheme, 'www.', doubled slashes and a trailing '/' ignored."""
    bare = re.sub(r"^https?://(www\.)?", "", url.strip()).rstrip("/")
    return re.sub(r"/{2,}", "/", bare)
