"""bench/replay.py's arXiv data: the 2,000-item feed cut into weeks, RSS and API pages.

The sample is 12 items of ../shared/data/arxiv-samples/rss2_ml6_2000-items.xml (three weeks of
2017-02-27..03-19) under that feed's own channel header, bytes as they stand.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bench.replay_data import (
    FOOTER,
    api_page,
    channel,
    feed_weeks,
    item_day,
    pool_item,
    split_feed,
    week_of,
)
from feeds.arxiv_api import parse_arxiv_api
from feeds.arxiv_rss import parse_arxiv_rss
from tests.conftest import TEST_DATA

SAMPLE = TEST_DATA / "arxiv" / "rss2_ml6_2000-items_sample.xml"


def test_weeks_start_on_mondays_and_2017_ends_at_week_52() -> None:
    assert week_of(date(2017, 1, 1)) == week_of(date(2017, 1, 8)) == 0
    assert week_of(date(2017, 1, 9)) == 1
    assert week_of(date(2017, 12, 31)) == 51
    assert week_of(date(2018, 1, 1)) is None


def test_split_is_lossless_and_every_item_lands_in_its_pubdate_week() -> None:
    body = SAMPLE.read_bytes()
    split = split_feed(body)
    assert len(split.items) == body.count(b"<item>")
    assert split.header + b"".join(split.items) + FOOTER == body
    weeks = feed_weeks(body)
    assert len(weeks) > 1
    parsed = {p.arxiv_id: p for p in parse_arxiv_rss(body).papers}
    for week, items in weeks.items():
        ids = {p.arxiv_id for p in parse_arxiv_rss(channel(split.header, items,
                                                           date(2017, 3, 20))).papers}
        assert ids and all(week_of(date.fromisoformat(parsed[i].updated)) == week for i in ids)
    assert sum(len(items) for items in weeks.values()) == len(parsed)


def test_a_week_is_an_announcement_the_real_parser_reads_and_dates() -> None:
    split = split_feed(SAMPLE.read_bytes())
    feed = parse_arxiv_rss(channel(split.header, split.items[:3], date(2017, 3, 13)))
    assert feed.pub_date == date(2017, 3, 13)
    assert [p.updated for p in feed.papers] == [item_day(i).isoformat() for i in split.items[:3]]


def test_items_built_from_records_are_the_feeds_own_bytes() -> None:
    """What the pool weeks are made of: the builder rewrites each real item exactly."""
    split = split_feed(SAMPLE.read_bytes())
    for item, paper in zip(split.items, parse_arxiv_rss(SAMPLE.read_bytes()).papers,
                           strict=True):
        built = pool_item(paper, paper.announce_type, paper.version, item_day(item))
        assert built == item


def test_the_replays_arxiv_api_answers_in_the_apis_format() -> None:
    """bench/replay.py's API on 127.0.0.1 answers id lookups with pages the real parser reads:
    the first version's day as `published`, a later version only once it exists."""
    fresh = [p for p in parse_arxiv_rss(SAMPLE.read_bytes()).papers if p.published]
    later = replace(fresh[0], updated="2017-06-01")
    page = parse_arxiv_api(api_page([*fresh, later], date(2017, 4, 1)))
    assert [(p.arxiv_id, p.title, p.published, p.authors) for p in page.papers] == [
        (p.arxiv_id, p.title, p.published, p.authors) for p in [*fresh, later]]
    assert page.papers[-1].version == 1 and page.total_results == len(fresh) + 1
    assert parse_arxiv_api(api_page([later], date(2017, 6, 2))).papers[0].version == 2
