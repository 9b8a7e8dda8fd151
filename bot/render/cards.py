"""How papers look: list entries, arXiv papers in lists, one paper's card, a suggestion's card."""

from __future__ import annotations

from bot.render.html import clip, cut_html, esc, link
from bot.render.reply import Button, Reply
from bot.render.strings import render_reason, section_name, t
from feeds.model import ListEntry, Paper, Reason, Scored, Suggestion, SuggestionStatus
from feeds.rank.ranker import top_percent

TITLE_LIMIT = 300
CARD_LIMIT = 4000


def arxiv_links(arxiv_id: str) -> str:
    """Render the abs and pdf links of an arXiv paper."""
    return (
        f"{link(f'https://arxiv.org/abs/{arxiv_id}', 'abs')} · "
        f"{link(f'https://arxiv.org/pdf/{arxiv_id}', 'pdf')}"
    )


def render_entry(entry: ListEntry, number: int | None = None) -> str:
    """Render one list entry: title, year, authors and its links."""
    prefix = f"{number}. " if number is not None else ""
    year = f" ({entry.year})" if entry.year else ""
    authors = f", {esc(clip(entry.authors, 120))}" if entry.authors else ""
    links = [arxiv_links(entry.arxiv_id)] if entry.arxiv_id else []
    links += [
        link(item.url, item.kind) for item in entry.links[:2]
        if item.url.startswith("http") and not (entry.arxiv_id and "arxiv" in item.url)
    ]
    tail = f"\n   {' · '.join(links)}" if links else ""
    return f"{prefix}<b>{esc(clip(entry.title, TITLE_LIMIT))}</b>{year}{authors}{tail}"


def first_authors(authors: tuple[str, ...], limit: int = 3) -> str:
    """Render an author list as 'A, B, C et al.'."""
    shown = ", ".join(authors[:limit])
    return f"{shown} et al." if len(authors) > limit else shown


def author_list(authors: tuple[str, ...], lang: str, limit: int = 1000) -> str:
    """Every author while they fit in `limit` characters, then '… and 4,997 more'."""
    shown: list[str] = []
    size = 0
    for name in authors:
        if size + len(name) + 2 > limit and shown:
            break
        shown.append(name)
        size += len(name) + 2
    rest = len(authors) - len(shown)
    more = f" {t(lang, 'more_authors', count=f'{rest:,}')}" if rest else ""
    return ", ".join(shown) + more


def render_paper_line(paper: Paper, number: int | None = None, note: str = "") -> str:
    """Render an arXiv paper in a list: title, first authors, links and an optional note."""
    prefix = f"{number}. " if number is not None else ""
    authors = esc(clip(first_authors(paper.authors), 120))
    extra = f"\n   <i>{esc(note)}</i>" if note else ""
    return (
        f"{prefix}<b>{esc(clip(paper.title, TITLE_LIMIT))}</b>\n   {authors}\n"
        f"   arXiv:{esc(paper.arxiv_id)} · {arxiv_links(paper.arxiv_id)}{extra}"
    )


def standing(scored: Scored | None, lang: str, topic: str = "") -> str:
    """Where a paper stands, in words a reader follows (never a raw score): its fit for `topic`
    (0-1, when it is one of the paper's topics), then its expected impact against machine-
    learning arXiv papers ('topic fit 0.82 · expected impact: top 3% of ML papers')."""
    if scored is None:
        return ""
    parts = []
    fit = scored.fit(topic) if topic and topic != "other" else 0.0
    if fit > 0:
        parts.append(t(lang, "standing_fit", value=f"{fit:.2f}"))
    percent = top_percent(scored)
    parts.append(t(lang, "standing_top", percent=percent) if percent is not None
                 else t(lang, "standing_lower"))
    return " · ".join(parts)


def vote_buttons(paper_id: str) -> tuple[Button, Button]:
    """👍 / 👎 under a paper."""
    return (Button("👍", f"v:+:{paper_id}"), Button("👎", f"v:-:{paper_id}"))


