"""Chinese as a first language, as users meet it through the fake Bot API: /search, keyword
and topic subscriptions read Chinese through the glossary (feeds/data/glossary_zh.tsv).

The store holds the 84 real arXiv records of tests/data/search; the arXiv poll serves a real
day's feed with five real GAN and VAE items added (tests/data/search/SOURCES.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import pytest

from bot.cli.rank import candidate_paper
from bot.commands.search import PER_PAGE, Hit, both_kinds_first
from feeds.arxiv_rss import parse_arxiv_rss
from feeds.bundled import bundled_snapshot
from feeds.model import SubscriptionKind, Topic
from storage import chats, papers
from tests.conftest import TEST_DATA
from tests.support.feedserver import Reply
from tests.support.rig import Rig, bot_rig

SAMPLE = TEST_DATA / "search" / "pool_sample.jsonl"
FEED = TEST_DATA / "search" / "glossary_feed.xml"
ZH_USER = 2002
EN_USER = 1001


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    async with bot_rig() as built:
        stored = [candidate_paper(json.loads(line)) for line in SAMPLE.read_text().splitlines()]
        papers.store_papers(built.db, stored, announced=None)
        chats.ensure_chat(built.db, ZH_USER, lang="zh")
        yield built


def titles(text: str) -> list[str]:
    return re.findall(r"^\d+\. <b>(.*?)</b>", text, re.M)


def stored_titles(rig: Rig) -> set[str]:
    return {row["title"] for row in rig.db.query("select title from papers")}


async def test_a_chinese_query_finds_arxiv_papers_and_list_papers(rig) -> None:
    (reply,) = await rig.say("/search 生成对抗网络", ZH_USER)
    found = titles(reply.text)
    arxiv = [t for t in found if t in stored_titles(rig)]
    assert len(arxiv) >= 3 and all("generative adversarial" in t.lower() or "gan" in t.lower()
                                   for t in arxiv)
    assert "Generative adversarial nets" in found  # the list's paper, interleaved
    assert "第 1/" in reply.text  # more than one page: the English query's many hits


async def test_a_chinese_query_for_vae_finds_the_list_s_and_arxiv_s_vaes(rig) -> None:
    papers.store_papers(rig.db, parse_arxiv_rss(FEED.read_bytes()).papers, announced=None)
    (reply,) = await rig.say("/search 变分自编码器", ZH_USER)
    found = titles(reply.text)
    assert "Auto-encoding variational Bayes" in found  # its title never says "autoencoder"
    assert "Improved Variational Autoencoders for Text Modeling using Dilated Convolutions" in found


async def test_a_mixed_query_needs_the_word_and_the_term(rig) -> None:
    (reply,) = await rig.say("/search GAN 图像生成", ZH_USER)
    found = [t for t in titles(reply.text) if t in stored_titles(rig)]
    assert found and "Generative Adversarial Text to Image Synthesis" in found


async def test_chinese_the_glossary_lacks_is_never_asked_of_english_text(rig) -> None:
    (reply,) = await rig.say("/search 生成对抗网络的进展", ZH_USER)  # 的进展: "progress of"
    assert [t for t in titles(reply.text) if t in stored_titles(rig)]
    (none,) = await rig.say("/search 某某某", ZH_USER)
    assert "没有找到" in none.text
    (texture,) = await rig.say("/search 纹理网络", ZH_USER)  # no term: the Chinese titles only
    assert [t.split(":")[0] for t in titles(texture.text)] == ["Texture networks"]


def test_a_long_chinese_query_costs_no_more_than_four_terms() -> None:
    from bot.commands.search import expand
    from feeds.glossary import english_of
    from feeds.search import MAX_CHOICES, MAX_PHRASES, parse_query
    from storage.search import match_expression

    text = "".join(list(english_of())[:120])[:500]  # every term of the glossary it can hold
    query = expand(parse_query(text))
    assert len(query.any_of) == MAX_PHRASES and len(query.choices()) <= MAX_CHOICES
    assert len(match_expression(query)) < 20_000 and not query.words


async def test_a_chinese_keyword_subscription_gets_gan_papers_from_an_arxiv_poll() -> None:
    async with bot_rig() as rig:  # nothing stored yet: the poll announces the day's papers
        chats.ensure_chat(rig.db, ZH_USER, lang="zh")
        await _subscribe_and_poll(rig)


async def _subscribe_and_poll(rig: Rig) -> None:
    (reply,) = await rig.say('/subscribe "生成对抗网络"', ZH_USER)
    assert "已订阅 “生成对抗网络”" in reply.text and "generative adversarial" in reply.text
    await rig.say("/digest instant", ZH_USER)
    rig.server.script("/rss", Reply(FEED.read_bytes()))
    summary = await rig.job("poll_arxiv")
    assert "1 instant digests" in summary  # one chat follows anything
    (digest,) = [m for m in rig.api.sent_messages(ZH_USER) if m.text.startswith("<b>📬")]
    assert "“生成对抗网络”" in digest.text  # the group is labelled as typed
    delivered = set(re.findall(r"arXiv:(\d{4}\.\d{4,5})", digest.text))
    assert delivered == {"1704.02906", "1706.00082", "1706.05170"}  # the day's three GANs
    (mine,) = await rig.say("/mysubs", ZH_USER)
    assert "“生成对抗网络”" in mine.text


async def test_a_chinese_keyword_the_glossary_lacks_is_explained(rig) -> None:
    (en,) = await rig.say('/subscribe "生成式对抗"', EN_USER)
    assert "can only match Chinese text" in en.text and "生成对抗网络" in en.text
    (zh,) = await rig.say('/subscribe "生成式对抗"', ZH_USER)
    assert "只能匹配中文" in zh.text and "生成对抗网络" in zh.text


async def test_chinese_topic_names_subscribe_and_browse_the_topic(rig) -> None:
    detection = Topic.DETECTION.value  # a stable topic; "Image: Segmentation / ..." its name
    (reply,) = await rig.say("/subscribe 目标检测", ZH_USER)
    assert "已订阅 <b>图像分割 / 物体检测</b>" in reply.text
    subs = chats.subscriptions(rig.db, ZH_USER)
    assert [(s.kind, s.value) for s in subs] == [(SubscriptionKind.TOPIC, detection)]
    (page,) = await rig.say("/papers 目标检测", ZH_USER)
    assert page.text.startswith("<b>图像分割 / 物体检测</b>")
    (other,) = await rig.say("/subscribe 注意力机制", EN_USER)  # a term, not a topic
    assert "I don't know the topic" in other.text and '/subscribe "注意力机制"' in other.text


@pytest.mark.parametrize(("typed", "title"), [
    ("生成对抗网络", "Generative adversarial nets"),  # the term's English, as a title
    ("变分自编码器", "Auto-encoding variational Bayes"),  # a famous paper's name in the glossary
    ("你只看一次", "You only look once: Unified, real-time object detection"),  # zh title's name
    ("单次多框检测器", "SSD: Single shot multibox detector"),
])
async def test_paper_in_chinese_answers_the_paper_it_names(rig, typed: str, title: str) -> None:
    (reply,) = await rig.say(f"/paper {typed}", ZH_USER)
    assert reply.text.startswith(f"<b>{title}</b>")


async def test_the_first_page_shows_arxiv_papers_when_list_papers_would_fill_it(rig) -> None:
    """"机器翻译" (machine translation) ranked eight list papers first, so every arXiv paper
    sat on page 2: the first page keeps two places for the other kind when both answer."""
    (reply,) = await rig.say("/search 机器翻译", ZH_USER)
    found = titles(reply.text)
    listed = {e.title for e in bundled_snapshot().entries}
    assert len(found) == 8 and "第 1/" in reply.text
    assert sum(t not in listed for t in found) >= 1  # arXiv papers within the first page


def test_both_kinds_share_the_first_page_when_one_would_fill_it() -> None:
    entries = bundled_snapshot().entries[:12]
    stored = [candidate_paper(json.loads(line)) for line in SAMPLE.read_text().splitlines()][:3]
    hits = ([Hit(10.0 - i, entry=e) for i, e in enumerate(entries)]
            + [Hit(1.0 - i / 10, paper=p) for i, p in enumerate(stored)])
    page = both_kinds_first(hits)[:PER_PAGE]
    assert [h.entry for h in page[:6]] == list(entries[:6])  # the best stay first, in order
    assert [h.paper for h in page[6:]] == stored[:2]  # the other kind's best two
    assert sorted(both_kinds_first(hits), key=id) == sorted(hits, key=id)  # nothing lost
    mixed = hits[:5] + hits[12:13] + hits[5:12] + hits[13:]
    assert both_kinds_first(mixed) == mixed  # a page that mixes already is left alone
