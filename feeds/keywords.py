"""Keyword subscriptions: a phrase matches a paper's title, or its abstract only when central.

Anywhere in title or abstract delivered "...tasks such as image classification and speech
recognition" to a "speech recognition" subscriber. The rule (measured in bench/relevance.py
against that one, on silver labels from arXiv categories):

1. whole words and phrases only, case-insensitive, any run of non-letters between the words
   ("speech-recognition"), an optional plural on the last word ("GANs" for "gan");
2. a match in the title is always delivered;
3. a match only in the abstract is delivered when the phrase is central:
   - it occurs in two or more sentences of the abstract, or
   - it occurs once, in the first two sentences or in a sentence that states the paper's own
     contribution ("we propose", "this paper", "our method", ...), and that occurrence is not a
     passing mention: not after "such as / e.g. / including / for example / like / ranging
     from / as well as / applications in ..." in the same clause, and not an item of an
     enumeration ("A, B and <phrase>").

A Chinese keyword ("生成对抗网络") matches through the English of its glossary terms
(feeds/glossary.py): each term by any of its renderings, by the same rule; Chinese the glossary
does not know can only match Chinese text.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from feeds.glossary import chinese_only, to_english
from feeds.model import Paper
from feeds.search import has_cjk

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")
_CONTRIBUTION = re.compile(
    r"\b(we|this (paper|work|article|study|letter|thesis)|in this (paper|work|article|study)|"
    r"our (method|approach|model|system|framework|algorithm|network|work|results?)|"
    r"here,? we)\b", re.I)
_PASSING = re.compile(
    r"(such as|e\.\s?g\.|i\.\s?e\.|including|includes?|for (example|instance)|\blike\b|"
    r"ranging from|as well as|and other|or other|other tasks|applications?\s+(in|to|of|such)|"
    r"domains?\s+(such|like|including)|areas?\s+(such|like|including)|fields?\s+(such|like)|"
    r"e\.g\.,)[^.;:]*$", re.I)
WINDOW = 80  # characters before a match searched for a passing cue or an enumeration


class KeywordMatch(StrEnum):
    """Where a keyword subscription found its phrase."""

    TITLE = "title"
    ABSTRACT = "abstract"


@lru_cache(maxsize=512)
def keyword_pattern(phrase: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive; non-letters between words; optional plural at the end."""
    words = [re.escape(w) for w in re.findall(r"[^\W_]+", phrase)]
    if not words:
        return re.compile(r"(?!x)x")
    plural = r"(?:e?s)?" if words[-1][-1:].isalpha() and not words[-1].endswith("s") else ""
    return re.compile(r"(?<![^\W_])" + r"[\W_]+".join(words) + plural + r"(?![^\W_])", re.I)


def _passing(sentence: str, start: int, end: int) -> bool:
    before = sentence[max(0, start - WINDOW):start]
    if _PASSING.search(before):
        return True
    # an item of an enumeration: "A, B and <phrase>" / "<phrase>, A and B" / "A, <phrase>, B"
    after = sentence[end:end + WINDOW]
    listed_before = re.search(r",[^,;:.]{1,60}(,|\band\b|\bor\b)\s*$", before) or \
        re.search(r",\s*$", before)
    listed_after = re.match(r"\s*,[^,;:.]{1,60}(,|\band\b|\bor\b)", after) or \
        re.match(r"\s*(,\s*)?(and|or)\s+\w", after) and "," in before[-40:]
    return bool(listed_before or listed_after)


def central_in_abstract(phrase: str, abstract: str) -> bool:
    """Is the phrase central to the abstract (see the module docstring)?"""
    pattern = keyword_pattern(phrase)
    sentences = [s for s in _SENTENCE.split(abstract) if s.strip()]
    hits = [(i, m) for i, s in enumerate(sentences) for m in pattern.finditer(s)]
    if not hits:
        return False
    if len({i for i, _ in hits}) >= 2:
        return True
    for i, match in hits:
        sentence = sentences[i]
        if _passing(sentence, match.start(), match.end()):
            continue
        if i < 2 or _CONTRIBUTION.search(sentence):
            return True
    return False


def keyword_matches(phrase: str, paper: Paper) -> KeywordMatch | None:
    """Where the subscription should deliver this paper from, or None when it should not."""
    if has_cjk(phrase):
        return _translated_matches(phrase, paper)
    if keyword_pattern(phrase).search(paper.title):
        return KeywordMatch.TITLE
    if central_in_abstract(phrase, paper.abstract):
        return KeywordMatch.ABSTRACT
    return None


def _translated_matches(phrase: str, paper: Paper) -> KeywordMatch | None:
    """A Chinese keyword: every glossary term (by any rendering) and the words typed beside
    them must match; from the title when all are there, else from the abstract."""
    translation = to_english(phrase)
    if not translation.terms:
        text = chinese_only(phrase)
        return (KeywordMatch.TITLE if text in paper.title
                else KeywordMatch.ABSTRACT if text in paper.abstract else None)
    latin = " ".join("".join(" " if has_cjk(ch) else ch for ch in translation.rest).split())
    groups = [*translation.terms, *([(latin,)] if latin else [])]
    found: list[KeywordMatch] = []
    for renderings in groups:
        where = [m for m in (keyword_matches(e, paper) for e in renderings) if m is not None]
        if not where:
            return None
        found.append(KeywordMatch.TITLE if KeywordMatch.TITLE in where
                     else KeywordMatch.ABSTRACT)
    return KeywordMatch.ABSTRACT if KeywordMatch.ABSTRACT in found else KeywordMatch.TITLE
