"""A loopback Semantic Scholar Graph API: POST /paper/batch and /author/batch, scripted failures.

Answers are built from recorded shapes (tests/data/s2/SOURCES.md): a paper record lists its
authors as `{"authorId", "name"}`, an author record is one of the recorded ones cut to the fields
asked for (S2 always adds `authorId`), and a scripted 429 or 403 carries the recorded body.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from feeds.author_impact import AUTHOR_BATCH_LIMIT
from feeds.citations import BATCH_LIMIT
from tests.conftest import TEST_DATA

S2_DATA = TEST_DATA / "s2"
ERROR_BODIES = {429: (S2_DATA / "error_429_ai_scientist.json").read_bytes(),
                403: (S2_DATA / "error_403.json").read_bytes()}
Script = list[tuple[int, dict[str, str]]]


def recorded_authors() -> dict[str, dict[str, Any]]:
    """The four real author records (with counts) by author id."""
    records = json.loads((S2_DATA / "paper_authors_records.json").read_text())["data"]
    return {record["authorId"]: record for record in records}


def recorded_paper_authors() -> list[list[dict[str, Any]]]:
    """The author lists of the three papers of the real `fields=authors` batch answer."""
    return [paper["authors"] for paper in json.loads(
        (S2_DATA / "paper_batch_authors.json").read_text())]


@dataclass
class FakeS2:
    """A loopback server speaking both batch endpoints; the scripts hold statuses to answer first.

    `requests` are the paper batch requests, `author_requests` the author batch ones.
    """

    script: Script = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    paper_authors: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    author_script: Script = field(default_factory=list)
    author_requests: list[dict[str, Any]] = field(default_factory=list)
    authors: dict[str, dict[str, Any]] = field(default_factory=dict)

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
        query = parse_qs(parts.query)
        request = {"path": parts.path, "query": query, "key": handler.headers.get("x-api-key"),
                   "ids": body["ids"]}
        fields = set(",".join(query.get("fields", [""])).split(","))
        if parts.path.endswith("/author/batch"):
            self.author_requests.append(request)
            self._batch(handler, self.author_script, body["ids"], AUTHOR_BATCH_LIMIT,
                        lambda i: self._author(i, fields))
        else:
            self.requests.append(request)
            self._batch(handler, self.script, body["ids"], BATCH_LIMIT,
                        lambda i: self._record(i, fields))

    def _batch(self, handler: BaseHTTPRequestHandler, script: Script, ids: list[str],
               limit: int, record: Any) -> None:
        if script:
            status, headers = script.pop(0)
            body = ERROR_BODIES.get(status, b'{"message": "Internal Server Error"}')
            self._send(handler, status, body, headers)
        elif len(ids) > limit:
            self._send(handler, 400, f'{{"error": "more than {limit} ids"}}'.encode(), {})
        else:
            self._send(handler, 200, json.dumps([record(i) for i in ids]).encode(), {})

    def _record(self, s2_id: str, fields: set[str]) -> dict[str, Any] | None:
        arxiv_id = s2_id.removeprefix("ARXIV:")
        if arxiv_id not in self.counts:
            return None
        record: dict[str, Any] = {"paperId": "p" + arxiv_id, "externalIds": {"ArXiv": arxiv_id},
                                  "citationCount": self.counts[arxiv_id], "year": 2017}
        if "authors" in fields:
            record["authors"] = self.paper_authors.get(arxiv_id, [])
        return record

    def _author(self, author_id: str, fields: set[str]) -> dict[str, Any] | None:
        if author_id not in self.authors:
            return None
        record = self.authors[author_id]
        return {"authorId": author_id} | {k: v for k, v in record.items() if k in fields}

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes,
              headers: dict[str, str]) -> None:
        handler.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@contextmanager
def fake_s2() -> Iterator[tuple[FakeS2, str]]:
    """Serve the batch endpoints on 127.0.0.1; yield the fake and its API base URL."""
    fake = FakeS2()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            fake.answer(self)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}/graph/v1"
    server.shutdown()
    server.server_close()
