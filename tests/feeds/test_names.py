"""Name keys for surnames that are also particle words (feeds/names.py), on real names: the
list's bib and README, and arXiv records from ../shared/data/arxiv-pool copied into
tests/data/names/particle_surnames.jsonl."""

from __future__ import annotations

import json
import re

import pytest

from feeds.bundled import bundled_bytes, bundled_snapshot
from feeds.list_papers import bundled_bib
from feeds.model import AuthorImpact, Paper
from feeds.names import author_key, full_name_key, split_name
from feeds.rank.authors import (
    author_activity,
    build_author_index,
    list_paper_authors,
    readme_authors,
)
from feeds.rank.impact import AuthorImpacts
from tests.conftest import TEST_DATA

SAMPLE = [json.loads(line) for line in
          (TEST_DATA / "names" / "particle_surnames.jsonl").read_text().splitlines()]
BIB_TEXT = bundled_bytes("top100papers.bib").decode("utf-8")


def _record(arxiv_id: str) -> dict:
    return next(r for r in SAMPLE if r["id"] == arxiv_id)


@pytest.mark.parametrize(("arxiv_id", "name", "spellings"), [
    ("1410.8206", "Quoc V. Le", ("Le, Quoc V", "Q. Le", "Quoc Le")),  # bib, README
    ("1901.08584", "Simon S. Du", ("Du, Simon S.", "S. Du", "Simon Du")),
    ("1311.3669", "Nan Du", ("Du, Nan", "N. Du")),
    ("1506.05474", "Abir De", ("De, Abir", "A. De")),
    ("1708.05122", "Abhishek Das", ("Das, Abhishek", "A. Das")),
])
def test_a_surname_that_is_a_particle_keys_like_any_other(
        arxiv_id: str, name: str, spellings: tuple[str, ...]) -> None:
    assert name in _record(arxiv_id)["authors"]  # a real author of a real paper
    surname = name.split()[-1].lower()
    assert author_key(name) == f"{name[0].lower()} {surname}"
    assert {author_key(s) for s in spellings} == {author_key(name)}
    assert full_name_key(name) == f"{name.split()[0].lower()} {surname}"
    assert author_key(name) != author_key(f"{name.split()[0]} Lee")  # not a wildcard


def test_particles_inside_a_name_still_drop_out() -> None:
    maaten = "Laurens van der Maaten"
    assert maaten in _record("1706.01307")["authors"]
    assert {author_key(s) for s in (maaten, "van der Maaten, Laurens", "L. Maaten")} == {
        "l maaten"}
    assert "Nando de Freitas" in _record("1412.7149")["authors"]
    assert author_key("Nando de Freitas") == author_key("N. Freitas") == "n freitas"
    assert author_key("Ludovic Denoyer") == "l denoyer"  # 'De' only as a whole word
    assert author_key("Yann LeCun") == "y lecun"
    assert split_name("Quoc V. Le") == ("Quoc V.", "Le")


def test_chinese_names_in_both_orders() -> None:
    assert "Le Song" in _record("1311.3669")["authors"]  # given name 'Le' is a particle word
    assert author_key("Le Song") == author_key("Song, Le") == "l song"
    assert author_key("Li Fei-Fei") == author_key("Fei-Fei, Li") == "l feifei"
    assert author_key("Dalong Du") == author_key("Du, Dalong") == "d du"  # the bib's CRF-RNN


def test_a_glued_initial_is_an_initial() -> None:
    readme = bundled_snapshot().entries
    assert any(e.authors.startswith("E.Denton") for e in readme)  # as the list writes it
    assert author_key("E.Denton") == author_key("Denton, Emily") == "e denton"


def test_the_list_author_index_finds_quoc_le_on_his_arxiv_papers() -> None:
    snapshot = bundled_snapshot()
    index = build_author_index(list_paper_authors(snapshot, bundled_bib()), snapshot)
    in_bib = len(re.findall(r"author=\{[^}]*\bLe, Quoc", BIB_TEXT))
    assert in_bib >= 3
    assert "Quoc V. Le" in _record("1410.8206")["authors"]
    hit = index.lookup("Quoc V. Le")
    assert hit is not None and hit.strong and len(hit.papers) >= in_bib
    assert index.lookup("Simon S. Du") is None  # keyed, but not on the list


def test_activity_and_impact_records_find_particle_surnames() -> None:
    papers = [_record(i) for i in ("1311.3669", "1506.05474")]
    stored = [Paper(r["id"], 1, r["title"], "", tuple(r["authors"]), (),
                    published=r["published"]) for r in papers]
    activity = author_activity(stored)
    assert activity.papers_before("Nan Du", "2020-01-01") == 1
    assert activity.papers_before("Abir De", "2020-01-01") == 1
    impacts = AuthorImpacts([AuthorImpact("Abir De", 900, 20, 12)])
    found = impacts.lookup("A. De")
    assert found is not None and found.h_index == 12
    assert impacts.lookup("Nan Du") is None


def test_every_readme_author_of_the_bundled_list_has_a_real_surname_key() -> None:
    """'K. Cho et. al.' and 'V. Mnih et al. )' as the list writes them: no 'al' surname."""
    names = [n for e in bundled_snapshot().entries for n in readme_authors(e.authors)]
    assert len(names) > 200
    keys = {name: author_key(name) for name in names}
    assert all(keys.values()), [n for n, k in keys.items() if not k]
    assert not [n for n, k in keys.items() if k.split()[-1] in {"al", "et"}]
    assert keys["K. Cho"] == author_key("Kyunghyun Cho") and "V. Mnih" in keys
