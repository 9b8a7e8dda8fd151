"""bench/queries.py: the committed queries have the shape issue 18 asks for, its rules rebuild
them exactly from ../shared/data, and its judge tells a card or a first result apart."""

from __future__ import annotations

from collections import Counter

import pytest

from bench import queries
from bot.render.cards import paper_card, render_entry
from bot.render.strings import t
from feeds.bundled import bundled_snapshot
from tests.conftest import SHARED_DATA

RULES = {"issue-18", "colon-name", "abstract-name", "gan-zoo", "near-collision", "typo-title",
         "partial-title", "zh-title", "zh-section", "zh-term"}


def test_the_committed_queries_have_the_asked_shape() -> None:
    rows = queries.read_queries()
    kinds = Counter(q.kind for q in rows)
    assert len(rows) >= 100
    assert sum(q.lang == "zh" for q in rows) >= 20
    assert kinds["paper"] == kinds["search"] and set(kinds) == {"paper", "search"}
    assert len({q.id for q in rows}) == len(rows)
    assert {q.built_by for q in rows} == RULES  # every rule the docstring names is used
    assert {q.split for q in rows} == {"dev", "held"}
    for q in rows:
        wanted = q.expected.split(" || ")
        if q.rule.startswith("on-topic"):
            assert q.kind == "search" and all(w.startswith(("words:", "section:"))
                                              for w in wanted), q
        else:
            assert q.rule == ("card" if q.kind == "paper" else "first"), q
            assert all(w.startswith(("arXiv:", "list:")) for w in wanted), q
        assert (q.lang == "zh") == any("\u4e00" <= ch <= "\u9fff" for ch in q.query), q


@pytest.mark.skipif(not (SHARED_DATA / "arxiv-pool").is_dir(),
                    reason="needs ../shared/data/arxiv-pool (the rules read it)")
def test_the_rules_rebuild_the_committed_file() -> None:
    built = queries.build(queries.load_data())
    assert built == queries.read_queries()


def test_the_judge_tells_fast_from_faster_r_cnn() -> None:
    entries = list(bundled_snapshot().entries)
    data = queries.data_of(entries, {})
    judge = queries.Judge.of(data)
    fast = next(e for e in entries if e.title == "Fast R-CNN")
    faster = next(e for e in entries if e.title.startswith("Faster R-CNN"))

    def query(kind: str, entry: object) -> queries.Query:
        return queries.Query("q", kind, "en", "faster r-cnn", data.key_of(entry),
                             "card" if kind == "paper" else "first", "near-collision")

    fast_card = paper_card(None, None, fast, fast.section, "en").text
    faster_card = paper_card(None, None, faster, faster.section, "en").text
    assert judge.right(query("paper", faster), [faster_card])[0]
    assert not judge.right(query("paper", faster), [fast_card])[0]
    not_found = t("en", "paper_not_found", query="faster r-cnn")
    assert not judge.right(query("paper", faster), [not_found])[0]
    results = f"<b>Results</b>\n{render_entry(fast, 1)}\n{render_entry(faster, 2)}"
    assert judge.right(query("search", fast), [results])[0]
    assert not judge.right(query("search", faster), [results])[0]
    both = f"{fast_card}\n{faster_card}"  # a reply showing two papers is no card of one
    assert not judge.right(query("paper", faster), [both])[0]
