"""What every `papers-bot` command shares: one-line usage errors, logging without secrets, input."""

from __future__ import annotations

import logging
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
    """Log one line per event to stderr; keep httpx quiet (its URLs contain the bot token)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler],
                        force=True)
    for noisy in ("httpx", "httpcore", "telegram.ext.ExtBot", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


_TOKEN_SHAPE = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{20,}")


class RedactSecrets(logging.Filter):
    """Replace bot tokens (and any registered secret) in log lines with '[REDACTED]'."""

    secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = _TOKEN_SHAPE.sub("[REDACTED]", message)
        for secret in self.secrets:
            clean = clean.replace(secret, "[REDACTED]")
        if clean != message:
            record.msg, record.args = clean, None
        return True


def redact(text: str, *secrets: str) -> str:
    """`text` with bot tokens and these secrets replaced by '[REDACTED]'."""
    clean = _TOKEN_SHAPE.sub("[REDACTED]", text)
    for secret in (*secrets, *RedactSecrets.secrets):
        if secret:
            clean = clean.replace(secret, "[REDACTED]")
    return clean


def redact_secret(secret: str) -> None:
    """Never log this value (the bot token, API keys)."""
    if secret:
        RedactSecrets.secrets.add(secret)
