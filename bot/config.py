"""Configuration from the environment: the only module that reads it."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from feeds.http import Limits
from feeds.local_file import file_url_path, is_file_url

DEFAULT_LIST_README_URL = (
    "https://raw.githubusercontent.com/terryum/awesome-deep-learning-papers/master/README.md"
)
DEFAULT_CATEGORIES = ("cs.LG", "cs.CV", "cs.CL", "cs.AI", "stat.ML", "cs.NE")
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org/bot"
DEFAULT_ARXIV_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_CITATIONS_API_URL = "https://api.semanticscholar.org/graph/v1"
_CATEGORY = re.compile(r"^[a-z\-]+(\.[A-Za-z\-]+)?$")
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_\-]{20,}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Config:
    """Every setting the bot reads from the environment."""

    telegram_bot_token: str = ""
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    db_path: str = "./papers-bot.db"
    list_readme_url: str = DEFAULT_LIST_README_URL
    arxiv_categories: tuple[str, ...] = DEFAULT_CATEGORIES
    arxiv_rss_url: str = "https://rss.arxiv.org/rss/" + "+".join(DEFAULT_CATEGORIES)
    arxiv_api_url: str = DEFAULT_ARXIV_API_URL
    citations_api_url: str = DEFAULT_CITATIONS_API_URL
    citations_api_key: str = ""
    maintainer_ids: frozenset[int] = field(default_factory=frozenset)
    list_poll_hours: float = 6.0
    http_timeout: float = 30.0
    http_total_timeout: float = 120.0
    http_max_mb: float = 50.0
    telegram_rate_limit: float = 30.0
    digest_papers_per_topic: int = 8
    suggestions_per_week: int = 10

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        """Read and validate the settings; raise ConfigError naming the bad variable."""
        env = os.environ if env is None else env
        categories = _categories(env.get("ARXIV_CATEGORIES", ""))
        return cls(
            telegram_bot_token=_token(env.get("TELEGRAM_BOT_TOKEN", "").strip()),
            telegram_api_url=_url(env, "TELEGRAM_API_URL", DEFAULT_TELEGRAM_API_URL),
            db_path=env.get("PAPERS_BOT_DB", "").strip() or "./papers-bot.db",
            list_readme_url=_url(env, "LIST_README_URL", DEFAULT_LIST_README_URL, files=True),
            arxiv_categories=categories,
            arxiv_rss_url=_url(
                env, "ARXIV_RSS_URL", "https://rss.arxiv.org/rss/" + "+".join(categories),
                files=True,
            ),
            arxiv_api_url=_url(env, "ARXIV_API_URL", DEFAULT_ARXIV_API_URL),
            citations_api_url=_url(env, "CITATIONS_API_URL", DEFAULT_CITATIONS_API_URL),
            citations_api_key=env.get("CITATIONS_API_KEY", "").strip(),
            maintainer_ids=_ids(env.get("MAINTAINER_IDS", "")),
            list_poll_hours=_positive(env, "LIST_POLL_HOURS", 6.0),
            http_timeout=_positive(env, "HTTP_TIMEOUT", 30.0),
            http_total_timeout=_positive(env, "HTTP_TOTAL_TIMEOUT", 120.0),
            http_max_mb=_positive(env, "HTTP_MAX_MB", 50.0),
            telegram_rate_limit=_positive(env, "TELEGRAM_RATE_LIMIT", 30.0),
            digest_papers_per_topic=_count(env, "DIGEST_PAPERS_PER_TOPIC", 8),
            suggestions_per_week=_count(env, "SUGGESTIONS_PER_WEEK", 10, low=0, high=100),
        )

    @property
    def download_limits(self) -> Limits:
        """How long one download may take in all, and how large it may be."""
        return Limits(self.http_total_timeout, int(self.http_max_mb * 1024 * 1024))

    def require_token(self) -> str:
        """Return the bot token or raise ConfigError when it is not set."""
        if not self.telegram_bot_token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and export it"
            )
        return self.telegram_bot_token


def _token(value: str) -> str:
    if value and not _TOKEN.match(value):
        raise ConfigError("TELEGRAM_BOT_TOKEN is malformed: expected '<digits>:<secret>'")
    return value


def _url(env: Mapping[str, str], name: str, default: str, files: bool = False) -> str:
    """An http(s) URL; with `files`, also a local file:///path (a mirror, an offline day)."""
    value = env.get(name, "").strip() or default
    if files and is_file_url(value):
        try:
            file_url_path(value)
        except ValueError as exc:
            raise ConfigError(f"{name}: {exc}, got {value!r}") from None
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        kinds = "an http(s) or file:///path URL" if files else "an http(s) URL"
        raise ConfigError(f"{name} must be {kinds}, got {value!r}")
    return value


def _categories(value: str) -> tuple[str, ...]:
    if not value.strip():
        return DEFAULT_CATEGORIES
    found = tuple(part.strip() for part in re.split(r"[,+\s]+", value) if part.strip())
    bad = [c for c in found if not _CATEGORY.match(c)]
    if bad:
        raise ConfigError(f"ARXIV_CATEGORIES has malformed categories: {', '.join(bad)}")
    return found


def _ids(value: str) -> frozenset[int]:
    parts = [part.strip() for part in re.split(r"[,\s]+", value) if part.strip()]
    try:
        return frozenset(int(part) for part in parts)
    except ValueError:
        raise ConfigError(
            f"MAINTAINER_IDS must be comma-separated Telegram user ids, got {value!r}"
        ) from None


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a positive number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be a positive number, got {raw!r}")
    return value


def _count(env: Mapping[str, str], name: str, default: int, low: int = 1,
           high: int = 50) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
    return int(raw)
