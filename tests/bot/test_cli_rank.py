"""`papers-bot rank`: candidates in, ranked papers with reasons out (bot/cli_rank.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from feeds.awesome_list import parse_awesome_list
from storage.db import open_db
from storage.lists import store_version
from tests.conftest import TEST_DATA

SAMPLE = TEST_DATA / "rank" / "pool_sample.jsonl"
TINY_README = b"""# Tiny list

### Speech / Other Domain
- **Zebra speech recognition with striped networks** (2015), J. Doe et al. [[pdf]](http://x.org/a.pdf)
"""


@pytest.fixture(autouse=True)
def no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the bot at a database file that does not exist (so the bundled list is used)."""
    path = tmp_path / "absent" / "bot.db"
    monkeypatch.setenv("PAPERS_BOT_DB", str(path))
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["rank", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _candidates(tmp_path: Path, lines: list[dict]) -> str:
    path = tmp_path / "candidates.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return str(path)


def test_json_output_is_best_first_with_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--candidates", str(SAMPLE), "--json", "--now", "2018-10-19")
    ranked = json.loads(out)
    assert code == 0 and len(ranked) == len(SAMPLE.read_text().splitlines())
    assert [r["impact"] for r in ranked] == sorted((r["impact"] for r in ranked), reverse=True)
    assert set(ranked[0]) == {"id", "score", "impact", "section", "reasons", "topics"}
    _, by_fit, _ = _run(capsys, "--candidates", str(SAMPLE), "--json", "--now", "2018-10-19",
                        "--by", "fit")
    fit = [r["score"] for r in json.loads(by_fit)]
    assert fit == sorted(fit, reverse=True)
    wavenet = next(r for r in ranked if r["id"] == "1609.03499")
    assert "already on the list (More Papers from 2016)" in wavenet["reasons"]
    for row in ranked:  # the section is the first topic; no topic: "other" and topics []
        names = [t["section"] for t in row["topics"]]
        assert len(names) <= 2 and all(0.25 <= t["p"] <= 1 for t in row["topics"])
        assert row["section"] == (names[0] if names else "other")
        assert "More Papers from 2016" not in names  # a bucket is never a topic


def test_limit_and_text_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--candidates", str(SAMPLE), "--limit", "3")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 4
    assert lines[0].split()[:5] == ["#", "impact", "fit", "id", "section"]
    assert [line.split()[0] for line in lines[1:]] == ["1", "2", "3"]


def test_citations_file_puts_a_cited_paper_first(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    plain = {"id": "1801.00001", "title": "A method for image classification",
             "authors": ["Jane Doe"], "published": "2017-08-19"}
    famous = {**plain, "id": "1801.00002", "authors": ["Kaiming He", "Ross Girshick"]}
    cites = tmp_path / "cites.json"
    cites.write_text(json.dumps({"1801.00001": 412}))
    args = ["--candidates", _candidates(tmp_path, [famous, plain]), "--json",
            "--now", "2018-10-19"]
    _, before, _ = _run(capsys, *args)
    _, after, _ = _run(capsys, *args, "--citations", str(cites))
    assert json.loads(before)[0]["id"] == "1801.00002"
    first = json.loads(after)[0]
    assert first["id"] == "1801.00001"
    assert first["reasons"][0] == "412 citations in 14 months, the list's bar is 60"


def test_bad_jsonl_line_names_its_number(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "1", "title": "ok"}\n\n{"id": "2", "title": \n')
    code, out, err = _run(capsys, "--candidates", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and f"{path}:3: bad candidate" in err


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"title": "no id"}, "missing 'id'"),
        ({"id": "1"}, "missing 'title'"),
        ({"id": "1", "title": "t", "authors": [1, 2]}, "'authors' must be a list of strings"),
        (["not", "an", "object"], "expected a JSON object"),
    ],
)
def test_bad_candidates_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            line: object, message: str) -> None:
    path = _candidates(tmp_path, [line])  # type: ignore[list-item]
    code, _, err = _run(capsys, "--candidates", path)
    assert code == 2 and f":1: bad candidate: {message}" in err


