"""Storing papers once per base id, versions, cross-lists, and safe full-text search."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import date

import pytest

from feeds.arxiv_api import parse_arxiv_api
from feeds.arxiv_rss import parse_arxiv_rss
from feeds.model import NameSource, Paper
from feeds.search import parse_query
from storage import papers as store
from storage.db import open_db
from storage.papers import (
    StoreReport,
    get_paper,
    papers_announced_on,
    store_papers,
)
from storage.search import match_expression, search_papers
from tests.conftest import ARXIV_SAMPLES, TEST_DATA, needs_shared

DATA = TEST_DATA / "arxiv"
DAY1, DAY2 = date(2017, 3, 14), date(2017, 3, 15)


@pytest.fixture
def db():
    return open_db(":memory:")


def rss(name: str) -> list[Paper]:
    return parse_arxiv_rss((DATA / name).read_bytes()).papers


def paper(arxiv_id: str = "1703.00001", version: int = 1, **fields) -> Paper:
    base = {
        "title": "Deep residual learning", "abstract": "We train very deep networks.",
        "authors": ("Kaiming He", "Xiangyu Zhang"), "categories": ("cs.CV",),
        "primary_category": "cs.CV", "published": "2017-03-14", "updated": "2017-03-14",
        "announce_type": "new", "source": "rss",
    }
    base.update(fields)
    return Paper(arxiv_id=arxiv_id, version=version, **base)


def count(db) -> int:
    return db["papers"].count


def test_a_day_is_stored_once(db):
    first = store_papers(db, rss("rss2_ml6_2017-03-14.xml"), DAY1)
    assert first == StoreReport(new=4, replaced=2, cross=7, skipped=0)
    again = store_papers(db, rss("rss2_ml6_2017-03-14.xml"), DAY1)
    assert again == StoreReport(skipped=13)
    assert count(db) == 13


def test_the_next_day_skips_the_overlap_and_keeps_announcement_dates(db):
    store_papers(db, rss("rss2_ml6_2017-03-14.xml"), DAY1)
    report = store_papers(db, rss("rss2_ml6_2017-03-15.xml"), DAY2)
    assert report == StoreReport(new=6, replaced=3, cross=7, skipped=13)
    assert count(db) == 29
    assert len(papers_announced_on(db, DAY1)) == 11  # 4 new + 7 cross; replacements are not
    assert len(papers_announced_on(db, DAY2)) == 13
    assert len(papers_announced_on(db, DAY1, include_cross=False)) == 4


def test_an_item_is_dated_by_its_own_pubdate_when_first_seen_later(db):
    store_papers(db, rss("rss2_ml6_2017-03-15.xml"), DAY2)
    assert len(papers_announced_on(db, DAY1)) == 11
    assert get_paper(db, "1703.04416").extra["announced"] == "2017-03-14"


def test_cross_lists_are_kept_and_flagged(db):
    store_papers(db, rss("rss2_cs.LG_2017-03-14.xml"), DAY1)
    stored = get_paper(db, "1703.04550")
    assert stored.extra["is_cross"] is True
    assert stored.announce_type == "cross"
    assert stored.categories == ("cs.RO", "cs.LG", "cs.NE", "cs.SY")
    assert stored.authors[0] == "Steven Bohez"


def test_a_replacement_updates_version_and_abstract_without_announcing_again(db):
    store_papers(db, [paper()], DAY1)
    before = get_paper(db, "1703.00001")
    v2 = paper(version=2, abstract="Now with 1000 layers.", announce_type="replace",
               published="2017-03-15", updated="2017-03-15", doi="10.1/x")
    assert store_papers(db, [v2], DAY2) == StoreReport(replaced=1)
    after = get_paper(db, "1703.00001v2")
    assert (after.version, after.abstract, after.doi) == (2, "Now with 1000 layers.", "10.1/x")
    assert after.extra["announced"] == "2017-03-14"
    assert after.extra["first_seen"] == before.extra["first_seen"]
    assert after.published == "2017-03-14" and after.updated == "2017-03-15"
    assert papers_announced_on(db, DAY2) == []
    assert [p.arxiv_id for p in search_papers(db, "layers")] == ["1703.00001"]
    assert search_papers(db, "train") == []  # the old abstract left the index


def test_an_older_version_never_overwrites_a_newer_one(db):
    store_papers(db, [paper(version=3, abstract="v3 text")], DAY1)
    assert store_papers(db, [paper(version=2, abstract="v2 text")], DAY2) == StoreReport(skipped=1)
    assert get_paper(db, "1703.00001").version == 3


def test_duplicates_in_one_batch_keep_the_newest(db):
    batch = [paper(version=1), paper(version=2, announce_type="replace"), paper(version=1)]
    store_papers(db, batch, DAY1)
    assert count(db) == 1 and get_paper(db, "1703.00001").version == 2


def test_replacement_of_a_paper_never_seen_is_stored_but_not_announced(db):
    report = store_papers(db, [paper(version=4, announce_type="replace-cross")], DAY1)
    assert report == StoreReport(replaced=1)
    stored = get_paper(db, "1703.00001")
    assert stored.extra["announced"] is None and stored.extra["is_cross"] is True


def test_api_then_rss_is_one_row_announced_once(db):
    api = parse_arxiv_api((DATA / "api-atom_id_1605.08386_s0_m100_199195aa31ad.xml").read_bytes())
    assert store_papers(db, api.papers, None) == StoreReport(new=1)
    assert get_paper(db, "1605.08386").extra["announced"] is None
    listing = paper("1605.08386", title="Heat-bath random walks with Markov bases",
                    announce_type="cross", published="2016-05-27", comments="")
    assert store_papers(db, [listing], date(2016, 5, 27)) == StoreReport(cross=1)
    stored = get_paper(db, "1605.08386")
    assert count(db) == 1
    assert stored.extra["announced"] == "2016-05-27" and stored.extra["is_cross"] is True
    assert stored.published == "2016-05-26"  # v1 date from the API stays
    assert stored.comments == "20 pages, 3 figures"
    assert store_papers(db, [listing], date(2016, 5, 28)) == StoreReport(skipped=1)


def test_rss_then_api_fills_in_without_a_second_row(db):
    store_papers(db, [paper("1605.08386", published="2016-05-27")], date(2016, 5, 27))
    api = parse_arxiv_api((DATA / "api-atom_id_1605.08386_s0_m100_199195aa31ad.xml").read_bytes())
    assert store_papers(db, api.papers, None) == StoreReport(skipped=1)
    stored = get_paper(db, "1605.08386")
    assert (stored.published, stored.comments) == ("2016-05-26", "20 pages, 3 figures")
    assert stored.extra["announced"] == "2016-05-27" and stored.announce_type == "new"


def test_store_is_one_transaction(db, monkeypatch):
    store_papers(db, [paper("1703.00001")], DAY1)

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "_update_row", broken)
    batch = [paper("1703.00002"), paper("1703.00001", version=2, announce_type="replace")]
    with pytest.raises(sqlite3.OperationalError):
        store_papers(db, batch, DAY2)
    assert count(db) == 1  # the insert of 1703.00002 was rolled back with the failed update
    assert search_papers(db, "residual") and len(search_papers(db, "residual")) == 1


def test_get_paper(db):
    store_papers(db, rss("rss2_cs.LG_2017-03-14.xml"), DAY1)
    assert get_paper(db, "1703.04482v1").doi == "10.1109/TDSC.2017.2681672"
    assert get_paper(db, "9999.99999") is None


def seed_search(db) -> None:
    store_papers(db, [
        paper("1703.00001", title="Deep residual learning for image recognition",
              abstract="Residual networks are easier to optimise."),
        paper("1703.00002", title="A study of optimisers",
              abstract="We compare optimisers on deep residual networks and others."),
        paper("1703.00003", title="Attention is all you need",
              abstract="Transformers replace recurrence.", authors=("Ashish Vaswani",)),
    ], DAY1)


def test_search_ranks_title_matches_first(db):
    seed_search(db)
    found = [p.arxiv_id for p in search_papers(db, "residual")]
    assert found == ["1703.00001", "1703.00002"]
    assert [p.arxiv_id for p in search_papers(db, ["vaswani"])] == ["1703.00003"]
    assert [p.arxiv_id for p in search_papers(db, "recognition residual")] == ["1703.00001"]
    assert [p.arxiv_id for p in search_papers(db, "residual", limit=1)] == ["1703.00001"]


def test_search_falls_back_to_any_word(db):
    seed_search(db)
    found = [p.arxiv_id for p in search_papers(db, "transformers quantum")]
    assert found == ["1703.00003"]


@pytest.mark.parametrize(
    "text",
    [
        '"', '""', "'", "*", "residual*", "-residual", "NEAR(residual deep)", "NEAR", "(", ")",
        "(residual", "title:residual", "a:b:c", "AND", "OR", "NOT", "residual AND OR NOT",
        "^residual", "+", "{title abstract}: residual", '"unbalanced quote', "\\", "%_",
        "residual -", "col:*", "🙂", "\x00", "residual; DROP TABLE papers;--",
    ],
)
def test_hostile_search_text_never_raises(db, text):
    seed_search(db)
    results = search_papers(db, text)
    assert isinstance(results, list)
    assert count(db) == 3


@pytest.mark.parametrize("text", ["", "   ", "--", "() *", []])
def test_empty_search_is_an_empty_list(db, text):
    seed_search(db)
    assert search_papers(db, text) == []


def test_quoted_operators_are_plain_words(db):
    seed_search(db)
    # With NOT as an operator this would find nothing; as a word it changes nothing.
    assert search_papers(db, "image NOT residual")[0].arxiv_id == "1703.00001"
    # operators, quotes and brackets never reach FTS5 as syntax: every word is a quoted token
    expression = match_expression(parse_query('a "b" NEAR(c'))
    assert expression == '"b" AND "a" AND ("near" OR "nears") AND "c"'
    assert db.conn.execute("select count(*) from papers_fts where papers_fts match ?",
                           [expression]).fetchone()[0] == 0


@needs_shared
def test_two_thousand_items_store_and_restore(db):
    path = ARXIV_SAMPLES / "rss2_ml6_2000-items.xml"
    if not path.exists():
        pytest.skip("shared arXiv samples are not available")
    papers = parse_arxiv_rss(path.read_bytes()).papers
    assert store_papers(db, papers, None) == StoreReport(new=1092, replaced=306, cross=602)
    assert store_papers(db, papers, None) == StoreReport(skipped=2000)
    assert count(db) == 2000
    stored = get_paper(db, papers[10].arxiv_id)
    expected = dataclasses.replace(papers[10], extra=stored.extra)
    assert stored == expected
    assert db.execute("SELECT count(*) FROM papers_fts").fetchone()[0] == 2000


def fts_is_consistent(db) -> bool:
    db.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES('integrity-check', 1)")
    return db.execute("SELECT count(*) FROM papers_fts").fetchone()[0] == count(db)


def test_full_text_index_matches_the_table_after_every_kind_of_write(db):
    store_papers(db, rss("rss2_ml6_2017-03-14.xml"), DAY1)
    store_papers(db, rss("rss2_ml6_2017-03-15.xml"), DAY2)
    store_papers(db, [paper("1703.04416", version=2, abstract="Zebras.", announce_type="replace")])
    assert fts_is_consistent(db)
    assert [p.arxiv_id for p in search_papers(db, "zebras")] == ["1703.04416"]
    with db.conn:  # a row written outside store_papers is indexed by the trigger
        db["papers"].insert({"arxiv_id": "1703.99999", "version": 1, "title": "Okapi herds"})
    assert [p.arxiv_id for p in search_papers(db, "okapi")] == ["1703.99999"]
    with db.conn:
        db["papers"].delete("1703.99999")
    assert search_papers(db, "okapi") == [] and fts_is_consistent(db)
    assert db["papers_fts_defer"].count == 0


def test_a_papers_short_names_are_stored_with_it_and_follow_a_new_version(db):
    from storage.paper_names import papers_named

    days = rss("rss2_ml6_2017-03-14.xml")
    store_papers(db, days, DAY1)
    deepfm = next(p for p in days if p.title.startswith("DeepFM:"))
    assert papers_named(db, "deepfm") == [(deepfm.arxiv_id, NameSource.TITLE)]
    renamed = dataclasses.replace(deepfm, version=deepfm.version + 1,
                                  title="FMNet: " + deepfm.title.partition(": ")[2])
    store_papers(db, [renamed], DAY1)
    assert papers_named(db, "DeepFM") == []
    assert papers_named(db, "fmnet") == [(deepfm.arxiv_id, NameSource.TITLE)]
