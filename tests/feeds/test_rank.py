"""The list-worthiness signals, their reasons and the orderings they produce (feeds/rank/)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from datetime import date

import pytest

from bench.pool import without
from bot.cli.rank import candidate_paper
from bot.render.strings import render_reason
from feeds.awesome_list import normalise_title
from feeds.bundled import bundled_snapshot
from feeds.list_papers import bundled_bib, bundled_list_papers
from feeds.model import CitationCount, Paper, Reason, Scored
from feeds.rank.authors import AuthorActivity, author_activity
from feeds.rank.inputs import build_inputs
from feeds.rank.ranker import rank_candidates
from feeds.rank.signals import (
    CitationWeights,
    age_in_months,
    citation_bar,
    citation_signal,
    list_share,
    venue_hint,
)
from tests.conftest import ROOT, TEST_DATA

SAMPLE = TEST_DATA / "rank" / "pool_sample.jsonl"
NOW = date(2018, 10, 19)  # the newest README
WEIGHTS = CitationWeights(bar=4.0, per_doubling=3.0, new_per_log=1.0)


def _text(reason: Reason | None) -> str | None:
    return render_reason(reason, "en") if reason else None


def _texts(scored: Scored) -> list[str]:
    return [render_reason(r, "en") for r in scored.reasons]


def _sample() -> list[Paper]:
    return [candidate_paper(json.loads(line)) for line in SAMPLE.read_text().splitlines()]


def _rank(papers: list[Paper], citations: dict[str, CitationCount] | None = None,
          held_out: tuple[str, ...] = (), activity: AuthorActivity | None = None) -> list[Scored]:
    """Rank against the bundled list with these arXiv ids hidden from everything it knows."""
    snapshot = bundled_snapshot()
    arxiv = [p for p in bundled_list_papers() if p.arxiv_id not in held_out]
    hidden_titles = {normalise_title(p.title) for p in bundled_list_papers()} - {
        normalise_title(p.title) for p in arxiv}
    hidden = [e for e in snapshot.entries
              if e.arxiv_id in held_out or normalise_title(e.title) in hidden_titles]
    inputs = build_inputs(without(snapshot, hidden), bundled_bib(), arxiv)
    return rank_candidates(papers, inputs, citations, NOW, activity=activity)


def _paper(arxiv_id: str, authors: tuple[str, ...] = ("Jane Doe",), comments: str = "",
           title: str = "Deep convolutional networks for image classification",
           published: str = "2017-06-01") -> Paper:
    abstract = ("We train a deep convolutional neural network on ImageNet and improve image "
                "classification accuracy with residual connections.")
    return Paper(arxiv_id, 1, title, abstract, authors, ("cs.CV",), published=published,
                 comments=comments)


def _order(scored: list[Scored]) -> list[str]:
    return [s.paper_id for s in scored]


# --- venue hints -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("comments", "journal_ref", "expected"),
    [
        ("Accepted at CVPR 2017", "", "Accepted at CVPR 2017"),
        ("ICML-2016", "", "Accepted at ICML 2016"),
        ("Published as a conference paper at ICLR 2016 (oral)", "", "Accepted at ICLR 2016"),
        ("Published in JMLR: http://jmlr.org/papers/v17/15-239.html", "", "Published in JMLR"),
        ("", "Nature 529, 484-489 (2016)", "Published in Nature 2016"),
        ("NIPS 2014 Deep Learning Workshop", "", "Workshop paper at NIPS 2014"),
        ("Submitted to ICML 2017", "", "Submitted to ICML 2017 (not yet accepted)"),
        ("10 pages, EACL 2017", "", None),  # not one of the venues the list counts
        ("Proceedings of NAACL 2016", "", "Accepted at NAACL 2016"),  # not ACL
        ("12 pages, 6 figures", "", None),
    ],
)
def test_venue_hints_in_comments_and_journal_refs(comments: str, journal_ref: str,
                                                  expected: str | None) -> None:
    paper = replace(_paper("1"), comments=comments, journal_ref=journal_ref)
    hint = venue_hint(paper)
    assert (_text(hint.describe()) if hint else None) == expected


# --- citations against the list's criteria -----------------------------------------------------

@pytest.mark.parametrize(
    ("months", "bar"),
    # the README's criteria, written in 2017: 2016 +60, 2015 +200, 2014 +400, 2013 +600, 2012 +800
    [(3, None), (12, 60), (24, 200), (36, 400), (48, 600), (60, 800), (120, 800)],
)
def test_citation_bar_follows_the_list_criteria_by_age(months: int, bar: int | None) -> None:
    assert citation_bar(months) == bar


def test_age_in_months() -> None:
    assert age_in_months("2017-08-19", date(2018, 10, 19)) == pytest.approx(14, abs=0.1)
    assert age_in_months("2016", date(2017, 1, 1)) == pytest.approx(12, abs=0.1)
    assert age_in_months("", NOW) is None


def test_citations_meeting_the_bar_count_for_a_paper_and_falling_short_against() -> None:
    paper = _paper("1", published="2017-08-19")  # 14 months before NOW: bar 60
    above = citation_signal(paper, CitationCount("1", 412), NOW, WEIGHTS)
    below = citation_signal(paper, CitationCount("1", 12), NOW, WEIGHTS)
    assert above is not None and above.points > 0
    assert _text(above.reason) == "412 citations in 14 months, the list's bar is 60"
    assert below is not None and below.points < 0
    assert _text(below.reason) == "12 citations in 14 months, below the list's bar of 60"


def test_new_papers_are_judged_by_discussion_and_unknown_counts_are_silent() -> None:
    fresh = _paper("1", published="2018-08-19")
    signal = citation_signal(fresh, CitationCount("1", 30), NOW, WEIGHTS)
    assert signal is not None and signal.points > 0
    assert "judged by its pace" in (_text(signal.reason) or "")
    assert citation_signal(fresh, CitationCount("1", None), NOW, WEIGHTS) is None
    assert citation_signal(fresh, None, NOW, WEIGHTS) is None


# --- orderings ---------------------------------------------------------------------------------

def test_list_authors_lift_a_paper_and_say_who() -> None:
    famous = _paper("famous", authors=("Kaiming He", "Ross Girshick"))
    unknown = _paper("unknown")
    scored = _rank([unknown, famous])
    assert _order(scored) == ["famous", "unknown"]
    reasons = " | ".join(_texts(scored[0]))
    assert "K. He" in reasons and "R. Girshick" in reasons
    assert "key researcher of the list: K. He, R. Girshick" in _texts(scored[0])
    assert not any("co-author" in r for r in _texts(scored[1]))


def test_co_author_reason_counts_the_authors_list_papers() -> None:
    # count Ross Girshick's list papers straight from the raw files: bib records and bundled
    # arXiv records naming him, README lines whose first author he is
    data = ROOT / "feeds" / "data"
    titles = {normalise_title(t) for t in re.findall(
        r"title=\{(.*?)\},\s*author=\{[^}]*Girshick", (data / "top100papers.bib").read_text())}
    titles |= {normalise_title(r["title"]) for r in json.loads(
        (data / "list_papers.json").read_text()) if any("Girshick" in a for a in r["authors"])}
    titles |= {normalise_title(t) for t in re.findall(
        r"^- \*\*(.*?)\*\*.*?R\. Girshick", (data / "awesome-readme.md").read_text(), re.M)}
    scored = _rank([_paper("g", authors=("Ross Girshick",))])
    assert f"R. Girshick: {len(titles)} papers on the list" in _texts(scored[0])


def test_accepted_beats_submitted_beats_nothing() -> None:
    papers = [_paper("none"), _paper("submitted", comments="Submitted to CVPR 2017"),
              _paper("accepted", comments="Accepted at CVPR 2017")]
    scored = _rank(papers)
    assert _order(scored) == ["accepted", "submitted", "none"]
    assert "Accepted at CVPR 2017" in _texts(scored[0])


def test_meeting_the_citation_bar_outranks_famous_authors_and_far_below_sinks() -> None:
    famous = _paper("famous", authors=("Kaiming He", "Ross Girshick", "Yoshua Bengio"))
    cited = _paper("cited", published="2017-08-19")
    ignored = _paper("ignored", authors=("Kaiming He",), published="2015-08-19")
    plain = _paper("plain", published="2017-08-19")
    counts = {"cited": CitationCount("cited", 412), "ignored": CitationCount("ignored", 20)}
    order = _order(_rank([famous, cited, ignored, plain], counts))
    assert order[0] == "cited"
    assert order.index("ignored") > order.index("plain")  # 20 cites at 3 years: bar is 400


def test_missing_citations_never_block_ranking() -> None:
    papers = [_paper("a", authors=("Kaiming He",)), _paper("b")]
    without_counts = _order(_rank(papers))
    unknown = {"a": CitationCount("a", None), "b": CitationCount("b", None)}
    assert _order(_rank(papers, unknown)) == without_counts == ["a", "b"]


def test_deep_learning_outranks_statistics_when_nothing_else_differs() -> None:
    deep = _paper("deep")
    stats = Paper("stats", 1, "Confidence sets for the source of a diffusion in regular trees",
                  "We study the problem of identifying the source of a diffusion spreading over "
                  "a regular tree and construct confidence sets for the source vertex.",
                  ("Jane Doe",), ("math.ST", "stat.TH"))
    assert _order(_rank([stats, deep])) == ["deep", "stats"]
    assert _rank([stats])[0].section == "other"


def test_every_paper_gets_a_section_probabilities_and_a_reason_list() -> None:
    for item in _rank(_sample()[:5]):
        assert item.section
        assert item.section_probs[0][0] == item.section or item.section == "other"
        assert isinstance(item.reasons, tuple)


def test_papers_already_on_the_list_say_so() -> None:
    mask = Paper("1703.06870", 2, "Mask R-CNN", "", ("Kaiming He",), ("cs.CV",))
    assert _texts(_rank([mask])[0])[0] == "already on the list (New papers)"


def test_held_out_list_papers_rise_above_random_pool_papers() -> None:
    """WaveNet, DRAW and Pointer Networks, hidden from the list, against 30 random pool papers."""
    held = ("1609.03499", "1502.04623", "1506.03134")
    sample = _sample()
    scored = _rank(sample[:3] + sample[9:], held_out=held)
    top = _order(scored)[:6]
    assert sum(arxiv_id in top for arxiv_id in held) >= 2  # 3 of 33 by chance: ~0.6
    for item in scored:
        if item.paper_id in held:
            assert not any(r.startswith("already on the list") for r in _texts(item))


# --- the authors' activity in the papers seen so far ------------------------------------------

def _earlier(name: str, count: int, year: int = 2014) -> list[Paper]:
    return [Paper(f"{name} {year} {i}", 1, f"Old paper {i}", "", (name,), ("cs.LG",),
                  published=f"{year}-01-{1 + i % 28:02d}") for i in range(count)]


def test_prolific_authors_never_on_the_list_count_against_a_paper() -> None:
    busy = _paper("busy", authors=("Jane Doe",))
    fresh = _paper("fresh", authors=("John Roe",))
    activity = author_activity(_earlier("Jane Doe", 40))
    scored = {s.paper_id: s.score for s in _rank([busy, fresh], activity=activity)}
    assert scored["busy"] < scored["fresh"]
    # without the activity the two papers are the same to the ranker
    plain = {s.paper_id: s.score for s in _rank([busy, fresh])}
    assert plain["busy"] == plain["fresh"]


def test_a_list_author_counts_more_while_few_of_their_papers_missed_the_list() -> None:
    # the same list author, once with 2 papers seen before, once with 200
    early = _paper("early", authors=("Ross Girshick",), published="2014-02-01")
    late = _paper("late", authors=("Ross Girshick",), published="2017-06-01")
    papers = [*_earlier("Ross Girshick", 2, 2013), *_earlier("Ross Girshick", 200, 2016)]
    scored = _rank([early, late], activity=author_activity(papers))
    assert _order(scored) == ["early", "late"]
    assert "R. Girshick: " in " | ".join(_texts(scored[0]))
    assert "2 papers seen before this one" in " | ".join(_texts(scored[0]))


def test_list_share_is_list_papers_per_earlier_papers_shrunk_for_new_authors() -> None:
    assert list_share(3, 0) == pytest.approx(math.log1p(3))  # nothing seen: the count alone
    assert list_share(3, 10) > list_share(3, 100) > list_share(3, 1000) > 0
    assert list_share(6, 100) > list_share(3, 100)
    assert list_share(0, 5) == 0


def test_a_day_of_arxiv_is_ranked_in_one_call_best_first() -> None:
    """1,000 papers with the authors' activity: each once, best first (bench/rank_speed.py
    measures how long it takes)."""
    sample = _sample()
    papers = [replace(p, arxiv_id=f"{p.arxiv_id}-{i}") for i in range(1000 // len(sample) + 1)
              for p in sample][:1000]
    scored = _rank(papers, activity=author_activity(papers))
    assert sorted(s.paper_id for s in scored) == sorted(p.arxiv_id for p in papers)
    assert [s.score for s in scored] == sorted((s.score for s in scored), reverse=True)
