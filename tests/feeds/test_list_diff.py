"""Diffs of consecutive real versions, checked against the commit subjects in commits.tsv."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from feeds.awesome_list import parse_awesome_list
from feeds.list_diff import FUZZY_CANDIDATES, diff_snapshots, title_ratio
from feeds.model import Link, ListDiff, ListEntry, ListSnapshot, Section, SectionKind
from tests.conftest import README_HISTORY, needs_shared
from tests.support.list_diff_history import fingerprint
from tests.support.list_diff_history import pairs as history_pairs

DATA = Path(__file__).resolve().parents[1] / "data"


def snap(index: str) -> ListSnapshot:
    (path,) = README_HISTORY.glob(f"{index}_*.md")
    return parse_awesome_list(path.read_bytes())


def diff(old: str, new: str) -> ListDiff:
    return diff_snapshots(snap(old), snap(new))


def test_moved_between_top100_and_appendix() -> None:
    # 114: 'Move "Training very deep networks"'; 115 moved it back to the appendix.
    d = diff("113", "114")
    assert (d.added, d.removed, d.edited) == ((), (), ())
    (moved,) = d.moved
    assert moved.entry.title == "Training very deep networks"
    assert moved.from_section == "Appendix: More than Top 100"
    assert moved.to_section == "Optimization / Training Techniques"
    back = diff("114", "115").moved
    assert [(m.from_section, m.to_section) for m in back] == [
        ("Optimization / Training Techniques", "Appendix: More than Top 100")
    ]


def test_added_paper() -> None:
    # 121: "feat: add a paper `A Knowledge-Grounded Neural Conversation Model`"
    d = diff("120", "121")
    assert [e.title for e in d.added] == ["A Knowledge-Grounded Neural Conversation Model"]
    assert d.added[0].arxiv_id == "1702.01932" and d.added[0].section == "New papers"
    # 122: "Added Stanford Question Answering Dataset (SQuAD)"
    assert [e.title for e in diff("121", "122").added][0].startswith("SQuAD")


def test_removed_duplicate() -> None:
    # 040: "Removes one duplicate Paper"
    d = diff("039", "040")
    assert len(d.removed) == 1 and not d.added and not d.moved
    remaining = [e for e in snap("040").entries if e.title == d.removed[0].title]
    assert len(remaining) == 1  # the other copy stays


def test_author_typo_fix_is_an_edit() -> None:
    # 110: "Type: Loffe to Ioffe: Batch Norm Paper"
    d = diff("109", "110")
    bn = [e for e in d.edited if e.after.arxiv_id == "1502.03167"]
    assert bn and bn[0].before.authors == "S. Loffe and C. Szegedy"
    assert bn[0].after.authors == "S. Ioffe and C. Szegedy"
    assert not d.added and not d.removed


def test_title_fix_with_arxiv_id_is_an_edit_not_remove_and_add() -> None:
    d = diff("080", "081")  # "modelling" -> "modeling"
    assert not d.added and not d.removed
    (edit,) = d.edited
    assert edit.before.title == "A convolutional neural network for modelling sentences"
    assert edit.after.title == "A convolutional neural network for modeling sentences"


def test_title_fix_without_arxiv_id_is_an_edit() -> None:
    d = diff("008", "009")  # Deeppose -> DeepPose
    titles = [(e.before.title, e.after.title) for e in d.edited]
    assert ("Deeppose: Human pose estimation via deep neural networks",
            "DeepPose: Human pose estimation via deep neural networks") in titles


def test_typo_in_title_and_no_shared_link_pairs_by_similarity() -> None:
    old = snap("125")
    section = old.sections[3]
    target = section.entries[3]  # "Deep residual learning for image recognition"
    fixed = dataclasses.replace(target, title=target.title.replace("residual", "residaul"),
                                links=(), arxiv_id=None)
    new_section = dataclasses.replace(
        section, entries=tuple(fixed if e is target else e for e in section.entries)
    )
    new = ListSnapshot(tuple(new_section if s is section else s for s in old.sections))
    d = diff_snapshots(old, new)
    assert not d.added and not d.removed and [e.after for e in d.edited] == [fixed]


def test_identical_versions_have_an_empty_diff() -> None:
    assert diff("124", "125").empty


def test_json_round_trip_and_shape() -> None:
    d = diff("113", "114")
    data = d.to_json()
    assert set(data) == {"added", "removed", "moved", "edited"}
    assert data["moved"][0]["from"] == "Appendix: More than Top 100"
    assert set(data["moved"][0]) >= {"section", "title", "year", "authors", "links", "arxiv_id"}
    assert ListDiff.from_json(data).moved[0].to_section == d.moved[0].to_section


def test_every_consecutive_pair_diffs_consistently() -> None:
    paths = sorted(README_HISTORY.glob("*.md"))
    snaps = [parse_awesome_list(p.read_bytes()) for p in paths]
    for old, new in zip(snaps, snaps[1:], strict=False):
        d = diff_snapshots(old, new)
        assert len(new.entries) - len(old.entries) == len(d.added) - len(d.removed)


@needs_shared
def test_the_whole_readme_history_diffs_as_before() -> None:
    # Fingerprints of main's quadratic diff (tests/data/list_diff_history.json, made once with
    # the code before the indexed fuzzy pass): the bounded pass must find exactly the same.
    expected = json.loads((DATA / "list_diff_history.json").read_text())
    found = {
        f"{a.name[:3]}->{b.name[:3]}": fingerprint(diff_snapshots(
            parse_awesome_list(a.read_bytes()), parse_awesome_list(b.read_bytes())))
        for a, b in history_pairs()
    }
    assert len(found) == len(expected) == 145
    assert found == expected


def _entries(count: int, word: str) -> ListSnapshot:
    entries = tuple(
        ListEntry("Papers", f"{word} {i:04d} {_WORDS[i % 7]} {_WORDS[i * 3 % 7]} networks",
                  2016, "A. Author", (Link("pdf", f"https://{word}.example/{i}"),))
        for i in range(count)
    )
    return ListSnapshot((Section("Papers", SectionKind.TOP100, entries),))


_WORDS = ("deep", "residual", "sparse", "recurrent", "adversarial", "graph", "attention")


def test_the_fuzzy_pass_stays_near_linear() -> None:
    # 1,000 entries whose titles and links all changed: nothing pairs by key, so every entry
    # reaches the fuzzy pass, and all titles look alike. The old pass ran the exact ratio
    # 1,000 x 1,000 times; now it runs a bounded number of times per entry.
    calls = 0

    def counting(a: str, b: str) -> float:
        nonlocal calls
        calls += 1
        return title_ratio(a, b)

    for size in (250, 1000):
        calls = 0
        d = diff_snapshots(_entries(size, "learning"), _entries(size, "training"), counting)
        assert len(d.added) + len(d.edited) == len(d.removed) + len(d.edited) == size
        assert calls <= FUZZY_CANDIDATES * size


def test_the_fuzzy_pass_still_pairs_a_typo_fix_among_many() -> None:
    old = _entries(1000, "learning")
    fixed = [dataclasses.replace(e, title=e.title.replace("networks", "netwroks"), links=())
             for e in old.sections[0].entries]
    d = diff_snapshots(old, ListSnapshot((Section("Papers", SectionKind.TOP100, tuple(fixed)),)))
    assert (d.added, d.removed, len(d.edited)) == ((), (), 1000)
    assert all(e.before.title.split()[1] == e.after.title.split()[1] for e in d.edited)
