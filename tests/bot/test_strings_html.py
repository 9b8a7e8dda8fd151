"""Every text of the catalogue, in every language, filled with sample values, passes the same
Telegram-HTML check the fake Bot API applies to sendMessage (issue 18: the plain-text hint
held "<words>", which Telegram refused, so users saw "/search  finds papers.").

The keys are read from bot/render/strings.py as they are, so keys added later are checked too:
each {placeholder} gets a sample value from its format spec and name.
"""

from __future__ import annotations

import string

import pytest

from bot.render import strings
from bot.render.html import esc
from tests.support.fakebotapi import check_telegram_html

# Values for placeholders whose name says what they hold; any other name gets a word.
_SAMPLES: dict[str, object] = {
    "topic": "Generative Models", "section": "Understanding / Generalization / Transfer",
    "query": "attention is all you need", "title": "Deep Residual Learning",
    "name": "Kaiming He", "names": "K. He, R. Girshick", "venue": "CVPR 2017",
    "when": "Mon 07 Dec 20:00", "date": "2017-03-14", "day": "2017-03-14",
    "command": "papers", "what": "<b>Generative Models</b>",
    "link": '<a href="https://github.com/terryum/awesome-deep-learning-papers">history</a>',
}


def _sample(name: str, spec: str) -> object:
    """A plausible value for the placeholder `name` that its format spec accepts (a text for
    "{topic}", a number for "{hour:02d}" or "{score:.2f}")."""
    for value in (_SAMPLES.get(name, esc(f"{name} & <{name}>")), 7, 2.5):
        try:
            format(value, spec)
        except (TypeError, ValueError):
            continue
        return value
    raise AssertionError(f"no sample value fits {{{name}:{spec}}}")


def _placeholders(template: str) -> dict[str, object]:
    """Every {placeholder} of a template with a sample value."""
    values: dict[str, object] = {}
    for _, field, spec, _ in string.Formatter().parse(template):
        if field:
            base = field.split(".")[0].split("[")[0]
            values[base] = _sample(base, spec or "")
    return values


def _catalogues() -> dict[str, dict[str, dict[str, str]]]:
    """Every catalogue of bot/render/strings.py: a dict of texts by key, each by language."""
    return {name: value for name, value in vars(strings).items()
            if isinstance(value, dict) and value and all(
                isinstance(texts, dict) and "en" in texts for texts in value.values())}


CASES = [(name, key, lang) for name, catalogue in _catalogues().items()
         for key, texts in catalogue.items() for lang in texts]


def test_sample_values_fit_any_format_spec() -> None:
    values = _placeholders("{topic} {hour:02d} {score:.2f} {count:,} {n}")
    assert values == {"topic": "Generative Models", "hour": 7, "score": 7, "count": 7,
                      "n": "n &amp; &lt;n&gt;"}
    assert "{score:.2f}".format(**values) == "7.00"


def test_the_catalogues_are_found() -> None:
    assert {"MESSAGES", "JOB_SUMMARY_TERMS"} <= set(_catalogues())
    assert len(CASES) >= 2 * len(strings.MESSAGES)


@pytest.mark.parametrize(("catalogue", "key", "lang"), CASES,
                         ids=[f"{c}-{k}-{lang}" for c, k, lang in CASES])
def test_every_catalogue_text_is_valid_telegram_html(catalogue: str, key: str, lang: str) -> None:
    template = _catalogues()[catalogue][key][lang]
    values = _placeholders(template)
    text = template.format(**values)
    shown = check_telegram_html(text)  # raises, with the Bot API's words, when refused
    assert shown.strip(), f"{key} ({lang}) shows nothing"
    for value in values.values():  # no filled-in value lost in the shown text
        if isinstance(value, str):
            assert check_telegram_html(value) in shown


def test_the_check_is_the_fakes_own() -> None:
    """The check refuses what Telegram refuses (so the test above can fail)."""
    with pytest.raises(ValueError, match="Unsupported start tag"):
        check_telegram_html("/search <words> finds papers.")
    assert check_telegram_html("/search &lt;words&gt; finds papers.") == (
        "/search <words> finds papers.")


def test_plain_text_hint_names_what_to_search() -> None:
    for lang in ("en", "zh"):
        shown = check_telegram_html(strings.t(lang, "plain_text_hint"))
        after = shown.split("/search", 1)[1]
        assert "attention" in after, shown
