"""Suggestions for the list's maintainers: the best new papers with the exact line to add."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from bot.pipeline.scoring import stored_list_papers
from bot.render.cards import suggestion_card
from feeds.list_papers import bundled_list_papers
from feeds.list_patch import insert_lines, markdown_line, readme_diff
from feeds.listed import listed_index
from feeds.model import ListSnapshot, Paper, Suggestion, SuggestionStatus
from storage import chats, outbox, papers, scores, suggestions
from storage.db import Database
from storage.outbox import OutboxKind

NEW_PAPERS_SECTION = "New papers"
OTHER = "other"
# A paper is worth a maintainer's time when its impact standing (feeds/rank/impact.py, log2 of
# its expected or counted citations against the list's bar for its age) reaches this; a paper
# that meets the list's citation criteria stands at 0 or above. Calibrated on the list's own
# history: bench/suggestion_replay.py replays 2016 week by week through make_suggestions and
# picks the bar with the best min(precision, recall) (precision: suggestions that later met the
# list's criteria; recall: the year's papers now at 1,000+ citations that were suggested); 2017
# is held out. About the top 4% of machine-learning arXiv papers on day 0 (bench pool, 2015-17:
# 97th percentile -2.0). Re-run the bench when the impact model's weights change.
SUGGESTION_BAR = -2.2
PER_WEEK = 10  # SUGGESTIONS_PER_WEEK
WEEK = timedelta(days=7)


def target_section(paper: Paper, section: str, now: datetime) -> str:
    """Where the line goes: papers younger than 6 months go to New papers (the list's rule)."""
    try:
        published = datetime.fromisoformat(paper.published[:10]).replace(tzinfo=UTC)
    except ValueError:
        return section
    return NEW_PAPERS_SECTION if now - published < timedelta(days=183) else section


def make_suggestions(
    db: Database, snapshot: ListSnapshot, now: datetime,
    per_week: int = PER_WEEK, bar: float = SUGGESTION_BAR,
) -> list[Suggestion]:
    """Suggest the most important papers over the bar, never one twice, never one already on
    the list (by arXiv id, DOI, or title with first author and year: feeds/listed.py), never
    more than `per_week` in any seven days (a second run in the same week adds only what is
    left)."""
    # the last seven days, the moment a week ago excluded: a weekly job that fires at the same
    # second each week (stamps keep whole seconds) must not find last week's batch in its window
    room = per_week - suggestions.made_since(db, _stamp(now - WEEK + timedelta(seconds=1)))
    if room <= 0:
        return []
    listed = listed_index(snapshot, bundled_list_papers() + stored_list_papers(db, snapshot))
    made = []
    for scored in scores.unsuggested_above(db, bar, room * 3 + len(snapshot.entries)):
        paper = papers.get_paper(db, scored.paper_id)
        if paper is None or listed.find(paper) is not None:
            continue
        target = target_section(paper, scored.section, now)
        if target == OTHER:  # older than six months and no topic of the list fits
            continue
        new_id = suggestions.add_suggestion(
            db, scored.paper_id, paper.title, scored.section, target, scored.score,
            scored.reasons, markdown_line(paper), scored.impact, _stamp(now),
        )
        if new_id is not None:
            made.append(suggestions.get_suggestion(db, new_id))
        if len(made) >= room:
            break
    return [s for s in made if s is not None]


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


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