SNIPPET = 400


def first_sentences(text: str, limit: int = SNIPPET) -> str:
    """The opening sentences of an abstract, at most `limit` characters, cut on a sentence or
    word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    return cut[: end + 1] if end >= limit // 3 else clip(text, limit)


def paper_card(
    paper: Paper | None, scored: Scored | None, entry: ListEntry | None, entry_section: str,
    lang: str, abstract: str = "",
) -> Reply:
    """One paper, opening with its title: its line (or its list entry's), authors, the
    abstract's opening, where the ranker put it and why, its list entry."""
    lines = []
    if paper is not None:
        lines.append(render_paper_line(paper))
        lines.append(f"<i>{esc(author_list(paper.authors, lang))}</i>")
    elif entry is not None:  # a list paper the bot has no arXiv record of: the entry leads
        lines.append(f"{render_entry(entry)}\n📌 {esc(entry_section)}")
    if abstract:
        lines.append(f"{t(lang, 'abstract_label')}{esc(first_sentences(abstract))}")
    if paper is not None and scored is not None:
        lines.append(f"→ {esc(section_name(scored.section, lang))} · "
                     f"{esc(standing(scored, lang, scored.section))}")
        lines += [f"  • {esc(render_reason(r, lang))}" for r in scored.reasons[:6]]
    if entry is not None and paper is not None:
        lines.append(f"{render_entry(entry)}\n📌 {esc(entry_section)}")
    paper_id = paper.arxiv_id if paper else (entry.arxiv_id if entry else None)
    keyboard = (vote_buttons(paper_id),) if paper_id else ()
    return Reply(cut_html("\n".join(lines), CARD_LIMIT), keyboard)


def reason_lines(reasons: tuple[Reason, ...], lang: str, limit: int) -> list[str]:
    """Bulleted, escaped reasons."""
    return [f"• {esc(render_reason(r, lang))}" for r in reasons[:limit]]


DECISION_CODES = {"a": SuggestionStatus.ACCEPTED, "r": SuggestionStatus.REJECTED,
                  "l": SuggestionStatus.LATER}
_DECISION_LABELS = (("button_accept", "a"), ("button_reject", "r"), ("button_later", "l"))


def suggestion_card(suggestion: Suggestion, paper: Paper | None, lang: str) -> Reply:
    """A suggestion: the paper, where it goes, why, the markdown line; decision buttons while it
    is open, who decided once it is not."""
    lines = [render_paper_line(paper)] if paper else [f"<b>{esc(suggestion.title)}</b>"]
    topic = (t(lang, "suggestion_topic", topic=esc(section_name(suggestion.section, lang)))
             if suggestion.section != suggestion.target_section else "")
    lines.append(t(lang, "suggestion_target",
                   target=esc(section_name(suggestion.target_section, lang))) + topic)
    lines += reason_lines(suggestion.reasons, lang, 5)
    lines.append(f"<code>{esc(suggestion.line)}</code>")
    if suggestion.status is not SuggestionStatus.PENDING:
        lines.append(f"<i>{esc(decision_text(suggestion, lang))}</i>")
    if suggestion.status in (SuggestionStatus.ACCEPTED, SuggestionStatus.REJECTED):
        return Reply(cut_html("\n".join(lines), CARD_LIMIT))
    buttons = tuple(Button(t(lang, label), f"g:{suggestion.id}:{code}")
                    for label, code in _DECISION_LABELS)
    return Reply(cut_html("\n".join(lines), CARD_LIMIT), (buttons,))


def decision_text(suggestion: Suggestion, lang: str) -> str:
    """'accepted by Ada (2026-12-02)'."""
    status = t(lang, f"suggestion_status_{suggestion.status}")
    day = suggestion.decided_at[:10]
    if suggestion.decided_by:
        return t(lang, "suggestion_decided", status=status, name=suggestion.decided_by, day=day)
    return t(lang, "suggestion_decided_anonymous", status=status, day=day)
