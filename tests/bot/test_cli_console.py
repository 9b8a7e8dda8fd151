"""The offline console does what it says (issue 20, deliverable 3): `ask --lang` for one answer,
`/refresh` runs the refresh and reports, and `suggestions make` fills `/suggestions`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from feeds.model import SuggestionStatus
from storage import job_runs, lock, suggestions
from storage.db import open_db
from tests.conftest import TEST_DATA
from tests.support.feedserver import FeedServer

README = TEST_DATA / "readme-history" / "094_2017-03-21_af75a6b.md"
WEEK = TEST_DATA / "arxiv" / "rss2_ml6_2017-W11_week-of-2000-items.xml"


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A console on the list and a real arXiv week read from files; the arXiv API (first
    versions) answers 404 at once, so nothing waits on retries."""
    monkeypatch.setenv("PAPERS_BOT_DB", str(tmp_path / "ask.db"))
    monkeypatch.setenv("LIST_README_URL", README.as_uri())
    monkeypatch.setenv("ARXIV_RSS_URL", WEEK.as_uri())
    monkeypatch.setenv("MAINTAINER_IDS", "")
    with FeedServer() as server:  # nothing scripted: every path answers 404
        monkeypatch.setenv("ARXIV_API_URL", server.url("/api/query"))
        yield tmp_path / "ask.db"


def test_lang_flag_answers_once_and_leaves_the_console_language(offline, capsys) -> None:
    assert main(["ask", "/help", "--lang", "zh"]) == 0
    assert "命令" in capsys.readouterr().out
    assert main(["ask", "/help"]) == 0  # the next answer: the console's own language again
    assert not re.search(r"[\u4e00-\u9fff]", capsys.readouterr().out)
    assert main(["ask", "/lang zh"]) == 0  # /lang still changes it for good
    capsys.readouterr()
    assert main(["ask", "/help", "--lang", "en"]) == 0
    assert not re.search(r"[\u4e00-\u9fff]", capsys.readouterr().out)
    assert main(["ask", "/help"]) == 0
    assert re.search(r"[\u4e00-\u9fff]", capsys.readouterr().out)


def test_console_refresh_runs_the_refresh_and_reports(offline, capsys) -> None:
    assert main(["ask", "--maintainer", "/refresh"]) == 0
    acknowledgement, report = capsys.readouterr().out.split("-" * 40 + "\n")
    assert acknowledgement.startswith("Refreshing")
    assert report.startswith("refresh: ")
    db = open_db(offline)
    runs = job_runs.last_runs(db)
    assert runs["refresh"].last_ok_at is not None  # recorded as the bot records its runs
    assert db["papers"].count > 0 and db["scores"].count == db["papers"].count
    made = suggestions.with_status(db, *suggestions_open())
    assert made, "a real week of arXiv yields suggestions over the bar"
    assert main(["ask", "--maintainer", "/suggestions"]) == 0
    shown = capsys.readouterr().out
    assert all(s.title[:40] in shown for s in made[:5])


def test_console_refresh_is_refused_to_non_maintainers_and_runs_nothing(offline, capsys) -> None:
    assert main(["ask", "/refresh"]) == 0
    out = capsys.readouterr().out
    assert "-" * 40 not in out and "maintainers" in out
    assert "refresh" not in job_runs.last_runs(open_db(offline))


def test_console_refresh_while_the_bot_runs_is_one_line(offline, capsys) -> None:
    held = lock.hold(offline)
    assert main(["ask", "--maintainer", "/refresh"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("papers-bot: error: the bot is running on ")
    assert len(captured.err.strip().splitlines()) == 1
    del held


def test_suggestions_make_fills_the_console_suggestions(offline, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MAINTAINER_IDS", "1001")
    assert main(["sync"]) == 0
    capsys.readouterr()
    assert main(["suggestions", "make"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    db = open_db(offline)
    made = suggestions.with_status(db, *suggestions_open())
    assert made and len(lines) == len(made) + 1
    assert lines[-1].startswith(f"{len(made)} suggestions made; {len(made)} messages queued")
    assert db.table("outbox").count == len(made)  # one card per suggestion for the maintainer
    assert main(["ask", "--maintainer", "/suggestions"]) == 0
    shown = capsys.readouterr().out
    assert all(s.title[:40] in shown for s in made[:5])
    assert main(["suggestions", "make"]) == 0  # never the same paper twice
    assert capsys.readouterr().out.startswith("no new suggestions")
    assert len(suggestions.with_status(db, *suggestions_open())) == len(made)


def suggestions_open() -> tuple[SuggestionStatus, ...]:
    return (SuggestionStatus.PENDING, SuggestionStatus.LATER)
