"""The one way to Telegram: `send_reply` (HTML, with the plain-text fallback), and the outbox's
delivery (per-chat order and pace, retries, blocked chats switched off)."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.render.html import CAPTION_LIMIT, cut_html, to_plain
from bot.render.reply import Button, Reply
from storage import chats, outbox
from storage.db import Database
from storage.outbox import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)
BATCH = 500  # outbox rows loaded at a time
PRIVATE_INTERVAL = 1.0  # Telegram: about one message per second to the same private chat
_ON_WIRE: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar(
    "outbox_on_wire", default=None
)
# The hook runs when the body is about to be written: httpcore then writes it to the socket
# without yielding to the event loop, so the mark and the bytes leave together. (At
# ".complete" the event loop has already run other tasks after the write: a kill there
# would resend a message Telegram already has.)
_BODY_SENT = ("http11.send_request_body.started", "http2.send_request_body.started")


async def _attach_wire_hook(request: httpx.Request) -> None:
    """httpx request hook: call the outbox's hook as the request body goes on the wire."""
    hook = _ON_WIRE.get()
    if hook is None:
        return

    async def trace(event: str, info: dict[str, Any]) -> None:
        if event in _BODY_SENT:
            hook()

    request.extensions["trace"] = trace


def outbox_request(pool_size: int = 256, read_timeout: float = 5.0) -> HTTPXRequest:
    """PTB's HTTP transport with the hook that marks outbox rows as they leave."""
    return HTTPXRequest(
        connection_pool_size=pool_size, read_timeout=read_timeout,
        httpx_kwargs={"event_hooks": {"request": [_attach_wire_hook]}},
    )


# The Bot API tells these apart only by its error descriptions, so they are read here, once.
_GONE = re.compile(r"chat not found|user is deactivated|bot was kicked|have no rights", re.I)
_BAD_HTML = re.compile(r"parse entities", re.I)
_NO_THREAD = re.compile(r"message thread not found", re.I)


def move_chat(db: Database, old: int, new: int) -> None:
    """A group became a supergroup (Telegram's ChatMigrated, or the service message): the
    chat, its subscriptions, settings, votes and unsent messages move to the new id."""
    if chats.migrate_chat(db, old, new):
        log.info("chat %s was upgraded to supergroup %s: its subscriptions, settings and "
                 "queued messages moved there", old, new)


class Failure(Enum):
    """What a failed send means for the message and its chat."""

    GONE = "gone"  # blocked, kicked, deleted: switch the chat off
    THREAD_GONE = "thread_gone"  # the forum topic was deleted: send to the chat's General topic
    REJECTED = "rejected"  # Telegram refuses this message: retrying cannot help
    RATE_LIMITED = "rate_limited"  # wait as long as Telegram says
    TRANSIENT = "transient"  # network, timeout, 5xx: retry with backoff


def classify(exc: TelegramError) -> Failure:
    """Sort a Telegram error into what to do about it."""
    if isinstance(exc, Forbidden | ChatMigrated) or _GONE.search(str(exc)):
        return Failure.GONE
    if isinstance(exc, RetryAfter):
        return Failure.RATE_LIMITED
    if isinstance(exc, BadRequest):
        return Failure.THREAD_GONE if _NO_THREAD.search(str(exc)) else Failure.REJECTED
    return Failure.TRANSIENT


def unanswered(exc: TelegramError) -> bool:
    """True when no answer came back (a timeout, a dropped connection), as opposed to an
    error Telegram answered (5xx, 4xx): after the body left, the message may have been sent."""
    return isinstance(exc, TimedOut) or isinstance(exc.__cause__, httpx.TransportError)


