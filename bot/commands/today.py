"""/new: today's top ranked arXiv papers, or why there are none today."""

from __future__ import annotations

from datetime import date, datetime

from bot.commands.base import Asker
from bot.pipeline.personal import personal_order
from bot.render.cards import render_paper_line, standing
from bot.render.dates import eastern_time
from bot.render.html import split_blocks
from bot.render.reply import Reply
from bot.render.strings import section_name, t
from feeds.arxiv_calendar import feed_day, next_announcement
from feeds.model import Candidate, Paper, PollStatus
from storage import arxiv_polls, papers, scores

TOP = 10


def answer_new(asker: Asker, args: str) -> list[Reply]:
    """Today's top ranked papers, or why there are none."""
    now = asker.clock()
    day = feed_day(now)
    todays = papers.papers_announced_on(asker.db, day)
    when = eastern_time(next_announcement(now), asker.lang)
    if not todays:
        key = "no_announcement" if _quiet_day(asker, day) else "nothing_new"
        return [Reply(t(asker.lang, key, when=when))]
    ranked = _ranked(asker, todays)[:TOP]
    blocks = [render_paper_line(c.paper, i + 1, _note(c, asker.lang))
              for i, c in enumerate(ranked)]
    header = t(asker.lang, "new_title", date=day.isoformat())
    return [Reply(text) for text in split_blocks(blocks, header)]


def _quiet_day(asker: Asker, day: date) -> bool:
    """A weekend, or a weekday whose feed came back empty (arXiv holiday), per the last poll."""
    if day.weekday() >= 5:  # the feeds dated Saturday and Sunday carry nothing
        return True
    last = arxiv_polls.newest_poll(asker.db)
    return bool(last and last.status is PollStatus.NO_ANNOUNCEMENT
                and feed_day(datetime.fromisoformat(last.checked_at)) == day)


def _ranked(asker: Asker, found: list[Paper]) -> list[Candidate]:
    """Order by the ranker's score, moved by this chat's 👍/👎."""
    stored = scores.scores_for(asker.db, [p.arxiv_id for p in found])
    candidates = [Candidate(p, stored.get(p.arxiv_id)) for p in found]
    return personal_order(asker.db, asker.chat.chat_id, asker.snapshot(), candidates)


def _note(candidate: Candidate, lang: str) -> str:
    scored = candidate.scored
    return (f"{section_name(scored.section, lang)} · {standing(scored, lang, scored.section)}"
            if scored else "")
