"""Stable topics and what real list versions did to them (renames, merges, splits)."""

from __future__ import annotations

from pathlib import Path

from feeds.awesome_list import parse_awesome_list
from feeds.list_diff import diff_snapshots
from feeds.model import ListSnapshot, Topic, TopicChangeKind
from feeds.rank.topics import TOPIC_KEYS
from feeds.topic_identity import (
    current_identity,
    heading_fit,
    heading_of,
    identity_of_heading,
    named_topic,
    section_identities,
    topic_changes,
)
from tests.conftest import README_HISTORY, TEST_DATA, needs_shared

RENAMES = TEST_DATA / "list_renames"


def snapshot(folder: Path, index: str) -> ListSnapshot:
    (path,) = folder.glob(f"{index}_*.md")
    return parse_awesome_list(path.read_bytes())


def test_every_topic_is_its_own_identity_and_every_router_key_is_a_topic() -> None:
    assert {identity_of_heading(topic) for topic in Topic} == set(Topic)
    assert set(TOPIC_KEYS) <= set(Topic)


def test_a_topic_is_named_by_itself_any_heading_it_had_or_an_alias() -> None:
    headings = {name for index in ("090", "091", "108", "109")
                for name in section_identities(snapshot(RENAMES, index))}
    language = {name for name in headings if "Natural Language" in name}
    assert len(language) == 3  # Process, Processing, Processing / RNNs
    for name in (*language, "nlp", "language", "Languages", "machine translation"):
        assert named_topic(name) is Topic.LANGUAGE, name
    assert named_topic("Recurrent Neural Network Models") is Topic.RECURRENT
    assert named_topic("gans") is Topic.GENERATIVE and named_topic("rl") is Topic.REINFORCEMENT
    assert named_topic("new papers") is Topic.NEW_PAPERS
    assert named_topic("knitting") is None


def test_a_rename_keeps_the_topic_and_changes_only_its_heading() -> None:
    old, new = snapshot(RENAMES, "090"), snapshot(RENAMES, "091")
    (change,) = topic_changes(old, new, diff_snapshots(old, new))
    assert change.kind is TopicChangeKind.RENAMED
    assert change.identity == change.follows == Topic.LANGUAGE
    assert old.section(change.old_name) and new.section(change.new_name)
    assert new.section(change.old_name) is None  # the old heading is gone
    assert heading_of(Topic.LANGUAGE, old) == change.old_name
    assert heading_of(Topic.LANGUAGE, new) == change.new_name
    # a paper routed under the old heading still fits the topic
    assert heading_fit(((change.old_name, 0.7),), Topic.LANGUAGE) == 0.7


def test_a_merge_moves_both_parts_to_the_merged_topic() -> None:
    old, new = snapshot(RENAMES, "108"), snapshot(RENAMES, "109")
    changes = topic_changes(old, new, diff_snapshots(old, new))
    assert {c.kind for c in changes} == {TopicChangeKind.MERGED}
    assert {c.identity for c in changes} == {Topic.RECURRENT, Topic.LANGUAGE}
    assert {c.follows for c in changes} == {Topic.LANGUAGE}
    (merged,) = {c.new_name for c in changes}
    assert new.section(merged) and set(section_identities(new).values()) >= {Topic.LANGUAGE}
    assert Topic.RECURRENT not in section_identities(new).values()
    assert current_identity(Topic.RECURRENT, new) == Topic.LANGUAGE  # its heading says "RNNs"
    assert current_identity(Topic.RECURRENT, old) == Topic.RECURRENT
    assert all(c.others == tuple(o.old_name for o in changes if o is not c) for c in changes)


def test_unchanged_headings_are_no_change() -> None:
    old = snapshot(RENAMES, "109")
    assert topic_changes(old, old, diff_snapshots(old, old)) == []


needs_history = needs_shared  # the whole README history and mainline.tsv


@needs_history
def test_a_split_keeps_subscribers_on_the_part_with_the_key() -> None:
    """2017-02-13 (051): object detection papers left "Network Models" for a section of
    their own: convolutional keeps its subscribers, who hear of the new part."""
    old, new = snapshot(README_HISTORY, "050"), snapshot(README_HISTORY, "051")
    changes = [c for c in topic_changes(old, new, diff_snapshots(old, new))
               if c.identity == Topic.CONVOLUTIONAL]
    (split,) = changes
    assert split.kind is TopicChangeKind.SPLIT and split.follows == Topic.CONVOLUTIONAL
    assert split.others and all(identity_of_heading(o) == Topic.DETECTION for o in split.others)


def mainline_2017() -> list[ListSnapshot]:
    """The list's versions of 2017 in mainline order (mainline.tsv)."""
    rows = (README_HISTORY.parent / "mainline.tsv").read_text().splitlines()[1:]
    files = [row.split("\t")[5] for row in rows if row.split("\t")[2].startswith("2017-")]
    return [parse_awesome_list((README_HISTORY.parent / f).read_bytes()) for f in files]


@needs_history
def test_no_subscription_of_2017_is_left_on_a_section_that_is_gone() -> None:
    """Follow a subscriber of every section of the first 2017 version through every version of
    the year: each ends on a topic the last version has (renames, merges and splits)."""
    versions = mainline_2017()
    assert len(versions) > 50
    following = {ident: ident for ident in section_identities(versions[0]).values()}
    moved = 0
    for old, new in zip(versions, versions[1:], strict=False):
        follows = {c.identity: c.follows for c in topic_changes(old, new, diff_snapshots(old, new))
                   if c.follows != c.identity}
        moved += sum(now in follows for now in following.values())
        following = {first: follows.get(now, now) for first, now in following.items()}
    assert moved  # early 2017 had sections ("Word Embedding", "Image") merged away
    assert set(following.values()) <= set(section_identities(versions[-1]).values())
    assert set(following.values()) <= set(Topic)