def markup(keyboard: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """Turn a reply's buttons into Telegram's inline keyboard."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in keyboard]
    )


async def send_reply(bot: Bot, chat_id: int, reply: Reply, thread_id: int | None = None) -> int:
    """Send one reply as HTML without link previews; return Telegram's message id.

    When Telegram rejects the HTML, the same text goes out once more as readable plain text.
    Other errors are raised for the caller to `classify`.
    """
    try:
        return await _send(bot, chat_id, reply, ParseMode.HTML, reply.text, thread_id)
    except BadRequest as exc:
        if not _BAD_HTML.search(str(exc)):
            raise
        log.warning("message to chat %s: Telegram rejected its HTML (%s); resending it as plain "
                    "text", chat_id, exc)
        return await _send(bot, chat_id, reply, None, to_plain(reply.text), thread_id)


async def _send(bot: Bot, chat_id: int, reply: Reply, mode: str | None, text: str,
                thread_id: int | None = None) -> int:
    if reply.photo is not None:
        sent = await bot.send_photo(chat_id, reply.photo, caption=cut_html(text, CAPTION_LIMIT),
                                    parse_mode=mode, message_thread_id=thread_id)
    else:
        sent = await bot.send_message(
            chat_id, text, parse_mode=mode, reply_markup=markup(reply.keyboard),
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            message_thread_id=thread_id,
        )
    return sent.message_id


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    dead_chats: int = 0
    unconfirmed: int = 0  # left, no answer: counted as delivered, never sent again
    seconds: float = 0.0

    def summary(self) -> str:
        """Describe the pass in one line."""
        unconfirmed = f", {self.unconfirmed} unconfirmed" if self.unconfirmed else ""
        return (f"delivery: {self.sent} sent, {self.retried} to retry, {self.failed} failed, "
                f"{self.dead_chats} chats deactivated{unconfirmed}")


@dataclass
class Deliverer:
    """Delivers pending outbox rows; keeps per-chat pacing across passes."""

    bot: Bot
    db: Database
    private_interval: float = PRIVATE_INTERVAL
    concurrency: int = 64  # chats served at once (a chat may be waiting out its 1 s pace)
    in_flight: int = 8  # requests on the wire at once: more only adds httpx pool overhead
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    wall: Callable[[], float] = time.time  # for retry times stored in the outbox
    _last_sent: dict[int, float] = field(default_factory=dict)
    _gate: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(8))
    _passing: bool = False
    _moved: dict[int, int] = field(default_factory=dict)  # group id -> its supergroup's id
    _lost_threads: set[tuple[int, int | None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        settled = outbox.settle_in_flight(self.db)
        if settled:
            log.warning("%d messages were on the wire when the last process stopped; "
                        "counted as delivered (status 'unconfirmed'), not sent again", settled)

    async def deliver_pending(self) -> DeliveryReport:
        """Send everything due, chats in parallel, each chat's messages in order.

        One pass at a time: jobs run concurrently, and two passes would load the same rows.
        A pass that finds another running returns at once; the running one reads the outbox
        in id order until it is empty, so it also sends what was queued meanwhile.
        """
        if self._passing:
            return DeliveryReport()
        self._passing = True
        try:
            return await self._pass()
        finally:
            self._passing = False

    async def _pass(self) -> DeliveryReport:
        started = time.monotonic()
        report = DeliveryReport()
        self._gate = asyncio.Semaphore(self.in_flight)
        after = 0
        # In batches, so 10,000 queued digests are never all in memory at once; a chat whose
        # message waits for a retry keeps its later ones back (outbox.pending holds them).
        while batch := outbox.pending(self.db, self.wall(), BATCH, after_id=after):
            after = batch[-1].id
            await self._deliver_batch(batch, report)
        report.seconds = time.monotonic() - started
        return report

    async def _deliver_batch(self, batch: list[OutboxMessage], report: DeliveryReport) -> None:
        by_chat: dict[int, list[OutboxMessage]] = {}
        for message in batch:
            by_chat.setdefault(message.chat_id, []).append(message)
        queue = iter(list(by_chat.values()))

        async def worker() -> None:  # a fixed pool of workers, not one task per chat
            for messages in queue:
                await self._deliver_chat(messages, report)

        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(by_chat)))))

    def _current(self, message: OutboxMessage) -> OutboxMessage:
        """The message as the database now addresses it (a chat moved, a topic deleted while
        this batch was loaded)."""
        chat_id = self._moved.get(message.chat_id, message.chat_id)
        thread = (None if (message.chat_id, message.thread_id) in self._lost_threads
                  else message.thread_id)
        if (chat_id, thread) == (message.chat_id, message.thread_id):
            return message
        return replace(message, chat_id=chat_id, thread_id=thread)

    async def _deliver_chat(self, messages: list[OutboxMessage], report: DeliveryReport) -> None:
        for loaded in messages:
            message = self._current(loaded)
            await self._pace(message.chat_id)
            if not await self._send_one(message, report):
                return  # keep the chat's order: the rest waits for the next pass

    async def _pace(self, chat_id: int) -> None:
        if chat_id < 0:
            return  # groups are paced by AIORateLimiter (20 per minute)
        wait = self._last_sent.get(chat_id, -1e9) + self.private_interval - self.clock()
        if wait > 0:
            await self.sleep(wait)

    async def _send_one(self, message: OutboxMessage, report: DeliveryReport) -> bool:
        left: list[bool] = []

        def on_wire() -> None:
            left.append(True)
            outbox.mark_on_wire(self.db, message.id)

        marker = _ON_WIRE.set(on_wire)
        try:
            return await self._attempt(message, report, left)
        finally:
            _ON_WIRE.reset(marker)

    async def _attempt(self, message: OutboxMessage, report: DeliveryReport,
                       left: list[bool]) -> bool:
        reply = Reply(message.text, tuple(tuple(Button(t, d) for t, d in row)
                                          for row in message.keyboard))
        try:
            async with self._gate:
                sent = await send_reply(self.bot, message.chat_id, reply, message.thread_id)
        except TelegramError as exc:
            if left and unanswered(exc):
                return self._unconfirmed(message, exc, report)
            if isinstance(exc, ChatMigrated) and message.chat_id not in self._moved:
                self._moved[message.chat_id] = exc.new_chat_id
                move_chat(self.db, message.chat_id, exc.new_chat_id)
                return await self._attempt(self._current(message), report, left)
            failure = classify(exc)
            if failure is Failure.THREAD_GONE and message.thread_id is not None:
                self._lost_threads.add((message.chat_id, message.thread_id))
                chats.forget_thread(self.db, message.chat_id, message.thread_id)
                log.info("chat %s: forum topic %s is gone; its messages go to the chat's "
                         "General topic from now on", message.chat_id, message.thread_id)
                return await self._attempt(self._current(message), report, left)
            if failure is Failure.RATE_LIMITED:
                assert isinstance(exc, RetryAfter)
                return self._retry(message, exc, _seconds(exc.retry_after), report)
            if failure is Failure.TRANSIENT:
                backoff = min(600.0, 5.0 * 2 ** message.attempts) * random.uniform(0.8, 1.2)
                return self._retry(message, exc, backoff, report)
            return self._failed(message, exc, failure, report)
        self._last_sent[message.chat_id] = self.clock()
        outbox.mark_sent(self.db, message.id, sent)
        report.sent += 1
        return True

    def _unconfirmed(self, message: OutboxMessage, exc: Exception,
                     report: DeliveryReport) -> bool:
        outbox.mark_unconfirmed(self.db, message.id, str(exc))
        report.unconfirmed += 1
        log.warning("message %s to chat %s left but got no answer (%s): counted as delivered "
                    "('unconfirmed' in /stats), not sent again", message.id, message.chat_id,
                    exc)
        return True  # Telegram most likely has it: the chat's next messages may follow

    def _retry(self, message: OutboxMessage, exc: Exception, delay: float,
               report: DeliveryReport) -> bool:
        status = outbox.mark_retry(self.db, message.id, str(exc), self.wall() + delay)
        if status is OutboxStatus.FAILED:
            report.failed += 1
            log.warning("giving up on message %s to chat %s: %s", message.id, message.chat_id, exc)
        else:
            report.retried += 1
            log.info("message %s to chat %s retried in %.0fs: %s",
                     message.id, message.chat_id, delay, exc)
        return False

    def _failed(self, message: OutboxMessage, exc: Exception, failure: Failure,
                report: DeliveryReport) -> bool:
        if failure is Failure.GONE:
            chats.deactivate_chat(self.db, message.chat_id, str(exc))
            outbox.mark_chat_dead(self.db, message.chat_id, str(exc))
            report.dead_chats += 1
            log.info("chat %s deactivated: %s", message.chat_id, exc)
            return False
        outbox.mark_retry(self.db, message.id, str(exc), self.wall())
        outbox.give_up(self.db, message.id)
        report.failed += 1
        log.warning("message %s to chat %s failed: %s", message.id, message.chat_id, exc)
        return True  # a bad message must not block the chat's later ones


def _seconds(value: object) -> float:
    """Retry-After as seconds (PTB gives an int or a timedelta depending on settings)."""
    total = getattr(value, "total_seconds", None)
    return float(total() if total else value)  # type: ignore[arg-type]
