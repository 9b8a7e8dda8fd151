"""When each scheduled job last ran and last succeeded (catch-up after downtime, health)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, utc_now


@dataclass(frozen=True)
class JobRun:
    """The last run of one job."""

    name: str
    last_run_at: str | None
    last_ok_at: str | None
    last_summary: str
    runs: int
    failures: int


def record_run(
    db: Database, name: str, ok: bool, summary: str, seconds: float
) -> None:
    """Remember a job run and its one-line summary."""
    now = utc_now()
    with db.atomic():
        db.execute(
            "insert into job_runs (name, last_run_at, last_ok_at, last_summary, seconds, runs, "
            "failures) values (?, ?, ?, ?, ?, 1, ?) on conflict(name) do update set "
            "last_run_at = excluded.last_run_at, last_summary = excluded.last_summary, "
            "seconds = excluded.seconds, runs = runs + 1, failures = failures + excluded.failures,"
            " last_ok_at = coalesce(excluded.last_ok_at, last_ok_at)",
            [name, now, now if ok else None, summary[:500], seconds, 0 if ok else 1],
        )


def last_runs(db: Database) -> dict[str, JobRun]:
    """Return every job's last run, by name."""
    return {
        row["name"]: JobRun(row["name"], row["last_run_at"], row["last_ok_at"],
                            row["last_summary"] or "", row["runs"], row["failures"])
        for row in db.query("select * from job_runs")
    }


def age_seconds(stamp: str | None, now: datetime) -> float | None:
    """Seconds since an ISO timestamp, or None when it never happened."""
    if not stamp:
        return None
    return (now - datetime.fromisoformat(stamp)).total_seconds()
