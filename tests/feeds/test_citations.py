"""Citation counts: the Semantic Scholar batch parser and hand-written citation files."""

from __future__ import annotations

import json

import pytest

from feeds.citations import parse_batch, parse_citations_file
from feeds.model import CitationCount
from tests.conftest import TEST_DATA

RESPONSE = TEST_DATA / "rank" / "s2_batch_response.json"


def test_parse_batch_pairs_records_with_requested_ids_in_order() -> None:
    counts = parse_batch(RESPONSE.read_bytes(), ["1703.06870", "0000.00000", "1701.07875"], "t")
    assert [c.arxiv_id for c in counts] == ["1703.06870", "0000.00000", "1701.07875"]
    assert (counts[0].citations, counts[0].influential) == (412, 60)
    assert counts[0].publication_date == "2017-03-20"
    assert counts[1] == CitationCount("0000.00000", None, None, "", "t")  # null: unknown id
    assert counts[2].influential is None and counts[2].publication_date == "2017"


def test_parse_batch_rejects_a_response_of_the_wrong_length() -> None:
    with pytest.raises(ValueError):
        parse_batch(b"[null]", ["a", "b"])
    with pytest.raises(ValueError):
        parse_batch(b'{"error": "x"}', ["a"])


def test_citation_files_in_three_shapes() -> None:
    plain = parse_citations_file({"1703.06870": 412})
    nested = parse_citations_file({"1703.06870": {"citationCount": 412}})
    records = parse_citations_file(json.loads(RESPONSE.read_text()))
    assert plain["1703.06870"].citations == nested["1703.06870"].citations == 412
    assert records["1703.06870"].citations == 412 and records["1701.07875"].citations == 35
    with pytest.raises(ValueError):
        parse_citations_file("412")
