"""The Chinese-English glossary: what a Chinese query, keyword or topic name stands for (pure).

The terms are data, not code: feeds/data/glossary_zh.tsv, one (chinese, english, kind,
source) row per English rendering; a term with several renderings ("生成对抗网络" ->
"generative adversarial", "gan") has several rows, searched as alternatives. `source` says
where the Chinese was taken from: the list's translated README, or curated from the field's
common usage.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache

from feeds.bundled import bundled_bytes
from feeds.search import has_cjk

GLOSSARY_FILE = "glossary_zh.tsv"
COLUMNS = ("chinese", "english", "kind", "source")


class TermKind(StrEnum):
    """What a glossary term names."""

    TOPIC = "topic"  # one of the list's topics ("目标检测" -> Detection)
    TERM = "term"  # a common term of the field
    ALIAS = "alias"  # a famous paper's or model's Chinese name


class TermSource(StrEnum):
    """Where the Chinese of a term comes from."""

    README_ZH = "README.zh-CN.md"  # the list's Chinese translation (feeds/data)
    CURATED = "curated"  # the field's common usage, picked by hand


@dataclass(frozen=True)
class GlossaryRow:
    """One Chinese term and one of its English renderings."""

    chinese: str
    english: str
    kind: TermKind
    source: TermSource


@dataclass(frozen=True)
class Translation:
    """What a text stands for in English: one group of alternatives per Chinese term found
    (longest terms first), and the rest of the text with those terms taken out."""

    terms: tuple[tuple[str, ...], ...]
    rest: str

    @property
    def leftover_chinese(self) -> str:
        """The Chinese characters no term covered (they can only match Chinese text)."""
        return chinese_only(self.rest)


def chinese_only(text: str) -> str:
    """The Chinese (CJK) characters of a text, in order."""
    return "".join(ch for ch in text if has_cjk(ch))


def parse_glossary(text: str) -> tuple[GlossaryRow, ...]:
    """Read the glossary TSV (a header row, then one row per rendering); reject bad rows."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or tuple(lines[0].split("\t")) != COLUMNS:
        raise ValueError(f"glossary: the header must be {' / '.join(COLUMNS)}")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) != len(COLUMNS) or not all(fields) or not has_cjk(fields[0]):
            raise ValueError(f"glossary line {number}: {line!r}")
        chinese, english, kind, source = fields
        rows.append(GlossaryRow(chinese, english.lower(), TermKind(kind), TermSource(source)))
    return tuple(rows)


@cache
def glossary() -> tuple[GlossaryRow, ...]:
    """The glossary shipped with the package (read once)."""
    return parse_glossary(bundled_bytes(GLOSSARY_FILE).decode("utf-8"))


@cache
def english_of() -> dict[str, tuple[str, ...]]:
    """Each Chinese term's English renderings, in file order; the longest terms first."""
    found: dict[str, list[str]] = {}
    for row in glossary():
        found.setdefault(row.chinese, []).append(row.english)
    ordered = sorted(found.items(), key=lambda kv: -len(kv[0]))
    return {chinese: tuple(dict.fromkeys(english)) for chinese, english in ordered}


@lru_cache(maxsize=1024)
def to_english(text: str) -> Translation:
    """The English a text's Chinese terms stand for, longest terms matched first."""
    rest = text.casefold()
    found: list[tuple[str, ...]] = []
    if not has_cjk(rest):
        return Translation((), text)
    for chinese, english in english_of().items():
        if chinese.casefold() in rest:
            found.append(english)
            rest = rest.replace(chinese.casefold(), " ")
    return Translation(tuple(dict.fromkeys(found)), " ".join(rest.split()))


def close_terms(text: str, limit: int = 3) -> list[str]:
    """Glossary terms that look like a Chinese text (for "did you mean ...?"), closest first."""
    wanted = chinese_only(text)
    if not wanted:
        return []
    terms = list(english_of())
    close = difflib.get_close_matches(wanted, terms, n=limit, cutoff=0.5)
    shared = sorted((t for t in terms if t not in close and (t in wanted or wanted in t)),
                    key=lambda t: -len(t))
    return (close + shared)[:limit]
