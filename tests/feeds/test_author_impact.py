"""Authors' earlier records: the S2 author batch, paper authors in the paper batch, JSONL files."""

from __future__ import annotations

import json

import pytest

from feeds.author_impact import (
    AUTHOR_BATCH_LIMIT,
    AUTHOR_FIELDS,
    author_batch_payload,
    author_batch_url,
    parse_author_batch,
    plain_name,
    read_author_impact_jsonl,
)
from feeds.citations import FIELDS, parse_batch, parse_paper_authors
from feeds.model import AuthorImpact, PaperAuthor
from tests.conftest import TEST_DATA

S2 = TEST_DATA / "s2"
NOT_FOUND = (S2 / "author_batch_not_found.json").read_bytes()  # [null, {...}, {...}, {...}]
RECORDS = json.loads((S2 / "paper_authors_records.json").read_text())["data"]
PAPER_BATCH = (S2 / "paper_batch_authors.json").read_bytes()


def test_the_author_batch_endpoint_and_its_body() -> None:
    base = "http://127.0.0.1:9/graph/v1"
    assert author_batch_url(base + "/") == base + "/author/batch"
    assert author_batch_payload(["2259683", "4249203"]) == {"ids": ["2259683", "4249203"]}
    assert AUTHOR_FIELDS.split(",") == ["name", "citationCount", "hIndex", "paperCount"]
    assert AUTHOR_BATCH_LIMIT == 1000


def test_a_recorded_null_entry_is_an_unknown_id() -> None:
    ids = ["0", "3234559", "1726629", "1711844"]
    answers = parse_author_batch(NOT_FOUND, ids, "2024-12-08")
    assert answers[0] is None
    assert answers[1] == AuthorImpact("E. Dijkstra", None, None, None, "2024-12-08", "3234559")
    assert [a.name for a in answers[1:] if a] == ["E. Dijkstra", "D. Parnas", "I. Sommerville"]


def test_recorded_author_records_give_their_counts() -> None:
    ids = [r["authorId"] for r in RECORDS]
    answers = parse_author_batch(json.dumps(RECORDS), ids, "2024-12-08")
    duflo = answers[0]
    assert duflo == AuthorImpact("E. Duflo", 58740, 282, 91, "2024-12-08", "2259683")
    assert [(a.name, a.h_index) for a in answers if a][-1] == ("Cynthia Kinnan", 12)


def test_the_record_is_keyed_by_the_id_asked_for() -> None:
    record = dict(RECORDS[0], authorId="999")  # S2 answering a merged id with another one
    assert parse_author_batch(json.dumps([record]), ["2259683"])[0].author_id == "2259683"


def test_counts_are_whole_numbers_only() -> None:
    record = {"authorId": "1", "name": "A. B", "citationCount": True, "hIndex": -3,
              "paperCount": 12.0}
    answer = parse_author_batch(json.dumps([record]), ["1"])[0]
    assert answer is not None and (answer.citations, answer.h_index, answer.papers) == (
        None, None, None)
    missing = parse_author_batch(b'[{"authorId": "1", "name": "A. B"}]', ["1"])[0]
    assert missing == AuthorImpact("A. B", None, None, None, "", "1")


@pytest.mark.parametrize("body", [b"[null]", b'{"message": "Forbidden"}', b"<html>oops</html>",
                                  b'[null, null, null]'])
def test_an_answer_of_the_wrong_shape_is_one_line_valueerror(body: bytes) -> None:
    with pytest.raises(ValueError) as raised:
        parse_author_batch(body, ["1", "2"])
    assert "\n" not in str(raised.value)


def test_names_are_stored_without_an_affiliation() -> None:
    assert plain_name("Kaiming He (Facebook AI Research)") == "Kaiming He"
    assert plain_name("  Yann   LeCun ") == "Yann LeCun"
    assert plain_name("Ross Girshick (FAIR, Menlo Park)") == "Ross Girshick"
    record = {"authorId": "1", "name": "Kaiming He (Microsoft Research)", "citationCount": 5}
    assert parse_author_batch(json.dumps([record]), ["1"])[0].name == "Kaiming He"


def test_the_paper_batch_asks_for_authors_and_pairs_them_with_arxiv_ids() -> None:
    assert "authors" in FIELDS.split(",")
    ids = ["1703.06870", "1512.03385", "1506.01497"]
    listed = parse_paper_authors(PAPER_BATCH, ids)
    assert list(listed) == ids
    assert listed["1703.06870"] == (("81141608", "Marianne Bertrand"), ("2259683", "E. Duflo"),
                                    ("2062143", "S. Mullainathan"))
    assert listed["1512.03385"][3] == PaperAuthor("31549526", "Cynthia Kinnan")
    assert [c.citations for c in parse_batch(PAPER_BATCH, ids)] == [None] * 3  # not asked


