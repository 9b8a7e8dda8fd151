"""Write list entries in the list's own markdown and patch them into its README (pure)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence

from feeds.model import Paper
from feeds.names import authors_text


def markdown_line(paper: Paper) -> str:
    """The exact line to add: `- **Title** (2017), A. Author et al. [[pdf]](https://arxiv.org/pdf/ID)`."""
    title = " ".join(unicodedata.normalize("NFC", paper.title).split())
    title = title.replace("**", "")
    year = (paper.published or "")[:4]
    year_text = f" ({year})" if re.fullmatch(r"\d{4}", year) else ""
    authors = authors_text(paper.authors)
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
