"""/trends: a chart of new papers per topic per week."""

from __future__ import annotations

import asyncio

from bot.commands.base import Asker, number
from bot.render.charts import default_title, render_trends_png
from bot.render.html import esc
from bot.render.reply import Reply
from bot.render.strings import t
from storage.trends import week_starts, weekly_counts

DEFAULT_WEEKS = 12
MAX_WEEKS = 104


async def answer_trends(asker: Asker, args: str) -> list[Reply]:
    """A PNG chart of new papers per topic per week (drawn off the event loop)."""
    text = args.strip()
    typed = number(text)
    weeks = typed if typed is not None and 1 <= typed <= MAX_WEEKS else DEFAULT_WEEKS
    # an argument not taken is said so, not silently replaced by the default
    ignored = (t(asker.lang, "trends_ignored", arg=esc(text[:40]), max=MAX_WEEKS, weeks=weeks)
               if text and weeks != typed else "")
    now = asker.clock()
    counts = weekly_counts(asker.db, weeks, now)  # one quick query on the loop-owned connection
    png = await asyncio.to_thread(render_trends_png, counts, default_title(weeks, asker.lang),
                                  asker.lang, weeks=week_starts(weeks, now))
    # the picture's title falls back to English without a CJK font; the caption never does
    caption = esc(t(asker.lang, "chart_title", weeks=weeks))
    return [Reply(f"{caption}\n{ignored}" if ignored else caption, photo=png)]
