"""An in-process fake of the Telegram Bot API for tests.

python-telegram-bot talks to it over real HTTP on 127.0.0.1, so the whole PTB stack
(HTTPXRequest, RequestData encoding, JSON parsing, error mapping, polling) is exercised::

    with FakeBotApi() as api:
        app = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
        api.push_message(42, "/start")
        ...
        [reply] = await api.wait_for_messages(chat_id=42)

It keeps only what the bot calls and what real Telegram checks (issue 10, rule 9;
``tests/system/test_fakebotapi.py`` holds the fake to it).

Methods (:attr:`FakeBotApi.METHODS`): those the bot calls -- sendMessage, sendPhoto,
editMessageText, answerCallbackQuery, setMyCommands, getChatMember -- and those PTB calls on
its behalf -- getMe (start-up), getUpdates and deleteWebhook (polling), setWebhook (webhook
mode).  Any other method answers 404 "method not found", like an unknown one, so a new call
in the bot fails loudly until the fake learns it.

Wire format, as PTB 22 sends it: ``POST /bot<token>/<method>`` with an
``application/x-www-form-urlencoded`` body (strings as-is, every other value JSON-encoded) or
``multipart/form-data`` (sendPhoto's upload; file parts become :class:`UploadedFile`).
Answers are ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
"description": ..., "parameters": {...}}`` with HTTP status ``N``, so PTB raises
``RetryAfter`` / ``Forbidden`` / ``BadRequest`` / ``NetworkError`` / ``InvalidToken`` exactly
as in production.

Checked as Telegram checks it (400 Bad Request otherwise):

* HTML parse mode: tags, entities and nesting ("can't parse entities: ..."); the bot sends
  HTML only, so any other parse_mode is refused.
* text at most 4096 and captions at most 1024 UTF-16 code units after parsing; no empty text.
* inline keyboards: callback_data 1-64 bytes, no button without an action.
* editMessageText: the message exists, is the bot's, and changes ("message is not modified").
* setMyCommands: command names and descriptions.
* the token (401), and getUpdates while a webhook is set (409).

Scripted by tests: button presses carry ``chat_instance``; getChatMember answers ``creator``,
``administrator`` (:meth:`FakeBotApi.set_chat_admins`) or ``member``; anonymous group admins
post as @GroupAnonymousBot with ``sender_chat``; chats that block the bot
(:meth:`~FakeBotApi.block_chat`, 403 or 400); groups upgraded to supergroups
(:meth:`~FakeBotApi.migrate_chat`: 400 with ``migrate_to_chat_id``); deleted forum topics
(:meth:`~FakeBotApi.delete_topic`: 400 "message thread not found"); one-off faults
(:meth:`~FakeBotApi.fail_next`: 429 with retry_after, 403, 400, 500, "drop"); flood limits;
latency.  Every call is recorded (:meth:`~FakeBotApi.calls`,
:meth:`~FakeBotApi.sent_messages`) and can be waited for (:meth:`~FakeBotApi.wait_for`,
``wait_for_async``, ``wait_for_messages``).  The server runs in a background thread;
everything is thread-safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import socket
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "FakeBotApi",
    "SentMessage",
    "UploadedFile",
    "bot_command_entities",
    "make_callback_update",
    "make_message_update",
]

JSONDict = dict[str, Any]
ChatId = int | str
#: A fault kind for :meth:`FakeBotApi.fail_next`: an HTTP error code (429, 403, 400, 500, ...,
#: also as a string) or ``"drop"`` (close the connection without answering).
FailKind = int | str

DEFAULT_TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuv"
#: Who posts an anonymous group admin's messages, as on Telegram.
ANONYMOUS_ADMIN = {
    "id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot",
}  # fmt: skip

#: Default descriptions, worded like the real Bot API's.
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found: method not found",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
}

MESSAGE_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup of "
    "the message are exactly the same as a current content and reply markup of the message"
)

# Form values PTB sends verbatim (never JSON-encoded) for the methods above; everything else
# is json.dumps'ed by PTB and decoded back here.  So a text like "42" or "[1]" stays a str.
_STRING_FIELDS = frozenset(
    {
        "callback_query_id", "caption", "ip_address", "language_code", "parse_mode", "photo",
        "secret_token", "text", "url",
    }
)  # fmt: skip

# Methods that produce or change a message (subject to flood limits).
_MESSAGE_METHODS = frozenset({"sendMessage", "sendPhoto", "editMessageText"})

_update_ids = itertools.count(100_000)
_message_ids = itertools.count(1)
_callback_ids = itertools.count(1)
_file_ids = itertools.count(1)
_counter_lock = threading.Lock()


def _next(counter: Iterator[int]) -> int:
    with _counter_lock:
        return next(counter)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _norm_chat_id(value: Any) -> ChatId:
    """123, "123" -> 123; "@channel" stays a str."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value)
    return int(text) if re.fullmatch(r"-?\d+", text) else text


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart/form-data request (sendPhoto's ``photo``)."""

    field_name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class ApiCall:
    """One request the fake received.

    ``time`` is ``time.monotonic()`` at arrival; ``status`` is the HTTP status answered
    (``None`` if the connection was dropped); ``response`` the JSON answered.
    """

    method: str
    params: JSONDict
    token: str
    time: float
    content_type: str = ""
    status: int | None = None
    response: JSONDict | None = None

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))

    @property
    def result(self) -> Any:
        return self.response.get("result") if self.response else None

    @property
    def chat_id(self) -> ChatId | None:
        value = self.params.get("chat_id")
        return None if value is None else _norm_chat_id(value)


