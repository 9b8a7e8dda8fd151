"""Routing papers to sections (feeds/routing.py) and matching typed topics (feeds/topics.py)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bench.pool import without
from bot.cli.rank import candidate_paper
from feeds.bundled import bundled_snapshot
from feeds.list_papers import bundled_bib, bundled_list_papers, known_list_papers
from feeds.model import ListEntry, ListSnapshot, Paper, Section, SectionKind
from feeds.rank.routing import (
    NEAREST_SHARE,
    OTHER,
    default_router,
    postings,
    route,
    section_scores,
    terms,
    train_router,
    year_priors,
)
from feeds.topics import match_topic, suggest_topics
from tests.conftest import ROOT, TEST_DATA

SAMPLE = TEST_DATA / "rank" / "pool_sample.jsonl"


def _sample() -> dict[str, Paper]:
    papers = [candidate_paper(json.loads(line)) for line in SAMPLE.read_text().splitlines()]
    return {p.arxiv_id: p for p in papers}


def _section(word: str) -> str:
    return next(s.name for s in bundled_snapshot().top100() if word in s.name.lower())


def test_training_on_the_whole_list_covers_every_top100_section() -> None:
    """bench/rank_speed.py measures how long training takes."""
    snapshot = bundled_snapshot()
    known = known_list_papers(snapshot, bundled_bib(), bundled_list_papers())
    router = train_router(snapshot, known)
    assert router.sections == tuple(s.name for s in snapshot.top100())
    assert all(router.centroids[name] for name in router.sections)


def test_route_gives_a_distribution_over_sections_and_other() -> None:
    ranked = route(_sample()["1511.07763"])
    names = [name for name, _ in ranked]
    assert set(names) >= {OTHER, _section("detection")}
    assert sum(p for _, p in ranked) == pytest.approx(1.0)
    assert [p for _, p in ranked] == sorted((p for _, p in ranked), reverse=True)


@pytest.mark.parametrize(
    ("arxiv_id", "word"),
    [
        ("1511.07763", "detection"),  # LocNet: localization accuracy for object detection
        ("1507.06947", "speech"),  # RNN acoustic models for speech recognition
        ("1511.04143", "reinforcement"),  # deep RL in parameterized action space
        ("1611.04503", "language"),  # zero-resource machine translation
        ("1704.02906", "generative"),  # multi-agent diverse GANs
    ],
)
def test_papers_off_the_list_go_to_the_section_their_title_names(arxiv_id: str, word: str) -> None:
    assert route(_sample()[arxiv_id])[0][0] == _section(word)


def test_a_statistics_paper_is_less_at_home_than_deep_learning_papers() -> None:
    sample = _sample()
    statistics = dict(route(sample["1505.03772"]))  # stochastic block models, math.ST
    for arxiv_id in ("1511.07763", "1507.06947", "1704.02906"):
        deep = dict(route(sample[arxiv_id]))
        assert statistics[OTHER] > deep[OTHER]
        assert max(v for k, v in statistics.items() if k != OTHER) < max(deep.values())


def test_more_papers_from_2016_takes_only_papers_from_2016() -> None:
    router = default_router()
    more = next(name for name in router.sections if "2016" in name)
    paper = Paper("1", 1, "Layer normalization for recurrent networks", "", (), ())
    for year, allowed in (("2016-07-21", True), ("2017-07-21", False), ("", False)):
        names = {name for name, _ in router.route(replace(paper, published=year))}
        assert (more in names) is allowed


def test_a_held_out_entry_leaves_no_trace_in_training() -> None:
    entry = ListEntry("Speech", "Zyxwv quantum phoneme", 2015, "A. B")
    other = ListEntry("Speech", "Speech recognition with deep networks", 2014, "C. D")
    vision = ListEntry("Vision", "Object detection networks", 2015, "E. F")
    snapshot = ListSnapshot((Section("Speech", SectionKind.TOP100, (entry, other)),
                             Section("Vision", SectionKind.TOP100, (vision,))))
    trained = train_router(without(snapshot, [entry]))
    assert "zyxwv" not in trained.idf
    assert all("zyxwv" not in centroid for centroid in trained.centroids.values())
    assert "zyxwv" not in trained.entries.index
    assert "zyxwv" in train_router(snapshot).idf


def test_terms_fold_plurals_and_drop_stop_words() -> None:
    assert terms("Networks for the Detection of Objects") == ["network", "detection", "object"]


@pytest.mark.parametrize(
    ("typed", "word"),
    [
        ("cnn", "convolutional"), ("CNNs", "convolutional"), ("gan", "generative"),
        ("GANs", "generative"), ("nlp", "natural language"), ("rl", "reinforcement"),
        ("生成模型", "generative"), ("强化学习", "reinforcement"),
        ("卷积神经网络模型", "convolutional"),
        ("Generative Models", "generative"), ("object detection", "detection"),
        ("reinforcment", "reinforcement"), ("speech", "speech"), ("语音", "speech"),
    ],
)
def test_match_topic_understands_what_users_type(typed: str, word: str) -> None:
    section = match_topic(typed, bundled_snapshot().sections)
    assert section is not None and word in section.name.lower()


def test_chinese_names_pair_with_english_sections_by_order() -> None:
    headings = [line[4:].strip() for line in
                (ROOT / "feeds/data/README.zh-CN.md").read_text().splitlines()
                if line.startswith("### ")]
    sections = bundled_snapshot().sections
    for chinese, section in zip(headings, sections, strict=False):
        assert match_topic(chinese, sections) is section


def test_ambiguous_or_unknown_topics_get_suggestions_not_guesses() -> None:
    sections = bundled_snapshot().sections
    assert match_topic("image", sections) is None  # two sections start with "Image"
    suggested = {s.name for s in suggest_topics("image", sections)}
    assert {_section("detection"), _section("video")} <= suggested
    assert match_topic("xyzzy", sections) is None
    assert suggest_topics("xyzzy", sections) == []
    assert suggest_topics("generativ", sections)[0].name == _section("generative")


def test_postings_give_the_best_cosine_per_label() -> None:
    third = 1 / 3 ** 0.5
    index = postings([("a", {"x": 1.0}), ("a", {"x": 0.6, "y": 0.8}),
                      ("b", {"y": third, "z": third, "w": third}), ("c", {"v": 1.0})])
    best = index.best_per_label({"x": 0.6, "y": 0.8})
    assert best["a"] == pytest.approx(1.0)  # the second "a" document is the query itself
    assert best["b"] == pytest.approx(0.8 * third)
    assert "c" not in best  # shares no term


def _entries(section: str, years: list[int]) -> tuple[ListEntry, ...]:
    return tuple(ListEntry(section, f"{section} paper {i}", year, "A. B")
                 for i, year in enumerate(years))


def test_a_year_section_competes_by_its_share_of_that_years_entries() -> None:
    sections = [Section("Speech", SectionKind.TOP100, _entries("Speech", [2016, 2014, 2014, 2014])),
                Section("Vision", SectionKind.TOP100, _entries("Vision", [2014, 2015, 2014, 2015])),
                Section("More Papers from 2016", SectionKind.TOP100,
                        _entries("More", [2016, 2016, 2016]))]
    priors = year_priors(sections, {"More Papers from 2016": 2016})
    assert set(priors) == {2016}  # no other year has a section of its own
    speech, vision, more = (priors[2016][s.name] for s in sections)
    assert more > 0 > speech > vision  # 3 of the four 2016 papers, 1, none


def test_even_shares_of_a_year_give_no_prior() -> None:
    sections = [Section(name, SectionKind.TOP100, _entries(name, [2016, 2015]))
                for name in ("Speech", "Vision", "More Papers from 2016")]
    priors = year_priors(sections, {"More Papers from 2016": 2016})
    assert priors[2016] == pytest.approx({s.name: 0.0 for s in sections})


def test_the_nearest_entry_lifts_a_mixed_section_for_a_close_match() -> None:
    mixed = {"Mixed": 0.2, "Speech": 0.25}  # centroid cosines: the topical section is closer
    nearest = {"Mixed": 0.9, "Speech": 0.3}  # but one entry of the mixed section is the same
    assert max(section_scores(mixed, nearest, {}, share=0.0).items(),
               key=lambda kv: kv[1])[0] == "Speech"
    scores = section_scores(mixed, nearest, {}, share=NEAREST_SHARE)
    assert max(scores.items(), key=lambda kv: kv[1])[0] == "Mixed"
