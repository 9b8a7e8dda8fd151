"""The short names researchers use for papers (pure).

A paper is called by the name before the colon of its title ("SSD: Single Shot MultiBox
Detector" is "SSD"), by a name its abstract introduces ("We present YOLO, ...", "a method
called R-CNN", "a deep Q-network (DQN)"), or by a name its title never says (ResNet, VGG,
seq2seq). The last kind is data, `data/aliases.tsv`: the alias, the paper's exact list title or
arXiv id, and where the name comes from.

Names are compared by `name_key`: case, punctuation, spaces and plurals folded, so "Faster
R-CNN", "faster rcnn" and "Faster-RCNN" are one key and "Fast R-CNN" is another.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from feeds.awesome_list import normalise_title
from feeds.bundled import bundled_bytes
from feeds.model import ListEntry, NameSource
from feeds.search import folded

MAX_NAME_WORDS = 4  # a title's part before the colon longer than this is a phrase, not a name
MAX_NAME_CHARS = 40

# Abbreviations every other abstract defines for the field's common terms: an abstract that
# spells one out ("we propose a recurrent neural network (RNN)") is not naming itself.
GENERIC = frozenset({
    "ai", "ann", "asr", "bilstm", "blstm", "cnn", "convnet", "crf", "cv", "dbn", "dcnn", "dl",
    "dnn", "drl", "gan", "gcn", "gnn", "gru", "hmm", "lstm", "mdp", "ml", "mlp", "mse", "nlp",
    "nmt", "nn", "pca", "qa", "rbm", "relu", "rl", "rnn", "sgd", "smt", "svm", "tts", "vae",
    "mcmc", "eeg", "fmri", "lda", "knn", "mle", "map", "gmm", "snr", "auc", "iid", "ode",
    "pde", "bci", "pso", "smc", "kl", "em", "ica",
    "neuralnetwork", "deepneuralnetwork", "convolutionalneuralnetwork", "deeplearning",
    "recurrentneuralnetwork", "machinelearning", "reinforcementlearning",
})

_TOKEN = r"[A-Za-z0-9][\w\-+]*(?:\.\d+)?"  # "R-CNN", "MAD-GAN", "word2vec", "Inception-v4"
_LEAD = r"(?:(?:a|an|the|our|this|new|novel|simple|general|so-called)\s+)*"
# "called X", "we call it X", "which we term X", "dubbed X", "codenamed X", "referred to as X"
_NAMING = re.compile(  # lower case: "Named Entity Recognition" names nothing
    r"\b(?:called|named|dubbed|termed|coined|codenamed|code-named|referred\s+to\s+as|"
    r"[Ww]e\s+(?:call|term|name|dub)(?:\s+(?:it|this|them|our\s+\w+|this\s+\w+|the\s+\w+))?)"
    r"\s+(?:as\s+)?" + _LEAD + r"(?P<name>" + _TOKEN + r"(?:\s+" + _TOKEN + r"){0,3})"

)
# "We present YOLO, a new approach", "This paper introduces WaveNet, a deep neural network"
_INTRODUCES = re.compile(
    r"\b(?:propose|present|introduce|develop|describe)s?\s+(?P<name>" + _TOKEN + r")\s*[,:(]")
# "... a deep Q-network (DQN)", "We propose a novel Focused Dynamic Attention (FDA) model"
_DEFINES = re.compile(  # a lookahead: every verb is tried, also one inside another's match
    r"\b(?=(?:propos|present|introduc|develop|call|term|nam|dubb?)\w*\s+"
    r"(?P<long>(?:[^\s().,;:]+\s+){1,9}?)\((?P<name>" + _TOKEN + r")\))")
_COLON = re.compile(r"\s*:\s*")
_BRACKETED = re.compile(r"\((" + _TOKEN + r")\)")
_LEADING = frozenset({"a", "an", "the", "our", "this", "new", "novel", "simple", "general",
                      "so-called"})


def name_key(text: str) -> str:
    """The form names are compared in: 'Faster R-CNN' and 'faster rcnns' -> 'fasterrcnn'."""
    return "".join(folded(text))


def _namelike(token: str) -> bool:
    """'YOLO', 'WaveNet', 'R-CNN', 'word2vec', 'fastText': capitals inside, or digits."""
    letters = [c for c in token if c.isalpha()]
    if len(letters) < 2 and not any(c.isdigit() for c in token):
        return False
    inner = any(c.isupper() for c in token[1:])
    mixed_digits = any(c.isdigit() for c in token) and bool(letters)
    return inner or mixed_digits


def _capitalised(token: str) -> bool:
    return token[:1].isupper() or _namelike(token)


def _tidy(name: str) -> str:
    return name.strip(" .,;:'’\"-")


def _acronym_fits(acronym: str, long_form: list[str]) -> bool:
    """True when the words before '(ACRONYM)' spell it out: 'deep Q-network (DQN)'."""
    words = list(long_form)
    while words and words[0].lower() in _LEADING:
        words = words[1:]
    capitals = [c for c in acronym if c.isupper() or c.isdigit()] or list(acronym)
    if not words or len(words) > len(capitals) + 1:
        return False
    return words[0][:1].lower() == acronym[:1].lower()


def title_names(title: str) -> tuple[str, ...]:
    """Names a title gives its paper: 'SSD: Single shot...' -> ('SSD',); '... units (ELUS)'
    -> ('ELUS',)."""
    found = []
    head = _tidy(_COLON.split(title, maxsplit=1)[0])
    short = len(head.split()) <= MAX_NAME_WORDS and len(head) <= MAX_NAME_CHARS
    if ":" in title and head and short:
        found.append(head)
    for match in _BRACKETED.finditer(title):
        name = match.group(1)
        if _namelike(name) or name.isupper():
            found.append(name)
    return _distinct(n for n in found if len(name_key(n)) >= 2
                     and (n == head or name_key(n) not in GENERIC))


def abstract_names(abstract: str) -> tuple[str, ...]:
    """Names an abstract introduces for its paper, in order of appearance.

    'We present YOLO, a new approach' -> YOLO; 'a method called R-CNN' -> R-CNN; 'we develop
    a novel agent, termed a deep Q-network (DQN)' -> DQN. An abbreviation an abstract only
    spells out in passing ('long short-term memory (LSTM) networks have...') is no name, and
    the field's common abbreviations (GENERIC) never are.
    """
    text = " ".join(abstract.split())
    found: list[tuple[int, str]] = []
    for match in _NAMING.finditer(text):
        words = []
        for word in match.group("name").split():
            if not _capitalised(word):
                break
            words.append(word)
            if word != _tidy(word):
                break
        name = _tidy(" ".join(words))
        after = text[match.start("name") + len(" ".join(words)):].lstrip()[:1]
        # "called Gibbs sampling": a capitalised word before a lower-case one is a modifier
        closed = not after or after in ",.;:()" or words[-1] != _tidy(words[-1]) if words else False
        if name and (any(_namelike(w) for w in words) or closed):
            found.append((match.start("name"), name))
    for match in _INTRODUCES.finditer(text):
        if _namelike(match.group("name")):
            found.append((match.start("name"), _tidy(match.group("name"))))
    for sentence in _SENTENCE.finditer(text):  # "introducing a tutor, the Advanced Geometry
        for at, name in _spelled_out(sentence.group(0)):  # Proof Tutor (AGPT)"
            found.append((sentence.start() + at, name))
    for match in _DEFINES.finditer(text):
        name = match.group("name")
        if (_namelike(name) or name.isupper()) and _acronym_fits(name, match.group("long").split()):
            found.append((match.start("name"), name))
    names = (name for _, name in sorted(found))
    return _distinct(n for n in names if len(name_key(n)) >= 3 and name_key(n) not in GENERIC)


_NAMING_WORDS = frozenset({"called", "named", "termed", "dubbed", "coined"})
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?](?=\s|$)|$)")
_INTRODUCING = re.compile(r"\b(?:propos|present|introduc|develop|call|term|nam|dubb?)\w*", re.I)


def _spelled_out(sentence: str) -> list[tuple[int, str]]:
    """'(ACRONYM)' right after capitalised words whose initials spell it, in a sentence that
    introduces something before it (Schwartz and Hearst's definition test, made strict): the
    Advanced Geometry Proof Tutor (AGPT). A passing 'long short-term memory (LSTM)' has
    lower-case words and no introducing verb before it."""
    found = []
    for match in _BRACKETED.finditer(sentence):
        name = match.group(1)
        letters = [c.lower() for c in name if c.isalpha()]
        if not (name.isupper() or _namelike(name)) or not 2 <= len(letters) <= 8:
            continue
        before = sentence[:match.start()]
        if not _INTRODUCING.search(before):
            continue
        tokens = re.findall(r"[A-Za-z][\w'’]*(?:-[A-Za-z][\w'’]*)*", before)
        words = tokens[-len(letters):]
        initials = [part[0].lower() for w in words for part in w.split("-")][-len(letters):]
        capitals = all(w[:1].isupper() for w in words)
        lead = tokens[-len(words) - 1].lower() if len(tokens) > len(words) else ""
        # what is introduced follows an article or the verb: "the Advanced ... Tutor (AGPT)",
        # never "based on Deep Convolutional GANs (DCGAN)"
        introduced = lead in _LEADING or lead in _NAMING_WORDS or bool(
            _INTRODUCING.fullmatch(lead))
        if len(words) >= 2 and capitals and initials == letters and introduced:
            found.append((match.start(1), name))
    return found


def short_names(title: str, abstract: str = "") -> tuple[tuple[str, NameSource], ...]:
    """Every short name of a paper with where it comes from, title's first."""
    named = [(n, NameSource.TITLE) for n in title_names(title)]
    seen = {name_key(n) for n, _ in named}
    for name in (*abstract_names(abstract), *title_acronyms(title, abstract)):
        if name_key(name) not in seen:
            seen.add(name_key(name))
            named.append((name, NameSource.ABSTRACT))
    return tuple(named)


_FUNCTION_WORDS = frozenset({"a", "an", "the", "of", "for", "and", "with", "in", "on", "to",
                             "by", "via", "from", "using", "based", "towards"})


def long_form(short: str, before: str) -> str | None:
    """The words before '(SHORT)' that spell it out, by Schwartz and Hearst's algorithm
    (2003): each letter of the short form, last first, found in the text before it, the first
    one at a word's start; None when they do not. 'Filtering Variational Objectives' for
    FIVO."""
    letters = [c.lower() for c in short if c.isalnum()]
    if not 2 <= len(letters) <= 10 or not short[:1].isalnum():
        return None
    window = before.split()[-min(len(letters) + 5, 2 * len(letters)):]
    text = " ".join(window).lower()
    at = len(text) - 1
    for index in range(len(letters) - 1, -1, -1):
        letter = letters[index]
        while at >= 0 and (text[at] != letter or (
                index == 0 and at > 0 and text[at - 1].isalnum())):
            at -= 1
        if at < 0:
            return None
        at -= 1
    start = text.rfind(" ", 0, at + 2) + 1
    found = " ".join(window)[start:].strip(" ,;:")
    return found if len(found.split()) >= 2 else None


def title_acronyms(title: str, abstract: str) -> tuple[str, ...]:
    """Acronyms an abstract defines for words of its own title: 'Filtering Variational
    Objectives (FIVO)' in the paper so titled. An acronym spelled out in other words than the
    title's ('long short-term memory (LSTM)' in a speech paper) names something else."""
    titled = set(folded(title)) - _FUNCTION_WORDS
    found = []
    for sentence in _SENTENCE.finditer(" ".join(abstract.split())):
        text = sentence.group(0)
        for match in _BRACKETED.finditer(text):
            name = match.group(1)
            if not (name.isupper() or _namelike(name)) or name_key(name) in GENERIC:
                continue
            spelled = long_form(name, text[:match.start()])
            words = [w for w in folded(spelled or "") if w not in _FUNCTION_WORDS]
            shared = [w for w in words if w in titled]
            if words and len(shared) >= 2 and 2 * len(shared) >= len(words):
                found.append(name)
    return _distinct(n for n in found if len(name_key(n)) >= 3)


def _distinct(names: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name_key(name), name)
    return tuple(seen.values())


@dataclass(frozen=True)
class Alias:
    """A row of data/aliases.tsv: a name, the paper it names (its exact list title or arXiv
    id), and where the name is used."""

    alias: str
    target: str
    source: str

    @property
    def arxiv_id(self) -> str:
        """The target when it is an arXiv id, else ''."""
        return self.target if re.fullmatch(r"\d{4}\.\d{4,5}", self.target) else ""


def parse_aliases(text: str) -> tuple[Alias, ...]:
    """Read the alias table: tab-separated alias, target, source; '#' lines are comments."""
    rows = []
    lines = (line for line in io.StringIO(text) if line.strip() and not line.startswith("#"))
    for number, row in enumerate(csv.reader(lines, delimiter="\t"), start=1):
        cells = [cell.strip() for cell in row]
        if len(cells) != 3 or not all(cells):
            raise ValueError(f"aliases.tsv row {number}: want alias, target, source: {row!r}")
        rows.append(Alias(*cells))
    return tuple(rows)[1:] if rows and rows[0].alias == "alias" else tuple(rows)


@cache
def alias_table() -> tuple[Alias, ...]:
    """The alias table shipped in feeds/data/aliases.tsv."""
    return parse_aliases(bundled_bytes("aliases.tsv").decode("utf-8"))


NameIndex = dict[str, list[tuple[ListEntry, NameSource]]]


def list_names(entries: Iterable[ListEntry], abstract: Callable[[ListEntry], str],
               table: Iterable[Alias] = ()) -> NameIndex:
    """Every short name of the list's entries, by name_key: the table's aliases for them, their
    whole titles, the names in their titles and those their abstracts introduce."""
    entries = list(entries)
    index: NameIndex = {}

    def add(name: str, entry: ListEntry, source: NameSource) -> None:
        named = index.setdefault(name_key(name), [])
        if all(e is not entry for e, _ in named):
            named.append((entry, source))

    by_target: dict[str, list[ListEntry]] = {}
    for entry in entries:
        by_target.setdefault(normalise_title(entry.title), []).append(entry)
        if entry.arxiv_id:
            by_target.setdefault(entry.arxiv_id, []).append(entry)
    for alias in table:
        for entry in by_target.get(alias.arxiv_id or normalise_title(alias.target), []):
            add(alias.alias, entry, NameSource.TABLE)
    for entry in entries:
        add(entry.title, entry, NameSource.TITLE)  # "Fast R-CNN", "Deep learning": a whole title
        for name, source in short_names(entry.title, abstract(entry)):
            add(name, entry, source)
    return index