def test_paper_authors_skip_unknown_papers_and_unidentified_authors() -> None:
    papers = json.loads(PAPER_BATCH)
    papers[0]["authors"][0]["authorId"] = None  # S2 lists an author it has not identified
    papers[2] = {"paperId": "x"}  # a record without an author list
    body = json.dumps([None, *papers])
    listed = parse_paper_authors(body, ["0000.00000", "a", "b", "c"])
    assert "0000.00000" not in listed
    assert [a.name for a in listed["a"]] == ["E. Duflo", "S. Mullainathan"]
    assert listed["c"] == ()
    with pytest.raises(ValueError):
        parse_paper_authors(body, ["a"])


GOOD = """\
# earlier records as of the list's last update
{"name": "Kaiming He", "citations": 12345, "papers": 40, "h_index": 30, "as_of": "2017-06-17"}

{"name": "Ross Girshick (Facebook AI Research)", "citations": 20000}
{"name": "He, Xiangyu", "citations": null, "papers": 3, "as_of": "2017-06-17T00:00:00+00:00"}
"""


def test_a_jsonl_file_given_by_hand() -> None:
    found = read_author_impact_jsonl(GOOD)
    assert found.records == (
        AuthorImpact("Kaiming He", 12345, 40, 30, "2017-06-17"),
        AuthorImpact("Ross Girshick", 20000, None, None, ""),
        AuthorImpact("He, Xiangyu", None, 3, None, "2017-06-17T00:00:00+00:00"),
    )
    assert found.lines == 3 and found.skipped == () and found.skipped_summary() == ""
    assert read_author_impact_jsonl("").records == ()


@pytest.mark.parametrize(("line", "message"), [
    ('{"name": "Kaiming He", "citations": "many"}',
     '"citations" must be a whole number ≥ 0, got "many"'),
    ('{"name": "Kaiming He", "papers": true}', '"papers" must be a whole number ≥ 0, got true'),
    ('{"name": "Kaiming He", "h_index": -1}', '"h_index" must be a whole number ≥ 0, got -1'),
    ('{"name": "Kaiming He", "citations": 1.5}',
     '"citations" must be a whole number ≥ 0, got 1.5'),
    ('{"citations": 3}', '"name" must be a non-empty text, got null'),
    ('{"name": "  "}', '"name" must be a non-empty text, got "  "'),
    ('{"name": "(FAIR)"}', '"name" must be a non-empty text, got "(FAIR)"'),
    ('{"name": 7}', '"name" must be a non-empty text, got 7'),
    ('{"name": "K. He", "as_of": "June 2017"}',
     '"as_of" must be a date such as 2017-06-17, got "June 2017"'),
    ('{"name": "K. He", "citation": 3}', 'unknown field "citation"'),
    ('["Kaiming He", 3]', "expected a JSON object, got list"),
    ('{"name": "Kaiming He", citations: 3}', "not JSON: Expecting property name"),
])
def test_a_bad_line_is_skipped_and_named(line: str, message: str) -> None:
    text = "# header\n" + '{"name": "Yann LeCun"}\n' * 10 + "\n" + line + "\n"
    found = read_author_impact_jsonl(text)
    assert len(found.records) == 10 and found.lines == 11
    (skipped,) = found.skipped
    assert skipped.number == 13 and skipped.reason.startswith(message) and not skipped.unkeyed
    summary = found.skipped_summary()
    assert summary.startswith("skipped 1 of 11 author records: 1 malformed (first: line 13: ")
    assert "\n" not in summary


def test_a_name_without_a_key_is_skipped_and_counted_apart() -> None:
    """Real authors whose surname is a particle word are kept (feeds/names.py); a line whose
    name gives no key at all is skipped, counted apart from malformed lines."""
    text = ('{"name": "Quoc V. Le", "citations": 1}\n'  # Le, Quoc V in the list's bib
            '{"name": "Simon S. Du", "h_index": 3}\n'  # arXiv 1901.08584
            '{"name": "Abir De"}\n'  # arXiv 1506.05474
            '{"name": "."}\n'
            '{"name": "Kaiming He", "citations": "many"}\n'
            '{"name": "-"}\n')
    found = read_author_impact_jsonl(text)
    assert [r.name for r in found.records] == ["Quoc V. Le", "Simon S. Du", "Abir De"]
    assert [(s.number, s.unkeyed) for s in found.skipped] == [(4, True), (5, False), (6, True)]
    assert found.skipped_summary() == (
        "skipped 3 of 6 author records: 2 without a surname to match on, 1 malformed "
        '(first: line 4: "name" has no surname to match on, got ".")')
