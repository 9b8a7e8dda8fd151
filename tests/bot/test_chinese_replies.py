"""A Chinese reader sees Chinese: every command of bot/commands/table.py, driven in Chinese
after real jobs ran on a recorded arXiv day, answers with no English words but names, titles
and a few proper nouns (issue 18: "摘要：daily", "Mon 07 Dec 20:00 US/Eastern", /stats' job
summaries).

What is taken out before looking for English, and why:
- what the data says, not the bot: titles, authors and abstracts of the list's entries and
  the stored papers, the benchmarks and venues reasons name, and the list's own markdown line
  (in <code>); the words the user typed ("neural network");
- commands with the arguments to type after them ("/search attention", "/lang en|zh");
- URLs, arXiv ids, version marks (v2), setting names (SUGGESTIONS_PER_WEEK), initials with a
  surname (reasons name authors as "K. He");
- ALLOWED: proper nouns and abbreviations Chinese text writes as they are (below).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.commands.table import COMMANDS
from bot.render.cards import first_authors, first_sentences
from bot.render.job_summary import job_title, localise_summary
from bot.render.strings import t
from feeds.bundled import bundled_readme, chinese_section_names
from feeds.glossary import english_of
from feeds.list_papers import bundled_list_papers
from storage import papers as paper_store
from storage.lists import current_snapshot
from storage.scores import load_reasons
from tests.conftest import TEST_DATA
from tests.support.fakebotapi import SentMessage, check_telegram_html
from tests.support.fakes2 import FakeS2, fake_s2
from tests.support.feedserver import Reply
from tests.support.rig import MAINTAINER, USER, Rig, bot_rig

DAY = TEST_DATA / "arxiv" / "rss2_ml6_2017-03-14.xml"
ZH = {"language_code": "zh-hans"}

ALLOWED = {
    "arXiv", "GitHub", "Telegram", "BibTeX", "UTC",  # names of services, formats, time zones
    "HTML", "PDF", "PNG",  # file formats
    "abs", "pdf",  # arXiv's own link names, shown as the links' labels
    "et", "al",  # "et al." ends the list's own author strings ("I. Goodfellow et al.")
    "h",  # "h 指数", the h-index is called so in Chinese
    "Google", "Scholar",  # Google Scholar, the product the researchers' links go to
}

_COMMAND = re.compile(r"/[a-z_]+(?:@\w+)?(?:[ ]+(?:\"[^\"]*\"|[a-z0-9.|\[\]_:-]+))*")
_MACHINE = [
    re.compile(r"https?://\S+"),
    re.compile(r"(?:arXiv:)?\d{4}\.\d{4,5}(?:v\d+)?"),
    re.compile(r"\bv\d+\b"),
    re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b"),
    re.compile(r"\b(?:[A-Z]\.[ ]?)+(?:(?:van|von|den|der|de|da|di|du|le)[ ]+)*[A-Z][\w'’-]+"),
]
_WORD = re.compile(r"[A-Za-z]+")


def data_strings(rig: Rig) -> re.Pattern[str]:
    """The texts that come from the data (titles, names, abstracts, the benchmarks and venues
    reasons name) or from the user (the words typed), the longest first."""
    found: set[str] = {"awesome-deep-learning-papers", *TYPED,
                       *(f"User{user}" for user in (USER, MAINTAINER))}  # the fake's names
    found.update(chinese_section_names().values())  # the list's Chinese README's headings
    # a Chinese keyword's note names the English terms it matches (the glossary's English)
    found.update(english for renderings in english_of().values() for english in renderings)
    found.update(first_sentences(p.abstract) for p in bundled_list_papers())
    for row in rig.db.query("select reasons from scores"):
        found.update(str(value) for reason in load_reasons(row["reasons"])
                     for value in reason.values.values())
    snapshot = current_snapshot(rig.db)
    for entry in snapshot.entries:
        found.update({entry.title, entry.authors})  # its section must be shown in Chinese
    for section in snapshot.sections:
        found.update(r.name for r in section.key_researchers)
    for row in rig.db.query("select arxiv_id from papers"):
        paper = paper_store.get_paper(rig.db, row["arxiv_id"])
        if paper is not None:
            found.update({paper.title, first_authors(paper.authors),
                          first_sentences(paper.abstract), *paper.authors})
    pieces = sorted((re.escape(s) for s in found if s.strip()), key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(pieces)})(?!\w)")


def english_words(html_text: str, data: re.Pattern[str]) -> list[str]:
    """Latin words a reader sees in a reply that are neither data nor allowed."""
    text = re.sub(r"<code>.*?</code>", " ", html_text, flags=re.S)
    shown = check_telegram_html(text)
    shown = _COMMAND.sub(" ", data.sub(" ", shown))
    for pattern in _MACHINE:
        shown = pattern.sub(" ", shown)
    return [word for word in _WORD.findall(shown) if word not in ALLOWED]


def texts(sent: list[SentMessage]) -> list[str]:
    return [str(m.text or m.params.get("caption") or "") for m in sent]


KEYWORD = "neural network"
EXAMPLES = {"papers": "gan", "search": "attention", "paper": "1703.04309",
            "subscribe": "cnn", "unsubscribe": "cnn", "digest": "daily 7", "lang": "zh",
            "researchers": "rl", "trends": "4"}
CHINESE_ASKED = ('/subscribe "生成对抗网络"', '/subscribe "量子退火"', "/search 生成对抗网络",
                 "/papers 强化学习", "/paper 生成对抗网络", "/subscribe 目标检测")
TYPED = {KEYWORD, *EXAMPLES.values()}  # a reply may quote what its user typed


STEREO = "1703.04309"  # "End-to-End Learning of Geometry and Context for Deep Stereo ..."
JOBS = ("poll_list", "poll_arxiv", "list_papers", "citations", "suggestions", "digests",
        "deliver")


async def run_jobs(rig: Rig, s2: FakeS2) -> list[tuple[str, str]]:
    """Every job once on the recorded day, then again six months on, when the stereo paper's
    400 citations put it over the bar (so the maintainer gets a suggestion card, as in
    tests/system/test_e2e.py); return each run's job name and summary."""
    rig.server.script("/rss", Reply(DAY.read_bytes(), etag='"day"'))
    rig.server.script("/README.md", Reply(bundled_readme(), content_type="text/plain"))
    summaries = [(name, await rig.job(name)) for name in JOBS]
    rig.services.clock = lambda: datetime(2017, 9, 10, 12, tzinfo=UTC)
    s2.counts = {STEREO: 400}
    return summaries + [(name, await rig.job(name)) for name in ("citations", "suggestions")]


