"""The button under a digest that shows the papers of a subscription it left out."""

from __future__ import annotations

from bot.commands.base import Asker, ButtonResult, number
from bot.render.digest import render_rest
from bot.render.reply import Reply
from bot.render.strings import t
from feeds.model import Candidate
from storage import digest_rest, papers, scores


def rest_button(asker: Asker, rest: str) -> ButtonResult:
    """r:ID — send the left-out papers of one subscription of a digest."""
    ref = number(rest)
    kept = digest_rest.rest_of(asker.db, ref, asker.chat.chat_id) if ref is not None else None
    if kept is None:
        return ButtonResult(toast=t(asker.lang, "expired_button"))
    label, ids = kept
    stored = papers.get_papers(asker.db, ids)
    ranked = scores.scores_for(asker.db, ids)
    candidates = [Candidate(stored[i], ranked.get(i)) for i in ids if i in stored]
    texts = render_rest(label, candidates, asker.lang)
    return ButtonResult(replies=tuple(Reply(text) for text in texts))
