"""A loopback Semantic Scholar Graph API: POST /paper/batch with scripted failures."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from feeds.citations import BATCH_LIMIT


@dataclass
class FakeS2:
    """A loopback server speaking the batch endpoint; `script` holds statuses to answer first."""

    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
        self.requests.append({"path": parts.path, "query": parse_qs(parts.query),
                              "key": handler.headers.get("x-api-key"), "ids": body["ids"]})
        if self.script:
            status, headers = self.script.pop(0)
            self._send(handler, status, b'{"message": "Too Many Requests"}', headers)
        elif len(body["ids"]) > BATCH_LIMIT:
            self._send(handler, 400, b'{"error": "more than 500 ids"}', {})
        else:
            records = [self._record(i) for i in body["ids"]]
            self._send(handler, 200, json.dumps(records).encode(), {})

    def _record(self, s2_id: str) -> dict[str, Any] | None:
        arxiv_id = s2_id.removeprefix("ARXIV:")
        if arxiv_id not in self.counts:
            return None
        return {"paperId": "p" + arxiv_id, "externalIds": {"ArXiv": arxiv_id},
                "citationCount": self.counts[arxiv_id], "year": 2017}

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
    """Serve the batch endpoint on 127.0.0.1; yield the fake and its API base URL."""
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
