"""`file://` sources: a list README or an arXiv day read from disk, answered like a GET.

A mirror, an air-gapped install or someone trying the bot out points LIST_README_URL or
ARXIV_RSS_URL at a file. The read obeys the same size cap as a download (HTTP_MAX_MB, read in
bounded chunks, so a huge or endless file stops at the cap) and returns the same FetchResult,
so parsing and storing do not know the difference. Conditional GET carries over: the file's
modification time and size are its validators, and an unchanged file is "not modified".
"""

from __future__ import annotations

import os
from email.utils import formatdate
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from feeds.http import CHUNK, DEFAULT_LIMITS, FetchError, FetchResult, Limits

LOCAL_HOSTS = ("", "localhost")


def is_file_url(url: str) -> bool:
    """True for a `file:` URL."""
    return urlsplit(url).scheme.lower() == "file"


def file_url_path(url: str) -> Path:
    """The local path a `file:` URL names; ValueError when it names another host or a
    relative path (`file:///srv/mirror/README.md` and `file://localhost/...` are fine)."""
    parts = urlsplit(url)
    if parts.netloc.lower() not in LOCAL_HOSTS:
        raise ValueError(f"a file URL must name a local path (file:///...), got host "
                         f"{parts.netloc!r}")
    path = unquote(parts.path)
    if not path.startswith("/"):
        raise ValueError("a file URL needs an absolute path, e.g. file:///srv/mirror/README.md")
    return Path(path)


def file_validators(stat: os.stat_result) -> tuple[str, str]:
    """(ETag, Last-Modified) for a file: its modification time and size, as a server would."""
    return (f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"',
            formatdate(stat.st_mtime, usegmt=True))


def read_file_url(
    url: str, *, etag: str | None = None, last_modified: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> FetchResult:
    """Read a `file:` URL like a conditional GET: 304 when its validators match, else 200 with
    its bytes (at most `limits.max_bytes`); raise FetchError naming the URL and the cause."""
    try:
        path = file_url_path(url)
        with path.open("rb") as handle:
            stat = os.fstat(handle.fileno())
            tag, modified = file_validators(stat)
            if (etag or last_modified) and (etag or tag) == tag and (
                    last_modified or modified) == modified:
                return FetchResult(304, b"", tag, modified)
            if stat.st_size > limits.max_bytes:
                raise FetchError(f"{url} is {stat.st_size:,} bytes, over the "
                                 f"{limits.max_bytes:,}-byte cap (HTTP_MAX_MB)")
            body = _read_capped(handle, url, limits.max_bytes)
    except ValueError as exc:
        raise FetchError(f"cannot read {url}: {exc}") from None
    except OSError as exc:
        raise FetchError(f"cannot read {url}: {exc.strerror or exc}") from None
    return FetchResult(200, body, tag, modified)


def _read_capped(handle: BinaryIO, url: str, cap: int) -> bytes:
    """Read in CHUNK pieces, refusing the file once it passes `cap` (it may grow, or be a
    device or a pipe whose size says nothing)."""
    chunks, size = [], 0
    while piece := handle.read(CHUNK):
        size += len(piece)
        if size > cap:
            raise FetchError(f"{url} passed the {cap:,}-byte cap (HTTP_MAX_MB)")
        chunks.append(piece)
    return b"".join(chunks)
