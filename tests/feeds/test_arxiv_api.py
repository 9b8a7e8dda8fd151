"""The arXiv API page parser and its query URLs."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from feeds.arxiv_api import api_query_url, parse_arxiv_api
from feeds.arxiv_rss import FeedError
from tests.conftest import ARXIV_SAMPLES, TEST_DATA

DATA = TEST_DATA / "arxiv"
ONE = DATA / "api-atom_id_1605.08386_s0_m100_199195aa31ad.xml"
TWO_IDS = DATA / "api-atom_id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.xml"
BAD_ID = DATA / "api-atom_id_abc_s0_m100_b79c8dcf6bc3.xml"
SEARCH = ARXIV_SAMPLES / "api-atom_q_testing_s0_m100_cfe7536492ca.xml"


def test_single_id_page():
    page = parse_arxiv_api(ONE.read_bytes())
    assert (page.total_results, page.start_index, page.items_per_page) == (1, 0, 100)
    (paper,) = page.papers
    assert (paper.arxiv_id, paper.version) == ("1605.08386", 1)
    assert paper.title == "Heat-bath random walks with Markov bases"
    assert paper.authors == ("Caprice Stanley", "Tobias Windisch")
    assert paper.categories == ("math.CO", "math.ST")
    assert paper.primary_category == "math.CO"
    assert (paper.published, paper.updated) == ("2016-05-26", "2016-05-26")
    assert paper.comments == "20 pages, 3 figures"
    assert paper.abstract.startswith("Graphs on lattice points are studied")
    assert paper.abstract.endswith("is an expander in fixed dimension.")
    assert (paper.doi, paper.journal_ref, paper.announce_type, paper.source) == ("", "", "", "api")


def test_missing_id_is_simply_absent():
    page = parse_arxiv_api(TWO_IDS.read_bytes())
    assert page.total_results == 1
    (paper,) = page.papers
    assert paper.arxiv_id == "1707.08567"
    assert paper.title.startswith("Proceedings of Workshop AEW10")
    assert len(paper.authors) == 34
    assert paper.authors[0] == "Kees A. Schouhamer Immink"
    assert paper.authors[-1] == "Hirosuke Yamamoto"
    assert paper.primary_category == "cs.IT"
    assert paper.comments.startswith("44 pages, editors for the proceedings")


def test_search_page_of_one_hundred():
    if not SEARCH.exists():
        pytest.skip("shared arXiv samples are not available")
    page = parse_arxiv_api(SEARCH.read_bytes())
    assert (page.total_results, page.start_index, page.items_per_page) == (214881, 0, 100)
    assert len(page.papers) == 100
    assert sum(1 for p in page.papers if p.doi) == 32
    assert sum(1 for p in page.papers if p.journal_ref) == 18
    by_id = {p.arxiv_id: p for p in page.papers}
    old = by_id["hep-ph/0301050"]
    assert (old.version, old.title) == (2, "Statistical Test of Anarchy")
    assert (old.published, old.updated) == ("2003-01-08", "2003-06-30")
    assert old.journal_ref == "Phys.Lett.B573:94-100,2003"
    assert old.authors[:2] == ("Andre de Gouvea", "Hitoshi Murayama")
    assert old.abstract.startswith('"Anarchy" is the hypothesis')  # leading spaces dropped
    ninth = by_id["2409.05654"]
    assert (ninth.version, ninth.primary_category) == (9, "math.ST")
    assert ninth.authors == ("Nick W. Koning",)
    assert {"cs/0503050", "gr-qc/0103067"} <= set(by_id)


def test_error_entry_is_a_clear_error():
    with pytest.raises(FeedError, match=r"^arXiv API error: incorrect id format for abc$"):
        parse_arxiv_api(BAD_ID.read_bytes())


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (ONE.read_bytes()[:900], "truncated"),
        (ONE.read_bytes().replace(b"</entry>", b""), "malformed"),
        (b"", "empty response"),
        ((DATA / "rss2_cs.LG_weekend-empty.xml").read_bytes(), "not an arXiv API Atom feed"),
        (b"<html><head><title>502</title></head><body>Bad gateway</body></html>", "'html'"),
    ],
)
def test_broken_pages_raise_one_line_errors(body, expected):
    with pytest.raises(FeedError) as caught:
        parse_arxiv_api(body)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    body = ONE.read_bytes().replace(
        b"<feed ", f'<!DOCTYPE feed [<!ENTITY x SYSTEM "file://{secret}">]><feed '.encode(), 1
    ).replace(b"Heat-bath random walks", b"&x; walks")
    page = parse_arxiv_api(body)
    assert "TOP SECRET" not in page.papers[0].title


def test_query_url_goes_to_the_configured_endpoint():
    url = api_query_url("http://127.0.0.1:8123/api/query", "cat:cs.LG OR cat:cs.CV", start=200,
                        max_results=100)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "127.0.0.1:8123", "/api/query")
    query = parse_qs(parts.query)
    assert query["search_query"] == ["cat:cs.LG OR cat:cs.CV"]
    assert query["sortBy"] == ["submittedDate"]
    assert query["sortOrder"] == ["descending"]
    assert (query["start"], query["max_results"]) == (["200"], ["100"])
