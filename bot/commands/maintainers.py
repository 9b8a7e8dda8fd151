"""The maintainers' commands: /suggestions with Accept / Reject / Later, /stats, /refresh."""

from __future__ import annotations

from bot.commands.base import Asker, ButtonResult, number
from bot.render.cards import DECISION_CODES, suggestion_card
from bot.render.dates import utc_stamp
from bot.render.html import esc
from bot.render.job_summary import job_title, readable_summary
from bot.render.reply import Button, Reply
from bot.render.strings import t
from feeds.model import SuggestionStatus
from storage import job_runs, papers, suggestions
from storage.outbox import OutboxStatus
from storage.stats import bot_stats

SHOWN = 5  # suggestions per page
FINAL = (SuggestionStatus.ACCEPTED, SuggestionStatus.REJECTED)


def answer_suggestions(asker: Asker, args: str) -> list[Reply]:
    """The open (pending and postponed) suggestions, most important first, a page at a time."""
    return suggestions_page(asker, 0)


def suggestions_page(asker: Asker, offset: int) -> list[Reply]:
    """One page of cards, then a line saying where the page is, with a button for the next."""
    found, total = suggestions.open_page(asker.db, offset, SHOWN)
    if not found:
        return [Reply(t(asker.lang, "no_suggestions"))]
    cards = [suggestion_card(s, papers.get_paper(asker.db, s.arxiv_id), asker.lang)
             for s in found]
    if total <= SHOWN:
        return cards
    nav = []
    if offset > 0:
        nav.append(Button(t(asker.lang, "prev"), f"gp:{max(0, offset - SHOWN)}"))
    if offset + len(found) < total:
        nav.append(Button(t(asker.lang, "more_results"), f"gp:{offset + SHOWN}"))
    where = t(asker.lang, "suggestions_page", first=offset + 1, last=offset + len(found),
              total=total)
    return [*cards, Reply(where, (tuple(nav),) if nav else ())]


def page_button(asker: Asker, rest: str) -> ButtonResult:
    """gp:OFFSET — the next (or previous) page of suggestions."""
    if not asker.is_maintainer:
        return ButtonResult(toast=t(asker.lang, "decide_maintainers_only"))
    offset = number(rest)
    if offset is None:
        return ButtonResult(toast=t(asker.lang, "decide_expired"))
    return ButtonResult(replies=tuple(suggestions_page(asker, offset)))


def answer_stats(asker: Asker, args: str) -> list[Reply]:
    """Counts: chats, subscriptions, papers, deliveries, failures, job runs."""
    lang, stats = asker.lang, bot_stats(asker.db)
    deliveries = t(lang, "list_comma").join(
        t(lang, f"delivery_{status}", n=stats.deliveries[status])
        for status in OutboxStatus if stats.deliveries.get(status)  # in the order they pass
    ) or t(lang, "stats_no_deliveries")
    lines = [
        t(lang, "stats_title"),
        t(lang, "stats_chats", active=stats.active_chats,
          inactive=stats.chats - stats.active_chats),
        t(lang, "stats_subscriptions", n=stats.subscriptions),
        t(lang, "stats_papers", stored=stats.papers, scored=stats.scored),
        t(lang, "stats_versions", n=stats.list_versions),
        t(lang, "stats_deliveries", counts=deliveries),
        t(lang, "stats_suggestions", n=stats.suggestions),
    ]
    for run in job_runs.last_runs(asker.db).values():
        lines.append(t(lang, "stats_job", name=esc(job_title(run.name, lang)), runs=run.runs,
                       failures=run.failures, last=esc(utc_stamp(run.last_run_at, lang)),
                       summary=esc(readable_summary(run.last_summary, lang))))
    return [Reply("\n".join(lines))]


def answer_refresh(asker: Asker, args: str) -> list[Reply]:
    """Acknowledge /refresh; the handler runs the watchers right after."""
    return [Reply(t(asker.lang, "refreshing"))]


def decision_button(asker: Asker, rest: str) -> ButtonResult:
    """g:ID:CODE — a maintainer accepts, rejects or postpones a suggestion."""
    ref, _, code = rest.partition(":")
    if not asker.is_maintainer:
        return ButtonResult(toast=t(asker.lang, "decide_maintainers_only"))
    suggestion_id = number(ref)
    if suggestion_id is None or code not in DECISION_CODES:
        return ButtonResult(toast=t(asker.lang, "decide_expired"))
    status = DECISION_CODES[code]
    before = suggestions.get_suggestion(asker.db, suggestion_id)
    if before is None:
        return ButtonResult(toast=t(asker.lang, "decide_unknown"))
    if before.status in FINAL and before.status is not status:  # another maintainer's card
        card = suggestion_card(before, papers.get_paper(asker.db, before.arxiv_id), asker.lang)
        return ButtonResult(toast=t(asker.lang, "decide_already", name=before.decided_by or "?",
                                    status=t(asker.lang, f"suggestion_status_{before.status}")),
                            edit=card)
    suggestions.decide(asker.db, suggestion_id, status, asker.user_id, asker.user_name)
    found = suggestions.get_suggestion(asker.db, suggestion_id)
    edit = (suggestion_card(found, papers.get_paper(asker.db, found.arxiv_id), asker.lang)
            if found else None)
    done = t(asker.lang, "decide_done", status=t(asker.lang, f"suggestion_status_{status}"))
    return ButtonResult(toast=done, edit=edit)
