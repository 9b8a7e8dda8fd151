"""Find papers: /search over the list and stored arXiv papers, /paper for one paper's card.

Both kinds of result are scored by the same relevance function (feeds/search.py) and
interleave by it; a "more" button pages on. /paper answers only on a confident title match,
else it says so and offers the closest titles as buttons.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TypeVar

from rapidfuzz import fuzz

from bot.commands.base import Asker, ButtonResult, number
from bot.commands.browse import short
from bot.render.cards import paper_card, render_entry, render_paper_line
from bot.render.html import clip, esc, split_blocks
from bot.render.reply import Button, Reply
from bot.render.strings import section_name, t
from feeds.aliases import NameIndex, alias_table, list_names, name_key
from feeds.awesome_list import normalise_title
from feeds.bundled import chinese_titles, link_key
from feeds.glossary import to_english
from feeds.list_papers import bundled_list_papers
from feeds.model import ListEntry, ListSnapshot, NameSource, Paper
from feeds.rank.ranker import importance
from feeds.search import (
    IMPORTANCE_WEIGHT,
    MAX_PHRASES,
    Query,
    has_cjk,
    parse_query,
    relevance,
    title_closeness,
    tokens,
)
from storage import paper_names, papers, scores
from storage.db import Database
from storage.search import candidates, match_expression, recalled_search, remember_search

PER_PAGE = 8
POOL = 60  # full-text candidates scored per search
MAX_RESULTS = 48
CONFIDENT = 90.0  # /paper answers when a title is at least this alike (0..100)
CLOSE = 55.0  # ...and offers titles at least this alike when none is
CLOSE_OFFERED = 3
RIVAL = 5.0  # a second title this close to the best one makes a title match ambiguous
NAMED_SCORE = 50.0  # a paper the whole query names ranks above any word match (an id: 100)
MAX_NAMED = 12
MIN_SCORE = 0.5


@dataclass(frozen=True)
class Hit:
    """One search result: a list entry or a stored arXiv paper (or both), and its score."""

    score: float
    entry: ListEntry | None = None
    paper: Paper | None = None


def expand(query: Query) -> Query:
    """A Chinese query searches the English its glossary terms stand for, any rendering of
    each term ("生成对抗网络" -> "generative adversarial" or "gan"); words typed beside them
    stay words ("GAN 图像生成"). Chinese the glossary does not know is never asked of English
    text: only the list's Chinese titles can hold it (see _entry_hits)."""
    if not has_cjk(query.text):
        return query
    translation = to_english(query.text)
    latin = parse_query("".join(" " if has_cjk(ch) else ch for ch in translation.rest))
    groups = tuple(tuple(p for p in (tuple(tokens(e)) for e in english) if p)
                   for english in translation.terms)
    return replace(query, phrases=latin.phrases, words=latin.words,
                   any_of=tuple(g for g in groups if g)[:MAX_PHRASES])


@lru_cache(maxsize=1)
def _known_abstracts() -> dict[str, str]:
    """Abstracts of the list's papers shipped with the bot, by arXiv id and title."""
    found = {normalise_title(p.title): p.abstract for p in bundled_list_papers()}
    found.update({p.arxiv_id: p.abstract for p in bundled_list_papers() if p.arxiv_id})
    return found


def entry_abstract(entry: ListEntry) -> str:
    """What the bot knows of a list entry's abstract ('' when nothing)."""
    return _abstract_of(entry.arxiv_id or "", entry.title)


@lru_cache(maxsize=4096)
def _abstract_of(arxiv_id: str, title: str) -> str:  # every search asks for every entry's
    known = _known_abstracts()
    return known.get(arxiv_id) or known.get(normalise_title(title), "")


