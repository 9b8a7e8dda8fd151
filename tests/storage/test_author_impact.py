"""The author-impact cache: records by name key, which ids are stale, each paper's S2 authors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feeds.model import AuthorImpact, PaperAuthor
from storage.author_impact import (
    author_impacts_for,
    paper_authors,
    papers_without_authors,
    save_author_impacts,
    save_paper_authors,
    stale_author_ids,
)
from storage.db import open_db

THEN = datetime(2024, 12, 8, tzinfo=UTC)
HE = AuthorImpact("K. He", 500000, 200, 120, "2024-12-08", "39353098")
KUN = AuthorImpact("Kun He", 900, 40, 15, "2024-12-08", "1")
BY_HAND = AuthorImpact("Kaiming He", 12345, 40, 30, "2017-06-17")
ZHANG = AuthorImpact("Xiangyu Zhang", 300000, 150, 90, "2024-12-08", "2")


def test_records_are_found_by_full_name_or_initial_key() -> None:
    db = open_db()
    assert save_author_impacts(db, [HE, KUN, BY_HAND, ZHANG], THEN.isoformat()) == 4
    found = author_impacts_for(db, ["Kaiming He"])
    assert set(found) == {HE, KUN, BY_HAND}  # "k he" is every K. He: the ranker decides
    assert author_impacts_for(db, ["He, Kaiming (Microsoft Research)"]) == found
    # by the initial key "Kun He" finds every K. He, in a stable order (key, then id)
    assert author_impacts_for(db, ["Kun He"]) == [HE, BY_HAND, KUN]
    assert author_impacts_for(db, ["Xiangyu Zhang", "Nobody Known"]) == [ZHANG]
    assert author_impacts_for(db, []) == []


def test_a_record_given_twice_is_replaced_and_a_renamed_author_leaves_no_row() -> None:
    db = open_db()
    save_author_impacts(db, [HE, BY_HAND], THEN.isoformat())
    later = AuthorImpact("Kaiming He", 600000, 210, 125, "2025-01-08", HE.author_id)
    save_author_impacts(db, [later, AuthorImpact("Kaiming He", 1, 1, 1, "2018-01-01")],
                        (THEN + timedelta(days=31)).isoformat())
    assert db["author_impact"].count == 2  # one per (name key, id): S2's and the hand-given
    assert set(author_impacts_for(db, ["K. He"])) == {later, AuthorImpact(
        "Kaiming He", 1, 1, 1, "2018-01-01")}


def test_an_id_s2_did_not_know_is_not_asked_again_until_stale_nor_found() -> None:
    db = open_db()
    unknown = AuthorImpact("Ross Girshick", None, None, None, "2024-12-08", "0")
    save_author_impacts(db, [HE, unknown], THEN.isoformat())
    assert author_impacts_for(db, ["Ross Girshick"]) == []
    ids = ["39353098", "0", "7", "7", ""]
    assert stale_author_ids(db, ids, THEN + timedelta(days=1)) == ["7"]
    assert stale_author_ids(db, ids, THEN + timedelta(days=31)) == ["39353098", "0", "7"]
    assert stale_author_ids(db, ids, THEN + timedelta(days=2), timedelta(days=1)) == [
        "39353098", "0", "7"]


def test_lookups_and_staleness_go_past_the_in_list_limit() -> None:
    db = open_db()
    records = [AuthorImpact(f"Author {n:04d}son", n, 1, 1, "", str(n)) for n in range(1200)]
    save_author_impacts(db, records, THEN.isoformat())
    assert len(author_impacts_for(db, [r.name for r in records])) == 1200
    ids = [str(n) for n in range(1300)]
    assert stale_author_ids(db, ids, THEN) == ids[1200:]


def test_paper_authors_round_trip_in_order() -> None:
    db = open_db()
    duflo = [PaperAuthor("81141608", "Marianne Bertrand"), PaperAuthor("2259683", "E. Duflo")]
    save_paper_authors(db, {"1703.06870": duflo, "1512.03385": []}, THEN.isoformat())
    assert paper_authors(db, ["1703.06870", "1512.03385", "0000.00000"]) == {
        "1703.06870": tuple(duflo)}
    # a paper S2 lists no identified author for counts as fetched: it is not asked again
    assert papers_without_authors(db, ["0000.00000", "1512.03385", "1703.06870",
                                       "0000.00000"]) == ["0000.00000"]
    save_paper_authors(db, {"1703.06870": duflo[1:]})  # a new version with fewer authors
    assert paper_authors(db, ["1703.06870"])["1703.06870"] == (duflo[1],)
    assert db["paper_authors"].count == 1
