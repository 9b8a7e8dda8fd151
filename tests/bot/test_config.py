"""Configuration: defaults, and one clear line naming a bad variable."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.config import DEFAULT_TELEGRAM_API_URL, Config, ConfigError


def test_defaults() -> None:
    config = Config.from_env({})
    assert config.telegram_api_url == DEFAULT_TELEGRAM_API_URL == "https://api.telegram.org/bot"
    assert config.db_path == "./papers-bot.db"
    assert config.list_readme_url.endswith("terryum/awesome-deep-learning-papers/master/README.md")
    assert config.arxiv_rss_url == "https://rss.arxiv.org/rss/cs.LG+cs.CV+cs.CL+cs.AI+stat.ML+cs.NE"
    assert config.maintainer_ids == frozenset()


def test_rss_url_follows_categories_unless_given() -> None:
    assert Config.from_env({"ARXIV_CATEGORIES": "cs.LG, cs.CV"}).arxiv_rss_url.endswith(
        "/rss/cs.LG+cs.CV"
    )
    given = Config.from_env({"ARXIV_CATEGORIES": "cs.LG", "ARXIV_RSS_URL": "http://127.0.0.1:1/x"})
    assert given.arxiv_rss_url == "http://127.0.0.1:1/x"


def test_maintainers_parse() -> None:
    assert Config.from_env({"MAINTAINER_IDS": "12, 34 56"}).maintainer_ids == {12, 34, 56}


@pytest.mark.parametrize(
    "name,value",
    [
        ("MAINTAINER_IDS", "12,alice"),
        ("TELEGRAM_API_URL", "api.telegram.org"),
        ("LIST_README_URL", "ftp://example.org/README.md"),
        ("ARXIV_CATEGORIES", "cs.LG,../etc"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("LIST_POLL_HOURS", "-1"),
    ],
)
def test_malformed_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        Config.from_env({name: value})
    assert str(error.value).startswith(name) and "\n" not in str(error.value)


def test_missing_token_only_matters_when_needed() -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        Config.from_env({}).require_token()


def test_cli_prints_one_line_not_a_traceback(monkeypatch, capsys) -> None:
    monkeypatch.setenv("MAINTAINER_IDS", "oops")
    assert main(["list", "history"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "papers-bot: error: MAINTAINER_IDS must be comma-separated Telegram user ids, got 'oops'"
    )