def _entry_hits(query: Query, snapshot: ListSnapshot) -> list[Hit]:
    zh = chinese_titles() if has_cjk(query.text) else {}
    cjk = "".join(ch for ch in query.text if has_cjk(ch))
    hits: dict[str, Hit] = {}
    for entry in snapshot.entries:
        match = relevance(query, entry.title, entry_abstract(entry))
        score = match.score + IMPORTANCE_WEIGHT if match.relevant and match.score else 0.0
        translated = zh.get(link_key(entry.links[0].url), "") if zh and entry.links else ""
        if len(cjk) >= 2 and cjk in translated:
            zh_score = chinese_title_score(cjk, translated)
            score = max(score, zh_score) + 0.1 * min(score, zh_score)  # English breaks ties
        if entry.arxiv_id and entry.arxiv_id in query.arxiv_ids:
            score = 100.0
        key = entry.arxiv_id or normalise_title(entry.title)
        if score >= MIN_SCORE and score > (hits[key].score if key in hits else -1):
            hits[key] = Hit(score, entry)
    return list(hits.values())


def chinese_title_score(typed: str, title: str) -> float:
    """How surely typed Chinese names a list paper by its Chinese title: the whole title, or
    the name before its colon ("批归一化"), scores as an exact English title does; a longer part
    of it by how much it covers; a two- or three-character fragment ("理解" inside
    "机器理解文本") least."""
    head = re.split(r"[：:]", title, maxsplit=1)[0]
    chars = lambda text: "".join(ch for ch in text if has_cjk(ch))  # noqa: E731
    if typed in (chars(title), chars(head)):
        return 10.0
    coverage = len(typed) / max(1, len(chars(title)))
    return (6.0 if len(typed) >= 4 else 3.0) + 4.0 * min(1.0, coverage)


def _paper_candidates(db: Database, query: Query) -> list[Paper]:
    found = candidates(db, match_expression(query), POOL)
    if len(found) < PER_PAGE and len(query.words) >= 3:  # a typo in one word of a title
        for i in range(len(query.words)):
            found += candidates(db, match_expression(query, leave_out=i), PER_PAGE)
    if not found and len(query.words) >= 2 and not query.phrases:
        found = candidates(db, match_expression(query, title_only_any=True), POOL)
    return found + list(papers.get_papers(db, list(query.arxiv_ids)).values())


def paper_hits(db: Database, query: Query, skip: set[str] | None = None) -> list[Hit]:
    """Stored arXiv papers that answer a query (those in `skip` left out), scored."""
    hits: list[Hit] = []
    found = [p for p in _unique(_paper_candidates(db, query)) if p.arxiv_id not in (skip or ())]
    ranked = scores.scores_for(db, [p.arxiv_id for p in found])
    for paper in found:
        named = paper.arxiv_id in query.arxiv_ids
        match = relevance(query, paper.title, paper.abstract)
        if named or (match.relevant and match.score >= MIN_SCORE):
            stored = ranked.get(paper.arxiv_id)
            weight = importance(stored)
            hits.append(Hit(100.0 if named else match.score + IMPORTANCE_WEIGHT * weight,
                            paper=paper))
    return hits


def _order(hit: Hit) -> tuple[float, bool, str]:
    """Best score first; on a tie the list's entry, then the newer paper."""
    newest_first = "".join(chr(0x10FFFF - ord(c)) for c in (hit.paper.published if hit.paper
                                                             else ""))
    return (-hit.score, hit.paper is not None, newest_first)


def find(db: Database, snapshot: ListSnapshot, text: str) -> list[Hit]:
    """Everything that answers a search, best first: list entries and papers by one score;
    the papers the query is a short name of come first."""
    query = expand(parse_query(text))
    hits = _entry_hits(query, snapshot)
    listed = {h.entry.arxiv_id for h in hits if h.entry and h.entry.arxiv_id}
    hits += paper_hits(db, query, listed)
    hits = _with_named(hits, named(db, snapshot, text))
    return both_kinds_first(sorted(hits, key=_order))[:MAX_RESULTS]


OTHER_KIND_SLOTS = 2  # of the first page's PER_PAGE, when one kind would fill it alone


