"""file:// sources (feeds/local_file.py through feeds.http.get): the same FetchResult as a
download, the same size cap, and the file's mtime and size as conditional-GET validators."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from feeds.arxiv_rss import parse_arxiv_rss
from feeds.http import FetchError, FetchResult, Limits, get, new_client
from feeds.local_file import _read_capped, file_url_path, read_file_url
from tests.conftest import TEST_DATA

DAY = TEST_DATA / "arxiv" / "rss2_ml6_2017-03-14.xml"


def fetch(url: str, **kwargs: object) -> FetchResult:
    async def once() -> FetchResult:
        async with new_client() as client:
            return await get(client, url, **kwargs)  # type: ignore[arg-type]
    return asyncio.run(once())


def test_a_file_url_reads_like_a_download(tmp_path: Path) -> None:
    copy = tmp_path / "day.xml"
    shutil.copy(DAY, copy)
    result = fetch(copy.as_uri())
    assert result.status == 200 and result.body == DAY.read_bytes()
    assert result.etag and result.last_modified
    assert len(parse_arxiv_rss(result.body).papers) == len(parse_arxiv_rss(DAY.read_bytes()).papers)


def test_an_unchanged_file_is_not_modified_and_a_changed_one_is_read(tmp_path: Path) -> None:
    copy = tmp_path / "day.xml"
    shutil.copy(DAY, copy)
    first = fetch(copy.as_uri())
    again = fetch(copy.as_uri(), etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.body == b""
    copy.write_bytes(DAY.read_bytes() + b"\n")  # a new day written over the old one
    stat = copy.stat()
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    changed = fetch(copy.as_uri(), etag=first.etag, last_modified=first.last_modified)
    assert changed.status == 200 and changed.body.endswith(b"\n")
    assert changed.etag != first.etag


def test_the_size_cap_holds_for_files(tmp_path: Path) -> None:
    copy = tmp_path / "day.xml"
    shutil.copy(DAY, copy)
    small = Limits(max_bytes=DAY.stat().st_size - 1)
    with pytest.raises(FetchError, match="HTTP_MAX_MB"):
        fetch(copy.as_uri(), limits=small)
    with pytest.raises(FetchError, match="HTTP_MAX_MB"), open(copy, "rb") as handle:
        _read_capped(handle, copy.as_uri(), small.max_bytes)  # the read itself stops at the cap
    assert fetch(copy.as_uri(), limits=Limits(max_bytes=DAY.stat().st_size)).status == 200


def test_a_missing_file_or_a_remote_host_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"cannot read file://.*: No such file or directory"):
        fetch((tmp_path / "absent.xml").as_uri())
    with pytest.raises(FetchError, match="must name a local path"):
        read_file_url("file://mirror.example.org/README.md")
    assert file_url_path("file://localhost/srv/a%20b.md") == Path("/srv/a b.md")
