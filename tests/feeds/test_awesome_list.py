"""The list parser on every real README version (counts checked against the markdown)."""

from __future__ import annotations

import pytest

from feeds.awesome_list import normalise_title, parse_awesome_list, parse_entry_line
from feeds.bundled import bundled_snapshot, chinese_section_names
from tests.conftest import README_HISTORY, needs_shared

VERSIONS = sorted(README_HISTORY.glob("*.md"))


def snapshot_of(index: str):
    (path,) = README_HISTORY.glob(f"{index}_*.md")
    return parse_awesome_list(path.read_bytes())


def find(snapshot, title_start: str):
    return next(e for e in snapshot.entries if e.title.lower().startswith(title_start.lower()))


@needs_shared
def test_history_has_all_125_versions() -> None:
    assert len(VERSIONS) == 125


@pytest.mark.parametrize("path", VERSIONS, ids=[p.name[:3] for p in VERSIONS])
def test_every_version_parses_into_clean_entries(path) -> None:
    snapshot = parse_awesome_list(path.read_bytes())
    if path.name.startswith("001_"):
        assert snapshot.entries == []  # the initial commit is a one-line README
        return
    assert snapshot.entries
    for entry in snapshot.entries:
        assert entry.title and "**" not in entry.title and ":sparkles:" not in entry.title
        assert "*(" not in entry.authors and "[[" not in entry.authors
        assert not entry.title.startswith(("2016", "2015", "< 6", "~20"))  # criteria lines


# Entry counts per version as counted with awk over `- ` bullets under `###` headings
# (Researchers sections excluded), independently of the parser.
@pytest.mark.parametrize("index,total", [("002", 78), ("010", 93), ("050", 133), ("125", 238)])
def test_entry_counts_match_the_markdown(index: str, total: int) -> None:
    assert len(snapshot_of(index).entries) == total


def test_newest_top100_sections_hold_exactly_100_papers() -> None:
    snapshot = snapshot_of("125")
    counts = {s.name: len(s.entries) for s in snapshot.top100()}
    assert counts == {
        "Understanding / Generalization / Transfer": 7,
        "Optimization / Training Techniques": 7,
        "Unsupervised / Generative Models": 7,
        "Convolutional Neural Network Models": 12,
        "Image: Segmentation / Object Detection": 8,
        "Image / Video / Etc": 11,
        "Natural Language Processing / RNNs": 18,
        "Speech / Other Domain": 6,
        "Reinforcement Learning / Robotics": 9,
        "More Papers from 2016": 15,
    }
    assert sum(counts.values()) == 100
    kinds = {s.name: s.kind for s in snapshot.sections}
    assert kinds["New papers"] == "new" and kinds["Old Papers"] == "old"
    assert kinds["HW / SW / Dataset"] == "resource"
    assert kinds["Appendix: More than Top 100"] == "appendix"


def test_bold_entry_with_year_authors_and_arxiv_id() -> None:
    adam = find(snapshot_of("125"), "Adam: A method")
    assert adam.section == "Optimization / Training Techniques"
    assert (adam.year, adam.authors, adam.arxiv_id) == (2014, "D. Kingma and J. Ba", "1412.6980")
    assert adam.links[0].kind == "pdf"


def test_missing_year_and_version_suffix() -> None:
    snapshot = snapshot_of("125")
    crf = find(snapshot, "Semantic image segmentation with deep convolutional nets")
    assert crf.year is None and crf.authors == "L. Chen et al." and crf.arxiv_id == "1412.7062"
    pixel = find(snapshot, "Pixel recurrent neural networks")
    assert pixel.arxiv_id == "1601.06759"  # link is .../1601.06759v2.pdf


def test_arxiv_mirror_ip_counts_as_arxiv() -> None:
    mask = find(snapshot_of("125"), "Mask R-CNN")
    assert mask.arxiv_id == "1703.06870" and mask.year == 2017


def test_year_inside_bold_title_and_affiliations() -> None:
    (path,) = [p for p in VERSIONS if b"caption generator (2015)**" in p.read_bytes()][:1]
    show = find(parse_awesome_list(path.read_bytes()), "Show and tell")
    assert show.title == "Show and tell: A neural image caption generator"
    assert show.year == 2015 and show.authors == "O. Vinyals et al."


def test_affiliation_and_sparkles_are_not_authors() -> None:
    delving = find(snapshot_of("010"), "Delving deep into rectifiers")
    assert delving.authors == "K. He et al." and delving.year == 2015
    bn = find(snapshot_of("010"), "Batch Normalization")
    assert bn.authors == "S. Loffe and C. Szegedy" and bn.arxiv_id == "1502.03167"


