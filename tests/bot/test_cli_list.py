"""The list commands of the CLI, run as a user would."""

from __future__ import annotations

import json
import subprocess
import sys

from bot.cli import main
from tests.conftest import README_HISTORY, ROOT


def path_of(index: str) -> str:
    (path,) = README_HISTORY.glob(f"{index}_*.md")
    return str(path)


def test_parse_json_shape(capsys) -> None:
    assert main(["list", "parse", path_of("125"), "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert len(entries) == 238
    assert set(entries[0]) == {"section", "title", "year", "authors", "links", "arxiv_id"}
    adam = next(e for e in entries if e["title"].startswith("Adam"))
    assert adam["links"] == [{"kind": "pdf", "url": "http://arxiv.org/pdf/1412.6980"}]


def test_diff_json_and_text(capsys) -> None:
    assert main(["list", "diff", path_of("113"), path_of("114"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["moved"][0]["to"] == "Optimization / Training Techniques"
    assert main(["list", "diff", path_of("113"), path_of("114")]) == 0
    assert "Training very deep networks" in capsys.readouterr().out


def test_history_after_sync_shows_counts(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PAPERS_BOT_DB", str(tmp_path / "bot.db"))
    assert main(["list", "history"]) == 0
    assert "no list versions stored yet" in capsys.readouterr().out
    from bot.pipeline.list_sync import seed_bundled
    from storage.db import open_db

    seed_bundled(open_db(tmp_path / "bot.db"))
    assert main(["list", "history"]) == 0
    assert "238 entries, 100 top-100" in capsys.readouterr().out


def test_sync_list_against_unreachable_url_fails_in_one_line(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PAPERS_BOT_DB", str(tmp_path / "bot.db"))
    monkeypatch.setenv("LIST_README_URL", "http://127.0.0.1:9/README.md")
    assert main(["sync", "--list"]) == 1
    out, err = capsys.readouterr()
    first, scored = out.strip().splitlines()
    assert first.startswith("list: sync failed: network error fetching http://127.0.0.1:9/")
    assert scored == "scored 0 papers (routed to topics and ranked)"
    # told once (not a warning and then the same line), and no promise of a next poll from
    # a one-shot command; stderr only says what it was doing
    assert "sync failed" not in err and "next poll" not in out + err and "Traceback" not in err
    assert "sync: fetching the list from http://127.0.0.1:9/README.md" in err


def test_sync_scores_what_it_stored(tmp_path, monkeypatch, capsys) -> None:
    from tests.conftest import ARXIV_SAMPLES
    from tests.support.feedserver import FeedServer, Reply

    feed = (ARXIV_SAMPLES / "rss2_ml6_2017-03-14.xml").read_bytes()
    monkeypatch.setenv("PAPERS_BOT_DB", str(tmp_path / "bot.db"))
    with FeedServer() as server:
        # one failed attempt first: a long sync shows each retry as it happens
        server.script("/rss", Reply(status=503, headers={"Retry-After": "0"}), Reply(feed))
        server.script("/api/query", Reply(status=503))  # first versions: later, never blocking
        monkeypatch.setenv("ARXIV_RSS_URL", server.url("/rss"))
        monkeypatch.setenv("ARXIV_API_URL", server.url("/api/query"))
        assert main(["sync", "--arxiv"]) == 0
    out, err = capsys.readouterr()
    (retry,) = [line for line in err.splitlines() if "failed" in line]
    assert "attempt 1 on" in retry and "HTTP 503" in retry and "retrying in 0.0 s" in retry
    assert "sync: fetching arXiv's feed from" in err and "sync: scoring" in err
    lines = out.strip().splitlines()
    assert lines[0].startswith("arXiv: 4 new") and lines[-1] == (
        "scored 13 papers (routed to topics and ranked)")
    from storage.db import open_db

    db = open_db(tmp_path / "bot.db")
    assert db["scores"].count == db["papers"].count == 13  # /papers and /paper have them now


def test_missing_file_is_one_line(capsys) -> None:
    assert main(["list", "parse", "/nonexistent/README.md"]) == 2
    assert capsys.readouterr().err.strip() == (
        "papers-bot: error: cannot read /nonexistent/README.md: No such file or directory"
    )


def test_console_script_entry_point_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "list", "parse", path_of("002")],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert done.returncode == 0
    assert done.stdout.rstrip().endswith("78 entries, 71 in top-100 sections")