@dataclass(frozen=True)
class SentMessage:
    """A message the bot sent or edited successfully (sendMessage/sendPhoto/editMessageText).
    ``text`` is the text (or caption) exactly as the bot sent it, i.e. still with its HTML
    markup; ``reply_markup`` is the decoded dict; ``time`` when the call arrived (monotonic);
    ``media`` sendPhoto's photo."""

    method: str
    chat_id: ChatId
    text: str | None
    reply_markup: JSONDict | None
    parse_mode: str | None
    message_id: int
    params: JSONDict = field(repr=False)
    time: float = field(repr=False)
    media: UploadedFile | str | None = field(default=None, repr=False)

    @property
    def edited(self) -> bool:
        return self.method.startswith("edit")

    @property
    def buttons(self) -> list[JSONDict]:
        """All inline keyboard buttons, flattened row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class _Drop(Exception):
    """Close the connection without answering."""


@dataclass
class _Fault:
    method: str  # lower-cased, or "*"
    kind: FailKind
    remaining: int
    chat_id: ChatId | None
    retry_after: int
    description: str | None

    def matches(self, method: str, params: JSONDict) -> bool:
        if self.method not in ("*", method.lower()):
            return False
        if self.chat_id is None:
            return True
        return "chat_id" in params and _norm_chat_id(params["chat_id"]) == self.chat_id

    def error(self) -> _ApiError | _Drop:
        if isinstance(self.kind, str) and self.kind.lower() == "drop":
            return _Drop()
        code = int(self.kind)
        template = self.description or ERROR_DESCRIPTIONS.get(code, f"Error {code}")
        description = template.format(retry_after=self.retry_after)
        params = {"retry_after": self.retry_after} if code == 429 else None
        return _ApiError(code, description, params)


@dataclass
class _FloodRule:
    max_calls: int
    per_seconds: float
    per_chat: bool
    retry_after: int


# --------------------------------------------------------------------------------------------
# Update builders (pure functions; FakeBotApi has registering variants)
# --------------------------------------------------------------------------------------------

_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?(?![\w/@])")


def bot_command_entities(text: str) -> list[JSONDict]:
    """``bot_command`` entities the way Telegram marks them (offset/length in UTF-16 units).

    ``"/start@PapersTestBot arg"`` -> ``[{"type": "bot_command", "offset": 0, "length": 20}]``.
    """
    entities = []
    for match in _COMMAND_RE.finditer(text):
        if match.start() and not text[match.start() - 1].isspace():
            continue
        entities.append(
            {
                "type": "bot_command",
                "offset": _utf16_len(text[: match.start()]),
                "length": _utf16_len(match.group()),
            }
        )
    return entities


def _guess_chat_type(chat_id: ChatId) -> str:
    if isinstance(chat_id, str):
        return "channel"
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id <= -1_000_000_000_000 else "group"


def _user_dict(
    user_id: int,
    first_name: str | None = None,
    username: str | None = None,
    language_code: str | None = None,
    is_bot: bool = False,
) -> JSONDict:
    user: JSONDict = {"id": user_id, "is_bot": is_bot, "first_name": first_name or f"User{user_id}"}
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


def _chat_dict(
    chat_id: ChatId,
    chat_type: str | None = None,
    title: str | None = None,
    username: str | None = None,
    first_name: str | None = None,
) -> JSONDict:
    chat_type = chat_type or _guess_chat_type(chat_id)
    if isinstance(chat_id, str):  # "@channelusername"
        username = username or chat_id.lstrip("@")
        chat_id = -1_000_000_000_000 - (abs(hash(chat_id)) % 1_000_000_000)
    chat: JSONDict = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = first_name or f"User{chat_id}"
    else:
        chat["title"] = title or f"Test {chat_type} {chat_id}"
    if username:
        chat["username"] = username
    return chat


def _chat_and_user(
    chat_id: int, user_id: int | None, chat_type: str | None, language_code: str | None,
    username: str | None,
) -> tuple[JSONDict, JSONDict]:  # fmt: skip
    chat_type = chat_type or _guess_chat_type(chat_id)
    if user_id is None:
        user_id = chat_id if chat_type == "private" else 1001
    user = _user_dict(user_id, None, username, language_code)
    if chat_type == "private":
        chat = _chat_dict(chat_id, "private", first_name=user["first_name"], username=username)
    else:
        chat = _chat_dict(chat_id, chat_type)
    return chat, user


def make_message_update(
    chat_id: int,
    text: str,
    user_id: int | None = None,
    chat_type: str | None = None,
    language_code: str | None = "en",
    username: str | None = None,
    *,
    anonymous_admin: bool = False,
    thread_id: int | None = None,
) -> JSONDict:
    """A Bot API ``Update`` dict carrying a text ``message`` from a user.

    ``chat_type`` defaults from the id (``> 0`` private, ``<= -10**12`` supergroup, else
    group); ``user_id`` defaults to ``chat_id`` in private chats and ``1001`` elsewhere.
    Commands anywhere in the text get ``bot_command`` entities (incl. ``/cmd@BotName``).
    ``anonymous_admin``: posted by an anonymous group admin, i.e. ``from`` is
    @GroupAnonymousBot and ``sender_chat`` the group itself, as Telegram sends it.
    ``thread_id``: posted in that topic of a forum supergroup.
    """
    chat, user = _chat_and_user(chat_id, user_id, chat_type, language_code, username)
    message: JSONDict = {
        "message_id": _next(_message_ids),
        "from": dict(ANONYMOUS_ADMIN) if anonymous_admin else user,
        "chat": chat,
        "date": int(time.time()),
        "text": text,
    }
    if anonymous_admin:
        message["sender_chat"] = dict(chat)
    if thread_id is not None:  # posted in a forum topic, as Telegram marks it
        chat["is_forum"] = True
        message.update(message_thread_id=thread_id, is_topic_message=True)
    entities = bot_command_entities(text)
    if entities:
        message["entities"] = entities
    return {"update_id": _next(_update_ids), "message": message}


def make_callback_update(
    chat_id: int,
    user_id: int | None,
    data: str,
    message_id: int | None = None,
    message_text: str = "…",
    *,
    bot_user: JSONDict | None = None,
    chat_type: str | None = None,
    language_code: str | None = "en",
    username: str | None = None,
    reply_markup: JSONDict | None = None,
) -> JSONDict:
    """A Bot API ``Update`` dict with a ``callback_query`` (an inline button press) on a
    message the bot sent earlier (``message_id``, text ``message_text``).  Like Telegram's, it
    carries a ``chat_instance`` (stable per chat)."""
    chat, user = _chat_and_user(chat_id, user_id, chat_type, language_code, username)
    message: JSONDict = {
        "message_id": message_id if message_id is not None else _next(_message_ids),
        "from": bot_user or _user_dict(123456, "Test Bot", "PapersTestBot", is_bot=True),
        "chat": chat,
        "date": int(time.time()),
        "text": message_text,
    }
    if reply_markup is not None:
        message["reply_markup"] = reply_markup
    return {
        "update_id": _next(_update_ids),
        "callback_query": {
            "id": str(9_000_000_000 + _next(_callback_ids)),
            "from": user,
            "message": message,
            "chat_instance": str(abs(hash(("chat_instance", chat_id))) % 10**18),
            "data": data,
        },
    }


# --------------------------------------------------------------------------------------------
# Body decoding
# --------------------------------------------------------------------------------------------


def _reject_constant(value: str) -> Any:
    raise ValueError(value)


def _decode_form_value(name: str, value: str) -> Any:
    if name in _STRING_FIELDS:
        return value
    try:
        decoded = json.loads(value, parse_constant=_reject_constant)
    except ValueError:
        return value
    return value if isinstance(decoded, str) else decoded


def _decode_form(pairs: Iterable[tuple[str, Any]]) -> JSONDict:
    return {
        name: _decode_form_value(name, value) if isinstance(value, str) else value
        for name, value in pairs
    }


_PARAM_RE = re.compile(r';\s*([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))')


def _header_params(value: str) -> dict[str, str]:
    params = {}
    for match in _PARAM_RE.finditer(value):
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        params[match.group(1).lower()] = re.sub(r"\\(.)", r"\1", raw).replace("%22", '"')
    return params


def _parse_multipart(body: bytes, content_type: str) -> list[tuple[str, Any]]:
    boundary = _header_params(content_type).get("boundary")
    if not boundary:
        raise _ApiError(400, "Bad Request: multipart boundary missing")
    pairs: list[tuple[str, Any]] = []
    for chunk in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, _, data = chunk.partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, val = line.partition(":")
            headers[key.strip().lower()] = val.strip()
        disposition = _header_params(headers.get("content-disposition", ""))
        name = disposition.get("name", "")
        if "filename" in disposition:
            upload = UploadedFile(
                name, disposition["filename"], headers.get("content-type"), bytes(data)
            )
            pairs.append((name, upload))
        else:
            pairs.append((name, data.decode("utf-8")))
    return pairs


# --------------------------------------------------------------------------------------------
# Telegram-HTML validation (roughly what tdlib does) -> plain text
# --------------------------------------------------------------------------------------------

_HTML_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "tg-emoji", "code", "pre", "blockquote",
    }
)  # fmt: skip
_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _entity_error(message: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: can't parse entities: {message}")


def _parse_html(text: str) -> str:
    """Validate Telegram-HTML like the real API; return the plain text."""
    out: list[str] = []
    stack: list[str] = []
    i, n = 0, len(text)

    def offset(pos: int) -> int:
        return len(text[:pos].encode("utf-8"))

    while i < n:
        c = text[i]
        if c == "&":
            match = re.match(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);", text[i:])
            if match:
                ref = match.group(1)
                if ref.startswith("#x"):
                    out.append(chr(int(ref[2:], 16)))
                elif ref.startswith("#"):
                    out.append(chr(int(ref[1:])))
                else:
                    out.append(_HTML_ENTITIES.get(ref, match.group()))
                i += len(match.group())
                continue
            out.append(c)
            i += 1
            continue
        if c != "<":
            out.append(c)
            i += 1
            continue
        begin = i
        if text.startswith("</", i):
            if not stack:
                raise _entity_error(f"Unexpected end tag at byte offset {offset(begin)}")
            j = i + 2
            while j < n and not text[j].isspace() and text[j] != ">":
                j += 1
            name = text[i + 2 : j].lower()
            while j < n and text[j].isspace():
                j += 1
            if j >= n or text[j] != ">":
                raise _entity_error(f"Unclosed end tag at byte offset {offset(begin)}")
            if name and name != stack[-1]:
                raise _entity_error(
                    f'Unmatched end tag at byte offset {offset(begin)}, expected "</{stack[-1]}>",'
                    f' found "</{name}>"'
                )
            stack.pop()
            i = j + 1
            continue
        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise _entity_error(f"Unclosed start tag at byte offset {offset(begin)}")
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise _entity_error(f'Unsupported start tag "{name}" at byte offset {offset(begin)}')
        quote = None
        while j < n and (quote or text[j] != ">"):
            if text[j] in "\"'":
                quote = None if quote == text[j] else (quote or text[j])
            j += 1
        if j >= n:
            raise _entity_error(f"Unclosed start tag at byte offset {offset(begin)}")
        if name == "span" and "tg-spoiler" not in text[i:j]:
            raise _entity_error('Tag "span" must have class "tg-spoiler"')
        stack.append(name)
        i = j + 1
    if stack:
        raise _entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def check_telegram_html(text: str) -> str:
    """Validate HTML exactly as this fake's sendMessage does; return the plain text shown.

    Raises ValueError carrying the Bot API's description when Telegram would refuse the text,
    so a test can check a text without sending it (tests/bot/test_strings_html.py).
    """
    try:
        return _render(text, "HTML")
    except _ApiError as exc:
        raise ValueError(exc.description) from None


def _render(text: str, parse_mode: Any) -> str:
    """The plain text Telegram would show; the bot sends HTML or no parse mode at all."""
    if parse_mode is None or parse_mode == "":
        return text
    if str(parse_mode).lower() == "html":
        return _parse_html(text)
    raise _ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r} (the fake "
                         "speaks HTML only: teach it the new mode with its checks)")


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # the stdlib's 5 drops connections under a fan-out
    api: FakeBotApi


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls on keep-alive connections
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.api._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.api._track(self.connection, add=False)

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        self.server.api._serve(self)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence access log
        pass

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def reply(self, status: int, payload: JSONDict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


# --------------------------------------------------------------------------------------------
# The fake server
# --------------------------------------------------------------------------------------------


class FakeBotApi:
    """A fake Telegram Bot API server on 127.0.0.1 (random port), started on construction.

    Args:
        token: the only token accepted (others get 401 Unauthorized, as with the real API);
            its numeric prefix is the bot's id, as on Telegram.
        bot_username: what ``getMe`` answers.
        latency: artificial delay (seconds) before answering every request.
        max_long_poll: cap (seconds) on getUpdates long polling, keeps tests fast.

    Chats are invented on first use (``> 0`` private, ``<= -10**12`` supergroup, else group);
    :meth:`add_chat` gives one a type and title.
    """

    #: The Bot API methods the fake answers -> the handler implementing each.  Only what the
    #: bot calls, directly or through PTB (see the module docstring).
    METHODS: ClassVar[dict[str, str]] = {
        "getMe": "_get_me",
        "getUpdates": "_get_updates",
        "setWebhook": "_set_webhook",
        "deleteWebhook": "_delete_webhook",
        "sendMessage": "_send_message",
        "sendPhoto": "_send_photo",
        "editMessageText": "_edit_message_text",
        "answerCallbackQuery": "_answer_callback_query",
        "setMyCommands": "_set_my_commands",
        "getChatMember": "_get_chat_member",
    }

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "PapersTestBot",
        latency: float = 0.0,
        max_long_poll: float = 0.5,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 1
        self.max_long_poll = max_long_poll
        #: Exceptions raised inside the fake itself (bugs in the fake, not Bot API errors).
        self.errors: list[str] = []

        self._cond = threading.Condition(threading.RLock())
        self._stopping = threading.Event()
        self._calls: list[ApiCall] = []
        self.arrivals: list[str] = []  # methods in the order their requests arrived
        self._updates: list[JSONDict] = []
        self._faults: list[_Fault] = []
        self._blocked: dict[ChatId, _ApiError] = {}
        self._migrated: dict[ChatId, int] = {}
        self._deleted_threads: set[tuple[ChatId, int]] = set()
        self._flood_rules: list[_FloodRule] = []
        self._flood_log: deque[tuple[float, ChatId | None]] = deque()
        self._latency: dict[str, float] = {"*": latency}
        self._chats: dict[ChatId, JSONDict] = {}
        self._admins: dict[ChatId, list[int]] = {}
        self._owners: dict[ChatId, int] = {}
        self._messages: dict[tuple[ChatId, int], JSONDict] = {}
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._webhook_url = ""
        self._connections: set[socket.socket] = set()

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.api = self
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeBotApi:{self.port}",
            daemon=True,
        )
        self._thread.start()

    # ---- lifecycle -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``: PTB appends the
        token, so requests go to ``{base_url}{token}/{method}``."""
        return f"http://127.0.0.1:{self.port}/bot"

    def stop(self) -> None:
        """Stop serving, wake long polls, close open connections.  Idempotent."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()
        with self._cond:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=2)

    def __enter__(self) -> FakeBotApi:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ---- inspecting calls ----------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """All recorded calls (oldest first), optionally only one method."""
        with self._cond:
            if method is None:
                return list(self._calls)
            return [c for c in self._calls if c.method == method]

    def last_call(self, method: str | None = None) -> ApiCall:
        calls = self.calls(method)
        if not calls:
            raise AssertionError(f"no {method or 'API'} call recorded; got {self.methods()}")
        return calls[-1]

    def methods(self) -> list[str]:
        """Names of all recorded calls, in order (handy in assertion messages)."""
        return [c.method for c in self.calls()]

    def sent_messages(self, chat_id: ChatId | None = None) -> list[SentMessage]:
        """Successful sendMessage/sendPhoto/editMessageText calls as :class:`SentMessage`
        records, optionally for one chat."""
        wanted = None if chat_id is None else _norm_chat_id(chat_id)
        out = []
        for call in self.calls():
            if not call.ok or call.method not in _MESSAGE_METHODS:
                continue
            params = call.params
            cid = _norm_chat_id(params["chat_id"])
            if wanted is not None and wanted not in (cid, call.result["chat"]["id"]):
                continue
            out.append(
                SentMessage(
                    method=call.method,
                    chat_id=cid,
                    text=params.get("text", params.get("caption")),
                    reply_markup=params.get("reply_markup"),
                    parse_mode=params.get("parse_mode"),
                    message_id=int(call.result["message_id"]),
                    params=params,
                    time=call.time,
                    media=params.get("photo"),
                )
            )
        return out

    def _match(self, what: str | Callable[[ApiCall], bool]) -> list[ApiCall]:
        if isinstance(what, str):
            return self.calls(what)
        return [c for c in self.calls() if what(c)]

    def wait_for(
        self,
        what: str | Callable[[ApiCall], bool],
        count: int = 1,
        timeout: float = 2.0,
    ) -> list[ApiCall]:
        """Block until at least ``count`` recorded calls match ``what`` (a method name or a
        predicate on :class:`ApiCall`); return all matching calls.  Raises TimeoutError.

        Do not call this from the event loop that runs the bot -- it would block the bot;
        use ``await api.wait_for_async(...)`` there."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError("wait_for() would block the event loop; use wait_for_async()")
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                matched = self._match(what)
                remaining = deadline - time.monotonic()
                if len(matched) >= count or remaining <= 0:
                    break
                self._cond.wait(remaining)
        if len(matched) < count:
            raise TimeoutError(self._timeout_message(what, count, matched, timeout))
        return matched

    async def wait_for_async(
        self,
        what: str | Callable[[ApiCall], bool],
        count: int = 1,
        timeout: float = 2.0,  # noqa: ASYNC109 - a wait budget, reported in the TimeoutError
    ) -> list[ApiCall]:
        """Async :meth:`wait_for`: yields to the event loop while waiting."""
        deadline = time.monotonic() + timeout
        while True:
            matched = self._match(what)
            if len(matched) >= count:
                return matched
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(what, count, matched, timeout))
            await asyncio.sleep(0.005)

    async def wait_for_messages(
        self,
        count: int = 1,
        chat_id: ChatId | None = None,
        timeout: float = 2.0,  # noqa: ASYNC109 - a wait budget, reported in the TimeoutError
    ) -> list[SentMessage]:
        """Wait until ``count`` messages were sent/edited (to ``chat_id``); return them all."""
        deadline = time.monotonic() + timeout
        while True:
            messages = self.sent_messages(chat_id)
            if len(messages) >= count:
                return messages
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"expected {count} message(s) to chat {chat_id!r} within {timeout}s, got "
                    f"{len(messages)}; calls so far: {self.methods()}"
                )
            await asyncio.sleep(0.005)

    def _timeout_message(
        self, what: object, count: int, matched: list[ApiCall], timeout: float
    ) -> str:
        label = what if isinstance(what, str) else getattr(what, "__name__", "predicate")
        return (
            f"expected {count} {label} call(s) within {timeout}s, got {len(matched)}; "
            f"calls so far: {self.methods()}"
        )

    # ---- updates -------------------------------------------------------------------------

    def push_update(self, update: JSONDict) -> JSONDict:
        """Queue an Update (dict) for getUpdates; assigns ``update_id`` if missing."""
        with self._cond:
            update.setdefault("update_id", _next(_update_ids))
            self._remember_update(update)
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def pending_updates(self) -> list[JSONDict]:
        """Updates queued and not yet confirmed (via a later getUpdates offset)."""
        with self._cond:
            return list(self._updates)

    def make_message_update(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        chat_type: str | None = None,
        language_code: str | None = "en",
        username: str | None = None,
        **kwargs: Any,
    ) -> JSONDict:
        """:func:`make_message_update`, also registering the chat and message with the fake.
        Does not queue it: see :meth:`push_update`."""
        update = make_message_update(
            chat_id, text, user_id, chat_type, language_code, username, **kwargs
        )
        with self._cond:
            self._remember_update(update)
        return update

    def make_callback_update(
        self,
        chat_id: int,
        user_id: int | None,
        data: str,
        message_id: int | None = None,
        message_text: str | None = None,
        **kwargs: Any,
    ) -> JSONDict:
        """:func:`make_callback_update` for a button on a message of this bot.  If
        ``message_id`` is a message the fake sent, its text and keyboard are used by default;
        the message is registered so editMessageText on it works."""
        with self._cond:
            known = self._messages.get((_norm_chat_id(chat_id), message_id or -1))
        if message_text is None:
            message_text = (known or {}).get("text", "…")
        if known and "reply_markup" in known:
            kwargs.setdefault("reply_markup", known["reply_markup"])
        if known:
            kwargs.setdefault("chat_type", known["chat"]["type"])
        update = make_callback_update(
            chat_id, user_id, data, message_id, message_text, bot_user=self.bot_user(), **kwargs
        )
        with self._cond:
            self._remember_update(update)
        return update

    def push_message(self, chat_id: int, text: str, **kwargs: Any) -> JSONDict:
        """``push_update(make_message_update(chat_id, text, **kwargs))``."""
        return self.push_update(self.make_message_update(chat_id, text, **kwargs))

    def _remember_update(self, update: JSONDict) -> None:
        for key, value in update.items():
            if not isinstance(value, dict):
                continue
            message = value.get("message") if key == "callback_query" else value
            if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                chat = message["chat"]
                self._chats.setdefault(chat["id"], chat)
                if "message_id" in message:
                    self._messages.setdefault((chat["id"], message["message_id"]), message)

    # ---- chats and admins ----------------------------------------------------------------

    def bot_user(self) -> JSONDict:
        return _user_dict(self.bot_id, "Papers Test Bot", self.bot_username, is_bot=True)

    def add_chat(self, chat_id: ChatId, chat_type: str | None = None,
                 title: str | None = None) -> JSONDict:  # fmt: skip
        """Register (or replace) a chat; returns its Bot API ``Chat`` dict."""
        chat = _chat_dict(_norm_chat_id(chat_id), chat_type, title)
        with self._cond:
            self._chats[_norm_chat_id(chat_id)] = chat
        return chat

    def set_chat_admins(
        self, chat_id: ChatId, admin_ids: Iterable[int], owner_id: int | None = None
    ) -> None:
        """Administrators of a group, for getChatMember: the owner (if given) is answered as
        ``creator``, the others as ``administrator``, everyone else as ``member``."""
        key = _norm_chat_id(chat_id)
        with self._cond:
            self._admins[key] = [a for a in admin_ids if a != owner_id]
            if owner_id is not None:
                self._owners[key] = owner_id
            else:
                self._owners.pop(key, None)

    def _chat(self, chat_id: Any) -> JSONDict:
        key = _norm_chat_id(chat_id)
        with self._cond:
            if key not in self._chats:
                self._chats[key] = _chat_dict(key)
            return self._chats[key]

    def _member(self, chat_key: ChatId, user_id: int) -> JSONDict:
        user = self.bot_user() if user_id == self.bot_id else _user_dict(user_id)
        if self._owners.get(chat_key) == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user_id in self._admins.get(chat_key, []):
            rights = dict.fromkeys(
                (
                    "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                    "can_restrict_members", "can_change_info", "can_invite_users",
                    "can_post_stories", "can_edit_stories", "can_delete_stories",
                    "can_pin_messages", "can_manage_topics",
                ),
                True,
            )  # fmt: skip
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                "can_promote_members": False,
                **rights,
            }
        return {"status": "member", "user": user}

    # ---- bot commands (inspection) -------------------------------------------------------

    def commands(
        self, scope: JSONDict | None = None, language_code: str = ""
    ) -> list[JSONDict] | None:
        """Commands set via setMyCommands for that scope/language (None if never set)."""
        with self._cond:
            return self._commands.get(self._commands_key(scope, language_code))

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    # ---- fault injection -----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        kind: FailKind = 429,
        times: int = 1,
        chat_id: ChatId | None = None,
        *,
        retry_after: int = 5,
        description: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` ("*" = any) fail, optionally only those
        for ``chat_id``.  ``kind``: 429 (with ``parameters.retry_after``), 403, 400, 500, any
        other code, or "drop" (connection closed without an answer).  ``description``
        overrides the default wording (``{retry_after}`` is substituted)."""
        if isinstance(kind, str) and kind.lower() != "drop" and not kind.isdigit():
            raise ValueError(f"unknown fault kind {kind!r}")
        chat = None if chat_id is None else _norm_chat_id(chat_id)
        with self._cond:
            self._faults.append(
                _Fault(method.lower(), kind, times, chat, retry_after, description)
            )

    def clear_faults(self) -> None:
        """Forget pending fail_next() faults, blocked chats and flood limits."""
        with self._cond:
            self._faults.clear()
            self._blocked.clear()
            self._flood_rules.clear()
            self._flood_log.clear()

    def block_chat(
        self,
        chat_id: ChatId,
        description: str = "Forbidden: bot was blocked by the user",
        error_code: int = 403,
    ) -> None:
        """Every call with this ``chat_id`` fails from now on (403 "bot was blocked by the
        user" by default; e.g. "Forbidden: bot was kicked from the group chat",
        "Forbidden: user is deactivated", or 400 "Bad Request: chat not found")."""
        with self._cond:
            self._blocked[_norm_chat_id(chat_id)] = _ApiError(error_code, description)

    def migrate_chat(self, chat_id: int, new_chat_id: int) -> list[JSONDict]:
        """Upgrade a group to a supergroup, as Telegram does: the group gets a new id, every
        call with the old one answers 400 "Bad Request: group chat was upgraded to a supergroup
        chat" with ``parameters.migrate_to_chat_id``. Return the two service-message updates
        Telegram sends (``migrate_to_chat_id`` in the old group, ``migrate_from_chat_id`` in
        the new supergroup); not queued: see :meth:`push_update`."""
        old, new = _norm_chat_id(chat_id), _norm_chat_id(new_chat_id)
        assert isinstance(new, int)
        with self._cond:
            self._migrated[old] = new
            title = self._chats.get(old, {}).get("title")
        group = _chat_dict(old, "group", title)
        supergroup = self.add_chat(new, "supergroup", title)
        updates = []
        for chat, field_, value in ((group, "migrate_to_chat_id", new),
                                    (supergroup, "migrate_from_chat_id", old)):
            updates.append({"update_id": _next(_update_ids), "message": {
                "message_id": _next(_message_ids), "from": _user_dict(1001), "chat": chat,
                "date": int(time.time()), field_: value}})
        return updates

    def delete_topic(self, chat_id: ChatId, thread_id: int) -> None:
        """Delete a forum topic: sending into it answers 400 "Bad Request: message thread not
        found" (as in groups; the General topic, sent without a thread, still works)."""
        with self._cond:
            self._deleted_threads.add((_norm_chat_id(chat_id), int(thread_id)))

    def unblock_chat(self, chat_id: ChatId) -> None:
        with self._cond:
            self._blocked.pop(_norm_chat_id(chat_id), None)

    def flood_limit(
        self,
        max_calls: int,
        per_seconds: float = 1.0,
        *,
        per_chat: bool = False,
        retry_after: int = 1,
    ) -> None:
        """Answer 429 (``retry_after``) to message-sending calls beyond ``max_calls`` within
        ``per_seconds`` -- globally, or per chat.  Real limits: ~30/s global, ~1/s per chat,
        20/min per group."""
        with self._cond:
            self._flood_rules.append(_FloodRule(max_calls, per_seconds, per_chat, retry_after))

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Artificial delay before answering (every request, or one method)."""
        with self._cond:
            self._latency["*" if method is None else method] = seconds

    # ---- request handling (server threads) -----------------------------------------------

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._cond:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _serve(self, handler: _Handler) -> None:
        arrived = time.monotonic()
        try:
            body = handler.read_body()
            match = re.fullmatch(r"/bot([^/]*)/([^/]+)", unquote(urlsplit(handler.path).path))
            if not match:
                handler.reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            token, method = match.group(1), match.group(2)
            content_type = handler.headers.get("Content-Type") or ""
            params = self._decode_body(body, content_type)
        except _ApiError as exc:
            handler.reply(exc.code, exc.payload())
            return
        except Exception:  # a bug in the fake (or a malformed request)
            self.errors.append(traceback.format_exc())
            handler.reply(500, {"ok": False, "error_code": 500,
                                "description": "Internal Server Error"})  # fmt: skip
            return

        call = ApiCall(method, params, token, arrived, content_type)
        with self._cond:  # seen before it is answered: a long poll is pending from here on
            self.arrivals.append(method)
            self._cond.notify_all()
        status: int | None
        response: JSONDict | None
        try:
            self._sleep(self._latency.get(method, self._latency["*"]))
            result = self._dispatch(token, method, params)
            status, response = 200, {"ok": True, "result": result}
        except _ApiError as exc:
            status, response = exc.code, exc.payload()
        except _Drop:
            status, response = None, None
        except Exception:
            self.errors.append(traceback.format_exc())
            status = 500
            response = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        call.status, call.response = status, response
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()
        if response is None or status is None:
            handler.close_connection = True
            return
        try:
            handler.reply(status, response)
        except OSError:  # client went away (e.g. a cancelled long poll)
            handler.close_connection = True

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    @staticmethod
    def _decode_body(body: bytes, content_type: str) -> JSONDict:
        mime = content_type.split(";", 1)[0].strip().lower()
        if mime == "multipart/form-data":
            return _decode_form(_parse_multipart(body, content_type))
        return _decode_form(parse_qsl(body.decode("utf-8"), keep_blank_values=True))

    def _dispatch(self, token: str, method: str, params: JSONDict) -> Any:
        # Scripted faults come first, whatever the token: a server that answers 502 does so
        # before it looks at who is asking (fault case 1 needs the 502, then the 401).
        with self._cond:
            for fault in self._faults:
                if fault.matches(method, params):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    raise fault.error()
        if token != self.token:
            raise _ApiError(401, "Unauthorized")
        with self._cond:
            if "chat_id" in params:
                blocked = self._blocked.get(_norm_chat_id(params["chat_id"]))
                if blocked is not None:
                    raise _ApiError(blocked.code, blocked.description)
                moved = self._migrated.get(_norm_chat_id(params["chat_id"]))
                if moved is not None:
                    raise _ApiError(400, "Bad Request: group chat was upgraded to a supergroup "
                                    "chat", {"migrate_to_chat_id": moved})
                thread = params.get("message_thread_id")
                if (method in _MESSAGE_METHODS and thread is not None
                        and (_norm_chat_id(params["chat_id"]), int(thread))
                        in self._deleted_threads):
                    raise _ApiError(400, "Bad Request: message thread not found")
            if method in _MESSAGE_METHODS:
                self._check_flood(params)
        handler = self.METHODS.get(method)
        if handler is None:
            raise _ApiError(404, ERROR_DESCRIPTIONS[404])
        return getattr(self, handler)(params)

    def _check_flood(self, params: JSONDict) -> None:
        if not self._flood_rules:
            return
        now = time.monotonic()
        chat = _norm_chat_id(params["chat_id"]) if "chat_id" in params else None
        horizon = max(rule.per_seconds for rule in self._flood_rules)
        while self._flood_log and self._flood_log[0][0] < now - horizon:
            self._flood_log.popleft()
        for rule in self._flood_rules:
            recent = [
                c
                for t, c in self._flood_log
                if t >= now - rule.per_seconds and (not rule.per_chat or c == chat)
            ]
            if len(recent) >= rule.max_calls:
                raise _ApiError(
                    429,
                    ERROR_DESCRIPTIONS[429].format(retry_after=rule.retry_after),
                    {"retry_after": rule.retry_after},
                )
        self._flood_log.append((now, chat))

    # ---- method implementations: PTB on the bot's behalf ---------------------------------

    @staticmethod
    def _require(params: JSONDict, *names: str) -> None:
        for name in names:
            if params.get(name) in (None, ""):
                raise _ApiError(400, f"Bad Request: {name} is empty")

    def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(float(params.get("timeout") or 0), self.max_long_poll)
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._webhook_url:
                raise _ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if offset < 0:
                self._updates = self._updates[offset:]
            elif offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._stopping.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._cond.wait(remaining)
            return self._updates[:limit]

    def _set_webhook(self, params: JSONDict) -> bool:
        self._require(params, "url")
        return self._webhook(str(params["url"]), params)

    def _delete_webhook(self, params: JSONDict) -> bool:
        return self._webhook("", params)

    def _webhook(self, url: str, params: JSONDict) -> bool:
        with self._cond:
            self._webhook_url = url
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    # ---- method implementations: the bot's own calls -------------------------------------

    def _check_reply_markup(self, params: JSONDict) -> JSONDict | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if len(button) < 2:
                    raise _ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard",
                    )
        return markup

    @staticmethod
    def _rendered(text: str, parse_mode: Any, limit: int, what: str) -> str:
        plain = _render(text, parse_mode)
        if what == "text" and not plain.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(plain) > limit:
            raise _ApiError(
                400,
                "Bad Request: message is too long"
                if what == "text"
                else "Bad Request: message caption is too long",
            )
        return plain

    def _new_message(self, params: JSONDict, **content: Any) -> JSONDict:
        chat = self._chat(params["chat_id"])
        message: JSONDict = {
            "message_id": _next(_message_ids),
            "from": self.bot_user(),
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        markup = self._check_reply_markup(params)
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        with self._cond:
            self._messages[(chat["id"], message["message_id"])] = message
        return message

    def _send_message(self, params: JSONDict) -> JSONDict:
        self._require(params, "chat_id")
        text = str(params.get("text") or "")
        if not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        plain = self._rendered(text, params.get("parse_mode"), 4096, "text")
        return self._new_message(params, text=plain)

    def _send_photo(self, params: JSONDict) -> JSONDict:
        self._require(params, "chat_id")
        photo = params.get("photo")
        if photo in (None, ""):
            raise _ApiError(400, "Bad Request: there is no photo in the request")
        n = _next(_file_ids)
        size = len(photo.data) if isinstance(photo, UploadedFile) else 0
        content: JSONDict = {"photo": [{"file_id": f"FAKE-photo-{n}", "file_unique_id": f"U{n}",
                                        "file_size": size, "width": 320, "height": 240}]}
        if params.get("caption"):
            content["caption"] = self._rendered(
                str(params["caption"]), params.get("parse_mode"), 1024, "caption"
            )
        return self._new_message(params, **content)

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        self._require(params, "chat_id", "message_id")
        chat = self._chat(params["chat_id"])
        key = (chat["id"], int(params["message_id"]))
        with self._cond:
            message = self._messages.get(key)
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise _ApiError(400, "Bad Request: message can't be edited")
        text = str(params.get("text") or "")
        if not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        new = {**message, "text": self._rendered(text, params.get("parse_mode"), 4096, "text")}
        markup = self._check_reply_markup(params)
        if markup is not None:
            new["reply_markup"] = markup
        else:
            new.pop("reply_markup", None)
        if all(new.get(k) == message.get(k) for k in ("text", "reply_markup")):
            raise _ApiError(400, MESSAGE_NOT_MODIFIED)
        new["edit_date"] = int(time.time())
        with self._cond:
            self._messages[key] = new
        return new

    def _answer_callback_query(self, params: JSONDict) -> bool:
        self._require(params, "callback_query_id")
        return True

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            name = str(command.get("command", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        with self._cond:
            self._commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        return True

    def _get_chat_member(self, params: JSONDict) -> JSONDict:
        self._require(params, "chat_id", "user_id")
        with self._cond:
            return self._member(_norm_chat_id(params["chat_id"]), int(params["user_id"]))