def test_unclosed_year_and_missing_comma() -> None:
    sr = find(snapshot_of("125"), "Learning a Deep Convolutional Network for Image Super")
    assert sr.year == 2014 and sr.authors == "C. Dong et al."
    search = find(snapshot_of("125"), "Random search for hyper-parameter")
    assert search.year == 2012 and search.authors == "J. Bergstra and Y. Bengio"


def test_entry_without_links_or_year() -> None:
    theano = find(snapshot_of("125"), "Theano")
    assert theano.links == () and theano.year is None and theano.authors == "R. Al-Rfou et al."
    parser = find(snapshot_of("125"), "A Fast and Accurate Dependency Parser")
    assert parser.authors == "Chen and Manning"


def test_lectures_and_blogs_are_resources_with_whole_titles() -> None:
    section = snapshot_of("125").section("Video Lectures / Tutorials / Blogs")
    assert section is not None and section.kind == "resource"
    titles = [e.title for e in section.entries]
    cs231n = "CS231n, Convolutional Neural Networks for Visual Recognition, Stanford University"
    assert cs231n in titles
    assert "Distill" in titles and len(titles) == 15


def test_key_researchers_from_html_comments() -> None:
    section = snapshot_of("125").section("Understanding / Generalization / Transfer")
    names = [r.name for r in section.key_researchers]
    assert names == ["Geoffrey Hinton", "Yoshua Bengio", "Jason Yosinski"]
    assert section.key_researchers[0].url == "https://scholar.google.ca/citations?user=JicYPdAAAAAJ"
    assert section.entries[0].key_researchers == section.key_researchers


def test_researchers_section_is_not_papers() -> None:
    snapshot = snapshot_of("050")
    assert all("Researchers" not in s.name for s in snapshot.sections)
    assert not any(e.title.startswith("Chirstian Szegedy") for e in snapshot.entries)


def test_broken_link_markup_still_yields_the_link() -> None:
    entry = parse_entry_line(
        "Trust Region Policy Optimization (2015), J. Schulman et al. "
        "[[pdf](http://www.jmlr.org/proceedings/papers/v37/schulman15.pdf",
        "Appendix",
    )
    assert entry.title == "Trust Region Policy Optimization"
    assert entry.authors == "J. Schulman et al."
    assert entry.links[0].url.endswith("schulman15.pdf")


def test_chinese_section_names() -> None:
    names = chinese_section_names()
    assert names["Unsupervised / Generative Models"] == "无监督 / 生成模型"
    assert names["Reinforcement Learning / Robotics"] == "强化学习 / 机器人技术"
    assert len(names) == 14


def test_bundled_snapshot_is_the_newest_version() -> None:
    assert bundled_snapshot() == snapshot_of("125")


def test_normalise_title_folds_case_and_punctuation() -> None:
    assert normalise_title("Deeppose: Human pose") == normalise_title("DeepPose — human  POSE")


NASTY_TITLES = (
    "Attention [[pdf]](https://arxiv.org/pdf/9999.99999) is all you need",
    "Hiding <!-- the rest of the list --> in a title",
    "<script>alert(1)</script> and *bold* and _italic_ and `code`",
    "Backslash \\ and ** double stars ** and [brackets] (2017)",
)


@pytest.mark.parametrize("title", NASTY_TITLES)
def test_a_suggested_line_reads_back_as_the_same_title_and_arxiv_id(title) -> None:
    from feeds.list_patch import markdown_line
    from feeds.model import Paper

    paper = Paper("1706.03762", 1, title, "", ("A. Vaswani", "N. <Shazeer>"), ("cs.CL",),
                  "cs.CL", "2017-06-12")
    line = markdown_line(paper)
    readme = f"## Contents\n### Recurrent Neural Network Models\n{line}\n- **Next** (2016)\n"
    snapshot = parse_awesome_list(readme)
    first, second = snapshot.entries  # the title's <!-- swallowed nothing
    assert first.arxiv_id == "1706.03762" and first.year == 2017
    assert " ".join(first.title.replace("**", "").split()) == " ".join(
        title.replace("**", "").split()).strip(" ,.;:-")
    assert "<script>" not in line and "<!--" not in line and "[[pdf]](https://arxiv.org/pdf/9" \
        not in line
    assert second.title == "Next"