def test_list_file_replaces_the_bundled_list(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    readme = tmp_path / "README.md"
    readme.write_bytes(TINY_README)
    line = {"id": "1801.00003", "title": "Speech recognition", "authors": ["John Doe"]}
    path = _candidates(tmp_path, [line])
    _, bundled, _ = _run(capsys, "--candidates", path, "--json")
    _, tiny, _ = _run(capsys, "--candidates", path, "--json", "--list-file", str(readme))
    assert not any("J. Doe" in r for r in json.loads(bundled)[0]["reasons"])
    assert "J. Doe: 1 paper on the list" in json.loads(tiny)[0]["reasons"]
    assert json.loads(tiny)[0]["section"] == "Speech / Other Domain"


def test_stored_newest_list_is_used_when_there_is_one(tmp_path: Path, no_database: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    db = open_db(no_database)
    store_version(db, TINY_README, parse_awesome_list(TINY_README), None, "test")
    db.close()
    line = {"id": "1801.00003", "title": "Zebra speech", "authors": ["John Doe"]}
    _, out, _ = _run(capsys, "--candidates", _candidates(tmp_path, [line]), "--json")
    assert "J. Doe: 1 paper on the list" in json.loads(out)[0]["reasons"]


def test_versioned_ids_are_split(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = {"id": "1703.06870v2", "title": "Mask R-CNN"}
    _, out, _ = _run(capsys, "--candidates", _candidates(tmp_path, [line]), "--json")
    assert json.loads(out)[0]["id"] == "1703.06870"


def test_author_impact_file_lifts_a_paper_by_known_authors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = {"id": "1801.00001", "title": "A method for image classification",
             "abstract": "We train a deep convolutional network.", "authors": ["Jane Roe"],
             "published": "2017-08-19"}
    known = {**plain, "id": "1801.00002", "authors": ["Ann Known", "Bob Known"]}
    records = tmp_path / "authors.jsonl"
    records.write_text(
        "# offline author records\n"
        '{"name": "Ann Known", "citations": 12345, "papers": 40, "h_index": 30, '
        '"as_of": "2017-06-17"}\n\n'
        '{"name": "Bob Known", "citations": 900, "papers": 12, "h_index": 9}\n')
    args = ["--candidates", _candidates(tmp_path, [plain, known]), "--json",
            "--now", "2017-08-20"]
    _, without, _ = _run(capsys, *args)
    _, with_file, _ = _run(capsys, *args, "--author-impact", str(records))
    before = {r["id"]: r["impact"] for r in json.loads(without)}
    after = {r["id"]: r for r in json.loads(with_file)}
    assert before["1801.00001"] == after["1801.00001"]["impact"]  # nobody known: unchanged
    assert after["1801.00002"]["impact"] > before["1801.00002"]
    assert json.loads(with_file)[0]["id"] == "1801.00002"
    assert ("authors' earlier work: 13,245 citations, h-index 30 (A. Known)"
            in after["1801.00002"]["reasons"])


def test_author_impact_lines_it_cannot_use_are_skipped_and_counted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = tmp_path / "authors.jsonl"
    records.write_text('{"name": "Ann Known", "citations": 12345, "h_index": 30}\n'
                       '{"name": "Bob Known", "citations": "many"}\n'
                       '{"name": "Quoc V. Le", "citations": 900, "h_index": 9}\n'
                       '{"name": "."}\n')
    line = {"id": "1801.00003", "title": "Zebra speech", "authors": ["Ann Known"],
            "published": "2017-08-19"}
    le = {**line, "id": "1410.8206", "authors": ["Quoc V. Le"]}  # a real author of 1410.8206
    code, out, err = _run(capsys, "--candidates", _candidates(tmp_path, [line, le]), "--json",
                          "--now", "2017-08-20", "--author-impact", str(records))
    assert code == 0 and err.count("\n") == 1
    assert err == (f"papers-bot: {records}: skipped 2 of 4 author records: 1 without a surname "
                   f'to match on, 1 malformed (first: line 2: "citations" must be a whole '
                   f'number ≥ 0, got "many")\n')
    reasons = {r["id"]: r["reasons"] for r in json.loads(out)}
    assert any("(Q. Le)" in r for r in reasons["1410.8206"])  # keyed, so found
    assert any("(A. Known)" in r for r in reasons["1801.00003"])


def test_an_author_impact_file_with_nothing_usable_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = tmp_path / "authors.jsonl"
    records.write_text('{"name": "Bob Known", "citations": "many"}\n{"name": "."}\n')
    line = {"id": "1801.00003", "title": "Zebra speech", "authors": ["Ann Known"]}
    code, out, err = _run(capsys, "--candidates", _candidates(tmp_path, [line]),
                          "--author-impact", str(records))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"{records}: no usable author record: skipped 2 of 2 author records" in err
