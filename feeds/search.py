"""What a search means and how well a paper answers it (pure).

A query is read into quoted phrases, plain words and arXiv ids. Words match whole tokens, with
English plurals folded ("networks" finds "network", "objectives" never matches "object"), so
there is no stemming false positive. Every candidate, list entry or arXiv paper, gets one
relevance score from the same function, so the two kinds interleave by how well they answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, product

from rapidfuzz import fuzz

# "1512.03385", "1512.03385v2", "arXiv:1512.03385", "arxiv.org/abs/1512.03385v1",
# "https://arxiv.org/pdf/1512.03385.pdf", "cs/0601001"
ARXIV_REFERENCE = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s*)?"
    r"(?P<id>(?<![\d.])\d{4}\.\d{4,5}(?![\d])|[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7})"
    r"(?:v\d+)?(?:\.pdf)?",
    re.I,
)
_QUOTED = re.compile(r"[\"“”„«»]([^\"“”„«»]+)[\"“”„«»]")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MAX_WORDS = 16  # plain words a query keeps
MAX_PHRASES = 4
MAX_PHRASE_WORDS = 12  # a longer quoted phrase keeps its first words: cost is bounded
MAX_CHOICES = 16  # picks of alternatives a query is judged by (see Query.choices)


@dataclass(frozen=True)
class Query:
    """A search as typed: phrases that must appear, words, arXiv ids; `text` as typed.

    `any_of` holds groups of alternative phrases (a Chinese term's English renderings): a
    document answers a group when it holds any one of them.
    """

    text: str
    phrases: tuple[tuple[str, ...], ...] = ()
    words: tuple[str, ...] = ()
    arxiv_ids: tuple[str, ...] = ()
    any_of: tuple[tuple[tuple[str, ...], ...], ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing to search for."""
        return not (self.phrases or self.words or self.arxiv_ids or self.any_of)

    def choices(self) -> list[Query]:
        """The query once per pick of one alternative from each group (at most MAX_CHOICES),
        each pick as a phrase that must appear; the query itself when it has no groups."""
        if not self.any_of:
            return [self]
        picks = islice(product(*self.any_of), MAX_CHOICES)
        return [Query(self.text, self.phrases + pick, self.words, self.arxiv_ids)
                for pick in picks]

    @property
    def all_words(self) -> tuple[str, ...]:
        """The words of the phrases and the plain words, in order."""
        return tuple(w for phrase in self.phrases for w in phrase) + self.words


def tokens(text: str) -> list[str]:
    """Lower-case word tokens as the full-text index sees them (letters and digits)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _TOKEN.findall(folded)


@lru_cache(maxsize=65_536)
def singular(word: str) -> str:
    """Fold an English plural: 'networks' -> 'network', 'boxes' -> 'box', 'gans' -> 'gan'."""
    if not word.isascii() or len(word) <= 3 or not word.endswith("s"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1]


def variants(word: str) -> tuple[str, ...]:
    """The forms of a word a search accepts: itself, its singular and its plural."""
    base = singular(word)
    if not base.isascii() or not base.isalpha() or len(base) < 3:
        return (word,)
    plural = base + ("es" if base.endswith(("s", "x", "ch", "sh")) else "s")
    if base.endswith("y") and len(base) > 2 and base[-2] not in "aeiou":
        plural = base[:-1] + "ies"
    return tuple(dict.fromkeys((word, base, plural)))


def parse_query(text: str) -> Query:
    """Read what a user typed: "quoted phrases", words, arXiv ids (with or without version)."""
    text = " ".join(text.split())[:500]
    ids = tuple(dict.fromkeys(m.group("id") for m in ARXIV_REFERENCE.finditer(text)))
    rest = ARXIV_REFERENCE.sub(" ", text)
    phrases = tuple(p[:MAX_PHRASE_WORDS] for p in (
        tuple(tokens(m.group(1))) for m in _QUOTED.finditer(rest)) if p)
    words = tuple(tokens(_QUOTED.sub(" ", rest)))
    return Query(text, phrases[:MAX_PHRASES], words[:MAX_WORDS], ids[:5])


def has_cjk(text: str) -> bool:
    """True when the text holds Chinese (or other CJK) characters."""
    return bool(_CJK.search(text))


@lru_cache(maxsize=4096)
def folded(text: str) -> tuple[str, ...]:
    """Tokens with plurals folded, for matching (cached: the list's entries are judged on
    every search)."""
    return tuple(map(singular, tokens(text)))


def contains_phrase(haystack: Sequence[str], phrase: Sequence[str]) -> bool:
    """True when the folded words of `phrase` appear next to each other in `haystack`."""
    needle = tuple(singular(w) for w in phrase)
    words = tuple(haystack)
    if not needle:
        return False
    start = 0
    while True:  # jump from one occurrence of the phrase's first word to the next
        try:
            at = words.index(needle[0], start)
        except ValueError:
            return False
        if words[at : at + len(needle)] == needle:
            return True
        start = at + 1


@lru_cache(maxsize=4096)
def _bag(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(words)


@dataclass(frozen=True)
class Match:
    """How a document answers a query: whether it may be shown and how well it answers."""

    relevant: bool  # every quoted phrase is there (in the title or abstract)
    score: float


def relevance(query: Query, title: str, abstract: str = "") -> Match:
    """One score for any document: its best answer to any pick of the query's alternatives."""
    if not query.any_of:
        return _relevance(query, title, abstract)
    judged = [_relevance(choice, title, abstract) for choice in query.choices()]
    return max(judged, key=lambda m: (m.relevant, m.score))


def _relevance(query: Query, title: str, abstract: str = "") -> Match:
    """One score for any document: the title counts most, an exact title most of all.

    Parts, each 0..1: the title's closeness to the whole query (catches one typo or a dropped
    word in a known title), the whole query as a phrase in the title, then in the abstract, and
    the share of the query's words in the title, then in the abstract.
    """
    head = folded(title)
    body = folded(abstract) if abstract.strip() else head  # no abstract known: judge the title
    words, phrases, typed = _parts(query)
    if not words:
        return Match(all(contains_phrase(head, p) or contains_phrase(body, p) for p in phrases),
                     0.0)
    in_head, in_body_words = _bag(head), _bag(body)
    in_title = sum(w in in_head for w in words) / len(words)
    in_body = sum(w in in_body_words for w in words) / len(words)
    closeness = fuzz.ratio(typed, _joined(head)) / 100
    known = max(0.0, closeness - 0.6) / 0.4  # 0 below 60% alike, 1 when identical
    if not in_title and not in_body and not known:
        return Match(not phrases, 0.0)  # shares no word and is no near-miss: nothing to judge
    relevant = all(contains_phrase(head, p) or contains_phrase(body, p) for p in phrases)
    whole = list(query.all_words)
    phrase_title = float(len(whole) > 1 and contains_phrase(head, whole))
    phrase_body = float(len(whole) > 1 and contains_phrase(body, whole))
    score = (4.0 * known + 2.0 * phrase_title + 2.0 * in_title + 1.0 * phrase_body
             + 0.5 * in_body)
    return Match(relevant, score)


@lru_cache(maxsize=256)
def _parts(query: Query) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], str]:
    """What every document is judged against, once per query: its folded words, its phrases
    and the words as one string."""
    words = tuple(singular(w) for w in query.all_words)
    return words, tuple(p for p in query.phrases if p), " ".join(words)


@lru_cache(maxsize=4096)
def _joined(words: tuple[str, ...]) -> str:
    return " ".join(words)


IMPORTANCE_WEIGHT = 1.0  # at most one point for how much a result matters


def title_closeness(query: str, title: str) -> float:
    """How alike a typed title is to a paper's title, 0..100 (case, punctuation, plurals
    folded)."""
    return fuzz.ratio(" ".join(folded(query)), " ".join(folded(title)))
