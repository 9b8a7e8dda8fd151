"""Papers per topic per week: exact counts on a hand-built database, and the PNG chart."""

from __future__ import annotations

import struct
import threading
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bot.cli import main
from bot.commands import trends
from bot.commands.base import Asker
from bot.render.charts import OTHER, fold_sections, render_trends_png, short_label
from feeds.model import WeekCount
from storage import chats
from storage.db import Database, open_db
from storage.trends import week_starts, weekly_counts

NOW = date(2024, 3, 20)  # a Wednesday; its week starts on Monday 2024-03-18
CNN = "Convolutional Neural Network Models"
NLP = "Natural Language Processing / RNNs"


def add_paper(
    db: Database, arxiv_id: str, announced: str | None,
    first_seen: str = "2024-01-01T00:00:00+00:00", section: str | None = CNN,
    published: str = "",
) -> None:
    """Insert one paper row and, when a section is given, its score row."""
    db["papers"].insert({"arxiv_id": arxiv_id, "version": 1, "title": f"Paper {arxiv_id}",
                         "announced": announced, "first_seen": first_seen,
                         "published": published})
    if section is not None:
        db["scores"].insert({"arxiv_id": arxiv_id, "section": section, "score": 0.5})


@pytest.fixture
def db() -> Database:
    """An in-memory database with papers in known weeks and sections."""
    db = open_db()
    add_paper(db, "2403.00001", "2024-03-04")  # Monday: first week of a 3-week window
    add_paper(db, "2403.00002", "2024-03-10")  # Sunday: still the week of 03-04
    add_paper(db, "2403.00003", "2024-03-11", section=NLP)
    # never announced (an API record): dated by its first version
    add_paper(db, "2403.00004", None, first_seen="2024-03-19T08:30:00+00:00",
              published="2024-03-12T08:30:00Z")
    add_paper(db, "2403.00005", "", first_seen="2024-03-19T23:59:59+00:00", section=NLP,
              published="2024-03-19")
    # a revision seen this week whose first version is not dated yet: not new, not counted
    add_paper(db, "2312.00011", None, first_seen="2024-03-19T08:00:00+00:00", section=NLP)
    add_paper(db, "2403.00006", "2024-03-24", section=NLP)  # Sunday ending the current week
    add_paper(db, "2403.00007", "2024-03-03")  # Sunday before the window
    add_paper(db, "2403.00008", "2024-03-25")  # next week
    add_paper(db, "2403.00009", "2024-03-18", section=None)  # not scored yet
    add_paper(db, "2403.00010", "2024-03-18", section="")  # scored without a section
    return db


