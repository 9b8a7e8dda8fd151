"""Suggestions worth a maintainer's time: over the bar, at most N a week, never twice, paged,
and a decision that says who made it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.pipeline.scoring import score_papers
from bot.pipeline.suggestions import SUGGESTION_BAR, make_suggestions
from bot.render.strings import render_reason
from feeds.bundled import bundled_snapshot
from feeds.model import Paper, PaperSource, Reason, ReasonKey, Scored, SuggestionStatus
from storage import papers, scores, suggestions
from storage.db import Database, open_db
from tests.conftest import TEST_DATA
from tests.support.rig import MAINTAINER, bot_rig

NOW = datetime(2017, 3, 20, 9, tzinfo=UTC)


def _store(db: Database, n: int, impact: float, section: str = "Image / Video / Etc",
           published: str = "2017-03-14", start: int = 0) -> list[str]:
    """n stored, scored papers at one impact (ids 1703.1xxxx)."""
    ids = [f"1703.{10000 + start + i}" for i in range(n)]
    papers.store_papers(db, [Paper(i, 1, f"Paper {i}", "An abstract.", ("Ada Lovelace",),
                                    ("cs.CV",), published=published) for i in ids])
    scores.save_scores(db, [Scored(i, 5.0, section, topics=((section, 0.9),), impact=impact,
                                   reasons=(Reason(ReasonKey.DAY0_ESTIMATE,
                                                   {"expected": 80, "bar": 60}),))
                            for i in ids])
    return ids


def _db() -> Database:
    return open_db(":memory:")


def test_nothing_under_the_bar_is_suggested_however_small_the_day() -> None:
    db = _db()
    _store(db, 13, SUGGESTION_BAR - 0.01)
    assert make_suggestions(db, bundled_snapshot(), NOW) == []


def test_at_most_n_a_week_and_a_second_run_adds_only_what_is_left() -> None:
    db = _db()
    best = _store(db, 4, 1.0)
    _store(db, 26, -1.0, start=100)
    first = make_suggestions(db, bundled_snapshot(), NOW)
    assert len(first) == 10
    assert [s.arxiv_id for s in first[:4]] == best  # most important first
    assert make_suggestions(db, bundled_snapshot(), NOW + timedelta(hours=1)) == []
    assert make_suggestions(db, bundled_snapshot(), NOW + timedelta(days=6)) == []
    later = make_suggestions(db, bundled_snapshot(), NOW + timedelta(days=7, minutes=1))
    assert len(later) == 10 and not {s.arxiv_id for s in later} & {s.arxiv_id for s in first}
    weekly = make_suggestions(db, bundled_snapshot(), NOW + timedelta(days=14, minutes=1))
    assert len(weekly) == 10  # the weekly job at the same second: last week's ten are a week old
    capped = _db()
    _store(capped, 8, 0.5)
    assert len(make_suggestions(capped, bundled_snapshot(), NOW, per_week=3)) == 3
    assert make_suggestions(_db(), bundled_snapshot(), NOW, per_week=0) == []


def test_never_the_same_paper_twice_even_after_a_rejection() -> None:
    db = _db()
    (only,) = _store(db, 1, 2.0)
    (made,) = make_suggestions(db, bundled_snapshot(), NOW)
    suggestions.decide(db, made.id, SuggestionStatus.REJECTED, MAINTAINER, "Ada")
    scores.save_scores(db, [Scored(only, 9.0, "Image / Video / Etc", impact=3.0)])  # rescored
    assert make_suggestions(db, bundled_snapshot(), NOW + timedelta(days=30)) == []


def test_an_old_paper_no_topic_fits_has_nowhere_to_go() -> None:
    db = _db()
    _store(db, 1, 2.0, section="other", published="2015-01-05")
    (new,) = _store(db, 1, 1.0, section="other", start=50)  # new: goes to New papers
    made = make_suggestions(db, bundled_snapshot(), NOW)
    assert [(s.arxiv_id, s.target_section) for s in made] == [(new, "New papers")]


async def test_suggestions_page_through_everything_pending() -> None:
    async with bot_rig() as rig:
        _store(rig.db, 12, 0.5)
        make_suggestions(rig.db, bundled_snapshot(), NOW, per_week=20)
        first = await rig.say("/suggestions", chat_id=MAINTAINER)
        assert len(first) == 6 and first[-1].text == (
            "Suggestions 1–5 of 12, most important first.")
        assert [b["text"] for b in first[-1].buttons] == ["More ▶"]
        second = await rig.tap(first[-1].callback_data[0], first[-1].message_id,
                               chat_id=MAINTAINER)
        assert second[-1].text.startswith("Suggestions 6–10 of 12")
        third = await rig.tap(second[-1].callback_data[-1], second[-1].message_id,
                              chat_id=MAINTAINER)
        assert third[-1].text.startswith("Suggestions 11–12 of 12")
        assert [b["text"] for b in third[-1].buttons] == ["◀ Prev"]
        shown = [m.text for m in first[:-1] + second[:-1] + third[:-1]]
        assert len(shown) == 12 and len({t.split("\n")[0] for t in shown}) == 12
        refused = await rig.tap(first[-1].callback_data[0], first[-1].message_id)
        assert not refused  # a reader pressing a forwarded button gets a toast only


async def test_a_decision_shows_who_made_it_and_its_buttons_go() -> None:
    async with bot_rig() as rig:
        _store(rig.db, 2, 0.5)
        make_suggestions(rig.db, bundled_snapshot(), NOW)
        cards = await rig.say("/suggestions", chat_id=MAINTAINER)
        ada = f"User{MAINTAINER}"  # the fake Bot API's name for the user
        first, second = cards
        (rejected,) = await rig.tap(first.callback_data[1], first.message_id,
                                    chat_id=MAINTAINER)
        assert rejected.method == "editMessageText"
        assert f"<i>rejected by {ada} (" in rejected.text and not rejected.buttons
        (later,) = await rig.tap(second.callback_data[2], second.message_id, chat_id=MAINTAINER)
        assert f"<i>later by {ada} (" in later.text
        assert [b["text"] for b in later.buttons] == ["✅ Accept", "❌ Reject", "⏳ Later"]
        # an Accept from an older copy of the rejected card: it says who decided, changes nothing
        await rig.tap(first.callback_data[0], first.message_id, chat_id=MAINTAINER)
        assert rig.api.calls("answerCallbackQuery")[-1].params["text"] == (
            f"Already rejected by {ada}.")
        rows = suggestions.with_status(rig.db, SuggestionStatus.REJECTED)
        assert [s.decided_by for s in rows] == [ada]


def test_impact_reasons_read_naturally_in_both_languages() -> None:
    cases = [
        (Reason(ReasonKey.CO_AUTHOR, {"name": "K. He", "count": 7}),
         "K. He: 7 papers on the list", "K. He：列表中有 7 篇论文"),
        (Reason(ReasonKey.AUTHORS_RECORD, {"citations": 4200, "h_index": 25, "name": "K. He"}),
         "authors' earlier work: 4,200 citations, h-index 25 (K. He)",
         "作者既往工作：被引 4,200 次，h 指数 25（K. He）"),
        (Reason(ReasonKey.VENUE_ACCEPTED, {"venue": "CVPR 2017"}),
         "Accepted at CVPR 2017", "已被 CVPR 2017 接收"),
        (Reason(ReasonKey.CITATIONS_ABOVE, {"citations": 412, "months": 14, "bar": 200}),
         "412 citations in 14 months, the list's bar is 200",
         "14 个月内被引 412 次，列表门槛为 200"),
        (Reason(ReasonKey.CITATIONS_NEW, {"citations": 35, "months": 3, "bar": 60}),
         "35 citations in 3 months: new, judged by its pace against the first year's bar of 60",
         "3 个月内被引 35 次：新论文，按被引速度对照首年门槛 60"),
        (Reason(ReasonKey.DAY0_ESTIMATE, {"expected": 101, "bar": 60}),
         "day-0 estimate: about 101 citations in its first year (the list's bar: 60)",
         "首日预估：首年约被引 101 次（列表门槛：60）"),
        (Reason(ReasonKey.INDUSTRY_LAB, {"lab": "DeepMind"}), "from DeepMind", "来自 DeepMind"),
        (Reason(ReasonKey.CODE_RELEASED), "code released", "已公开代码"),
        (Reason(ReasonKey.BENCHMARKS, {"names": "COCO, ImageNet"}), "results on COCO, ImageNet",
         "在 COCO, ImageNet 上的结果"),
    ]
    for reason, en, zh in cases:
        assert (render_reason(reason, "en"), render_reason(reason, "zh")) == (en, zh)


def _pool_record(arxiv_id: str) -> Paper:
    """A real arXiv record from tests/data/listed (copied from ../shared/data/arxiv-pool)."""
    path = TEST_DATA / "listed" / "arxiv_records.jsonl"
    r = next(r for r in map(json.loads, path.read_text().splitlines()) if r["id"] == arxiv_id)
    return Paper(r["id"], r["version"], r["title"], r["abstract"], tuple(r["authors"]),
                 tuple(r["categories"]), published=r["published"], doi=r["doi"],
                 comments=r["comments"], source=PaperSource.POOL)


def test_a_list_paper_without_an_arxiv_id_on_the_list_is_never_suggested() -> None:
    """Pointer Networks is on the list as 'Pointer networks (2015), O. Vinyals et al.' with a
    NIPS link and no arXiv id; its arXiv record arrives as a new paper. Domain-Adversarial
    Neural Networks (1412.4446), by the group of a listed paper a year before it, is not on
    the list and is suggested."""
    snapshot = bundled_snapshot()
    entry = next(e for e in snapshot.entries if e.title == "Pointer networks")
    assert entry.arxiv_id is None
    pointer, dann = _pool_record("1506.03134"), _pool_record("1412.4446")
    db = _db()
    papers.store_papers(db, [pointer, dann])
    scored = {s.paper_id: s for s in score_papers(db, [pointer, dann], snapshot,
                                                  today=date(2015, 6, 10))}
    listed = Reason(ReasonKey.LISTED, {"section": entry.section})
    assert listed in scored[pointer.arxiv_id].reasons  # the ranker knows it is listed
    assert not any(r.key is ReasonKey.LISTED for r in scored[dann.arxiv_id].reasons)
    # both over the bar, so only the list check can keep one out
    scores.save_scores(db, [replace(s, impact=1.0) for s in scored.values()])
    made = make_suggestions(db, snapshot, datetime(2015, 6, 10, 9, tzinfo=UTC))
    assert [s.arxiv_id for s in made] == [dann.arxiv_id]
    assert make_suggestions(db, snapshot, datetime(2015, 6, 20, 9, tzinfo=UTC)) == []
