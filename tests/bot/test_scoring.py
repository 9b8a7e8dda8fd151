"""Glue between storage and the ranker: the authors' activity looked up in the stored papers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.pipeline.list_sync import seed_bundled
from bot.pipeline.scoring import score_papers, score_unscored, stored_activity, stored_impacts
from feeds.arxiv_rss import parse_arxiv_rss
from feeds.bundled import bundled_snapshot
from feeds.model import AuthorImpact, PaperAuthor, Reason, ReasonKey
from feeds.names import full_name_key
from feeds.rank.authors import author_activity
from storage import author_impact, papers, scores
from storage.db import open_db
from tests.conftest import ARXIV_SAMPLES, TEST_DATA


def stored_day():
    db = open_db()
    seed_bundled(db)
    big = ARXIV_SAMPLES / "rss2_ml6_2000-items.xml"  # absent in a newcomer's clone: two days
    days = [big] if big.exists() else [TEST_DATA / "arxiv" / f"rss2_ml6_2017-03-{d}.xml"
                                       for d in (14, 15)]
    feed = list({p.arxiv_id: p for day in days
                 for p in parse_arxiv_rss(day.read_bytes()).papers}.values())
    # names that full-text tokens split differently from the key: hyphens, middle initials
    extra = [
        replace(feed[0], arxiv_id="1799.00001", authors=("Li Fei-Fei", "Siddhartha S. Srinivasa")),
        replace(feed[1], arxiv_id="1799.00002", authors=("Li Fei-Fei", "Siddhartha Srinivasa")),
        replace(feed[2], arxiv_id="1799.00003", authors=("Jia-Yu Zhu", "Erdem Bıyık")),
        replace(feed[3], arxiv_id="1799.00004", authors=("Jia Zhu",)),
    ]
    papers.store_papers(db, feed + extra, announced=date(2017, 3, 14))
    return db, feed + extra


def test_lookup_equals_the_in_memory_index_of_every_stored_paper() -> None:
    db, stored = stored_day()
    candidates = stored[:300] + stored[-4:]
    looked_up = stored_activity(db, candidates)
    reference = author_activity(stored)  # the pure builder over everything stored
    wanted = {full_name_key(name) for p in candidates for name in p.authors} - {""}
    assert wanted and all(looked_up.dates.get(k, ()) == reference.dates.get(k, ()) for k in wanted)
    for name in ("Li Fei-Fei", "Siddhartha Srinivasa", "Jia Zhu"):  # "Jia-Yu Zhu" keys the same
        assert len(looked_up.dates[full_name_key(name)]) >= 2  # at least our two papers


def test_scoring_stores_every_paper_once_with_reasons() -> None:
    db, stored = stored_day()
    assert score_unscored(db, bundled_snapshot()) == len({p.arxiv_id for p in stored})
    assert score_unscored(db, bundled_snapshot()) == 0
    found = scores.scores_for(db, [p.arxiv_id for p in stored])
    assert len(found) == len({p.arxiv_id for p in stored})
    assert any(s.reasons for s in found.values())


async def test_list_papers_are_fetched_once_from_the_api_and_feed_the_author_index() -> None:
    from bot.config import Config
    from bot.pipeline.arxiv_sync import fetch_list_papers
    from feeds.arxiv_limiter import ArxivLimiter
    from feeds.model import Paper
    from feeds.rank.inputs import inputs_for
    from tests.conftest import TEST_DATA
    from tests.support.feedserver import FeedServer, Reply

    body = (TEST_DATA / "arxiv" / "api-atom_id_1605.08386_s0_m100_199195aa31ad.xml").read_bytes()
    db = open_db()
    with FeedServer() as api:
        api.script("/api/query", Reply(body, content_type="application/atom+xml"))
        config = Config.from_env({"ARXIV_API_URL": api.url("/api/query")})
        first = await fetch_list_papers(db, config, ["1605.08386"], limiter=ArxivLimiter())
        again = await fetch_list_papers(db, config, ["1605.08386"], limiter=ArxivLimiter())
        (request,) = api.requests_to("/api/query")
    assert first == "list papers: 0 known, 1 fetched" and again == "list papers: 1 known, 0 fetched"
    assert "id_list=1605.08386" in request.query
    stored = papers.get_paper(db, "1605.08386")
    assert stored is not None and stored.extra["announced"] is None  # never in a digest

    snapshot = bundled_snapshot()  # Mask R-CNN sits in "New papers"; the README names K. He only
    mask = Paper("1703.06870", 1, "Mask R-CNN", "", ("Kaiming He", "Georgia Gkioxari",
                                                     "Piotr Dollár", "Ross Girshick"), ())
    without = inputs_for(snapshot).index
    with_fetched = inputs_for(snapshot, (mask,)).index
    assert without.lookup("Georgia Gkioxari") is None
    assert "Mask R-CNN" in with_fetched.lookup("Georgia Gkioxari").papers


async def test_list_papers_failure_is_one_line_and_stores_nothing(caplog) -> None:
    from bot.config import Config
    from bot.pipeline.arxiv_sync import fetch_list_papers
    from feeds.arxiv_limiter import ArxivLimiter
    from tests.support.feedserver import FeedServer, Reply

    db = open_db()
    with FeedServer() as api:
        api.script("/api/query", Reply(b"<html>bad request</html>", status=400))
        config = Config.from_env({"ARXIV_API_URL": api.url("/api/query")})
        summary = await fetch_list_papers(db, config, ["1605.08386"], limiter=ArxivLimiter())
    assert summary.startswith("list papers: 0 of 1 missing fetched; failed: HTTP 400")
    assert db["papers"].count == 0
    (line,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "HTTP 400" in line and "\n" not in line


def test_stored_author_records_are_matched_by_the_papers_author_ids() -> None:
    """Semantic Scholar writes "K. He" for several people; the paper's own author list says
    which one wrote it, and the stored score carries the record's reason and a higher impact."""
    db, stored = stored_day()
    paper = replace(stored[5], arxiv_id="1799.00009", authors=("Kaiming He", "Jane Roe"))
    papers.store_papers(db, [paper], announced=date(2017, 3, 14))
    plain = score_papers(db, [paper], bundled_snapshot(), today=date(2017, 3, 15))[0]
    author_impact.save_author_impacts(db, [
        AuthorImpact("K. He", 41000, 60, 35, "2017-06-17", author_id="39353098"),
        AuthorImpact("K. He", 12, 3, 2, "2017-06-17", author_id="1111"),  # another K. He
    ])
    author_impact.save_paper_authors(db, {"1799.00009": [PaperAuthor("39353098", "K. He"),
                                                         PaperAuthor("7", "J. Roe")]})
    found = stored_impacts(db, [paper]).lookup("Kaiming He")
    assert found is not None and found.citations == 41000
    (rescored,) = score_papers(db, [paper], bundled_snapshot(), today=date(2017, 3, 15))
    assert rescored.impact is not None and plain.impact is not None
    assert rescored.impact > plain.impact
    assert Reason(ReasonKey.AUTHORS_RECORD, {"citations": 41000, "h_index": 35,
                                             "name": "K. He", "authors": 1}) in rescored.reasons
    assert scores.get_score(db, "1799.00009").impact == rescored.impact
