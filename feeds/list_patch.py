"""Write list entries in the list's own markdown and patch them into its README (pure)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence

from feeds.model import Paper
from feeds.names import authors_text

# () too: "(2017)" ending a title is not its year; ~ is GitHub's strike-through, $ its math
_MARKDOWN = re.compile(r"([\\`*_\[\]()~$])")
_SCHEME = re.compile(r"(?<![^\W_])([a-z][a-z0-9+.-]{0,31}):(?=//)", re.I)  # https://, ftp://
_EDGES = ",.;:-"  # the list's reader trims these off a title's ends unless escaped
_WWW = re.compile(r"(?<![^\W_])(www)\.", re.I)
_AT = re.compile(r"@(?=[^\W_])")  # me@host.org
# :tada: (its _ escaped by now, a colon at either end too)
_EMOJI = re.compile(r"\\?:(?=(?:[a-z0-9+-]|\\_){1,40}\\?:)", re.I)


def markdown_text(text: str, title: bool = False) -> str:
    """Text as GitHub markdown that renders as itself, never as markup or a link.

    Emphasis, code, link brackets, `~~` and `$` are backslash-escaped; `&`, `<` and `>` are
    entities (a title's `<!--` or `<script>` opens no comment or tag, its `&#60;` stays text);
    GitHub's bare-URL links are broken where they start: `https&#58;//`, `www\.`, and `@<!-- -->`
    for an address, `&#58;<!-- -->` for an emoji code (GitHub links and draws those across
    escapes and entities; the empty comment shows nothing). A `title` also escapes punctuation
    at its ends, which the list's reader trims off titles. feeds/awesome_list reads it back
    unchanged."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    text = _MARKDOWN.sub(r"\\\1", text)
    if title and text[-1:] and text[-1] in _EDGES:
        text = f"{text[:-1]}\\{text[-1]}"
    if title and text[:1] and text[0] in _EDGES:
        text = f"\\{text}"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SCHEME.sub(r"\1&#58;", text)
    text = _WWW.sub(r"\1\\.", text)
    text = _EMOJI.sub("&#58;<!-- -->", text)
    return _AT.sub("@<!-- -->", text)


def markdown_line(paper: Paper) -> str:
    """The exact line to add: `- **Title** (2017), A. Author et al. [[pdf]](https://arxiv.org/pdf/ID)`."""
    title = markdown_text(paper.title, title=True)
    year = (paper.published or "")[:4]
    year_text = f" ({year})" if re.fullmatch(r"\d{4}", year) else ""
    authors = markdown_text(authors_text(paper.authors))
    by = f", {authors}" if authors else ""
    return f"- **{title}**{year_text}{by} [[pdf]](https://arxiv.org/pdf/{paper.arxiv_id})"


def insert_lines(readme: str, lines_by_section: Mapping[str, Sequence[str]]) -> str:
    """Append lines after the last entry of each named `###` section (unknown ones are skipped)."""
    lines = readme.splitlines(keepends=True)
    for section, new_lines in lines_by_section.items():
        at = _insertion_point(lines, section)
        if at is not None:
            lines[at:at] = [f"{line}\n" for line in new_lines]
    return "".join(lines)


def _insertion_point(lines: list[str], section: str) -> int | None:
    heading = next(
        (i for i, line in enumerate(lines) if line.strip() == f"### {section}"), None
    )
    if heading is None:
        return None
    last = heading
    for i in range(heading + 1, len(lines)):
        if lines[i].startswith("#"):
            break
        if re.match(r"\s{0,3}[-*+]\s", lines[i]):
            last = i
    return last + 1


def readme_diff(old: str, new: str, path: str = "README.md") -> str:
    """A unified diff of two README texts, ready for `git apply` or a pull request."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True),
            f"a/{path}", f"b/{path}",
        )
    )
