"""The topic router (feeds/rank/topics.py) and the keyword rule (feeds/keywords.py)."""

from __future__ import annotations

import pytest

from feeds.bundled import bundled_snapshot
from feeds.keywords import KeywordMatch, keyword_matches
from feeds.list_papers import bundled_bib, bundled_list_papers, known_list_papers
from feeds.model import Paper
from feeds.rank.topics import OTHER, TopicRouter, pick_topics, topic_key, train_topic_router


@pytest.fixture(scope="module")
def router() -> TopicRouter:
    snapshot = bundled_snapshot()
    return train_topic_router(snapshot, known_list_papers(snapshot, bundled_bib(),
                                                          bundled_list_papers()))


def _paper(title: str, abstract: str = "", cats: tuple[str, ...] = ()) -> Paper:
    return Paper("x", 1, title, abstract, (), cats, primary_category=cats[0] if cats else "",
                 published="2018-01-01")


def test_only_topical_sections_are_targets(router) -> None:
    buckets = {s.name for s in bundled_snapshot().sections} - set(router.sections)
    assert {"More Papers from 2016", "New papers", "Old Papers"} <= buckets
    assert len(router.sections) == 9
    assert not any("Appendix" in s or "Lecture" in s for s in router.sections)
    ranked = router.route(_paper("Deep residual networks for image classification"))
    assert {t for t, _ in ranked} == set(router.sections) | {OTHER}
    assert sum(p for _, p in ranked) == pytest.approx(1.0)
    assert [p for _, p in ranked] == sorted((p for _, p in ranked), reverse=True)


@pytest.mark.parametrize(("title", "cats", "key"), [
    ("End-to-end speech recognition with recurrent networks", ("cs.CL",), "speech"),
    ("Acoustic scene classification with deep networks", ("cs.SD", "eess.AS"), "speech"),
    ("Deep reinforcement learning for robotic grasping", ("cs.RO", "cs.LG"), "reinforcement"),
    ("Neural machine translation with attention", (), "language"),
    ("CycleGAN variants for unpaired image translation", ("cs.CV",), "generative"),
])
def test_clear_papers_reach_their_topic(router, title, cats, key) -> None:
    first = router.topics(_paper(title, cats=cats))[0][0]
    assert topic_key(first) == key


def test_no_ml_category_goes_to_other_and_topics_are_at_most_two(router) -> None:
    grid = _paper("Optimal power flow in distribution grids", cats=("math.OC", "eess.SY"))
    assert router.topics(grid) == [(OTHER, pytest.approx(router.route(grid)[0][1]))]
    for title in ("Visual question answering with attention and memory", "Maxout networks"):
        chosen = router.topics(_paper(title))
        assert 1 <= len(chosen) <= 2
        assert all(p >= router.params.fit_bar for _, p in chosen)


def test_a_gan_named_in_the_title_overrides_a_non_ml_category(router) -> None:
    """'...using GANs' filed only under cs.MM is still a machine-learning paper."""
    gan = _paper("Music generation using GANs", cats=("cs.MM",))
    assert router.topics(gan)[0][0] != OTHER


def test_pick_topics_keeps_only_those_above_other_and_the_bar() -> None:
    ranked = [("A", 0.5), ("B", 0.3), ("other", 0.15), ("C", 0.05)]
    assert pick_topics(ranked) == [("A", 0.5), ("B", 0.3)]
    assert pick_topics([("A", 0.2), ("other", 0.1), ("B", 0.7)]) == [("other", 0.1)]
    assert pick_topics([("other", 0.6), ("A", 0.4)]) == [("other", 0.6)]


def test_keywords_match_titles_and_central_abstracts_only() -> None:
    passing = _paper("Loss surfaces of ReLU networks",
                     "Deep networks excel at tasks such as image classification and speech "
                     "recognition. We study their loss surfaces.")
    central = _paper("A robust front-end",
                     "Automatic speech recognition in noise is hard. We propose a front-end.")
    assert keyword_matches("speech recognition", passing) is None
    assert keyword_matches("speech recognition", central) is KeywordMatch.ABSTRACT
    assert keyword_matches("gan", _paper("Training GANs with fewer labels")) is KeywordMatch.TITLE
    assert keyword_matches("gan", _paper("Organ segmentation")) is None
    assert keyword_matches("speech recognition",
                           _paper("Speech-recognition for all")) is KeywordMatch.TITLE
