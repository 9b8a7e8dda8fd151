"""Fit is a gate, whatever the pool's size; a reader sees a standing, never a raw score.

The pool is a real week: the 64 items of the 2,000-item 2017 feed announced in ISO week
2017-W11 (tests/data/arxiv), scored by the real ranker and routed by the real router. In that
week the Generative digest used to show stereo depth, hashing and a C. elegans study.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest

from bot.commands.base import Asker
from bot.commands.browse import answer_papers, paper_sections, papers_page
from bot.pipeline.digests import compose_digests, new_candidates
from bot.pipeline.list_sync import seed_bundled
from bot.pipeline.scoring import score_unscored
from bot.pipeline.select import Group
from bot.render.cards import paper_card
from bot.render.digest import PER_GROUP, render_digest
from feeds.arxiv_rss import parse_arxiv_rss
from feeds.model import Candidate, DigestMode, Lang, Paper, SubscriptionKind
from feeds.rank.ranker import importance
from feeds.rank.topics import show_bar, shows
from feeds.topics import match_topic
from storage import chats, papers, scores
from storage.db import Database, open_db
from storage.lists import current_snapshot
from tests.conftest import TEST_DATA
from tests.support.rig import Rig, bot_rig

GEN = "Unsupervised / Generative Models"
WEEK = TEST_DATA / "arxiv" / "rss2_ml6_2017-W11_week-of-2000-items.xml"
ANNOUNCED = date(2017, 3, 19)
NOW = datetime(2017, 3, 19, 23, 0, tzinfo=UTC)
# a minus sign before a digit that is not inside a word, an id or a date: a negative number
NEGATIVE = re.compile(r"(?<![\w.\-−])[-−]\d")


def week() -> list[Paper]:
    return parse_arxiv_rss(WEEK.read_bytes()).papers


def store_week(db: Database) -> None:
    papers.store_papers(db, week(), announced=ANNOUNCED)
    score_unscored(db, current_snapshot(db))


def ids_in(text: str) -> list[str]:
    return re.findall(r"arXiv:(\d{4}\.\d{4,5})", text)


def notes(text: str) -> list[str]:
    """The italic lines under papers: where a paper's standing is shown."""
    return re.findall(r"<i>(.*?)</i>", text, re.S)


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    async with bot_rig() as built:  # DIGEST_PAPERS_PER_TOPIC: the default eight
        for chat_id, lang in ((1, "en"), (2, "zh")):
            chats.ensure_chat(built.db, chat_id, lang=lang)
            chats.set_chat_setting(built.db, chat_id, digest="instant")
        store_week(built.db)
        yield built


async def test_a_small_week_gives_a_generative_reader_only_papers_over_the_bar(rig) -> None:
    await rig.say("/subscribe gan", 1)
    await rig.say("/subscribe gan", 2)
    compose_digests(rig.db, DigestMode.INSTANT, NOW, rig.services.config.digest_papers_per_topic)
    await rig.deliverer.deliver_pending()
    (digest,) = [m for m in rig.api.sent_messages(1) if m.text.startswith("<b>📬")]
    shown = ids_in(digest.text)
    candidates = new_candidates(rig.db, 0, papers.top_rowid(rig.db))
    routed = {c.paper.arxiv_id: c for c in candidates if c.scored and c.scored.fit(GEN) > 0}
    over = {i for i, c in routed.items() if shows(c.scored, GEN)}
    assert set(shown) == over  # every paper over the bar, nothing under it
    assert 0 < len(shown) < PER_GROUP and not digest.callback_data  # fewer: never padded
    below = [c.paper.title for i, c in routed.items() if i not in over]
    assert len(below) >= 3  # routing gave the topic to these; the gate kept them out
    titles = " | ".join(c.paper.title for c in candidates if c.paper.arxiv_id in shown)
    for off_topic in ("Stereo Regression", "Direct Binary Embedding", "Caenorhabditis"):
        assert off_topic in " | ".join(below) and off_topic not in titles
    assert all(routed[i].scored and routed[i].scored.fit(GEN) >= show_bar(GEN) for i in shown)
    assert not any(NEGATIVE.search(n) for n in notes(digest.text))
    assert all("topic fit" in n and "expected impact" in n for n in notes(digest.text))
    (chinese,) = [m for m in rig.api.sent_messages(2) if m.text.startswith("<b>📬")]
    assert sorted(ids_in(chinese.text)) == sorted(shown)
    assert all("主题契合度" in n and "预期影响" in n for n in notes(chinese.text))


def _asker(db: Database, chat_id: int, lang: str) -> Asker:
    chat = chats.ensure_chat(db, chat_id, lang=lang)
    return Asker(db, chat, chat_id, now=NOW)


def test_papers_says_how_it_orders_and_shows_no_negative_number() -> None:
    db = open_db()
    seed_bundled(db)
    store_week(db)
    assert any(s.score < 0 for s in scores.scores_for(db, [p.arxiv_id for p in week()]).values())
    for lang, order_words in (("en", "most important first"), ("zh", "按重要性从高到低")):
        asker = _asker(db, 1 if lang == "en" else 2, lang)
        section = match_topic("gan", paper_sections(asker.snapshot()))
        assert section is not None and section.name == GEN
        (first,) = answer_papers(asker, "gan")
        pages = int(re.search(r"(\d+)/(\d+)", first.text).group(2))  # type: ignore[union-attr]
        texts = [papers_page(asker, section, page).text for page in range(pages)]
        assert all(order_words in text for text in texts)  # every page says how it orders
        assert not any(NEGATIVE.search(n) for text in texts for n in notes(text))
        routed = [i for text in texts for i in ids_in(text)
                  if i not in {e.arxiv_id for e in section.entries}]
        stored = scores.scores_for(db, routed)
        assert routed and all(stored[i].fit(GEN) >= show_bar(GEN) for i in routed)
        ranks = [importance(stored[i]) for i in routed]
        assert ranks == sorted(ranks, reverse=True)  # most important first, as it says
        announced = [p.arxiv_id for p in week() if p.announce_type in ("new", "cross")]
        every = [s for s in scores.scores_for(db, announced).values() if s.fit(GEN) > 0]
        assert {s.paper_id for s in every if shows(s, GEN)} == set(routed)  # none missing


def test_no_card_or_digest_line_shows_a_negative_or_raw_score() -> None:
    db = open_db()
    seed_bundled(db)
    store_week(db)
    found = scores.scores_for(db, [p.arxiv_id for p in week()])
    candidates = [Candidate(p, found[p.arxiv_id]) for p in week()]
    negative = [c for c in candidates if c.value < 0]
    assert negative  # the raw scores of this week include negative ones
    for lang in (Lang.EN, Lang.ZH):
        for c in candidates:
            card = paper_card(c.paper, c.scored, None, "", lang).text
            (where,) = [line for line in card.splitlines() if line.startswith("→")]
            assert not NEGATIVE.search(where) and f"{c.value:.2f}" not in where
        groups = [Group(GEN, SubscriptionKind.TOPIC, tuple(negative)),
                  Group("“neural network”", SubscriptionKind.KEYWORD, tuple(candidates[:5]))]
        digest = "\n".join(render_digest("digest", groups, [], lang, per_group=50))
        lines = notes(digest)
        assert len(lines) >= len(negative) + 5
        assert not any(NEGATIVE.search(line) for line in lines)
        assert not any(f"{c.value:.2f}" in digest for c in negative)
