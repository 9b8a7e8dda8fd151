"""What the bot renders stays valid Telegram HTML whatever the data: cards cut on text
boundaries, only http(s) links (issue 13, content and links)."""

from __future__ import annotations

import re

from bot.commands.base import Asker
from bot.commands.browse import answer_researchers
from bot.render.html import cut_html, link
from feeds.awesome_list import parse_awesome_list
from feeds.model import Paper
from storage import chats, papers
from storage.db import open_db
from tests.support.rig import bot_rig

_TAG = re.compile(r"<(/?)(\w+)[^>]*>")


def balanced(html: str) -> bool:
    stack: list[str] = []
    for closing, name in _TAG.findall(html):
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def test_cut_html_never_splits_a_tag_or_an_entity_and_closes_what_it_opened() -> None:
    text = ("<b>Attention &amp; memory</b>\n<i>A. Author, B. &lt;Author&gt;, C. Author</i>\n"
            '<a href="https://arxiv.org/abs/1706.03762">arXiv</a> ' + "word " * 50)
    for limit in range(5, len(text) + 5):
        cut = cut_html(text, limit)
        assert len(cut) <= limit or cut == text
        assert balanced(cut), (limit, cut)
        assert not re.search(r"&[#\w]*$", cut.rstrip("…</>biaBIA")), cut  # no half entity
        assert "<" not in re.sub(r"</?\w+[^>]*>", "", cut)  # no half tag left
    assert cut_html(text, 10_000) == text


def test_links_render_only_for_http_and_https() -> None:
    assert link("https://example.org/a?b=1&c=2", "ok") == (
        '<a href="https://example.org/a?b=1&amp;c=2">ok</a>')
    for url in ("javascript:alert(1)", "tg://resolve?domain=x", "data:text/html,hi",
                " JavaScript:alert(1)", "file:///etc/passwd"):
        assert link(url, "Name <x>") == "Name &lt;x&gt;"


def test_researchers_from_readme_comments_never_render_unsafe_links(monkeypatch) -> None:
    readme = ("## Contents\n### Convolutional Neural Network Models\n"
              "<!-- [Evil](javascript:void), [Chat](tg://resolve?domain=x), "
              "[Yann LeCun](http://yann.lecun.com/) -->\n"
              "- **Deep residual learning** (2016), K. He et al. [[pdf]](https://arxiv.org/pdf/"
              "1512.03385)\n")
    db = open_db()
    snapshot = parse_awesome_list(readme)
    monkeypatch.setattr(Asker, "snapshot", lambda self: snapshot)
    asker = Asker(db, chats.ensure_chat(db, 5), 5)
    (reply,) = answer_researchers(asker, "cnn")
    assert '<a href="http://yann.lecun.com/">Yann LeCun</a>' in reply.text
    assert "javascript:" not in reply.text and "tg://" not in reply.text
    assert "Evil" in reply.text and "Chat" in reply.text  # named, just not linked


async def test_a_5000_author_paper_card_is_accepted_by_telegram() -> None:
    authors = tuple(f"Author{i} O&apos;Name-{i}" for i in range(5000))
    huge = Paper("2301.00001", 1, "A <paper> & its five thousand authors", "We study." * 300,
                 authors, ("cs.LG",), "cs.LG", "2023-01-01")
    async with bot_rig() as rig:
        papers.store_papers(rig.db, [huge])
        (reply,) = await rig.say("/paper 2301.00001")
    assert reply.parse_mode == "HTML"  # accepted as HTML, not the plain-text fallback
    assert len(reply.text) <= 4096 and balanced(reply.text)
    shown = reply.text.count("Author")
    rest = re.search(r"and ([\d,]+) more", reply.text)
    listed = shown - 3  # the paper line names its first three authors too
    assert rest and 10 < listed < 5000 and int(rest.group(1).replace(",", "")) == 5000 - listed
    assert "&lt;paper&gt; &amp; its five thousand authors" in reply.text
