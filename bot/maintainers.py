"""Maintainer commands and suggestions: ranked papers with the exact line to add to the list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlite_utils

from bot.answers import Asker
from bot.commands import Command, register
from bot.dispatch import ButtonResult, register_button
from bot.render import Button, Reply, esc, render_paper_line
from feeds.list_patch import insert_lines, markdown_line, readme_diff
from feeds.model import ListSnapshot, Paper
from storage import chats, job_runs, lists, outbox, papers, scores, suggestions
from storage.scores import StoredScore
from storage.suggestions import Suggestion

NEW_PAPERS_SECTION = "New papers"
# About two well-known list authors, or a paper at the list's citation bar (feeds/rank.py).
SUGGESTION_MIN_SCORE = 3.0
SUGGESTIONS_PER_RUN = 10
DECISIONS = {"a": "accepted", "r": "rejected", "l": "later"}


def target_section(paper: Paper, section: str, now: datetime) -> str:
    """Where the line goes: papers younger than 6 months go to New papers (the list's rule)."""
    try:
        published = datetime.fromisoformat(paper.published[:10]).replace(tzinfo=UTC)
    except ValueError:
        return section
    return NEW_PAPERS_SECTION if now - published < timedelta(days=183) else section


def suggestion_card(suggestion: Suggestion, paper: Paper | None) -> Reply:
    """Render a suggestion with its score, reasons, target and Accept / Reject / Later."""
    lines = [render_paper_line(paper)] if paper else [f"<b>{esc(suggestion.title)}</b>"]
    lines.append(f"score {suggestion.score:.2f} → <b>{esc(suggestion.target_section)}</b>"
                 + (f" (topic: {esc(suggestion.section)})"
                    if suggestion.section != suggestion.target_section else ""))
    lines += [f"• {esc(reason)}" for reason in suggestion.reasons[:5]]
    lines.append(f"<code>{esc(suggestion.line)}</code>")
    if suggestion.status != "pending":
        lines.append(f"<i>{esc(suggestion.status)}</i>")
    buttons = tuple(
        Button(label, f"g:{suggestion.id}:{code}")
        for label, code in (("✅ Accept", "a"), ("❌ Reject", "r"), ("⏳ Later", "l"))
    )
    return Reply("\n".join(lines)[:4000], (buttons,))


def make_suggestions(
    db: sqlite_utils.Database, snapshot: ListSnapshot, now: datetime,
    limit: int = SUGGESTIONS_PER_RUN, min_score: float = SUGGESTION_MIN_SCORE,
) -> list[Suggestion]:
    """Turn the best scored papers not on the list and not yet suggested into suggestions."""
    listed = {e.arxiv_id for e in snapshot.entries if e.arxiv_id}
    seen = suggestions.suggested_ids(db) | listed
    made = []
    for arxiv_id, score in _best_recent(db, now, limit * 5):
        paper = papers.get_paper(db, arxiv_id)
        if paper is None or arxiv_id in seen or score.score < min_score:
            continue
        target = target_section(paper, score.section, now)
        new_id = suggestions.add_suggestion(
            db, arxiv_id, paper.title, score.section, target, score.score, score.reasons,
            markdown_line(paper),
        )
        if new_id is not None:
            made.append(suggestions.get_suggestion(db, new_id))
        if len(made) >= limit:
            break
    return [s for s in made if s is not None]


def _best_recent(
    db: sqlite_utils.Database, now: datetime, limit: int
) -> list[tuple[str, StoredScore]]:
    since = (now - timedelta(days=8)).replace(microsecond=0).isoformat()
    sql = ("select scores.arxiv_id from scores join papers using (arxiv_id) "
           "where papers.first_seen >= ? order by scores.score desc limit ?")
    ids = [row["arxiv_id"] for row in db.query(sql, [since, limit])]
    found = scores.scores_for(db, ids)
    return [(i, found[i]) for i in ids if i in found]


def enqueue_suggestions(
    db: sqlite_utils.Database, made: list[Suggestion], maintainer_ids: frozenset[int]
) -> int:
    """Queue one card per suggestion for every maintainer; return messages queued."""
    queued = 0
    with db.atomic():
        for maintainer in maintainer_ids:
            chats.ensure_chat(db, maintainer)
            for suggestion in made:
                card = suggestion_card(suggestion, papers.get_paper(db, suggestion.arxiv_id))
                keyboard = [[(b.text, b.data) for b in row] for row in card.keyboard]
                queued += outbox.enqueue(db, maintainer, "suggestion", suggestion.arxiv_id,
                                         [card.text], keyboard)
    return queued


def export_accepted(db: sqlite_utils.Database, readme: str) -> str:
    """A unified diff adding every accepted suggestion to the README, by target section."""
    by_section: dict[str, list[str]] = {}
    present = readme
    for suggestion in suggestions.with_status(db, "accepted"):
        if suggestion.arxiv_id not in present:
            by_section.setdefault(suggestion.target_section, []).append(suggestion.line)
    return readme_diff(readme, insert_lines(readme, by_section))


def answer_suggestions(asker: Asker, args: str) -> list[Reply]:
    """List pending (and postponed) suggestions, best first, each with its buttons."""
    found = suggestions.with_status(asker.db, "pending", "later")[:10]
    if not found:
        return [Reply("No pending suggestions. They are made weekly; /refresh fetches now.")]
    return [suggestion_card(s, papers.get_paper(asker.db, s.arxiv_id)) for s in found]


def answer_stats(asker: Asker, args: str) -> list[Reply]:
    """Counts: chats, subscriptions, papers, deliveries, failures, job runs."""
    db = asker.db
    active = len(chats.active_chats(db))
    total_chats = db["chats"].count
    sent = outbox.counts(db)
    lines = [
        "<b>Stats</b>",
        f"chats: {active} active, {total_chats - active} inactive",
        f"subscriptions: {db['subscriptions'].count}",
        f"papers: {db['papers'].count} stored, {db['scores'].count} scored",
        f"list versions: {len(lists.list_versions(db))}",
        "deliveries: " + ", ".join(f"{n} {status}" for status, n in sorted(sent.items())),
        f"suggestions: {db['suggestions'].count}",
    ]
    for run in job_runs.last_runs(db).values():
        lines.append(f"job {esc(run.name)}: {run.runs} runs, {run.failures} failed, last "
                     f"{esc(run.last_run_at or '-')}: {esc(run.last_summary)}")
    return [Reply("\n".join(lines))]


def answer_refresh(asker: Asker, args: str) -> list[Reply]:
    """Acknowledge /refresh; the handler runs the watchers right after."""
    return [Reply("Refreshing: polling the list and arXiv now; I will report when done.")]


def _decision_button(asker: Asker, rest: str) -> ButtonResult:
    number, _, code = rest.partition(":")
    if not asker.is_maintainer:
        return ButtonResult(toast="Sorry, only the list's maintainers decide on suggestions.")
    if not number.isdigit() or code not in DECISIONS:
        return ButtonResult(toast="That button has expired — send /suggestions again.")
    if not suggestions.decide(asker.db, int(number), DECISIONS[code], asker.user_id):
        return ButtonResult(toast="That suggestion no longer exists.")
    found = suggestions.get_suggestion(asker.db, int(number))
    card = suggestion_card(found, papers.get_paper(asker.db, found.arxiv_id)) if found else None
    return ButtonResult(toast=f"Marked {DECISIONS[code]}.", edit=card)


register(Command("suggestions", "", "pending suggestions for the list (maintainers)",
                 "待处理的列表建议（维护者）", answer_suggestions, maintainers_only=True))
register(Command("refresh", "", "poll the list and arXiv now (maintainers)",
                 "立即检查列表和 arXiv（维护者）", answer_refresh, maintainers_only=True,
                 runs_job="refresh"))
register(Command("stats", "", "counts of chats, papers, deliveries (maintainers)",
                 "聊天、论文、推送统计（维护者）", answer_stats, maintainers_only=True))
register_button("g", _decision_button)
