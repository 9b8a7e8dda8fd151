"""Parse the awesome-deep-learning-papers README into sections and entries.

The README changed format many times between 2016 and 2018 (plain and bold titles, years inside
the bold title, `*(Microsoft)*` affiliations, `:sparkles:` marks, missing years and commas), so
parsing is a chain of small tolerant steps rather than one grammar.
"""

from __future__ import annotations

import re
import unicodedata

from feeds.model import Link, ListEntry, ListSnapshot, Researcher, Section, SectionKind

_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(?P<body>.*\S)\s*$")
_MD_LINK = re.compile(r"\[(?P<text>[^\[\]]+)\]\((?P<url>[^()\s]+)\)")
_ENTRY_LINK = re.compile(r"\[\[(?P<kind>[^\[\]]+)\]\]\s*\((?P<url>(?:[^()]|\([^()]*\))*)\)")
_BROKEN_LINK = re.compile(r"\[\[(?P<kind>\w+)\]\((?P<url>[^\s()]+)\)?")
_AFFILIATION = re.compile(r"\*\([^()]*\)\*")
_EMOJI = re.compile(r":[a-z_]+:")
# an escaped star ("\\*") is part of the title, never half of its closing "**"
_BOLD = re.compile(r"^\*\*(?P<title>(?:\\.|[^\\])+?)\*\*(?P<rest>.*)$")
# at most a few words before the year ("(Dec 2014)", "(ICLR, 2016)"): an unbounded run made the
# search quadratic on a long line of words with many "("
_YEAR_PAREN = re.compile(r"\(\s*(?:[A-Za-z]+,?\s+){0,6}(?P<year>(?:19|20)\d\d)\s*\)")
_YEAR_OPEN = re.compile(r"\(\s*(?P<year>(?:19|20)\d\d)\s*,\s*")
_YEAR_CLOSE = re.compile(r"\s(?P<year>(?:19|20)\d\d)\)")
_ARXIV_NEW = re.compile(
    r"(?:arxiv\.org|128\.84\.21\.199)/(?:abs|pdf)/(?P<id>\d{4}\.\d{4,5})(?:v\d+)?", re.I
)
_ARXIV_OLD = re.compile(
    r"(?:arxiv\.org|128\.84\.21\.199)/(?:abs|pdf)/(?P<id>[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?",
    re.I,
)
AUTHORS_MAX = 80  # an author part without a year is shorter than this
_AUTHORISH = re.compile(r"^(?:[A-Z]\.|[A-Z][\w'\-]+ et al|[A-Z][\w'\-]+ and [A-Z])")

SKIPPED_SECTION_WORDS = ("researcher",)


def section_kind(name: str) -> SectionKind:
    """Classify a section heading: top100, new, old, resource or appendix."""
    low = name.lower()
    if "new paper" in low or "worth reading" in low:
        return SectionKind.NEW
    if "old paper" in low or "classic" in low:
        return SectionKind.OLD
    if "appendix" in low or "more than top" in low:
        return SectionKind.APPENDIX
    if re.search(r"\bhw\b|hardware|software|dataset", low):
        return SectionKind.RESOURCE
    if re.search(r"book|survey|review|lecture|tutorial|blog", low):
        return SectionKind.RESOURCE
    return SectionKind.TOP100


