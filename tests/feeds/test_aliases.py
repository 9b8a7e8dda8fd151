"""Short names on real titles and abstracts: the list's, its bundled arXiv records, and the
84 recorded arXiv papers of tests/data/search."""

from __future__ import annotations

import json

import pytest

from bot.commands.search import entry_abstract
from feeds.aliases import (
    abstract_names,
    alias_table,
    list_names,
    long_form,
    name_key,
    parse_aliases,
    short_names,
    title_acronyms,
    title_names,
)
from feeds.awesome_list import normalise_title
from feeds.bundled import bundled_snapshot
from feeds.list_papers import bundled_list_papers
from feeds.model import NameSource
from tests.conftest import TEST_DATA

RECORDS = {record["id"]: record for record in map(
    json.loads, (TEST_DATA / "search" / "pool_sample.jsonl").read_text().splitlines())}
LISTED = {paper.arxiv_id: paper for paper in bundled_list_papers()}


def entry(title_start: str):  # type: ignore[no-untyped-def]
    """The bundled list's entry whose title starts so."""
    return next(e for e in bundled_snapshot().entries if e.title.startswith(title_start))


@pytest.mark.parametrize(("title", "name"), [
    ("SSD: Single shot multibox detector", "SSD"),
    ("WaveNet: A Generative Model for Raw Audio", "WaveNet"),
    ("Faster R-CNN: Towards Real-Time Object Detection with Region Proposal Networks",
     "Faster R-CNN"),
    ("Batch normalization: Accelerating deep network training by reducing internal covariate "
     "shift", "Batch normalization"),
    ("Show, attend and tell: Neural image caption generation with visual attention",
     "Show, attend and tell"),
    ("Fast and accurate deep network learning by exponential linear units (ELUS)", "ELUS"),
])
def test_a_title_names_its_paper_before_the_colon_or_in_brackets(title: str, name: str) -> None:
    assert name in title_names(title)


@pytest.mark.parametrize("title", [
    "Fast R-CNN",  # no colon: the title itself, matched as a title
    "Deep learning in neural networks: An overview",  # five words before the colon: a phrase
    "Generalization and Equilibrium in Generative Adversarial Nets (GANs)",  # a common term
])
def test_a_long_phrase_or_a_common_term_is_no_name(title: str) -> None:
    assert title_names(title) == ()


@pytest.mark.parametrize(("arxiv_id", "name"), [
    ("1604.00125", "AttSum"),  # "a novel summarization system called AttSum"
    ("1703.10847", "MidiNet"),  # "The resulting model, named MidiNet, ..."
    ("1704.02906", "MAD-GAN"),  # "We propose MAD-GAN, an intuitive generalization ..."
    ("1709.05943", "Fast YOLO"),  # "a new framework called Fast YOLO, a fast ..."
    ("1612.04357", "SGAN"),  # "a novel generative model named Stacked ... Networks (SGAN)"
    ("1604.01485", "FDA"),  # "we propose a novel Focused Dynamic Attention (FDA) model"
])
def test_an_abstract_introduces_its_name(arxiv_id: str, name: str) -> None:
    assert name in abstract_names(RECORDS[arxiv_id]["abstract"])


@pytest.mark.parametrize(("arxiv_id", "name"), [
    ("1506.07285", "DMN"),  # "the dynamic memory network (DMN)"
    ("1603.00748", "NAF"),  # "normalized advantage functions (NAF)"
    ("1406.1078", "RNN Encoder-Decoder"),  # "a novel neural network model called RNN ..."
])
def test_list_papers_abstracts_introduce_their_names(arxiv_id: str, name: str) -> None:
    assert name in abstract_names(LISTED[arxiv_id].abstract)


@pytest.mark.parametrize("arxiv_id", [
    "1606.06871",  # "We present a comprehensive study of deep bidirectional long short-term
                   # memory (LSTM) recurrent neural network (RNN) based acoustic models ..."
    "1609.08789",  # "long short-term memory (LSTM) and gated recurrent unit (GRU)" in passing
    "1703.05502",  # "a new model ... based on Deep Convolutional GANs (DCGAN)": not its name
    "1803.01356",  # "... with multiple-stage spatial transformer networks (STN)"
])
def test_abbreviations_used_in_passing_are_not_names(arxiv_id: str) -> None:
    assert abstract_names(RECORDS[arxiv_id]["abstract"]) == ()


def test_a_capitalised_term_is_no_name_and_named_entities_name_nothing() -> None:
    style = entry_abstract(entry("A neural algorithm of artistic style"))
    assert "called Deep Neural Networks" in style and abstract_names(style) == ()
    text = ("Named Entity Recognition is hard. We use a method called Gibbs sampling and a "
            "model named FooNet.")
    assert abstract_names(text) == ("FooNet",)