async def press_one_of_each(rig: Rig, sent: list[SentMessage]) -> list[str]:
    """Press the first button of each kind (callback prefix) under the messages; return the
    toasts and the messages sent or edited in answer."""
    shown: list[str] = []
    pressed: set[str] = set()
    for message in sent:
        for data in message.callback_data:
            kind = data.split(":")[0]
            if kind in pressed:
                continue
            pressed.add(kind)
            answer = await rig.tap(data, message.message_id, chat_id=message.chat_id)
            shown.append(str(rig.api.last_call("answerCallbackQuery").params.get("text", "")))
            shown += texts(answer)
    assert pressed >= {"p", "s", "v", "q", "g"}  # pages, subscribe, votes, search, decisions
    return shown


async def test_every_chinese_reply_holds_no_english_but_names_and_titles() -> None:
    with fake_s2() as (s2, s2_url):
        async with bot_rig(env={"CITATIONS_API_URL": s2_url}) as rig:
            replies: dict[str, list[str]] = {}
            for chat in (USER, MAINTAINER):
                await rig.say(f'/subscribe "{KEYWORD}"', chat_id=chat, **ZH)
                await rig.say("/subscribe gan", chat_id=chat, **ZH)
            summaries = await run_jobs(rig, s2)
            delivered = rig.api.sent_messages()
            replies["digests and suggestions"] = texts(delivered)
            answered: list[SentMessage] = []
            for command in COMMANDS:
                if command.runs_job:
                    continue  # /refresh's report is checked below from the job's summary
                text = f"/{command.name} {EXAMPLES.get(command.name, '')}".strip()
                answered += (answer := await rig.say(text, chat_id=MAINTAINER, **ZH))
                replies[text] = texts(answer)
            replies["buttons"] = await press_one_of_each(rig, delivered + answered)
            replies["/mysubs after /digest"] = texts(await rig.say("/mysubs", **ZH))
            replies["/digest weekly"] = texts(await rig.say("/digest weekly", **ZH))
            replies["/mysubs weekly"] = texts(await rig.say("/mysubs", **ZH))
            replies["/paper list paper"] = texts(
                await rig.say("/paper Distilling the Knowledge in a Neural Network", **ZH))
            replies["plain text"] = texts(await rig.say("hello", **ZH))
            for text in CHINESE_ASKED:
                replies[text] = texts(await rig.say(text, **ZH))
            replies["/refresh reports"] = [
                t("zh", "job_report", job=job_title(name, "zh"),
                  summary=localise_summary(summary, "zh")) for name, summary in summaries]
            data = data_strings(rig)
    found = {what: words for what, sent in replies.items()
             if (words := [w for text in sent for w in english_words(text, data)])}
    assert not found, f"English in Chinese replies: {found}"
    assert all(sent for sent in replies.values())  # every command answered
