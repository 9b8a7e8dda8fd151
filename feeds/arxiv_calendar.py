"""arXiv's announcement calendar: Sunday–Thursday at 20:00 US/Eastern, none on holidays."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
ANNOUNCEMENT_TIME = time(20, 0)
ANNOUNCEMENT_WEEKDAYS = frozenset({6, 0, 1, 2, 3})  # Sunday..Thursday (date.weekday numbers)
# The RSS feed dated D carries the announcement made the evening before, so its days run
# Monday..Friday; Saturday's and Sunday's feeds are empty (<skipDays> in the channel).
FEED_WEEKDAYS = frozenset({0, 1, 2, 3, 4})


def is_announcement_day(day: date, holidays: Collection[date] = ()) -> bool:
    """True when arXiv announces on the evening (US/Eastern) of `day`."""
    return day.weekday() in ANNOUNCEMENT_WEEKDAYS and day not in holidays


def next_announcement(now: datetime, holidays: Collection[date] = ()) -> datetime:
    """Return the first announcement at or after `now` (aware, US/Eastern; naive means UTC)."""
    local = _eastern(now)
    for offset in range(0, 31):
        day = local.date() + timedelta(days=offset)
        at = datetime.combine(day, ANNOUNCEMENT_TIME, tzinfo=EASTERN)
        if at >= local and is_announcement_day(day, holidays):
            return at
    raise ValueError("no arXiv announcement within 30 days: check the holiday list")


def previous_announcement(now: datetime, holidays: Collection[date] = ()) -> datetime:
    """Return the latest announcement at or before `now` (aware, US/Eastern)."""
    local = _eastern(now)
    for offset in range(0, 31):
        day = local.date() - timedelta(days=offset)
        at = datetime.combine(day, ANNOUNCEMENT_TIME, tzinfo=EASTERN)
        if at <= local and is_announcement_day(day, holidays):
            return at
    raise ValueError("no arXiv announcement within 30 days: check the holiday list")


def feed_day(now: datetime) -> date:
    """Return the US/Eastern date the RSS feed is labelled with at `now`."""
    return _eastern(now).date()


def quiet_reason(day: date) -> str:
    """Say why an RSS feed dated `day` is empty: "weekend" or "holiday"."""
    return "weekend" if day.weekday() not in FEED_WEEKDAYS else "holiday"


def describe_quiet_day(day: date, upcoming: datetime) -> str:
    """Tell users why there is nothing today and when the next announcement comes."""
    what = "on weekends" if quiet_reason(day) == "weekend" else "today (arXiv holiday)"
    when = upcoming.astimezone(EASTERN).strftime("%a %Y-%m-%d %H:%M")
    return f"arXiv does not announce new papers {what}; next announcement {when} US/Eastern"


def _eastern(now: datetime) -> datetime:
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(EASTERN)