def png_size(data: bytes) -> tuple[int, int]:
    """Check the PNG signature and IHDR chunk; return (width, height)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    return struct.unpack(">II", data[16:24])


def test_weekly_counts_groups_by_monday_and_section(db) -> None:
    assert weekly_counts(db, weeks=3, now=NOW) == [
        WeekCount(date(2024, 3, 4), CNN, 2),
        WeekCount(date(2024, 3, 11), CNN, 1),
        WeekCount(date(2024, 3, 11), NLP, 1),
        WeekCount(date(2024, 3, 18), NLP, 2),
    ]


def test_weekly_counts_window_follows_weeks_and_now(db) -> None:
    assert weekly_counts(db, weeks=1, now=NOW) == [WeekCount(date(2024, 3, 18), NLP, 2)]
    later = weekly_counts(db, weeks=1, now=date(2024, 3, 25))
    assert later == [WeekCount(date(2024, 3, 25), CNN, 1)]
    assert weekly_counts(db, weeks=1, now=date(2030, 1, 1)) == []
    assert weekly_counts(open_db(), weeks=12, now=NOW) == []


def test_week_starts_are_utc_mondays() -> None:
    assert week_starts(3, NOW) == [date(2024, 3, 4), date(2024, 3, 11), date(2024, 3, 18)]
    # 01:00 on Monday in UTC+5 is still Sunday in UTC.
    monday_east = datetime(2024, 3, 18, 1, 0, tzinfo=timezone(timedelta(hours=5)))
    assert week_starts(1, monday_east) == [date(2024, 3, 11)]
    assert week_starts(1, datetime(2024, 3, 18, 0, 0, tzinfo=UTC)) == [date(2024, 3, 18)]
    with pytest.raises(ValueError):
        week_starts(0, NOW)


def test_fold_sections_keeps_the_busiest_and_adds_up_the_rest() -> None:
    week = date(2024, 3, 18)
    counts = [WeekCount(week, name, n) for name, n in (("a", 5), ("b", 1), ("c", 3), ("d", 1))]
    series, cells = fold_sections(counts, top=2)
    assert series == ["a", "c", OTHER]
    assert cells == {("a", week): 5, ("c", week): 3, (OTHER, week): 2}
    assert fold_sections(counts, top=4)[0] == ["a", "c", "b", "d"]


def test_short_label_keeps_legends_narrow() -> None:
    assert short_label("Speech / Other Domain") == "Speech / Other Domain"
    assert short_label("Understanding / Generalization / Transfer") == "Understanding"
    assert short_label(CNN) == "Convolutional Neural…"
    assert short_label("x" * 40) == "x" * 27 + "…"
    assert all(len(short_label(n)) <= 28 for n in (CNN, NLP, "y " * 30))


def test_chart_with_data_is_a_fixed_size_png() -> None:
    weeks = week_starts(12, NOW)
    counts = [WeekCount(w, f"Section number {s} with a long name / and more", (i + s) % 4)
              for i, w in enumerate(weeks) for s in range(9)]
    data = render_trends_png(counts, "Papers per topic", weeks=weeks)
    assert png_size(data) == (1000, 560)
    assert len(data) > 20_000  # bars, labels and a legend, not a blank canvas
    assert render_trends_png(counts, "Papers per topic", weeks=weeks) == data  # deterministic


def test_chart_without_data_says_so_in_a_png() -> None:
    for counts in ([], [WeekCount(date(2024, 3, 18), CNN, 0)]):
        data = render_trends_png(counts, "Papers per topic", lang="zh")
        assert png_size(data) == (1000, 560)
        assert len(data) > 2_000


async def test_trends_png_renders_off_the_event_loop(db, monkeypatch) -> None:
    threads = []
    real_render = trends.render_trends_png

    def spy(*args, **kwargs) -> bytes:
        threads.append(threading.current_thread())
        return real_render(*args, **kwargs)

    monkeypatch.setattr(trends, "render_trends_png", spy)
    asker = Asker(db, chats.ensure_chat(db, 7), 7, now=datetime(2024, 3, 20, tzinfo=UTC))
    (reply,) = await trends.answer_trends(asker, "3")
    assert reply.photo is not None and png_size(reply.photo) == (1000, 560)
    assert threads and threads[0] is not threading.main_thread()


def test_cli_trends_writes_a_png(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PAPERS_BOT_DB", str(tmp_path / "bot.db"))
    out = tmp_path / "trends.png"
    assert main(["trends", "--out", str(out), "--weeks", "4"]) == 0
    assert png_size(out.read_bytes()) == (1000, 560)
    assert capsys.readouterr().out.startswith(f"trends: {out} (")


def test_cli_trends_rejects_bad_weeks_in_one_line(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PAPERS_BOT_DB", str(tmp_path / "bot.db"))
    assert main(["trends", "--out", str(tmp_path / "t.png"), "--weeks", "0"]) == 2
    assert capsys.readouterr().err == "papers-bot: error: --weeks must be between 1 and 520\n"


def test_papers_routed_to_no_topic_are_one_other_bar_counted_once() -> None:
    week = date(2017, 3, 6)
    counts = [WeekCount(week, "Generative Models", 5), WeekCount(week, "other", 7),
              WeekCount(week, "Speech / Other Domain", 2), WeekCount(week, "RL", 1)]
    series, cells = fold_sections(counts, top=2)
    assert series.count(OTHER) == 1  # one "other" series, never two
    assert series == ["Generative Models", "Speech / Other Domain", OTHER]
    assert cells[(OTHER, week)] == 7 + 1  # the no-topic papers and the folded topic
    assert sum(cells.values()) == sum(c.count for c in counts)  # nothing counted twice


async def test_trends_count_a_real_days_papers_once_and_say_why_an_argument_is_ignored(
        tmp_path) -> None:
    """The real 14 March 2017 feed: 11 new and cross-listed papers and 2 revisions (1312.2244v2
    among them, first seen that day). Only the 11 count, in the week they were new; a revision
    counts in its first version's week once the arXiv API has dated it."""
    from tests.conftest import TEST_DATA
    from tests.support.feedserver import Reply
    from tests.support.rig import bot_rig

    day = (TEST_DATA / "arxiv" / "rss2_ml6_2017-03-14.xml").read_bytes()
    async with bot_rig(tmp_path / "bot.db") as rig:
        rig.server.script("/rss", Reply(day))
        assert "4 new, 2 replaced, 7 cross" in await rig.job("poll_arxiv")
        routed = rig.db.conn.execute(
            "select count(*) from scores s join papers p using (arxiv_id) "
            "where coalesce(s.section, '') != '' and p.announced is not null").fetchone()[0]
        week = weekly_counts(rig.db, weeks=1, now=date(2017, 3, 14))
        assert sum(c.count for c in week) == routed and routed <= 11
        revisions = rig.db.conn.execute(
            "select count(*) from scores s join papers p using (arxiv_id) "
            "where coalesce(s.section, '') != '' and p.announced is null").fetchone()[0]
        assert revisions >= 1  # routed to a topic like any paper...
        first_seen = rig.db.conn.execute("select max(first_seen) from papers").fetchone()[0]
        seen_week = weekly_counts(rig.db, weeks=1, now=date.fromisoformat(first_seen[:10]))
        assert seen_week == []  # ...but not counted in the week they were first seen
        rig.db.execute("update papers set published = '2013-12-09' where arxiv_id = '1312.2244'")
        rig.db.conn.commit()
        after = weekly_counts(rig.db, weeks=1, now=date(2017, 3, 14))
        assert sum(c.count for c in after) == routed  # its first version's week is not this one
        for arg, lang in (("500", "en"), ("abc", "en"), ("0", "zh")):
            chats.ensure_chat(rig.db, 301)
            chats.set_chat_setting(rig.db, 301, lang=lang)
            (reply,) = await rig.say(f"/trends {arg}", chat_id=301)
            caption = reply.params.get("caption", "")
            assert f"“{arg}”" in caption and ("1 to 104" in caption or "1 到 104" in caption)
        (plain,) = await rig.say("/trends 8", chat_id=302)
        assert "“" not in plain.params.get("caption", "")
