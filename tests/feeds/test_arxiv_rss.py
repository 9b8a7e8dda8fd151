"""The arXiv RSS parser on recorded feeds and on broken bodies."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest

from feeds.arxiv_rss import FeedError, parse_arxiv_rss, split_authors, split_creators
from tests.conftest import ARXIV_SAMPLES, TEST_DATA, needs_shared

DATA = TEST_DATA / "arxiv"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_cs_lg_day_has_two_cross_lists_with_their_metadata():
    feed = parse_arxiv_rss(read("rss2_cs.LG_2017-03-14.xml"))
    assert feed.title == "cs.LG updates on arXiv.org"
    assert feed.link == "http://rss.arxiv.org/rss/cs.LG"
    assert feed.pub_date == date(2017, 3, 14)
    assert feed.last_build == datetime(2017, 3, 14, 5, 0, 11, tzinfo=UTC)
    assert feed.skip_days == ("Saturday", "Sunday")
    assert not feed.empty
    first, second = feed.papers
    assert (first.arxiv_id, first.version, first.announce_type) == ("1703.04550", 1, "cross")
    assert first.title == "Sensor Fusion for Robot Control through Deep Reinforcement Learning"
    assert first.authors == (
        "Steven Bohez", "Tim Verbelen", "Elias De Coninck", "Bert Vankeirsbilck",
        "Pieter Simoens", "Bart Dhoedt",
    )
    assert first.categories == ("cs.RO", "cs.LG", "cs.NE", "cs.SY")
    assert first.primary_category == "cs.RO"
    assert first.abstract.startswith("Deep reinforcement learning is becoming increasingly")
    assert first.abstract.endswith("both in simulation and the real world.")
    assert first.doi == ""
    assert first.published == "2017-03-14"
    assert first.source == "rss"
    assert (second.arxiv_id, second.doi) == ("1703.04482", "10.1109/TDSC.2017.2681672")
    assert second.categories == ("cs.SI", "cs.CR", "cs.LG")
    assert second.authors[-1] == "Maurizio Tesconi"


def test_ml6_day_counts_every_announce_type():
    feed = parse_arxiv_rss(read("rss2_ml6_2017-03-14.xml"))
    assert len(feed.papers) == 13
    assert Counter(p.announce_type for p in feed.papers) == {
        "new": 4, "cross": 7, "replace": 1, "replace-cross": 1,
    }
    by_id = {p.arxiv_id: p for p in feed.papers}
    replaced = by_id["1312.2244"]
    assert (replaced.version, replaced.announce_type) == (2, "replace")
    assert replaced.doi == "10.1137/1.9781611974010.62"
    assert replaced.authors == ("Rumeng Li", "Tao Wang", "Xun Wang")
    assert replaced.categories == ("cs.CL", "cs.IR")
    assert replaced.abstract.startswith("Timeline Generation aims at summarizing news")
    cross = by_id["1612.02684"]
    assert (cross.version, cross.announce_type, cross.primary_category) == (
        2, "replace-cross", "cs.MA",
    )
    assert cross.authors == ("Wojciech Jamroga", "Michał Knapik", "Damian Kurpiewski")
    assert by_id["1703.04416"].title == "Users prefer Guetzli JPEG over same-sized libjpeg"


def test_next_day_overlaps_the_day_before():
    first = parse_arxiv_rss(read("rss2_ml6_2017-03-14.xml"))
    second = parse_arxiv_rss(read("rss2_ml6_2017-03-15.xml"))
    assert len(second.papers) == 29
    assert second.pub_date == date(2017, 3, 15)
    assert Counter(p.announce_type for p in second.papers) == {
        "new": 10, "cross": 14, "replace": 3, "replace-cross": 2,
    }
    overlap = {p.arxiv_id for p in first.papers} & {p.arxiv_id for p in second.papers}
    assert len(overlap) == 13
    # Items carry their own announcement date: the overlap is still dated the 14th.
    dates = Counter(p.updated for p in second.papers)
    assert dates == {"2017-03-14": 13, "2017-03-15": 16}
    # ...and a replacement's first version is of another day, unknown here: never "new"
    for paper in second.papers:
        assert (paper.published == "") is paper.announce_type.is_replacement
        assert paper.published in ("", paper.updated)


def test_authors_written_with_affiliations_keep_their_names() -> None:
    body = read("rss2_ml6_2017-03-14.xml").replace(
        b"<dc:creator>", b"<dc:creator>Kaiming He (Facebook AI Research, Menlo Park), ", 1)
    first = parse_arxiv_rss(body).papers[0]
    assert first.authors[0] == "Kaiming He"
    assert first.affiliations[0] == "Facebook AI Research, Menlo Park"
    assert len(first.affiliations) == len(first.authors)
    assert all(a == "" for a in first.affiliations[1:])
    assert split_creators("J. Doe (MIT and Harvard), R. Roe, and S. Soe") == (
        ("J. Doe", "R. Roe", "S. Soe"), ("MIT and Harvard", "", ""))


def test_weekend_feed_is_empty_but_valid():
    feed = parse_arxiv_rss(read("rss2_cs.LG_weekend-empty.xml"))
    assert feed.empty and feed.papers == []
    assert feed.title == "cs.LG updates on arXiv.org"
    assert feed.pub_date == date(2017, 3, 18)
    assert feed.skip_days == ("Saturday", "Sunday")


@needs_shared
def test_two_thousand_items():
    path = ARXIV_SAMPLES / "rss2_ml6_2000-items.xml"
    if not path.exists():
        pytest.skip("shared arXiv samples are not available")
    feed = parse_arxiv_rss(path.read_bytes())
    assert len(feed.papers) == 2000
    assert len({p.arxiv_id for p in feed.papers}) == 2000
    assert Counter(p.announce_type for p in feed.papers) == {
        "new": 1092, "cross": 602, "replace": 233, "replace-cross": 73,
    }
    assert sum(1 for p in feed.papers if p.doi) == 393
    assert Counter(p.version for p in feed.papers) == {1: 1694, 2: 306}
    first = feed.papers[0]
    assert (first.arxiv_id, first.version, first.announce_type) == (
        "1603.08984", 2, "replace-cross",
    )
    assert first.title == "SMASH: Physics-guided Reconstruction of Collisions from Videos"
    assert first.abstract.startswith("Collision sequences are commonly used in games")
    abstracts = "\n".join(p.abstract for p in feed.papers)
    # Markup-like text survives as text: no HTML sanitising of abstracts.
    assert "p-value < 0.001" in abstracts
    assert "S\\&P 500" in abstracts
    assert "(I&F) neuron" in abstracts
    assert all("Announce Type" not in p.abstract for p in feed.papers)


RSS_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
    b'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    b"<channel><title>t</title><link>http://rss.arxiv.org/rss/cs.LG</link>"
)


def item(guid: str, description: str, extra: str = "") -> bytes:
    return (
        f"<item><title>A  title\n  on two lines</title><description>{description}</description>"
        f'<guid isPermaLink="false">{guid}</guid><category>cs.CL</category>'
        f"<dc:creator>Ann Author, Bob Builder</dc:creator>{extra}</item>"
    ).encode()


def test_markup_in_abstract_is_kept_as_text_and_optional_fields_read():
    body = RSS_HEAD + item(
        "oai:arXiv.org:2401.00001v3",
        "arXiv:2401.00001v3 Announce Type: replace \nAbstract: we map &lt;unk&gt; tokens, "
        "x &lt; y &amp;amp; &lt;script&gt;",
        "<arxiv:announce_type>replace</arxiv:announce_type>"
        "<arxiv:journal_reference>J. Testing 1 (2024)  1-2</arxiv:journal_reference>",
    ) + b"</channel></rss>"
    (paper,) = parse_arxiv_rss(body).papers
    assert paper.abstract == "we map <unk> tokens, x < y &amp; <script>"
    assert paper.title == "A title on two lines"
    assert paper.journal_ref == "J. Testing 1 (2024) 1-2"
    assert (paper.arxiv_id, paper.version) == ("2401.00001", 3)


def test_old_style_ids_and_announce_type_from_description():
    body = RSS_HEAD + item(
        "oai:arXiv.org:math/0501001v2", "arXiv:math/0501001v2 Announce Type: replace-cross \n"
        "Abstract: Old."
    ) + b"</channel></rss>"
    (paper,) = parse_arxiv_rss(body).papers
    assert (paper.arxiv_id, paper.version) == ("math/0501001", 2)
    assert paper.announce_type == "replace-cross"


def test_item_without_an_id_is_an_error():
    body = RSS_HEAD + item("urn:nothing", "no id here") + b"</channel></rss>"
    with pytest.raises(FeedError, match="without an arXiv id"):
        parse_arxiv_rss(body)


GOOD = (DATA / "rss2_ml6_2017-03-14.xml").read_bytes()
HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>"
    b"<body><h1>Service Unavailable</h1><p>Try again later.</p></body></html>"
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (GOOD[: len(GOOD) // 2], "truncated"),
        (GOOD[:-20], "truncated"),  # every item complete, only the closing tags missing
        (GOOD.replace(b"&amp;", b"& ", 1), "malformed"),  # a bare ampersand
        (GOOD.replace(b"</item>", b"</itme>", 1), "malformed"),
        (HTML_PAGE, "HTML page titled '503 Service Unavailable'"),
        (b"", "empty response"),
        (b"   \n", "empty response"),
        (b"\x00\x01binary", "malformed"),
        ((DATA / "api-atom_id_1605.08386_s0_m100_199195aa31ad.xml").read_bytes(), "got atom10"),
    ],
)
def test_broken_bodies_raise_one_line_feed_errors(body, expected):
    with pytest.raises(FeedError) as caught:
        parse_arxiv_rss(body)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message


def test_a_url_string_is_never_fetched():
    with pytest.raises(TypeError):
        parse_arxiv_rss("http://127.0.0.1:9/feed")  # type: ignore[arg-type]


def test_split_authors():
    assert split_authors("A. One, B. Two, and C. Three") == ("A. One", "B. Two", "C. Three")
    assert split_authors("Solo Author") == ("Solo Author",)
    assert split_authors("A and B") == ("A", "B")
    assert split_authors("  ") == ()


def test_feed_dates_keep_the_eastern_day():
    late = b"<pubDate>Mon, 02 Sep 2024 23:30:00 -0400</pubDate>"  # already the 3rd in UTC
    feed = parse_arxiv_rss(RSS_HEAD.replace(b"<title>t</title>", late) + b"</channel></rss>")
    assert feed.pub_date == date(2024, 9, 2)
    assert feed.last_build is None


def test_one_invalid_byte_costs_only_its_spot():
    # Issue 13: one bad byte made feedparser decode the whole feed as cp1252 ("JÃ¼rgen").
    body = read("rss2_ml6_2017-03-15.xml")
    first_title = body.index(b"<title>", body.index(b"<item"))
    broken = body[: first_title + 7] + b"\xff" + body[first_title + 7 :]
    clean = {p.arxiv_id: p for p in parse_arxiv_rss(body).papers}
    found = {p.arxiv_id: p for p in parse_arxiv_rss(broken).papers}
    assert found.keys() == clean.keys()
    damaged = [i for i in clean if found[i] != clean[i]]
    assert len(damaged) == 1 and found[damaged[0]].title.startswith("\ufffd")
    names = {name for p in found.values() for name in p.authors}
    assert {"Jürgen Schmidhuber", "Michał Knapik", "Vinícius Veloso de Melo"} <= names


def test_a_feed_declaring_another_encoding_is_read_in_it():
    body = read("rss2_cs.LG_2017-03-14.xml")
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    body = body.replace(b"'UTF-8'", b"'ISO-8859-1'", 1)
    body = body.replace(b"Steven Bohez", "Steven B\u00f6hez".encode("latin-1"))
    assert parse_arxiv_rss(body).papers[0].authors[0] == "Steven Böhez"


def test_an_rss_1_0_rdf_feed_is_parsed_fully():
    # The old export.arxiv.org/rss format (real, trimmed; ../shared/data/arxiv-samples/SOURCES.md)
    feed = parse_arxiv_rss(read("rss1-legacy_hep-ex_2018-05-23_TRIMMED.xml"))
    assert feed.title == "hep-ex updates on arXiv.org"
    assert feed.pub_date == date(2018, 5, 23) and feed.bad_items == ()
    new, cross, updated = feed.papers
    assert (new.arxiv_id, new.version, new.announce_type) == ("1805.08875", 1, "new")
    assert new.title == "Measurement of Transverse Single Spin Asymmetries"
    assert new.authors == ("Christopher Dilks",)
    assert new.categories == ("hep-ex",) and new.published == "2018-05-23"
    assert new.abstract.startswith("In 2015 the first collisions between polarized protons")
    assert "range of $2.6<\\eta<4$. Within" in new.abstract and "<p>" not in new.abstract
    assert (cross.arxiv_id, cross.announce_type) == ("1805.09166", "cross")
    assert cross.title == "Recent Top quark results from the Tevatron"
    assert (updated.arxiv_id, updated.version, updated.announce_type) == ("1805.06430", 2,
                                                                          "replace")
    assert updated.primary_category == "nucl-th" and updated.published == ""
    assert updated.authors[:2] == ("Shu-Sheng Xu", "Zhu-Fang Cui") and len(updated.authors) == 6


def test_rss_1_0_authors_without_links_and_hidden_counts():
    feed = parse_arxiv_rss(read("rss1-legacy_hep-ex_2021-07-08_TRIMMED.xml"))
    first = feed.papers[0]
    assert first.arxiv_id == "2107.03419"
    assert first.title.startswith("Observation of excited $\\Omega_c^0$ baryons")
    assert first.authors == ("LHCb collaboration", "R. Aaij")
    assert all("<a" not in name and "not shown" not in name
               for p in feed.papers for name in p.authors)
