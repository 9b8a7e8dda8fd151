"""arXiv's announcement calendar: Sunday–Thursday 20:00 US/Eastern."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from feeds.arxiv_calendar import (
    EASTERN,
    describe_quiet_day,
    feed_day,
    is_announcement_day,
    next_announcement,
    previous_announcement,
    quiet_reason,
)


@pytest.mark.parametrize(
    ("day", "announces"),
    [
        (date(2017, 3, 12), True),  # Sunday
        (date(2017, 3, 13), True),
        (date(2017, 3, 16), True),  # Thursday
        (date(2017, 3, 17), False),  # Friday
        (date(2017, 3, 18), False),  # Saturday
    ],
)
def test_announcement_days(day, announces):
    assert is_announcement_day(day) is announces


def test_a_holiday_is_not_an_announcement_day():
    assert not is_announcement_day(date(2017, 12, 25), holidays={date(2017, 12, 25)})


def test_next_announcement_the_same_evening_across_daylight_saving():
    # 2017-03-12 is when US clocks moved forward: 20:00 EDT is 00:00 UTC.
    upcoming = next_announcement(datetime(2017, 3, 13, 12, 0, tzinfo=UTC))
    assert upcoming == datetime(2017, 3, 13, 20, 0, tzinfo=EASTERN)
    assert upcoming.astimezone(UTC) == datetime(2017, 3, 14, 0, 0, tzinfo=UTC)


def test_next_announcement_after_thursday_evening_is_sunday():
    thursday_late = datetime(2017, 3, 16, 21, 0, tzinfo=EASTERN)
    assert next_announcement(thursday_late) == datetime(2017, 3, 19, 20, 0, tzinfo=EASTERN)
    friday = datetime(2017, 3, 17, 9, 0, tzinfo=EASTERN)
    assert next_announcement(friday) == datetime(2017, 3, 19, 20, 0, tzinfo=EASTERN)


def test_an_announcement_instant_is_its_own_next():
    at = datetime(2017, 3, 14, 20, 0, tzinfo=EASTERN)
    assert next_announcement(at) == at
    assert previous_announcement(at) == at


def test_naive_times_are_utc():
    assert next_announcement(datetime(2017, 3, 14, 23, 59)) == datetime(
        2017, 3, 14, 20, 0, tzinfo=EASTERN
    )


def test_holidays_push_the_next_announcement():
    upcoming = next_announcement(
        datetime(2017, 12, 24, 21, 0, tzinfo=EASTERN), holidays={date(2017, 12, 25)}
    )
    assert upcoming == datetime(2017, 12, 26, 20, 0, tzinfo=EASTERN)


def test_previous_announcement_on_a_saturday_is_thursday():
    saturday = datetime(2017, 3, 18, 12, 0, tzinfo=EASTERN)
    assert previous_announcement(saturday) == datetime(2017, 3, 16, 20, 0, tzinfo=EASTERN)


def test_feed_day_is_the_eastern_date():
    assert feed_day(datetime(2017, 3, 18, 3, 0, tzinfo=UTC)) == date(2017, 3, 17)


def test_quiet_days_are_explained():
    assert quiet_reason(date(2017, 3, 18)) == "weekend"
    assert quiet_reason(date(2017, 3, 19)) == "weekend"
    assert quiet_reason(date(2017, 12, 25)) == "holiday"
    text = describe_quiet_day(date(2017, 3, 18), datetime(2017, 3, 19, 20, 0, tzinfo=EASTERN))
    assert text == (
        "arXiv does not announce new papers on weekends; "
        "next announcement Sun 2017-03-19 20:00 US/Eastern"
    )
    assert "holiday" in describe_quiet_day(date(2017, 12, 25), datetime.now(UTC))
