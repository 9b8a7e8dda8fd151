"""A job's one-line summary in the reader's language (for /stats and /refresh reports).

The jobs log their summaries in English; their words are kept, both languages side by side,
in JOB_SUMMARY_TERMS (bot/render/strings.py). Text no term covers (an error's own message)
is left as it came.
"""

from __future__ import annotations

import re
from functools import lru_cache, partial

from bot.render.strings import JOB_SUMMARY_TERMS, MESSAGES, t
from feeds.model import Lang

_SLOT = re.compile(r"\{(\w+)\}")
_NUMBER = r"\d[\d,.]*"
_SEPARATORS = {"zh": {"; ": "；", ", ": "，", " (": "（", "(": "（", ")": "）"}}


def _pattern(template: str) -> re.Pattern[str]:
    """The English template as a regex: its words literal, each {slot} a number."""
    parts = _SLOT.split(template)
    body = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>{_NUMBER})"
                   for i, part in enumerate(parts))
    head = r"(?<![\w.])" if re.match(r"[\w{]", template) else ""
    tail = r"(?!\w)" if re.search(r"[\w}]$", template) else ""
    return re.compile(head + body + tail)


@lru_cache(maxsize=8)
def _rules(lang: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """(English pattern, wording in `lang`), the longest English first."""
    terms = sorted(JOB_SUMMARY_TERMS.values(), key=lambda term: -len(term["en"]))
    return tuple((_pattern(term["en"]), term.get(lang, term["en"])) for term in terms)


def _reword(wording: str, match: re.Match[str]) -> str:
    return wording.format(**match.groupdict())


def localise_summary(summary: str, lang: str) -> str:
    """Rewrite an English job summary into `lang` ('arXiv: 3 new' -> 'arXiv：新增 3')."""
    if lang == Lang.EN:
        return summary
    text = summary
    for pattern, wording in _rules(lang):
        text = pattern.sub(partial(_reword, wording), text)
    for english, local in _SEPARATORS.get(lang, {}).items():
        text = text.replace(english, local)
    return text


# '0 sent', '0 failed (kept for the next run)', '0 authors of 0 papers'
_ZERO_ITEM = re.compile(r"0 [A-Za-z][A-Za-z ]*(?: of 0 [A-Za-z ]+)?(?: \([^)]*\))?")
_URL = re.compile(r"(https?://[^/\s]+)[^\s,;:]*")


def readable_summary(summary: str, lang: str) -> str:
    """A job's summary as a maintainer reads it in /stats and /refresh reports: counts of
    nothing left out ('delivery: 0 sent, 0 to retry, 0 failed' says nothing), a link shown by
    its site only (the source is named before it), in `lang`."""
    clauses = []
    for clause in summary.split("; "):
        label, colon, rest = clause.rpartition(": ") if clause.count(": ") == 1 else ("", "",
                                                                                      clause)
        items = [item for item in rest.split(", ") if not _ZERO_ITEM.fullmatch(item)]
        if items:
            clauses.append(f"{label}{colon}{', '.join(items)}")
    text = _URL.sub(r"\1", "; ".join(clauses) or summary)
    return localise_summary(text, lang)


def job_title(name: str, lang: str) -> str:
    """A job's name as readers call it ('poll_arxiv' -> 'arXiv poll'); unknown names as they are."""
    key = f"job_{name}"
    return t(lang, key) if key in MESSAGES else name
