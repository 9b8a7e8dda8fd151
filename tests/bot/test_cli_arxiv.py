"""The `backfill` and `search` commands."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from bot.cli import main
from feeds.arxiv_rss import parse_arxiv_rss
from storage.db import open_db
from storage.papers import store_papers
from tests.conftest import TEST_DATA
from tests.support.feedserver import FeedServer, Reply

DATA = TEST_DATA / "arxiv"


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    path = tmp_path / "bot.db"
    monkeypatch.setenv("PAPERS_BOT_DB", str(path))
    return path


@pytest.fixture
def seeded(db_path):
    db = open_db(db_path)
    papers = parse_arxiv_rss((DATA / "rss2_ml6_2017-03-14.xml").read_bytes()).papers
    store_papers(db, papers, date(2017, 3, 14))
    db.close()
    return db_path


def test_search_prints_best_first(seeded, capsys):
    assert main(["search", "JPEG", "encoder"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [  # both mention a JPEG encoder; the one with both in its title first
        "1703.04421v1  Guetzli: Perceptually Guided JPEG Encoder — Jyrki Alakuijala et al.",
        "1703.04416v1  Users prefer Guetzli JPEG over same-sized libjpeg — Jyrki Alakuijala et al.",
    ]


def test_search_json(seeded, capsys):
    assert main(["search", "--json", "guetzli"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert {item["arxiv_id"] for item in found} == {"1703.04416", "1703.04421"}
    assert found[0]["first_author"] == "Jyrki Alakuijala"
    assert found[0]["url"].startswith("https://arxiv.org/abs/")


def test_search_with_operators_and_no_match(seeded, capsys):
    assert main(["search", "--", 'NEAR("zzq', "-qqy*", "col:"]) == 0  # -- before a leading dash
    assert "no stored paper matches" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["backfill", "--since", "2017-13-01"], "--since must be a date like 2017-03-14"),
        (["backfill", "--since", "yesterday"], "--since must be a date like 2017-03-14"),
        (["backfill", "--since", "20170314"], "--since must be a date like 2017-03-14"),
        (
            ["backfill", "--since", (date.today() + timedelta(days=2)).isoformat()],
            "is in the future",
        ),
        (["backfill", "--since", "2017-03-01", "--categories", "cs.LG,c$"], "malformed"),
        (["backfill", "--since", "2017-03-01", "--page-size", "5000"], "--page-size"),
        (["search", "--limit", "0", "x"], "--limit"),
    ],
)
def test_bad_arguments_are_one_line_errors(db_path, capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("papers-bot: error: ") and message in err
    assert "\n" not in err


def test_backfill_command_against_a_local_api(db_path, monkeypatch, capsys):
    page = (DATA / "api-atom_id_1605.08386_s0_m100_199195aa31ad.xml").read_bytes()
    with FeedServer() as server:
        server.script("/api/query", Reply(page))
        monkeypatch.setenv("ARXIV_API_URL", server.url("/api/query"))
        code = main(
            ["backfill", "--since", "2016-05-01", "--categories", "math.CO", "--no-progress"]
        )
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("backfill cat:math.CO since 2016-05-01: 1 pages, 1 new")
    assert "complete" in out
    assert open_db(db_path)["papers"].count == 1
