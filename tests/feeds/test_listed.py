"""Is a paper already on the list (feeds/listed.py)? Real entries of the bundled list against
real arXiv records of its papers and of near misses (tests/data/listed/README.md)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from feeds.awesome_list import normalise_title
from feeds.bundled import bundled_snapshot
from feeds.list_papers import bundled_list_papers
from feeds.listed import MatchBy, doi_of, listed_index, listed_paper, match_entry
from feeds.model import ListEntry, Paper
from tests.conftest import TEST_DATA

RECORDS = {
    r["id"]: Paper(r["id"], r["version"], r["title"], r["abstract"], tuple(r["authors"]),
                   tuple(r["categories"]), published=r["published"], doi=r["doi"],
                   comments=r["comments"])
    for r in map(json.loads,
                 (TEST_DATA / "listed" / "arxiv_records.jsonl").read_text().splitlines())
}
SNAPSHOT = bundled_snapshot()
NO_ID_ON_THE_LIST = ["1506.03134", "1503.08895", "1301.3592", "1505.07818", "1606.03498",
                     "1511.02274"]
NEAR_MISSES = ["1910.12453", "1507.01526", "1412.4446", "1811.02155", "1704.00389",
               "1611.01673"]


def _entry(title_start: str) -> ListEntry:
    return next(e for e in SNAPSHOT.entries if e.title.lower().startswith(title_start.lower()))


def test_pointer_networks_is_on_the_list_without_its_arxiv_id() -> None:
    entry = _entry("Pointer networks")
    assert entry.arxiv_id is None and entry.authors == "O. Vinyals et al."
    paper = RECORDS["1506.03134"]
    assert match_entry(paper, listed_paper(entry)) is MatchBy.TITLE
    found = listed_index(SNAPSHOT).find(paper)
    assert found is not None and found.entry == entry and found.by is MatchBy.TITLE


@pytest.mark.parametrize("arxiv_id", NO_ID_ON_THE_LIST)
def test_list_papers_without_an_id_are_found_by_title_first_author_and_year(
        arxiv_id: str) -> None:
    paper = RECORDS[arxiv_id]
    found = listed_index(SNAPSHOT).find(paper)
    assert found is not None and found.by is MatchBy.TITLE
    assert found.entry.arxiv_id is None
    assert normalise_title(found.entry.title) == normalise_title(paper.title)


def test_what_the_title_rule_tolerates_on_real_entries() -> None:
    index = listed_index(SNAPSHOT)
    grasps, dann = RECORDS["1301.3592"], RECORDS["1505.07818"]
    assert _entry("Deep learning for detecting robotic").year == 2015  # IJRR; arXiv 2013
    assert index.find(grasps) is not None
    assert index.find(replace(grasps, published="2012-06-01")) is None  # 3 years before
    assert index.find(replace(dann, published="2017-03-01")) is not None  # one after
    assert index.find(replace(dann, published="2018-03-01")) is None
    memory = RECORDS["1503.08895"]
    assert _entry("End-to-end memory networks").authors.startswith("S. Sukbaatar")
    assert index.find(memory) is not None  # 'Sukhbaatar' misspelt on the list
    pointer = RECORDS["1506.03134"]
    other = replace(pointer, authors=("Meire Fortunato", *pointer.authors[:1]))
    assert index.find(other) is None  # same title, another first author: another paper
    close = replace(pointer, title="Pointer Network")
    assert index.find(close) is not None  # a close title needs the same first author
    assert index.find(replace(close, authors=("Navdeep Jaitly",))) is None


@pytest.mark.parametrize("arxiv_id", NEAR_MISSES)
def test_papers_with_titles_close_to_a_list_entry_are_not_on_it(arxiv_id: str) -> None:
    assert listed_index(SNAPSHOT, bundled_list_papers()).find(RECORDS[arxiv_id]) is None


def test_an_entry_with_its_arxiv_id_is_found_by_it_whatever_the_title() -> None:
    paper = RECORDS["1606.01781"]
    entry = _entry("Very Deep Convolutional Networks for Natural")
    assert entry.arxiv_id == paper.arxiv_id and paper.title.endswith("Text Classification")
    found = listed_index(SNAPSHOT).find(paper)
    assert found is not None and (found.entry, found.by) == (entry, MatchBy.ARXIV_ID)


def test_dois_from_list_links_and_arxiv_records() -> None:
    lstm = _entry("Long short-term memory")
    assert lstm.arxiv_id is None
    (doi,) = listed_paper(lstm).dois
    assert doi == doi_of(lstm.links[0].url) == "10.1162/neco.1997.9.8.1735"
    journal = Paper("", 1, "Long Short-Term Memory", "", ("Sepp Hochreiter",), (),
                    doi="https://doi.org/10.1162/NECO.1997.9.8.1735")
    assert match_entry(journal, listed_paper(lstm)) is MatchBy.DOI
    assert doi_of("http://citeseerx.ist.psu.edu/viewdoc/download?doi=10.1.1.383.1327") == ""
    odyssey = RECORDS["1503.04069"]  # on the list by id; its record carries the journal DOI
    index = listed_index(SNAPSHOT, [odyssey])
    published = replace(odyssey, arxiv_id="", title="A title of its own")
    found = index.find(published)
    assert found is not None and found.by is MatchBy.DOI
    assert listed_index(SNAPSHOT).find(published) is None  # the DOI came from the record


def test_bundled_records_lend_their_ids_to_entries_without_one() -> None:
    bare, full = listed_index(SNAPSHOT), listed_index(SNAPSHOT, bundled_list_papers())
    assert set(bare.by_id) < set(full.by_id)
    pointer = RECORDS["1506.03134"]
    renamed = replace(pointer, title="Something else entirely")
    assert bare.find(renamed) is None
    found = full.find(renamed)
    assert found is not None and found.by is MatchBy.ARXIV_ID


def test_resources_without_authors_or_year_match_only_by_id() -> None:
    distill = next(e for e in SNAPSHOT.entries if e.title == "Distill")
    assert distill.year is None and not distill.authors
    paper = Paper("1701.00001", 1, "Distill", "", ("Chris Olah",), (), published="2017-01-01")
    assert match_entry(paper, listed_paper(distill)) is None
