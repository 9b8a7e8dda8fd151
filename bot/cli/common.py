"""What every `papers-bot` command shares: one-line usage errors, logging without secrets, input."""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path


class UsageError(Exception):
    """Bad input on the command line; the message is shown as one line."""


def read_input(path: str) -> bytes:
    """Read a file (or stdin for '-') with a one-line error when it cannot be read."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def configure_logging(verbose: bool = False) -> None:
    """Log one line per event to stderr, with no secret in it: every record, ours or a
    library's (python-telegram-bot's, httpx's), goes through `OneLineRedacted`. Tracebacks
    only with `-v`; httpx & co. stay quiet (their request lines carry the bot token)."""
    for name in SECRET_SETTINGS:  # known before any setting is parsed: even a bad one's error
        redact_secret(os.environ.get(name, "").strip())
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineRedacted(verbose))
    handler.addFilter(drop_reported_elsewhere)
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler],
                        force=True)
    for noisy in ("httpx", "httpcore", "telegram.ext.ExtBot", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


SECRET_SETTINGS = ("TELEGRAM_BOT_TOKEN", "CITATIONS_API_KEY")
_TOKEN_SHAPE = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{20,}")
MIN_SECRET_LENGTH = 6  # shorter values would blank ordinary words; no real key is that short


class OneLineRedacted(logging.Formatter):
    """The one redaction step of every log line: the whole formatted record (message,
    arguments, exception and stack text) is redacted after formatting, so nothing a library
    puts in a record can carry a secret past it. Without `verbose`, a record's exception is
    told on the same line as `(Type: message)` instead of a traceback, and a message's own
    line breaks are folded: one event, one line."""

    def __init__(self, verbose: bool = False) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        if self.verbose:
            return redact(super().format(record))
        line = logging.makeLogRecord(record.__dict__)  # others (caplog) still see the original
        message = record.getMessage()
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            message = f"{message} ({one_line_error(error)})"
        line.msg, line.args = " ".join(message.split()), None
        line.exc_info = line.exc_text = line.stack_info = None
        return redact(super().format(line))


def one_line_error(error: BaseException) -> str:
    """`Type: message` on one line (the message's line breaks folded)."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def drop_reported_elsewhere(record: logging.LogRecord) -> bool:
    """A rejected token is reported by `papers-bot` itself, in one line; python-telegram-bot
    logs it first with a traceback that quotes the token (and asyncio again, as the polling
    task's unretrieved exception): drop every record that carries it."""
    error = record.exc_info[1] if record.exc_info else None
    return not (type(error).__name__ == "InvalidToken"
                and type(error).__module__.startswith("telegram"))


SECRETS: set[str] = set()  # what redact() blanks besides anything shaped like a bot token


def redact(text: str, *secrets: str) -> str:
    """`text` with bot tokens and these secrets replaced by '[REDACTED]'."""
    clean = _TOKEN_SHAPE.sub("[REDACTED]", text)
    for secret in sorted({*secrets, *SECRETS}, key=len, reverse=True):  # longest first
        if secret:
            clean = clean.replace(secret, "[REDACTED]")
    return clean


def redact_secret(secret: str) -> None:
    """Never show this value (the bot token and its secret half, API keys)."""
    for part in (secret, secret.partition(":")[2]):
        if len(part) >= MIN_SECRET_LENGTH:
            SECRETS.add(part)
