"""A chat's settings: subscriptions (topics and keywords), digest frequency, language, votes."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.commands.base import Asker, ButtonResult, number
from bot.commands.browse import section_from_token, unknown_topic
from bot.pipeline.digests import digest_hour
from bot.render.html import esc, split_blocks, to_plain
from bot.render.reply import Reply
from bot.render.strings import section_name, t
from feeds.glossary import close_terms, english_of, to_english
from feeds.model import DigestMode, Lang, SubscriptionKind, Topic
from feeds.search import has_cjk
from feeds.topic_identity import (
    current_identity,
    heading_of,
    named_topic,
    plain_name,
    section_identities,
)
from feeds.topics import match_topic
from storage import chats, papers

_QUOTED = re.compile(r"^[\"“”'‘’«»](.+)[\"“”'‘’«»]$")
TOAST_LIMIT = 190  # Telegram allows 200 characters in a callback answer
MAX_KEYWORDS = 50  # keyword subscriptions a chat may have (topics are bounded by the list)


def parse_subscription(asker: Asker, args: str, followed: tuple[str, ...] = ()
                       ) -> tuple[SubscriptionKind, str] | Reply:
    """Turn `/subscribe` arguments into (kind, value), or a reply explaining the problem.

    A topic's value is its stable identity (`Topic`); `followed` are identities the chat
    follows, which `/unsubscribe` accepts even when the list has no such section any more."""
    text = " ".join(args.split())
    if not text:
        return Reply(t(asker.lang, "need_subscription"))
    quoted = _QUOTED.match(text)
    if quoted:
        phrase = " ".join(re.findall(r"[^\W_]+(?:[-'][^\W_]+)*", quoted.group(1).casefold()))
        if not 2 <= len(phrase) <= 60:
            return Reply(t(asker.lang, "bad_keyword"))
        return (SubscriptionKind.KEYWORD, phrase)
    identity = topic_identity(asker, text, followed)
    if identity is None:
        reply = unknown_topic(asker, text)[0]
        if has_cjk(text) and to_english(text).terms:  # a glossary term: offer it as a keyword
            hint = t(asker.lang, "keyword_zh_hint", keyword=esc(text))
            reply = replace(reply, text=f"{reply.text} {hint}")
        return reply
    return (SubscriptionKind.TOPIC, identity)


def topic_identity(asker: Asker, text: str, followed: tuple[str, ...] = ()) -> str | None:
    """The topic a text names: an identity or heading the chat follows, a section of the list
    now, or any name the topic had (a renamed heading, an alias, the identity itself)."""
    own = next((v for v in followed if plain_name(v) == plain_name(text)), None)
    if own is not None:
        return own
    snapshot = asker.snapshot()
    section = match_topic(text, snapshot.followable())
    if section is not None:
        return section_identities(snapshot)[section.name]
    topic = named_topic(text)
    if topic is None:
        return None
    if topic.value in followed:
        return topic.value
    return current_identity(topic, snapshot)  # None: the list has no section for it


def answer_subscribe(asker: Asker, args: str) -> list[Reply]:
    """Subscribe the chat to a topic or a quoted keyword."""
    parsed = parse_subscription(asker, args)
    if isinstance(parsed, Reply):
        return [parsed]
    return [subscribe(asker, *parsed)]


def subscribe(asker: Asker, kind: SubscriptionKind, value: str) -> Reply:
    """Store a subscription and confirm it (saying what a news subscription brings)."""
    what = describe(asker, kind, value)
    if (kind is SubscriptionKind.KEYWORD
            and chats.count_subscriptions(asker.db, asker.chat.chat_id, kind) >= MAX_KEYWORDS
            and (kind, value) not in {(s.kind, s.value)
                                      for s in chats.subscriptions(asker.db, asker.chat.chat_id)}):
        return Reply(t(asker.lang, "too_many_keywords", n=MAX_KEYWORDS))
    added = chats.subscribe(asker.db, asker.chat.chat_id, kind, value)
    text = t(asker.lang, "subscribed" if added else "already_subscribed", what=what)
    if kind is SubscriptionKind.TOPIC and value == Topic.NEW_PAPERS:
        text += " " + t(asker.lang, "news_subscription_hint")
    if kind is SubscriptionKind.KEYWORD and has_cjk(value):
        text += " " + chinese_keyword_note(value, asker.lang)
    return Reply(text)


def chinese_keyword_note(keyword: str, lang: str) -> str:
    """What a Chinese keyword matches: its glossary terms' English, or (none known) only
    Chinese text, with the closest glossary terms."""
    terms = to_english(keyword).terms
    if terms:
        english = ", ".join(f"“{esc(e)}”" for group in terms for e in group)
        return t(lang, "keyword_zh_english", english=english)
    close = [f"{esc(zh)} ({esc(english_of()[zh][0])})" for zh in close_terms(keyword)]
    note = t(lang, "keyword_zh_close", terms=", ".join(close)) if close else ""
    return t(lang, "keyword_zh_unknown", keyword=esc(keyword), close=note)


def describe(asker: Asker, kind: SubscriptionKind, value: str) -> str:
    """A subscription as the chat reads it: “phrase”, or the topic's current heading in bold."""
    if kind is SubscriptionKind.KEYWORD:
        return f"“{esc(value)}”"
    heading = heading_of(value, asker.snapshot()) or value
    return f"<b>{esc(section_name(heading, asker.lang))}</b>"


