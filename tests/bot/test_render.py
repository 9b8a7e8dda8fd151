"""Rendering, the offline console, the docs and log redaction."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.cli import main
from bot.cli.common import configure_logging
from bot.commands.base import Asker
from bot.commands.table import COMMANDS
from bot.commands.today import answer_new
from bot.pipeline.list_sync import seed_bundled
from bot.render.html import esc, split_blocks
from storage import chats
from storage.db import open_db
from tests.conftest import ROOT


def test_split_blocks_respects_the_limit_and_block_boundaries() -> None:
    blocks = [f"<b>paper {i}</b> " + "x" * 300 for i in range(40)]
    messages = split_blocks(blocks, header="<b>Digest</b>")
    assert len(messages) > 1 and all(len(m) <= 4096 for m in messages)
    assert messages[0].startswith("<b>Digest</b>")
    assert sum(m.count("<b>paper ") for m in messages) == 40  # no block lost or cut


def test_a_single_oversized_block_is_shortened_as_plain_text() -> None:
    (message,) = split_blocks(["<b>" + "y" * 9000 + "</b>"])
    assert len(message) <= 4096 and "<b>" not in message


def test_escape_covers_html_and_quotes() -> None:
    assert esc('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"


def test_new_on_a_weekend_says_arxiv_does_not_announce() -> None:
    db = open_db()
    seed_bundled(db)
    chat = chats.ensure_chat(db, 5)
    saturday = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    (reply,) = answer_new(Asker(db, chat, 5, now=saturday), "")
    assert "does not announce new papers on weekends" in reply.text
    assert "Sun 29 Nov 20:00 US/Eastern" in reply.text


def test_ask_prints_the_bots_answer_offline(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PAPERS_BOT_DB", str(tmp_path / "ask.db"))
    assert main(["ask", "/papers gan"]) == 0
    out = capsys.readouterr().out
    assert "Unsupervised / Generative Models — page 1/1" in out
    assert "Generative adversarial nets (2014), I. Goodfellow et al." in out
    assert main(["ask", "/papers gan", "--lang", "zh"]) == 0
    assert "无监督 / 生成模型" in capsys.readouterr().out
    assert main(["ask", "hello world"]) == 0  # no slash: treated as the command /hello
    assert "/help" in capsys.readouterr().out


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c.name for c in COMMANDS if f"/{c.name}" not in readme]
    assert missing == []


def test_bot_token_is_redacted_from_logs(capsys) -> None:
    configure_logging()
    token = "123456:TEST-TOKEN-abcdefghijklmnopqrstuv"
    logging.getLogger("httpx").warning("POST https://api.telegram.org/bot%s/getMe failed", token)
    logging.getLogger("telegram.ext").error("boom at /bot%s/sendMessage", token)
    err = capsys.readouterr().err
    assert token not in err and err.count("[REDACTED]") == 2


def test_every_cli_command_is_documented_in_the_readme() -> None:
    from bot.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    (commands,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    names = []
    for name, sub in commands.choices.items():
        nested = [a for a in sub._actions if a.__class__.__name__ == "_SubParsersAction"]
        names += [f"{name} {inner}" for inner in nested[0].choices] if nested else [name]
    missing = [name for name in names if f"papers-bot {name}" not in readme]
    assert len(names) >= 14 and missing == []


def _day_of_papers():
    from datetime import date

    from bot.pipeline.scoring import score_unscored
    from feeds.arxiv_rss import parse_arxiv_rss
    from feeds.bundled import bundled_snapshot
    from storage import papers
    from tests.conftest import ARXIV_SAMPLES

    db = open_db()
    seed_bundled(db)
    feed = parse_arxiv_rss((ARXIV_SAMPLES / "rss2_ml6_2017-03-15.xml").read_bytes()).papers
    papers.store_papers(db, feed, announced=date(2017, 3, 15))
    score_unscored(db, bundled_snapshot())
    return db


def test_new_orders_by_score_and_a_chats_votes_move_papers() -> None:
    import re
    from datetime import date

    from bot.pipeline.personal import personal_order
    from feeds.bundled import bundled_snapshot
    from feeds.model import Candidate
    from storage import papers, scores

    db = _day_of_papers()
    wednesday = datetime(2017, 3, 15, 12, 0, tzinfo=UTC)
    neutral = chats.ensure_chat(db, 1)
    (plain,) = answer_new(Asker(db, neutral, 1, now=wednesday), "")
    order = re.findall(r"arXiv:(\d{4}\.\d{5})", plain.text)
    stored = scores.scores_for(db, order)
    ranked = [stored[i].score for i in order]
    assert len(order) == 10 and ranked == sorted(ranked, reverse=True)
    assert plain.text.count("expected impact: ") == 10  # a standing under each, no raw score
    voter = chats.ensure_chat(db, 2)
    chats.record_vote(db, 2, order[-1], 1)  # 👍 the tenth paper
    chats.record_vote(db, 2, order[0], -1)  # 👎 the first
    (mine,) = answer_new(Asker(db, voter, 2, now=wednesday), "")
    moved = re.findall(r"arXiv:(\d{4}\.\d{5})", mine.text)
    assert len(moved) == 10 and moved.index(order[-1]) < 9  # the liked one rose
    assert moved[0] != order[0]  # the disliked one is no longer first
    # the votes reorder; they never hide: every paper of the day keeps its place in the order
    day = papers.papers_announced_on(db, date(2017, 3, 15))
    candidates = [Candidate(p, scores.get_score(db, p.arxiv_id)) for p in day]
    ordered = personal_order(db, 2, bundled_snapshot(), candidates)
    assert sorted(c.paper.arxiv_id for c in ordered) == sorted(p.arxiv_id for p in day)


def test_new_on_an_arxiv_holiday_says_so() -> None:
    from storage.arxiv_polls import FeedPoll, record_poll

    db = open_db()
    seed_bundled(db)
    thanksgiving = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # a Thursday, no papers stored
    record_poll(db, FeedPoll("http://127.0.0.1/rss", "no_announcement",
                             checked_at=thanksgiving.isoformat()))
    (reply,) = answer_new(Asker(db, chats.ensure_chat(db, 3), 3, now=thanksgiving), "")
    assert "does not announce new papers on weekends and holidays" in reply.text
    db.execute("delete from feed_polls")
    (busy,) = answer_new(Asker(db, chats.ensure_chat(db, 3), 3, now=thanksgiving), "")
    assert "No new papers stored for today yet" in busy.text


def test_ask_keeps_its_console_settings_and_is_never_sent_anything(tmp_path, monkeypatch,
                                                                   capsys) -> None:
    from datetime import UTC, datetime

    from bot.pipeline.digests import compose_digests
    from feeds.model import DigestMode
    from storage import chats, outbox
    from storage.db import open_db

    monkeypatch.setenv("PAPERS_BOT_DB", str(tmp_path / "ask.db"))
    assert main(["ask", "/lang zh"]) == 0
    capsys.readouterr()
    assert main(["ask", "/papers gan"]) == 0  # no --lang: the console's own language
    assert "无监督 / 生成模型" in capsys.readouterr().out
    assert main(["ask", "/subscribe gan"]) == 0
    db = open_db(tmp_path / "ask.db")
    assert [c.chat_id for c in chats.active_chats(db)] == []  # the console is no recipient
    for mode in DigestMode:
        compose_digests(db, mode, datetime.now(UTC), 8)
    assert db.table("outbox").count == 0 and outbox.pending(db, 1e12) == []


def test_dates_read_as_each_language_writes_them() -> None:
    from bot.render.dates import eastern_time, utc_stamp

    monday = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # Mon 7 Dec 20:00 in New York
    assert eastern_time(monday, "en") == "Mon 07 Dec 20:00 US/Eastern"
    assert eastern_time(monday, "zh") == "12月7日 周一 20:00（美东时间）"
    summer = datetime(2017, 7, 3, 0, 0, tzinfo=UTC)  # daylight saving: Sun 2 Jul 20:00 EDT
    assert eastern_time(summer, "zh") == "7月2日 周日 20:00（美东时间）"
    assert utc_stamp("2017-03-14T23:00:05.123+00:00", "zh") == "2017-03-14 23:00 UTC"
    assert utc_stamp(None, "en") == "-"


def test_new_says_when_arxiv_announces_next_in_chinese() -> None:
    db = open_db()
    seed_bundled(db)
    chat = chats.ensure_chat(db, 6)
    chats.set_chat_setting(db, 6, lang="zh")
    saturday = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    (reply,) = answer_new(Asker(db, chats.get_chat(db, 6) or chat, 6, now=saturday), "")
    assert "下一次发布时间是 11月29日 周日 20:00（美东时间）" in reply.text


def test_job_summaries_read_in_chinese_and_stay_english_in_english() -> None:
    from bot.render.job_summary import job_title, localise_summary

    line = ("arXiv: 13 new, 2 replaced, 0 cross, 1 skipped; first versions: none to date; "
            "13 scored; 1 instant digests; delivery: 1 sent, 0 to retry, 0 failed, "
            "0 chats deactivated")
    assert localise_summary(line, "en") == line
    assert localise_summary(line, "zh") == (
        "arXiv：新增 13，替换 2，交叉列出 0，跳过 1；首版日期：无需确定日期；评分 13；即时摘要 1；"
        "发送：已发送 1，待重试 0，失败 0，停用聊天 0")
    assert localise_summary("list: new version 5 (3 added, 1 removed, 0 moved, 2 edited)",
                            "zh") == "列表：新版本 5（新增 3，移除 1，移动 0，修改 2）"
    assert localise_summary("failed: ValueError: bad <tag>", "zh") == (
        "失败：ValueError: bad <tag>")  # an error's own words are kept as they came
    assert (job_title("poll_arxiv", "zh"), job_title("poll_arxiv", "en")) == (
        "arXiv 检查", "arXiv poll")
    assert job_title("a_new_job", "zh") == "a_new_job"


def test_one_redaction_step_covers_arguments_tracebacks_and_the_s2_key(capsys,
                                                                       monkeypatch) -> None:
    """Every record, formatted in full, passes the one redaction step: python-telegram-bot's
    InvalidToken text quotes the whole token in its exception, not in the message. Without
    -v an exception is the end of one line; with -v the traceback shows, redacted too."""
    token = "123456:TEST-TOKEN-abcdefghijklmnopqrstuv"
    key = "s2key-Qw3rTy8uIoPaSdFgHjKlZxCvBnM0123456"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    monkeypatch.setenv("CITATIONS_API_KEY", key)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        for verbose in (False, True):
            configure_logging(verbose)
            try:
                raise ValueError(f"The token `{token}` was rejected;\nkey {key}")
            except ValueError:
                logging.getLogger("telegram.ext").exception("loop for %s failed", key)
            logging.getLogger("bot").warning("half %s", token.split(":")[1])
            err = capsys.readouterr().err
            assert token.split(":")[1] not in err and key not in err
            lines = err.strip().splitlines()
            if verbose:
                assert "Traceback" in err and len(lines) > 2
            else:
                assert len(lines) == 2 and "Traceback" not in err
                assert lines[0].endswith("loop for [REDACTED] failed (ValueError: The token "
                                         "`[REDACTED]` was rejected; key [REDACTED])")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
