"""/search and /paper as users meet them, through the fake Bot API, in English and Chinese.

The store holds 84 real arXiv records (tests/data/search, picked by rule) and the list.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import pytest

from bot.cli.rank import candidate_paper
from bot.commands.search import chinese_title_score
from storage import chats, papers
from tests.conftest import TEST_DATA
from tests.support.rig import Rig, bot_rig

SAMPLE = TEST_DATA / "search" / "pool_sample.jsonl"
ZH_USER = 2002


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    async with bot_rig() as built:
        stored = [candidate_paper(json.loads(line)) for line in SAMPLE.read_text().splitlines()]
        papers.store_papers(built.db, stored, announced=None)
        chats.ensure_chat(built.db, ZH_USER, lang="zh")
        yield built


def titles(text: str) -> list[str]:
    """The titles of a result message, in order."""
    return re.findall(r"^\d+\. <b>(.*?)</b>", text, re.M)


async def test_object_detection_finds_detectors_not_objectives(rig) -> None:
    (reply,) = await rig.say("/search object detection")
    found = titles(reply.text)
    assert any(t.startswith("Fast YOLO") for t in found[:8])
    assert not any("Auxiliary Objectives" in t for t in found)
    assert "Faster R-CNN" in " ".join(found[:8])  # the list's detector, interleaved


async def test_transformer_is_a_whole_word(rig) -> None:
    (reply,) = await rig.say("/search transformer")
    found = titles(reply.text)
    assert found and not any("Wavelet Transforms" in t for t in found)
    assert any("Transformer" in t for t in found)


async def test_quoted_phrases_are_honoured(rig) -> None:
    (loose,) = await rig.say("/search speech recognition attention")
    (quoted,) = await rig.say('/search "speech recognition" attention')
    assert titles(quoted.text) and all(
        "speech recognition" in (t.lower()) or "speech" in t.lower()
        for t in titles(quoted.text)[:3])
    assert len(titles(quoted.text)) <= len(titles(loose.text))


@pytest.mark.parametrize("typed", ["1512.03385", "arXiv:1512.03385", "1512.03385v2",
                                   "https://arxiv.org/abs/1512.03385v1",
                                   "https://arxiv.org/pdf/1512.03385.pdf"])
async def test_arxiv_ids_find_the_paper_in_any_spelling(rig, typed: str) -> None:
    (reply,) = await rig.say(f"/search {typed}")
    assert titles(reply.text)[0] == "Deep residual learning for image recognition"


async def test_chinese_queries_search_in_english_too(rig) -> None:
    (reply,) = await rig.say("/search 生成对抗网络", ZH_USER)
    assert "搜索结果" in reply.text
    found = " | ".join(titles(reply.text)).lower()
    assert "generative adversarial" in found or "gan" in found


async def test_more_results_page_on_with_a_button(rig) -> None:
    (first,) = await rig.say("/search speech recognition")
    more = [d for d in first.callback_data if d.startswith("q:")]
    assert more and "1/" in first.text
    (second,) = await rig.tap(more[0], first.message_id)
    assert second.edited and "2/" in second.text
    assert set(titles(second.text)).isdisjoint(titles(first.text))


async def test_nothing_found_says_so(rig) -> None:
    (reply,) = await rig.say("/search zyxwvutsr qqqq")
    assert reply.text.startswith("Nothing found for")
    (zh,) = await rig.say("/search zyxwvutsr", ZH_USER)
    assert "没有找到" in zh.text


async def test_paper_by_title_answers_only_a_confident_match(rig) -> None:
    (resnet,) = await rig.say("/paper Deep residual learning for image recognition")
    assert "Deep residual learning for image recognition" in resnet.text
    (wavenet,) = await rig.say("/paper WaveNet: a generative model for raw audio")
    assert "WaveNet" in wavenet.text
    assert "Abstract: This paper introduces WaveNet" in wavenet.text  # the abstract's opening
    (typo,) = await rig.say("/paper Deep residual lerning for image recognition")
    assert "Deep residual learning for image recognition" in typo.text
    (pasta,) = await rig.say("/paper a completely unrelated title about cooking pasta")
    assert pasta.text.startswith("I could not find the paper")


async def test_a_near_miss_offers_close_titles_as_buttons(rig) -> None:
    (reply,) = await rig.say("/paper generative adversarial networks for speech")
    assert "could not find" in reply.text
    assert 1 <= len(reply.callback_data) <= 3
    assert all(d.startswith("c:") for d in reply.callback_data)
    offered = reply.buttons[0]["text"]
    (card,) = await rig.tap(reply.callback_data[0], reply.message_id)
    assert offered in card.text  # the card of the paper the button named


async def test_paper_not_found_in_chinese(rig) -> None:
    (reply,) = await rig.say("/paper 完全无关的标题关于做意大利面", ZH_USER)
    assert reply.text.startswith("没有找到论文")


# short names -------------------------------------------------------------------------------

def is_choice(reply) -> bool:  # type: ignore[no-untyped-def]
    """True when a reply offers papers to choose from instead of one paper's card."""
    return any(d.startswith("c:") for d in reply.callback_data)


