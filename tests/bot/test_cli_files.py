"""`papers-bot sync` from files: LIST_README_URL and ARXIV_RSS_URL as file:// URLs (issue 20,
deliverable 4), parsed and stored as a download would be, unchanged files not stored twice."""

from __future__ import annotations

import shutil

import pytest

from bot.cli import main
from bot.config import Config, ConfigError
from storage import lists
from storage.db import open_db
from tests.conftest import TEST_DATA

README = TEST_DATA / "readme-history" / "094_2017-03-21_af75a6b.md"
DAY = TEST_DATA / "arxiv" / "rss2_ml6_2017-03-14.xml"


def test_config_takes_file_urls_for_the_list_and_the_feed() -> None:
    config = Config.from_env({"LIST_README_URL": README.as_uri(), "ARXIV_RSS_URL": DAY.as_uri()})
    assert config.list_readme_url == README.as_uri() and config.arxiv_rss_url == DAY.as_uri()
    with pytest.raises(ConfigError, match="LIST_README_URL: a file URL must name a local path"):
        Config.from_env({"LIST_README_URL": "file://mirror/README.md"})
    with pytest.raises(ConfigError, match="CITATIONS_API_URL must be an http"):
        Config.from_env({"CITATIONS_API_URL": DAY.as_uri()})  # an API answers queries


def test_sync_loads_a_list_and_an_arxiv_day_from_files(tmp_path, monkeypatch, capsys) -> None:
    readme, day = tmp_path / "README.md", tmp_path / "day.xml"
    shutil.copy(README, readme)
    shutil.copy(DAY, day)
    monkeypatch.setenv("PAPERS_BOT_DB", str(tmp_path / "bot.db"))
    monkeypatch.setenv("LIST_README_URL", readme.as_uri())
    monkeypatch.setenv("ARXIV_RSS_URL", day.as_uri())
    assert main(["sync"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert first[0].startswith("list: first version") and first[1].startswith("arXiv: 4 new")
    db = open_db(tmp_path / "bot.db")
    latest = lists.latest_version(db)
    assert latest is not None and latest.source_url == readme.as_uri()
    assert lists.version_body(db, latest.id) == README.read_bytes()
    assert db["papers"].count == db["scores"].count == 13
    assert main(["sync"]) == 0  # nothing changed on disk: nothing stored again
    again = capsys.readouterr().out.splitlines()
    assert again[0].startswith("list: not modified") and again[1] == (
        "arXiv: feed unchanged since the last check")
    assert len(lists.list_versions(db)) == 1


def test_sync_from_a_missing_file_fails_in_one_line(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PAPERS_BOT_DB", str(tmp_path / "bot.db"))
    monkeypatch.setenv("ARXIV_RSS_URL", (tmp_path / "absent.xml").as_uri())
    assert main(["sync", "--arxiv"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"arXiv: error: cannot read {(tmp_path / 'absent.xml').as_uri()}: "
                      "No such file or directory")
