"""Papers per topic per week, counted in SQL (the /trends chart draws these)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from feeds.model import WeekCount
from storage.db import Database

_WEEKLY_SQL = """
select date(p.day, 'weekday 0', '-6 days') as week, s.section as section, count(*) as n
from (
  select arxiv_id, coalesce(nullif(announced, ''), nullif(substr(published, 1, 10), '')) as day
  from papers
) as p
join scores as s on s.arxiv_id = p.arxiv_id
where p.day >= ? and p.day < ? and coalesce(s.section, '') != ''
group by week, s.section
order by week, s.section
"""


def week_starts(weeks: int = 12, now: date | datetime | None = None) -> list[date]:
    """Return the Mondays of the last `weeks` weeks, oldest first, the current week last."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    today = _today(now)
    current = today - timedelta(days=today.weekday())
    return [current - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def _today(now: date | datetime | None) -> date:
    if now is None:
        return datetime.now(UTC).date()
    if isinstance(now, datetime):
        return (now.astimezone(UTC) if now.tzinfo else now).date()
    return now


def weekly_counts(
    db: Database, weeks: int = 12, now: date | datetime | None = None
) -> list[WeekCount]:
    """Count routed papers per week and section, each in the week it was new: its
    announcement day, else its first version's date (an API record's `published`). A
    revision announced later does not count again, and one whose first version is not dated
    yet (the RSS leaves it blank) is not counted until it is."""
    starts = week_starts(weeks, now)
    end = starts[-1] + timedelta(weeks=1)
    rows = db.query(_WEEKLY_SQL, [starts[0].isoformat(), end.isoformat()])
    return [WeekCount(date.fromisoformat(r["week"]), r["section"], r["n"]) for r in rows]