def both_kinds_first(hits: list[Hit]) -> list[Hit]:
    """The first page shows both kinds when both answer: when the best PER_PAGE hits are all
    list entries (or all arXiv papers), the other kind's best take the page's last
    OTHER_KIND_SLOTS places. A search is for the classics and for what is new: "机器翻译"
    ranked eight list papers first and hid every arXiv paper on page 2."""
    page = hits[:PER_PAGE]
    if len(hits) <= PER_PAGE or not page:
        return hits
    first_is_paper = [h.entry is None for h in page]
    if any(k != first_is_paper[0] for k in first_is_paper):
        return hits  # the page already mixes
    others = [h for h in hits[PER_PAGE:] if (h.entry is None) != first_is_paper[0]]
    if not others:
        return hits
    moved = others[:OTHER_KIND_SLOTS]
    keep = page[:PER_PAGE - len(moved)]
    placed = {id(h) for h in (*keep, *moved)}  # by identity: Hits compare whole papers
    rest = [h for h in hits if id(h) not in placed]
    return keep + moved + rest


# short names: "yolo", "resnet", "faster r-cnn" -----------------------------------------

@dataclass(frozen=True)
class Named:
    """A paper a typed text is a short name of, and where that name comes from."""

    source: NameSource
    entry: ListEntry | None = None
    paper: Paper | None = None

    @property
    def rank(self) -> tuple[bool, int]:
        """The list's papers first, then by how trusted the name's source is."""
        return (self.entry is None, self.source.rank)

    @property
    def title(self) -> str:
        return self.entry.title if self.entry else (self.paper.title if self.paper else "")


_LIST_NAMES: dict[int, tuple[ListSnapshot, NameIndex]] = {}


def _list_names(snapshot: ListSnapshot) -> NameIndex:
    """The short names of a list version's papers (built once per version)."""
    cached = _LIST_NAMES.get(id(snapshot))
    if cached is None or cached[0] is not snapshot:
        if len(_LIST_NAMES) >= 4:
            _LIST_NAMES.clear()
        cached = (snapshot, list_names(snapshot.entries, entry_abstract, alias_table()))
        _LIST_NAMES[id(snapshot)] = cached
    return cached[1]


@lru_cache(maxsize=1)
def _table_ids() -> dict[str, tuple[str, ...]]:
    """The alias table's names for arXiv ids, by name key (for papers not on the list)."""
    found: dict[str, tuple[str, ...]] = {}
    for alias in alias_table():
        if alias.arxiv_id:
            found[name_key(alias.alias)] = (*found.get(name_key(alias.alias), ()), alias.arxiv_id)
    return found


def named(db: Database, snapshot: ListSnapshot, text: str) -> list[Named]:
    """The papers `text` is a short name of, most trusted first (the list's before stored
    arXiv papers; the alias table, then titles, then abstracts)."""
    key = name_key(text)
    if not key:
        return []
    found = [Named(source, entry=entry) for entry, source in _list_names(snapshot).get(key, [])]
    listed = {e.arxiv_id for e in snapshot.entries if e.arxiv_id}
    sources = {i: NameSource.TABLE for i in _table_ids().get(key, ()) if i not in listed}
    for arxiv_id, source in paper_names.papers_named(db, text, MAX_NAMED):
        if arxiv_id not in listed:
            sources.setdefault(arxiv_id, source)
    stored = papers.get_papers(db, list(sources))
    found += [Named(sources[i], paper=stored[i]) for i in sources if i in stored]
    return sorted(found, key=lambda n: n.rank)


def _with_named(hits: list[Hit], found: list[Named]) -> list[Hit]:
    """Put the named papers first, in their order (a named paper already found moves up)."""
    if not found:
        return hits

    def key(entry: ListEntry | None, paper: Paper | None) -> str:
        if entry is not None:
            return entry.arxiv_id or normalise_title(entry.title)
        return paper.arxiv_id if paper else ""

    boosted = {key(n.entry, n.paper): Hit(NAMED_SCORE - i / 100, n.entry, n.paper)
               for i, n in reversed(list(enumerate(found[:MAX_NAMED])))}
    kept = [h for h in hits if key(h.entry, h.paper) not in boosted or h.score > NAMED_SCORE]
    kept_keys = {key(h.entry, h.paper) for h in kept}
    return kept + [h for k, h in boosted.items() if k not in kept_keys]


