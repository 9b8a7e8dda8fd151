"""Which stable topic a heading of the list names, and what a new list version did to them.

A subscription names a `Topic`, not a heading: "Natural Language Process", "Natural Language
Processing" and "Natural Language Processing / RNNs" are all `Topic.LANGUAGE`. A routed topic is
keyed by a word of its heading (the router's TOPIC_KEYS); a few older headings are known by
another word ("RL / Robotics", "Recurrent Neural Network Models"); a section named by none of
them is known by its heading. When a version drops a topic, the entries the diff moved out of
its section say where it went (a merge); a new section that took some of them split off.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from feeds.awesome_list import section_kind
from feeds.model import ListDiff, ListSnapshot, SectionKind, Topic, TopicChangeKind
from feeds.rank.topics import topic_key
from feeds.topics import ALIASES

# Older headings without a routing key word, by the words they used (checked in order).
OTHER_WORDS: tuple[tuple[Topic, re.Pattern[str]], ...] = (
    (Topic.RECURRENT, re.compile(r"\brecurrent\b|\brnns?\b|\blstm\b")),
    (Topic.LANGUAGE, re.compile(r"\bnlp\b|\bmachine translation\b")),
    (Topic.CONVOLUTIONAL, re.compile(r"\bcnn\b|^network models$")),
    (Topic.UNDERSTANDING, re.compile(r"\btheory\b")),
    (Topic.GENERATIVE, re.compile(r"\bunsupervised\b")),
    (Topic.REINFORCEMENT, re.compile(r"\brl\b")),
)


@lru_cache(maxsize=512)
def topic_for_heading(name: str) -> Topic | None:
    """The topic a heading names ('Natural Language Processing / RNNs' -> LANGUAGE), if any."""
    if section_kind(name) is SectionKind.NEW:
        return Topic.NEW_PAPERS
    key = topic_key(name)
    if key is not None:
        return Topic(key)
    low = " ".join(re.findall(r"[^\W_]+", name.lower()))
    return next((topic for topic, words in OTHER_WORDS if words.search(low)), None)


def identity_of_heading(name: str) -> str:
    """What a subscription to this heading stores: its topic, else the heading itself."""
    topic = topic_for_heading(name)
    return topic.value if topic else name


def heading_fit(topics: tuple[tuple[str, float], ...], identity: str) -> float:
    """How well a paper routed to these (heading, p) fits a followed identity (0: not at all),
    whatever the headings were called when it was routed."""
    return max((p for name, p in topics if identity_of_heading(name) == identity), default=0.0)


def section_identities(snapshot: ListSnapshot) -> dict[str, str]:
    """Heading -> identity for every followable section; the first section of a topic takes
    it, a later one with the same topic word is known by its heading."""
    found: dict[str, str] = {}
    for section in snapshot.followable():
        topic = Topic.NEW_PAPERS if section.kind is SectionKind.NEW else \
            topic_for_heading(section.name)
        ident = topic.value if topic else section.name
        found[section.name] = section.name if ident in found.values() else ident
    return found


def heading_of(identity: str, snapshot: ListSnapshot) -> str | None:
    """The current heading of a followed identity (None: the list has no such section now)."""
    return next((name for name, ident in section_identities(snapshot).items()
                 if ident == identity), None)


def plain_name(text: str) -> str:
    """A name compared loosely: case-folded words, English plurals folded."""
    words = re.findall(r"[^\W_]+", text.casefold())
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and w.isascii() else w
                    for w in words)


def named_topic(text: str) -> Topic | None:
    """The topic a text names, whatever the list calls it now: the topic itself ("language"),
    a heading it had ("Natural Language Process") or an alias ("nlp", "gan")."""
    wanted = plain_name(text)
    for topic in Topic:
        if plain_name(topic) == wanted:
            return topic
    found = topic_for_heading(text)
    if found is not None:
        return found
    for key, aliases in ALIASES:
        if wanted in {plain_name(name) for name in (key, *aliases)}:
            return topic_for_heading(key)
    return None


def current_identity(topic: Topic, snapshot: ListSnapshot) -> str | None:
    """Where a topic is followed in this version: itself while a section has it, else the
    section whose heading still names it ("... / RNNs" took in Recurrent Neural Networks)."""
    identities = section_identities(snapshot)
    if topic.value in identities.values():
        return topic.value
    words = [pattern for named, pattern in OTHER_WORDS if named is topic]
    for name, ident in identities.items():
        low = " ".join(re.findall(r"[^\W_]+", name.lower()))
        if topic.value in low or any(pattern.search(low) for pattern in words):
            return ident
    return None


@dataclass(frozen=True)
class TopicChange:
    """What one list version did to a followed section, and where its subscribers go."""

    kind: TopicChangeKind
    identity: str  # what its subscribers followed
    follows: str  # what they follow now (another identity only when a merge dropped theirs)
    old_name: str
    new_name: str
    others: tuple[str, ...] = ()  # merged: the other sections merged in; split: the parts split off


def topic_changes(old: ListSnapshot, new: ListSnapshot, diff: ListDiff) -> list[TopicChange]:
    """The renames, merges and splits of followed sections from `old` to `new`."""
    before, after = section_identities(old), section_identities(new)
    by_identity = {ident: name for name, ident in after.items()}
    # entries moving into the new papers' bucket (or out of it) merge and split nothing
    topical = {name for name, ident in after.items() if ident != Topic.NEW_PAPERS}
    targets: dict[str, str] = {}  # old heading -> the new heading its subscribers follow
    for name, ident in before.items():
        if ident in by_identity:
            targets[name] = by_identity[ident]
            continue
        went = Counter(m.to_section for m in diff.moved
                       if m.from_section == name and m.to_section in topical)
        if went:
            targets[name] = went.most_common(1)[0][0]
    changes = []
    for name, target in targets.items():
        merged = tuple(o for o, t in targets.items() if t == target and o != name)
        split = tuple(dict.fromkeys(
            m.to_section for m in diff.moved if m.from_section == name
            and before[name] != Topic.NEW_PAPERS and m.to_section in topical
            and m.to_section != target and m.to_section not in before))
        if merged and target != name:
            kind = TopicChangeKind.MERGED
        elif split:
            kind = TopicChangeKind.SPLIT
        elif target != name:
            kind = TopicChangeKind.RENAMED
        else:
            continue
        others = merged if kind is TopicChangeKind.MERGED else split
        changes.append(TopicChange(kind, before[name], after[target], name, target, others))
    return changes