def test_name_keys_fold_case_punctuation_and_plurals_but_keep_fast_and_faster_apart() -> None:
    assert name_key("Faster R-CNN") == name_key("faster rcnn") == name_key("Faster-RCNNs")
    assert name_key("Fast R-CNN") != name_key("Faster R-CNN")
    assert name_key("GANs") == name_key("gan") and name_key("batch norm") == name_key("BatchNorm")


def test_short_names_say_where_each_comes_from_title_first() -> None:
    record = RECORDS["1703.10847"]
    assert short_names(record["title"], record["abstract"]) == (("MidiNet", NameSource.TITLE),)
    record = RECORDS["1704.02906"]
    assert short_names(record["title"], record["abstract"]) == (
        ("MAD-GAN", NameSource.ABSTRACT),)


def test_every_alias_row_names_a_paper_on_the_list_and_says_where_the_name_comes_from() -> None:
    entries = bundled_snapshot().entries
    titles = {normalise_title(e.title) for e in entries}
    ids = {e.arxiv_id for e in entries if e.arxiv_id}
    table = alias_table()
    assert len(table) >= 50
    for alias in table:
        assert alias.source and alias.alias
        on_list = alias.arxiv_id in ids or normalise_title(alias.target) in titles
        assert on_list, alias


def test_a_malformed_alias_row_is_refused() -> None:
    assert parse_aliases("alias\ttarget\tsource\nYOLO\tYou only look once\tabstract\n") == (
        parse_aliases("YOLO\tYou only look once\tabstract\n"))
    with pytest.raises(ValueError, match="row 1"):
        parse_aliases("YOLO\tYou only look once\n")


def test_the_lists_names_find_the_famous_papers() -> None:
    snapshot = bundled_snapshot()
    index = list_names(snapshot.entries, entry_abstract, alias_table())

    def titles(name: str) -> list[str]:
        return [e.title for e, _ in index.get(name_key(name), [])]

    assert titles("yolo") == [entry("You only look once").title]
    assert titles("resnet") == [entry("Deep residual learning").title]
    assert titles("faster r-cnn") == [entry("Faster R-CNN").title]
    assert titles("Fast R-CNN") == [entry("Fast R-CNN").title]  # a whole title, and only it
    assert titles("seq2seq") == [entry("Sequence to sequence learning").title]
    assert titles("SSD") == [entry("SSD:").title]
    assert entry("Long short-term memory").title == titles("lstm")[0]  # the table's first
    assert index[name_key("lstm")][0][1] is NameSource.TABLE


@pytest.mark.parametrize(("sentence", "name"), [
    # arXiv 1706.03744's abstract (cs.HC): a comma before the long form, which spells it out
    ("This paper tackles these weaknesses of prior systems by introducing an interactive "
     "geometry tutor, the Advanced Geometry Proof Tutor (AGPT). It leverages a recent "
     "automated geometry prover.", "AGPT"),
    ("We propose a novel Focused Dynamic Attention (FDA) model to better align the "
     "textual content with the image.", "FDA"),
])
def test_an_introduced_long_form_that_spells_the_acronym_names_the_paper(sentence: str,
                                                                        name: str) -> None:
    assert name in abstract_names(sentence)


def test_a_spelled_out_acronym_without_an_introduction_is_no_name() -> None:
    passing = ("Long Short-Term Memory (LSTM) networks are widely used. Our model is based on "
               "Deep Convolutional Generative Adversarial Networks (DCGAN).")
    assert abstract_names(passing) == ()


@pytest.mark.parametrize(("title", "sentence", "name"), [
    # arXiv 1508.00973's title and abstract: the long form shares "hierarchical", "latent",
    # "tree" with the title, so the acronym names this paper
    ("Progressive EM for Latent Tree Models and Hierarchical Topic Detection",
     "Hierarchical latent tree analysis (HLTA) is recently proposed as a new method for topic "
     "detection.", "HLTA"),
])
def test_an_acronym_spelled_out_in_the_title_s_words_names_the_paper(title: str, sentence: str,
                                                                      name: str) -> None:
    assert long_form(name, sentence[:sentence.index("(")]) == "Hierarchical latent tree analysis"
    assert title_acronyms(title, sentence) == (name,)
    assert (name, NameSource.ABSTRACT) in short_names(title, sentence)


def test_an_acronym_spelled_out_in_other_words_names_something_else() -> None:
    speech = "Highway Long Short-Term Memory RNNs for Distant Speech Recognition"
    passing = ("We train on the Wall Street Journal (WSJ) corpus with a connectionist temporal "
               "classification (CTC) loss.")
    assert title_acronyms(speech, passing) == ()
    assert long_form("WSJ", "We train on the Wall Street Journal") == "Wall Street Journal"
    assert long_form("XYZ", "nothing spells it here") is None
