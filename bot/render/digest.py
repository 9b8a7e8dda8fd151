"""Digest layout: list news, then each subscription's papers, split under Telegram's limit."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.pipeline.select import Group
from bot.render.cards import render_entry, render_paper_line, standing
from bot.render.html import esc, link, split_blocks
from bot.render.strings import render_reason, section_name, t
from feeds.model import Candidate, ListDiff, SubscriptionKind
from feeds.topic_identity import identity_of_heading

PER_GROUP = 8
NEWS_LIMIT = 10  # list changes in one digest; the rest are one link away
_RAW_GITHUB = re.compile(r"^https://raw\.githubusercontent\.com/([^/]+)/([^/]+)/([^/]+)/(.+)$")


def history_url(readme_url: str) -> str:
    """Where the list's full change history is: GitHub's commits of the README ('' unknown)."""
    found = _RAW_GITHUB.match(readme_url)
    if not found:
        return ""
    owner, repo, branch, path = found.groups()
    return f"https://github.com/{owner}/{repo}/commits/{branch}/{path}"


def capped_news(news: Sequence[str], lang: str, readme_url: str = "",
                limit: int = NEWS_LIMIT) -> list[str]:
    """At most `limit` list changes, then one line saying how many more and where they are
    (a large README change once made a 167-message digest)."""
    if len(news) <= limit:
        return list(news)
    url = history_url(readme_url)
    where = link(url, t(lang, "news_full_diff")) if url else t(lang, "news_full_diff_cli")
    return [*news[:limit], t(lang, "news_more", n=len(news) - limit, link=where)]


def digest_title(mode: str, lang: str, day: str) -> str:
    """'📬 Daily digest — 2017-03-14' and the like."""
    return t(lang, f"digest_title_{mode}", date=day)


def news_lines(topics: set[str], diffs: Iterable[ListDiff], lang: str) -> list[str]:
    """Lines about list changes in the chat's topics (identities, whatever the sections were
    called then): added to / removed from / moved (not the entries of a renamed section: the
    chat's topic notice says that once)."""

    def name(section: str) -> str:
        return esc(section_name(section, lang))

    def followed(*sections: str) -> bool:
        return any(identity_of_heading(s) in topics for s in sections)

    lines = []
    for diff in diffs:
        lines += [f"➕ {render_entry(e)}\n   <i>{t(lang, 'news_added', section=name(e.section))}"
                  "</i>" for e in diff.added if followed(e.section)]
        lines += [f"➖ {render_entry(e)}\n   <i>{t(lang, 'news_removed', section=name(e.section))}"
                  "</i>" for e in diff.removed if followed(e.section)]
        lines += [f"↪ {render_entry(m.entry)}\n   <i>"
                  f"{t(lang, 'news_moved', old=name(m.from_section), new=name(m.to_section))}</i>"
                  for m in diff.moved if followed(m.from_section, m.to_section)
                  and identity_of_heading(m.from_section) != identity_of_heading(m.to_section)]
    return lines


def render_digest(
    title: str, groups: Sequence[Group], news: Sequence[str], lang: str = "en",
    per_group: int = PER_GROUP,
) -> list[str]:
    """Render one digest (several messages only past 4096 characters): at most `per_group`
    papers a subscription, saying how many more there are and why they were left out."""
    blocks: list[str] = []
    if news:
        blocks.append(t(lang, "news_title"))
        blocks += list(news)
    for group in groups:
        shown = group.papers[:per_group]
        more = len(group.papers) - len(shown)
        heading = f"<b>■ {esc(section_name(group.label, lang))}</b>"
        if more > 0:
            heading += "\n<i>" + t(lang, "left_out", shown=len(shown), n=more,
                                   total=len(group.papers)) + "</i>"
        blocks.append(heading)
        topic = group.label if group.kind is SubscriptionKind.TOPIC else ""
        blocks += [render_paper_line(c.paper, note=candidate_note(c, lang, topic)) for c in shown]
    return split_blocks(blocks, title) if blocks else []


def rest_button_label(group: Group, shown: int, lang: str) -> str:
    """The button under a digest that shows a subscription's papers beyond the first ones."""
    return t(lang, "show_rest", n=len(group.papers) - shown,
             topic=_short(section_name(group.label, lang)))


def _short(name: str, limit: int = 24) -> str:
    head = name.split(" / ")[0]
    return head if len(head) <= limit else head[: limit - 1] + "…"


def render_rest(label: str, candidates: Sequence[Candidate], lang: str) -> list[str]:
    """The papers of a subscription a digest left out, as messages."""
    heading = f"<b>■ {esc(section_name(label, lang))}</b> " + t(lang, "rest_title",
                                                               n=len(candidates))
    blocks = [render_paper_line(c.paper, i + 1, candidate_note(c, lang, label))
              for i, c in enumerate(candidates)]
    return split_blocks(blocks, heading)


def candidate_note(candidate: Candidate, lang: str, topic: str = "") -> str:
    """'topic fit 0.82 · expected impact: top 3% of ML papers — reason; reason' under a paper
    (plain text: the line escapes it)."""
    if candidate.scored is None:
        return ""
    reasons = "; ".join(render_reason(r, lang) for r in candidate.scored.reasons[:2])
    return standing(candidate.scored, lang, topic) + (f" — {reasons}" if reasons else "")
