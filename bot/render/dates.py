"""Dates and times as a reader of each language writes them (names from bot/render/strings.py).

English keeps the bot's old look ("Mon 07 Dec 20:00 US/Eastern"); Chinese reads
"12月7日 周一 20:00（美东时间）". Pure functions: no clock, no locale.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.render.strings import t
from feeds.arxiv_calendar import EASTERN


def weekday_name(when: datetime, lang: str) -> str:
    """'Mon' / '周一'."""
    return t(lang, "weekday_names").split()[when.weekday()]


def month_name(when: datetime, lang: str) -> str:
    """'Dec' / '12月'."""
    return t(lang, "month_names").split()[when.month - 1]


def eastern_time(when: datetime, lang: str) -> str:
    """A moment in arXiv's time zone: 'Mon 07 Dec 20:00 US/Eastern' or, in Chinese,
    '12月7日 周一 20:00（美东时间）'."""
    local = when.astimezone(EASTERN)
    return t(lang, "eastern_time", weekday=weekday_name(local, lang), day=local.day,
             month=month_name(local, lang), time=local.strftime("%H:%M"))


def utc_stamp(stamp: str | None, lang: str) -> str:
    """A stored ISO timestamp as '2017-03-14 23:00 UTC' (the same in every language); '-' when
    it never happened."""
    if not stamp:
        return "-"
    when = datetime.fromisoformat(stamp)
    when = when.astimezone(UTC) if when.tzinfo else when
    return t(lang, "utc_time", day=when.date().isoformat(), time=when.strftime("%H:%M"))