def parse_awesome_list(body: bytes | str) -> ListSnapshot:
    """Parse README markdown into a snapshot of sections with their entries."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    sections: list[Section] = []
    for name, lines in _split_sections(text):
        if any(word in name.lower() for word in SKIPPED_SECTION_WORDS):
            continue
        sections.append(_parse_section(name, lines))
    return ListSnapshot(sections=tuple(sections))


def _split_sections(text: str) -> list[tuple[str, list[str]]]:
    """Group lines under their `###` heading; other heading levels end a section."""
    found: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            current = None
            if len(heading.group(1)) == 3 and heading.group(2):
                current = []
                found.append((heading.group(2), current))
        elif current is not None:
            current.append(line)
    return found


def _parse_section(name: str, lines: list[str]) -> Section:
    kind = section_kind(name)
    visible, comments = split_comments("\n".join(lines))
    researchers = tuple(
        Researcher(m.group("text").strip(), m.group("url"))
        for comment in comments
        for m in _MD_LINK.finditer(comment)
    )
    whole_title = "lecture" in name.lower()
    entries = []
    for line in visible.splitlines():
        bullet = _BULLET.match(line)
        if bullet and not bullet.group("body").startswith("* *"):
            entry = parse_entry_line(bullet.group("body"), name, whole_title)
            if entry.title:
                entries.append(entry)
    with_researchers = tuple(
        ListEntry(e.section, e.title, e.year, e.authors, e.links, e.arxiv_id, researchers)
        for e in entries
    )
    return Section(name, kind, with_researchers, researchers)


def split_comments(block: str) -> tuple[str, list[str]]:
    """The text outside HTML comments, and the comments' insides, in one pass.

    An unclosed `<!--` hides the rest, as in HTML. (A regex search for `<!--(.*?)-->` scanned
    to the end from every `<!--` of an unclosed run: 100 KB took 41 s.)
    """
    visible: list[str] = []
    comments: list[str] = []
    at = 0
    while True:
        start = block.find("<!--", at)
        if start < 0:
            visible.append(block[at:])
            return "".join(visible), comments
        visible.append(block[at:start])
        end = block.find("-->", start + 4)
        if end < 0:
            comments.append(block[start + 4:])
            return "".join(visible), comments
        comments.append(block[start + 4:end])
        at = end + 3


def parse_entry_line(body: str, section: str, whole_title: bool = False) -> ListEntry:
    """Parse the text of one bullet into an entry."""
    body = body.replace("<!-- -->", "")  # feeds/list_patch's link breakers (a whole README
    # loses its comments before this)
    links = tuple(
        Link(m.group("kind").strip().lower(), m.group("url").strip())
        for pattern in (_ENTRY_LINK, _BROKEN_LINK)
        for m in pattern.finditer(_ENTRY_LINK.sub(" ", body) if pattern is _BROKEN_LINK else body)
    )
    text = _BROKEN_LINK.sub(" ", _ENTRY_LINK.sub(" ", body))
    text = _AFFILIATION.sub(" ", text)
    text = _EMOJI.sub(" ", text)
    text = re.sub(r"\[\[[^\]]*\]\]", " ", text)  # a label whose URL is missing
    text = re.sub(r"\s+", " ", text).strip().rstrip(":").strip()
    if whole_title:
        title, year, authors = text.rstrip(",. "), None, ""
    else:
        title, year, authors = _split_title(text)
    return ListEntry(
        section=section,
        title=_clean_title(title),
        year=year,
        authors=_clean_authors(authors),
        links=links,
        arxiv_id=arxiv_id_from_links(links),
    )


def _split_title(text: str) -> tuple[str, int | None, str]:
    bold = _BOLD.match(text)
    if bold:
        title, rest = bold.group("title"), bold.group("rest")
        inner = _YEAR_PAREN.search(title)
        if inner and inner.end() == len(title.rstrip()):
            return title[: inner.start()], int(inner.group("year")), rest
        lead = _YEAR_PAREN.match(rest.strip())
        if lead:
            return title, int(lead.group("year")), rest.strip()[lead.end() :]
        return title, None, rest
    for pattern in (_YEAR_PAREN, _YEAR_OPEN, _YEAR_CLOSE):
        found = pattern.search(text)
        if found and found.start() > 0:
            title, rest = text[: found.start()], text[found.end() :]
            if rest.lstrip().startswith(":"):  # "Models(2017): A Tutorial, G. Neubig."
                tail, _, rest = rest.lstrip()[1:].partition(",")
                title = f"{title.rstrip()}: {tail.strip()}"
            return title, int(found.group("year")), rest
    return _split_without_year(text)


def _split_without_year(text: str) -> tuple[str, None, str]:
    """Split `Title, A. Author et al.` or `Title. Chen and Manning.` without a year."""
    for separator in (", ", ". "):
        parts = text.split(separator)
        rest = ""
        for cut in range(len(parts) - 1, 0, -1):  # the tail grows; past 80 it cannot match
            rest = parts[cut] + (separator + rest if rest else "")
            if len(rest) >= AUTHORS_MAX:
                break
            if _AUTHORISH.match(rest):
                return separator.join(parts[:cut]), None, rest
    return text, None, ""


# Markdown's backslash escapes (any ASCII punctuation) and character references, read in one
# left-to-right pass as markdown does: "\\&amp;#60;" is a backslash, then "&#60;" as text.
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])|&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})"
                      r"|(lt|gt|amp|quot));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _unreference(found: re.Match[str]) -> str:
    escaped, decimal, hexadecimal, name = found.groups()
    if escaped is not None:
        return escaped
    if name is not None:
        return _NAMED[name]
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def _unescape(text: str, strip: str = "") -> str:
    """Markdown's backslash escapes and character references (as feeds/list_patch writes
    titles), read back as the characters they render; runs of space become one, and `strip`'s
    characters are taken off both ends unless escaped (an escaped "\\;" ending a title stays)."""
    decoded: list[str] = []

    def hold(found: re.Match[str]) -> str:
        decoded.append(_unreference(found))
        return "\x00"

    marked = re.sub(r"\s+", " ", _ESCAPED.sub(hold, text.replace("\x00", ""))).strip(strip)
    pieces = iter(decoded)
    return re.sub("\x00", lambda _: next(pieces), marked)


def _clean_title(title: str) -> str:
    return _unescape(title.replace("\ufffc", "").replace("**", ""), " ,.;:-")


def _clean_authors(authors: str) -> str:
    authors = _unescape(authors.replace("**", ""), " ,:;")
    return authors if authors.endswith("al.") else authors.rstrip(".")


def arxiv_id_from_links(links: tuple[Link, ...] | list[Link]) -> str | None:
    """Return the first arXiv id (without version) that a link points at."""
    for link in links:
        found = _ARXIV_NEW.search(link.url) or _ARXIV_OLD.search(link.url)
        if found:
            return found.group("id")
    return None


def normalise_title(title: str) -> str:
    """Lower-case a title and keep only letters and digits, for identity and search."""
    folded = unicodedata.normalize("NFKD", title).casefold()
    return " ".join(re.findall(r"[^\W_]+", folded))


def entry_key(entry: ListEntry) -> str:
    """Identity of an entry: its arXiv id, else its normalised title."""
    return f"arxiv:{entry.arxiv_id}" if entry.arxiv_id else f"title:{normalise_title(entry.title)}"
