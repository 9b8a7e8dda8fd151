"""Write list entries in the list's own markdown and patch them into its README (pure)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence

from feeds.model import Paper
from feeds.names import authors_text

_MARKDOWN = re.compile(r"([\\`*_\[\]()])")  # () too: "(2017)" ending a title is not its year


def markdown_text(text: str) -> str:
    """Text as markdown that renders as itself: emphasis, code and link brackets escaped, `<`
    and `>` as entities (an arXiv title's `<!--` or `<script>` must not open a comment or a tag,
    nor `[[pdf]](...)` add a link); feeds/awesome_list reads it back unchanged."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return _MARKDOWN.sub(r"\\\1", text).replace("<", "&lt;").replace(">", "&gt;")


def markdown_line(paper: Paper) -> str:
    """The exact line to add: `- **Title** (2017), A. Author et al. [[pdf]](https://arxiv.org/pdf/ID)`."""
    title = markdown_text(paper.title)
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
