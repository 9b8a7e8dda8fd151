"""The Chinese glossary (feeds/glossary.py, data in feeds/data/glossary_zh.tsv) and what reads
it: Chinese queries, keyword subscriptions and topic names."""

from __future__ import annotations

import pytest

from feeds.arxiv_rss import parse_arxiv_rss
from feeds.bundled import bundled_bytes, bundled_snapshot
from feeds.glossary import (
    GlossaryRow,
    TermKind,
    TermSource,
    close_terms,
    english_of,
    glossary,
    parse_glossary,
    to_english,
)
from feeds.keywords import KeywordMatch, keyword_matches
from feeds.search import Query, relevance
from feeds.topics import match_topic
from storage.search import match_expression
from tests.conftest import TEST_DATA

HEADER = "chinese\tenglish\tkind\tsource\n"
# the terms issue 18 names
NAMED = (
    "生成对抗网络", "目标检测", "强化学习", "注意力机制", "机器翻译", "变分自编码器",
    "词向量", "语义分割", "残差网络", "批归一化", "卷积神经网络", "循环神经网络",
    "长短期记忆网络", "迁移学习", "元学习", "知识蒸馏", "图神经网络", "自编码器",
    "风格迁移", "超分辨率", "图像描述", "视觉问答", "语音识别", "语音合成",
    "词嵌入", "序列到序列", "深度Q网络", "策略梯度", "模仿学习", "零样本学习",
    "少样本学习", "半监督学习", "自监督学习", "对比学习", "生成模型", "扩散模型",
)
FEED = TEST_DATA / "search" / "glossary_feed.xml"
GANS = {"1704.02906", "1706.00082", "1706.05170"}  # picked for their titles (SOURCES.md)
VAES = {"1702.08139", "1705.06821"}


def test_the_loader_reads_rows_and_refuses_a_bad_file() -> None:
    rows = parse_glossary(HEADER + "生成对抗网络\tGAN\tterm\tcurated\n\n目标检测\tobject detection"
                                   "\ttopic\tREADME.zh-CN.md\n")
    assert rows == (GlossaryRow("生成对抗网络", "gan", TermKind.TERM, TermSource.CURATED),
                    GlossaryRow("目标检测", "object detection", TermKind.TOPIC,
                                TermSource.README_ZH))
    for bad in ("chinese\tenglish\n", HEADER + "生成\tgenerative\tterm\n",
                HEADER + "gan\tgan\tterm\tcurated\n", HEADER + "生成\tgenerative\tword\tcurated\n"):
        with pytest.raises(ValueError):
            parse_glossary(bad)


def test_the_shipped_glossary_is_read_once_and_holds_the_field_s_terms() -> None:
    assert glossary() is glossary()  # cached
    terms = english_of()
    assert len(terms) >= 150
    assert [t for t in NAMED if t not in terms] == []
    assert {row.kind for row in glossary()} == set(TermKind)
    assert terms["变分自编码器"][:3] == ("variational autoencoder", "variational auto encoder",
                                   "vae")


def test_every_source_says_where_the_chinese_comes_from() -> None:
    """A term marked README.zh-CN.md is in the list's translation; a curated one is not."""
    readme = bundled_bytes("README.zh-CN.md").decode("utf-8")
    marked = {row.chinese: row.source for row in glossary()}
    assert set(marked.values()) == set(TermSource)
    assert [zh for zh, s in marked.items() if (s is TermSource.README_ZH) != (zh in readme)] == []


def test_to_english_takes_the_longest_terms_and_leaves_the_rest() -> None:
    deep = to_english("深度强化学习的应用")
    assert deep.terms == (("deep reinforcement learning", "deep rl"),)  # not 强化学习 as well
    assert deep.leftover_chinese == "的应用"
    mixed = to_english("GAN 图像生成")
    assert mixed.terms == (("image generation", "image synthesis"),) and mixed.rest == "gan"
    assert to_english("深度q网络").terms == to_english("深度Q网络").terms == (
        ("deep q network", "dqn"),)
    assert to_english("object detection").terms == ()
    unknown = to_english("某某")
    assert unknown.terms == () and unknown.leftover_chinese == "某某"


def test_close_terms_offer_the_glossary_s_spelling() -> None:
    assert "生成对抗网络" in close_terms("生成式对抗")
    assert close_terms("gan") == []


def test_every_topic_has_a_chinese_name_and_each_names_one_topic() -> None:
    snapshot = bundled_snapshot()
    topics = snapshot.topics()
    named = {}
    for row in glossary():
        if row.kind is TermKind.TOPIC:
            section = match_topic(row.chinese, snapshot.followable())  # as /subscribe does
            assert section is not None, row.chinese
            named[row.chinese] = section.name
    assert set(named.values()) == {s.name for s in topics} and len(topics) == 9
    assert named["目标检测"] == "Image: Segmentation / Object Detection"


def test_a_query_s_alternatives_are_or_ed_and_judged_by_the_best() -> None:
    groups = ((("generative", "adversarial"), ("gan",)),)
    query = Query("生成对抗网络", any_of=groups)
    expression = match_expression(query)
    assert '"generative adversarial"' in expression and '"gan"' in expression
    assert " OR " in expression and " AND " not in expression and "生成" not in expression
    assert relevance(query, "Wasserstein GAN").relevant
    assert relevance(query, "Stacked Generative Adversarial Networks").relevant
    assert not relevance(query, "Deep residual learning").relevant
    mixed = Query("GAN 图像生成", words=("gan",), any_of=((("image", "generation"),),))
    assert " AND " in match_expression(mixed)


def test_a_chinese_keyword_matches_by_its_english() -> None:
    papers = parse_arxiv_rss(FEED.read_bytes()).papers
    def matched(keyword: str) -> dict[str, KeywordMatch]:
        return {p.arxiv_id: m for p in papers if (m := keyword_matches(keyword, p))}
    gan = matched("生成对抗网络")
    assert set(gan) == GANS and set(gan.values()) == {KeywordMatch.TITLE}
    assert set(matched("变分自编码器")) == VAES
    assert matched("某某") == {}  # no glossary term: only Chinese text could match
    mixed = matched("gan 图像生成")  # both the word and the term must be there
    assert mixed and set(mixed) <= GANS