def find_papers(db: Database, text: str, limit: int) -> list[Paper]:
    """The stored arXiv papers that answer a search, best first (`papers-bot search`)."""
    hits = sorted(paper_hits(db, expand(parse_query(text))), key=_order)
    return [h.paper for h in hits[:limit] if h.paper is not None]


def _render_hit(hit: Hit, number: int, lang: str) -> str:
    if hit.entry is not None:
        where = esc(section_name(hit.entry.section, lang))
        return f"{render_entry(hit.entry, number)}\n   <i>{where}</i>"
    assert hit.paper is not None
    return render_paper_line(hit.paper, number)


def answer_search(asker: Asker, args: str) -> list[Reply]:
    """Search the list's entries and the stored arXiv papers."""
    query = parse_query(args)
    if query.empty and not has_cjk(args):
        return [Reply(t(asker.lang, "need_words"))]
    hits = find(asker.db, asker.snapshot(), args)
    if not hits:
        return [Reply(t(asker.lang, "no_results", query=esc(short(args))))]
    search_id = remember_search(asker.db, asker.chat.chat_id, args)
    return [search_page(asker, args, hits, search_id, 0)]


def search_page(asker: Asker, text: str, hits: list[Hit], search_id: int, page: int) -> Reply:
    """One page of results with ◀ / ▶ buttons."""
    pages = max(1, -(-len(hits) // PER_PAGE))
    page = min(max(page, 0), pages - 1)
    start = page * PER_PAGE
    blocks = [_render_hit(h, start + i + 1, asker.lang)
              for i, h in enumerate(hits[start : start + PER_PAGE])]
    header = t(asker.lang, "search_title", query=esc(short(text)))
    if pages > 1:
        header += " " + t(asker.lang, "page_of", page=page + 1, pages=pages)
    nav = []
    if page > 0:
        nav.append(Button(t(asker.lang, "prev"), f"q:{search_id}:{page - 1}"))
    if page < pages - 1:
        nav.append(Button(t(asker.lang, "more_results"), f"q:{search_id}:{page + 1}"))
    return Reply(split_blocks(blocks, header)[0], (tuple(nav),) if nav else ())


def search_button(asker: Asker, rest: str) -> ButtonResult:
    """q:ID:PAGE — page through a stored search."""
    ref, _, page_text = rest.partition(":")
    search_id, page = number(ref), number(page_text)
    text = (recalled_search(asker.db, search_id, asker.chat.chat_id)
            if search_id is not None and page is not None else None)
    if text is None or search_id is None or page is None:
        return ButtonResult(toast=t(asker.lang, "expired_button"))
    hits = find(asker.db, asker.snapshot(), text)
    return ButtonResult(edit=search_page(asker, text, hits, search_id, page))


# /paper ----------------------------------------------------------------------------------

def entry_token(snapshot: ListSnapshot, entry: ListEntry) -> str:
    """A short stable reference to a list entry for callback data."""
    index = snapshot.entries.index(entry)
    return f"{index}.{hashlib.sha1(entry.title.encode()).hexdigest()[:4]}"


def entry_from_token(snapshot: ListSnapshot, token: str) -> ListEntry | None:
    """Resolve an entry reference; None when forged or from an older list version."""
    index, _, _ = token.partition(".")
    entries = snapshot.entries
    at = number(index, below=len(entries))
    if at is None:
        return None
    entry = entries[at]
    return entry if entry_token(snapshot, entry) == token else None


@dataclass(frozen=True)
class TitleMatch:
    """A candidate for a typed title and how alike the two are (0..100)."""

    closeness: float
    entry: ListEntry | None = None
    paper: Paper | None = None

    @property
    def title(self) -> str:
        return self.entry.title if self.entry else (self.paper.title if self.paper else "")


def title_matches(db: Database, snapshot: ListSnapshot, text: str) -> list[TitleMatch]:
    """List entries and stored papers by how alike their title is to `text`, best first."""
    query = parse_query(text)
    matches = [TitleMatch(title_closeness(text, e.title), entry=e) for e in snapshot.entries]
    listed = {e.arxiv_id for e in snapshot.entries if e.arxiv_id}
    matches += [TitleMatch(title_closeness(text, p.title), paper=p)
                for p in _unique(_paper_candidates(db, query)) if p.arxiv_id not in listed]
    return sorted(matches, key=lambda m: -m.closeness)


def _unique(found: Iterable[Paper]) -> list[Paper]:
    return list({p.arxiv_id: p for p in found}.values())


_Choice = TypeVar("_Choice", "Named", TitleMatch)


def answer_paper(asker: Asker, args: str) -> list[Reply]:
    """Show one paper (by arXiv id or title): authors, links, section, score and reasons."""
    text = args.strip()
    if not text:
        return [Reply(t(asker.lang, "need_paper"))]
    snapshot = asker.snapshot()
    ids = parse_query(text).arxiv_ids
    if ids:
        paper = papers.get_paper(asker.db, ids[0])
        entry = next((e for e in snapshot.entries if e.arxiv_id == ids[0]), None)
        if paper is None and entry is None:
            return [Reply(t(asker.lang, "paper_not_found", query=esc(short(text))))]
        return [card(asker, paper, entry)]
    if has_cjk(text):
        return [chinese_paper(asker, text)]
    by_name = _by_name(asker, snapshot, text)
    if by_name is not None:
        return [by_name]
    only = only_mention(asker.db, snapshot, text)
    if only is not None:  # "EUNN": the one paper whose text uses that acronym
        return [card(asker, only.paper, only.entry)]
    matches = title_matches(asker.db, snapshot, text)
    if matches and matches[0].closeness >= CONFIDENT:
        best_match = matches[0]
        rivals = _distinct_titles(m for m in matches if m.closeness >= CONFIDENT
                                  and m.closeness > best_match.closeness - RIVAL)
        if len(rivals) == 1 or best_match.closeness == 100 > rivals[1].closeness:
            return [card(asker, best_match.paper, best_match.entry)]
        return [not_found(asker, text, rivals[:CLOSE_OFFERED], "paper_several")]
    return [not_found(asker, text, [m for m in matches if m.closeness >= CLOSE][:CLOSE_OFFERED])]


def only_mention(db: Database, snapshot: ListSnapshot, text: str) -> TitleMatch | None:
    """The one paper whose text uses a typed acronym as its own, written as typed
    ('MS--RCPSP'), when no other stored paper uses it at all: in its title, or defined in
    brackets and used again in its abstract. A name a paper only compares with (MidiNet's
    abstract names MelodyRNN twice, never in brackets) is not its own. None for a common
    word or a shared acronym."""
    typed = text.strip()
    if not (_ACRONYM.fullmatch(typed) and sum(c.isupper() for c in typed) >= 2):
        return None
    exact = re.compile(rf"(?<![\w-]){re.escape(typed)}(?![\w-])")

    def owns(title: str, abstract: str) -> bool:
        defined = f"({typed})" in abstract and len(exact.findall(abstract)) >= 2
        return bool(exact.search(title)) or defined

    found: dict[str, TitleMatch] = {}
    mentions = 0
    for entry in snapshot.entries:
        abstract = entry_abstract(entry)
        if exact.search(entry.title) or exact.search(abstract):
            mentions += 1
            if owns(entry.title, abstract):
                key = entry.arxiv_id or normalise_title(entry.title)
                found[key] = TitleMatch(100.0, entry=entry)
    for paper in candidates(db, match_expression(parse_query(typed)), MENTION_POOL):
        if paper.arxiv_id in found or not (exact.search(paper.title)
                                           or exact.search(paper.abstract)):
            continue
        mentions += 1
        if owns(paper.title, paper.abstract):
            found[paper.arxiv_id] = TitleMatch(100.0, paper=paper)
    return next(iter(found.values())) if len(found) == 1 == mentions else None


_ACRONYM = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-{1,2}[A-Za-z0-9]+)*")
MENTION_POOL = 50  # full-text matches looked at for a typed acronym


def _by_name(asker: Asker, snapshot: ListSnapshot, text: str) -> Reply | None:
    """An exact short name: the card of the most trusted paper of that name, or a choice when
    several share it; None when nothing goes by that name."""
    found = named(asker.db, snapshot, text)
    if not found:
        return None
    best = _distinct_titles(n for n in found if n.rank == found[0].rank)
    if len(best) == 1:
        return card(asker, best[0].paper, best[0].entry)
    return not_found(asker, text, best[:CLOSE_OFFERED], "paper_several")


def _distinct_titles(found: Iterable[_Choice]) -> list[_Choice]:
    """One of each title: the list names some papers twice (in a section and the appendix)."""
    return list({normalise_title(m.title): m for m in reversed(list(found))}.values())[::-1]


def not_found(asker: Asker, text: str, close: Sequence[TitleMatch | Named], key: str = "",
              ) -> Reply:
    """'Not found' (or `key`), with buttons for the closest titles when there are any."""
    snapshot = asker.snapshot()
    key = key or ("paper_not_found_close" if close else "paper_not_found")
    buttons = []
    for match in close:
        ref = (f"c:e:{entry_token(snapshot, match.entry)}" if match.entry
               else f"c:a:{match.paper.arxiv_id}" if match.paper else "")
        buttons.append((Button(clip(match.title, 60), ref),))
    return Reply(t(asker.lang, key, query=esc(short(text))), tuple(buttons))


def card(asker: Asker, paper: Paper | None, entry: ListEntry | None) -> Reply:
    """The card of a paper and/or its list entry."""
    if paper is None and entry is not None and entry.arxiv_id:
        paper = papers.get_paper(asker.db, entry.arxiv_id)
    scored = scores.get_score(asker.db, paper.arxiv_id) if paper else None
    where = ""
    if entry is not None:
        section = asker.snapshot().section(entry.section)
        where = section_name(section, asker.lang) if section else entry.section
    abstract = paper.abstract if paper else (entry_abstract(entry) if entry else "")
    return paper_card(paper, scored, entry, where, asker.lang, abstract)


def card_button(asker: Asker, rest: str) -> ButtonResult:
    """c:a:ID or c:e:TOKEN — open the card of one of the offered papers."""
    kind, _, ref = rest.partition(":")
    paper = papers.get_paper(asker.db, ref) if kind == "a" else None
    entry = entry_from_token(asker.snapshot(), ref) if kind == "e" else None
    if paper is None and entry is None:
        return ButtonResult(toast=t(asker.lang, "expired_button"))
    return ButtonResult(replies=(card(asker, paper, entry),))


def chinese_paper(asker: Asker, text: str) -> Reply:
    """/paper in Chinese: the list's Chinese titles (whole, or the name before a colon), then
    the English titles closest to the glossary's renderings of a single term ("生成对抗网络")."""
    snapshot = asker.snapshot()
    translated = chinese_titles()
    matches = []
    for entry in snapshot.entries:
        zh = translated.get(link_key(entry.links[0].url), "") if entry.links else ""
        if zh:
            name = re.split(r"[：:]", zh)[0]
            matches.append(TitleMatch(max(fuzz.ratio(text, zh), fuzz.ratio(text, name)),
                                      entry=entry))
    translation = to_english(text)
    single = len(translation.terms) == 1 and not translation.leftover_chinese
    if single and not any(m.closeness >= CONFIDENT for m in matches):
        for english in translation.terms[0]:  # 残差网络 -> "resnet": a short name first
            by_name = _by_name(asker, snapshot, english)
            if by_name is not None:
                return by_name
    if single:
        for english in translation.terms[0]:
            matches += title_matches(asker.db, snapshot, english)
    best: dict[str, TitleMatch] = {}
    for match in sorted(matches, key=lambda m: -m.closeness):
        best.setdefault(normalise_title(match.title), match)
    ranked = list(best.values())
    if ranked and ranked[0].closeness >= CONFIDENT:
        return card(asker, ranked[0].paper, ranked[0].entry)
    return not_found(asker, text, [m for m in ranked if m.closeness >= CLOSE][:CLOSE_OFFERED])