def answer_unsubscribe(asker: Asker, args: str) -> list[Reply]:
    """Remove a topic or keyword subscription (a topic by any name it had)."""
    followed = tuple(s.value for s in chats.subscriptions(asker.db, asker.chat.chat_id)
                     if s.kind is SubscriptionKind.TOPIC)
    parsed = parse_subscription(asker, args, followed)
    if isinstance(parsed, Reply):
        return [parsed]
    removed = chats.unsubscribe(asker.db, asker.chat.chat_id, *parsed)
    what = describe(asker, *parsed)
    return [Reply(t(asker.lang, "unsubscribed" if removed else "not_subscribed", what=what))]


def answer_mysubs(asker: Asker, args: str) -> list[Reply]:
    """List the chat's subscriptions and digest settings, in as many messages as the list
    needs (a chat from before the keyword cap may follow hundreds)."""
    subs = chats.subscriptions(asker.db, asker.chat.chat_id)
    lines = [t(asker.lang, "mysubs_title")] if subs else [t(asker.lang, "mysubs_none")]
    lines += [f"• {describe(asker, s.kind, s.value)}" for s in subs]
    chat = asker.chat
    when = t(asker.lang, f"digest_when_{chat.digest}", hour=digest_hour(chat))
    lines.append(t(asker.lang, "mysubs_digest", mode=when,
                   lang=t(asker.lang, f"lang_name_{chat.lang}")))
    return [Reply(text) for text in split_blocks(lines, sep="\n")]


def answer_digest(asker: Asker, args: str) -> list[Reply]:
    """Set how often the chat gets digests, and at which UTC hour ('/digest daily 7')."""
    words = args.strip().lower().split()
    try:
        mode = DigestMode(words[0]) if words else None
    except ValueError:
        mode = None
    hour = words[1] if len(words) > 1 else None
    if mode is None or len(words) > 2 or (hour is not None and not (
            number(hour, below=24) is not None and mode in (DigestMode.DAILY, DigestMode.WEEKLY))):
        return [Reply(t(asker.lang, "digest_usage"))]
    values: dict[str, object] = {"digest": mode}
    if hour is not None:
        values["digest_hour"] = int(hour)
    chats.set_chat_setting(asker.db, asker.chat.chat_id, **values)
    name = t(asker.lang, f"digest_mode_{mode}")
    if hour is not None:
        return [Reply(t(asker.lang, "digest_set_hour", mode=name, hour=int(hour)))]
    return [Reply(t(asker.lang, "digest_set", mode=name))]


def answer_lang(asker: Asker, args: str) -> list[Reply]:
    """Set the chat's language."""
    try:
        lang = Lang(args.strip().lower())
    except ValueError:
        return [Reply(t(asker.lang, "lang_usage"))]
    chats.set_chat_setting(asker.db, asker.chat.chat_id, lang=lang)
    return [Reply(t(lang, "lang_set"))]


def subscribe_button(asker: Asker, rest: str) -> ButtonResult:
    """s:TOKEN — subscribe to a topic with one tap."""
    snapshot = asker.snapshot()
    section = section_from_token(snapshot, rest)
    if section is None or section not in snapshot.followable():
        return ButtonResult(toast=t(asker.lang, "expired_button"))
    if not asker.can_change_settings:
        return ButtonResult(toast=t(asker.lang, "admins_only"))
    reply = subscribe(asker, SubscriptionKind.TOPIC, section_identities(snapshot)[section.name])
    return ButtonResult(toast=to_plain(reply.text)[:TOAST_LIMIT], replies=(reply,))


def vote_button(asker: Asker, rest: str) -> ButtonResult:
    """v:+:ID or v:-:ID — remember a 👍 or 👎."""
    sign, _, paper_id = rest.partition(":")
    known = (re.fullmatch(r"[0-9a-z./-]{4,40}", paper_id, re.ASCII)
             and (papers.get_paper(asker.db, paper_id) is not None
                  or any(e.arxiv_id == paper_id for e in asker.snapshot().entries)))
    if sign not in ("+", "-") or not known:  # a vote for a paper that does not exist: forged
        return ButtonResult(toast=t(asker.lang, "expired_button"))
    chats.record_vote(asker.db, asker.chat.chat_id, paper_id, 1 if sign == "+" else -1)
    return ButtonResult(toast=t(asker.lang, "vote_thanks"))
