"""Read authors' earlier records: Semantic Scholar author batch bodies and files given by hand
(pure).

`POST {base}/author/batch?fields=...` with `{"ids": ["2259683", ...]}` (at most 1000 ids)
answers a JSON array in request order, `null` where the id is unknown. The author ids come from
the paper batch the citations job already asks (feeds/citations.py, `parse_paper_authors`). The
fetching is bot/pipeline/author_impact.py. A file given by hand holds one author a line:

    {"name": "Kaiming He", "citations": 12345, "papers": 40, "h_index": 30, "as_of": "2017-06-17"}
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from feeds.model import AuthorImpact
from feeds.names import full_name_key

AUTHOR_FIELDS = "name,citationCount,hIndex,paperCount"
AUTHOR_BATCH_LIMIT = 1000
_COUNTS = (("citations", "citationCount"), ("papers", "paperCount"), ("h_index", "hIndex"))
_FILE_FIELDS = frozenset({"name", "author_id", "as_of"} | {ours for ours, _ in _COUNTS})
_AFFILIATION = re.compile(r"\s*\([^()]*\)\s*$")


@dataclass(frozen=True)
class AuthorFetch:
    """The outcome of a fetch: records found, ids the API does not know, ids that failed."""

    records: tuple[AuthorImpact, ...]
    unknown: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


def author_batch_url(base_url: str) -> str:
    """The author batch endpoint under the configured API base URL."""
    return f"{base_url.rstrip('/')}/author/batch"


def author_batch_payload(author_ids: Sequence[str]) -> dict[str, list[str]]:
    """The body of one author batch request (at most AUTHOR_BATCH_LIMIT ids)."""
    return {"ids": list(author_ids)}


def plain_name(name: str) -> str:
    """Strip a trailing affiliation, as arXiv writes it: 'Kaiming He (FAIR)' -> 'Kaiming He'."""
    return " ".join(_AFFILIATION.sub("", name).split())


def parse_author_batch(
    body: bytes | str, requested: Sequence[str], as_of: str = ""
) -> list[AuthorImpact | None]:
    """Pair an author batch response with the ids requested, in order; null -> None."""
    data = json.loads(body)
    if not isinstance(data, list) or len(data) != len(requested):
        got = f"{len(data)} records" if isinstance(data, list) else type(data).__name__
        raise ValueError(f"expected a list of {len(requested)} author records, got {got}")
    return [_author(author_id, item, as_of) for author_id, item in zip(requested, data,
                                                                        strict=True)]


def _author(author_id: str, item: Any, as_of: str) -> AuthorImpact | None:
    if not isinstance(item, Mapping):
        return None
    counts = {ours: _count(item.get(theirs)) for ours, theirs in _COUNTS}
    # keyed by the id asked for, so the cache knows which ids were answered
    return AuthorImpact(plain_name(str(item.get("name") or "")), as_of=as_of,
                        author_id=author_id, **counts)


def _count(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return value if ok else None


@dataclass(frozen=True)
class SkippedLine:
    """A line of an author file that was not used: its number and why."""

    number: int
    reason: str
    unkeyed: bool = False  # well-formed, but the name has no surname to match on


@dataclass(frozen=True)
class AuthorFile:
    """What an author file given by hand holds: the usable records and the lines skipped."""

    records: tuple[AuthorImpact, ...]
    lines: int  # author lines read (blank lines and '#' comments are not counted)
    skipped: tuple[SkippedLine, ...] = ()

    def skipped_summary(self) -> str:
        """One line: 'skipped N of M author records: ... (first: line K: reason)'."""
        if not self.skipped:
            return ""
        unkeyed = sum(s.unkeyed for s in self.skipped)
        kinds = [f"{n} {what}" for n, what in ((unkeyed, "without a surname to match on"),
                                               (len(self.skipped) - unkeyed, "malformed"))
                 if n]
        first = self.skipped[0]
        return (f"skipped {len(self.skipped)} of {self.lines} author records: "
                f"{', '.join(kinds)} (first: line {first.number}: {first.reason})")


def read_author_impact_jsonl(text: str) -> AuthorFile:
    """Read a file given by hand, one JSON object a line, skipping (and counting) every line
    that is malformed or names nobody a key can be made for."""
    records, skipped, lines = [], [], 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        lines += 1
        try:
            records.append(_file_record(line))
        except _Unkeyed as exc:
            skipped.append(SkippedLine(number, str(exc), unkeyed=True))
        except ValueError as exc:
            skipped.append(SkippedLine(number, str(exc)))
    return AuthorFile(tuple(records), lines, tuple(skipped))


class _Unkeyed(ValueError):
    """A well-formed record whose name gives no key (feeds/names.py) to match it on."""


def _file_record(line: str) -> AuthorImpact:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(item, dict):
        raise ValueError(f"expected a JSON object, got {type(item).__name__}")
    unknown = sorted(set(item) - _FILE_FIELDS)
    if unknown:
        raise ValueError(f"unknown field {_show(unknown[0])} (known: "
                         f"{', '.join(sorted(_FILE_FIELDS))})")
    counts = {ours: _file_count(item, ours) for ours, _ in _COUNTS}
    return AuthorImpact(_file_name(item), as_of=_file_text(item, "as_of", _check_date),
                        author_id=_file_text(item, "author_id"), **counts)


def _file_name(item: dict[str, Any]) -> str:
    name = item.get("name")
    if not isinstance(name, str) or not plain_name(name):
        raise ValueError(f'"name" must be a non-empty text, got {_show(name)}')
    if not full_name_key(plain_name(name)):
        raise _Unkeyed(f'"name" has no surname to match on, got {_show(name)}')
    return plain_name(name)


def _file_count(item: dict[str, Any], field: str) -> int | None:
    value = item.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f'"{field}" must be a whole number ≥ 0, got {_show(value)}')
    return value


def _file_text(
    item: dict[str, Any], field: str, check: Callable[[str], bool] | None = None
) -> str:
    value = item.get(field)
    if value is None:
        return ""
    if not isinstance(value, str) or (check is not None and not check(value)):
        expected = "a date such as 2017-06-17" if check else "a text"
        raise ValueError(f'"{field}" must be {expected}, got {_show(value)}')
    return value


def _check_date(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _show(value: Any) -> str:
    """A value as it would be written in JSON, cut short: '"many"', 'true', '[1, 2]'."""
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 40 else shown[:37] + "..."