@pytest.mark.parametrize(("typed", "title"), [
    ("yolo", "You only look once: Unified, real-time object detection"),
    ("resnet", "Deep residual learning for image recognition"),
    ("batch normalization", "Batch normalization: Accelerating deep network training by "
                            "reducing internal covariate shift"),
    ("vgg", "Very deep convolutional networks for large-scale image recognition"),
    ("seq2seq", "Sequence to sequence learning with neural networks"),
    ("SSD", "SSD: Single shot multibox detector"),
    ("WaveNet", "WaveNet: A Generative Model for Raw Audio"),
    ("faster r-cnn", "Faster R-CNN: Towards Real-Time Object Detection with Region Proposal "
                     "Networks"),
    ("Faster RCNN", "Faster R-CNN: Towards Real-Time Object Detection with Region Proposal "
                    "Networks"),
    ("fast r-cnn", "Fast R-CNN"),
])
async def test_paper_answers_the_names_researchers_use(rig, typed: str, title: str) -> None:
    (reply,) = await rig.say(f"/paper {typed}")
    assert title in reply.text and not is_choice(reply)
    assert "could not find" not in reply.text


async def test_fast_and_faster_r_cnn_are_never_confused(rig) -> None:
    (faster,) = await rig.say("/paper faster r-cnn")
    (fast,) = await rig.say("/paper fast r-cnn")
    assert "Region Proposal Networks" in faster.text
    assert "Fast R-CNN" in fast.text and "Region Proposal Networks" not in fast.text


async def test_two_close_titles_are_offered_instead_of_guessed(rig) -> None:
    # "Learning a deep convolutional network for image super-resolution" and "Image
    # super-resolution using deep convolutional networks" are both on the list, both SRCNN
    (reply,) = await rig.say("/paper srcnn")
    assert "Several papers" in reply.text and is_choice(reply) and len(reply.callback_data) == 2
    (card,) = await rig.tap(reply.callback_data[0], reply.message_id)
    assert "Super-Resolution" in card.text or "super-resolution" in card.text
    (zh,) = await rig.say("/paper srcnn", ZH_USER)
    assert "有几篇论文" in zh.text


async def test_a_title_as_close_to_two_papers_is_never_guessed(rig) -> None:
    # 90.7 and 90.2 alike to "Stacked Generative Adversarial Networks" and "Steganographic
    # Generative Adversarial Networks" (both stored): both offered, neither answered
    (reply,) = await rig.say("/paper stegan generative adversarial networks")
    assert "Several papers" in reply.text and is_choice(reply)
    offered = " | ".join(button["text"] for button in reply.buttons)
    assert "Stacked Generative" in offered and "Steganographic Generative" in offered


async def test_an_arxiv_papers_name_from_its_abstract_finds_it(rig) -> None:
    # 1704.02906 is not on the list; its abstract says "We propose MAD-GAN, an intuitive ..."
    (reply,) = await rig.say("/paper mad-gan")
    assert "Multi-Agent Diverse Generative Adversarial Networks" in reply.text
    (search,) = await rig.say("/search MAD-GAN")
    assert titles(search.text)[0] == "Multi-Agent Diverse Generative Adversarial Networks"
    (sgan,) = await rig.say("/paper SGAN")  # "... named Stacked GANs (SGAN)"
    assert "Stacked Generative Adversarial Networks" in sgan.text


@pytest.mark.parametrize(("typed", "title"), [
    ("wgan", "Wasserstein GAN"),
    ("vae", "Auto-encoding variational Bayes"),
    ("seq2seq", "Sequence to sequence learning with neural networks"),
    ("yolo", "You only look once: Unified, real-time object detection"),
    ("resnet", "Deep residual learning for image recognition"),
    ("faster r-cnn", "Faster R-CNN: Towards Real-Time Object Detection with Region Proposal "
                     "Networks"),
])
async def test_search_puts_the_named_paper_first(rig, typed: str, title: str) -> None:
    (reply,) = await rig.say(f"/search {typed}")
    assert titles(reply.text)[0] == title


async def test_paper_by_an_acronym_only_its_own_text_uses(rig) -> None:
    """An acronym only one paper uses, in its title or defined in brackets and used again,
    answers /paper; one a paper only compares with (MidiNet's abstract names Google's
    MelodyRNN twice) never does."""
    (own,) = await rig.say("/paper ChannelWeighting")  # in 1604.03276's title only
    assert "<b>Noise Robust Speech Recognition Using Multi-Channel" in own.text
    (compared,) = await rig.say("/paper MelodyRNN")
    assert "could not find" in compared.text and "MidiNet" not in compared.text


def test_chinese_titles_score_by_how_surely_the_typed_words_name_them() -> None:
    norm = "批归一化：通过减少内部协方差偏移来加速深度网络训练"  # the list's BatchNorm entry
    squad = "SQuAD：100,000+个机器理解文本的问题集"
    assert chinese_title_score("批归一化", norm) == 10.0  # the name before the colon
    assert chinese_title_score("理解", squad) < chinese_title_score("减少内部协方差偏移", norm) < 10
