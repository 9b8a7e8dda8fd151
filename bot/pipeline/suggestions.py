"""Suggestions for the list's maintainers: the best new papers with the exact line to add."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from bot.render.cards import suggestion_card
from feeds.list_patch import insert_lines, markdown_line, readme_diff
from feeds.model import ListSnapshot, Paper, Suggestion, SuggestionStatus
from storage import chats, outbox, papers, scores, suggestions
from storage.db import Database
from storage.outbox import OutboxKind

NEW_PAPERS_SECTION = "New papers"
# About two well-known list authors, or a paper at the list's citation bar (feeds/rank/ranker.py).
SUGGESTION_MIN_SCORE = 3.0
SUGGESTIONS_PER_RUN = 10
RECENT = timedelta(days=8)


def target_section(paper: Paper, section: str, now: datetime) -> str:
    """Where the line goes: papers younger than 6 months go to New papers (the list's rule)."""
    try:
        published = datetime.fromisoformat(paper.published[:10]).replace(tzinfo=UTC)
    except ValueError:
        return section
    return NEW_PAPERS_SECTION if now - published < timedelta(days=183) else section


def make_suggestions(
    db: Database, snapshot: ListSnapshot, now: datetime,
    limit: int = SUGGESTIONS_PER_RUN, min_score: float = SUGGESTION_MIN_SCORE,
) -> list[Suggestion]:
    """Turn the best scored papers not on the list and not yet suggested into suggestions."""
    listed = {e.arxiv_id for e in snapshot.entries if e.arxiv_id}
    seen = suggestions.suggested_ids(db) | listed
    since = (now - RECENT).replace(microsecond=0).isoformat()
    made = []
    for scored in scores.best_since(db, since, limit * 5):
        paper = papers.get_paper(db, scored.paper_id)
        if paper is None or scored.paper_id in seen or scored.score < min_score:
            continue
        target = target_section(paper, scored.section, now)
        new_id = suggestions.add_suggestion(
            db, scored.paper_id, paper.title, scored.section, target, scored.score,
            scored.reasons, markdown_line(paper),
        )
        if new_id is not None:
            made.append(suggestions.get_suggestion(db, new_id))
        if len(made) >= limit:
            break
    return [s for s in made if s is not None]


def enqueue_suggestions(
    db: Database, made: Iterable[Suggestion], maintainer_ids: Iterable[int]
) -> int:
    """Queue one card per suggestion for every maintainer, in their language; return how many."""
    made = list(made)
    queued = 0
    with db.atomic():
        for maintainer in maintainer_ids:
            chat = chats.ensure_chat(db, maintainer)
            for suggestion in made:
                paper = papers.get_paper(db, suggestion.arxiv_id)
                card = suggestion_card(suggestion, paper, chat.lang)
                keyboard = [[(b.text, b.data) for b in row] for row in card.keyboard]
                queued += outbox.enqueue(db, maintainer, OutboxKind.SUGGESTION,
                                         suggestion.arxiv_id, [card.text], keyboard)
    return queued


def export_accepted(db: Database, readme: str) -> str:
    """A unified diff adding every accepted suggestion to the README, by target section."""
    by_section: dict[str, list[str]] = {}
    for suggestion in suggestions.with_status(db, SuggestionStatus.ACCEPTED):
        if suggestion.arxiv_id not in readme:
            by_section.setdefault(suggestion.target_section, []).append(suggestion.line)
    return readme_diff(readme, insert_lines(readme, by_section))
