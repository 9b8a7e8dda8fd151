"""A scripted HTTP server on 127.0.0.1 for feed tests: ETag/304, Retry-After, slow replies."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Reply:
    """One scripted response."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # sent as ETag; a matching If-None-Match gets 304
    last_modified: str | None = None  # sent as Last-Modified; a matching If-Modified-Since: 304
    delay: float = 0.0  # seconds to wait before answering (timeouts)
    content_type: str = "application/rss+xml; charset=utf-8"


@dataclass(frozen=True)
class Recorded:
    """One request the server received."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival
    status: int = 0  # what the server answered


class FeedServer:
    """Serve scripted replies per path; the last reply of a path repeats; record requests."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._scripts: dict[str, deque[Reply]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        """The server's root, e.g. http://127.0.0.1:54321."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str = "/feed") -> str:
        """Return the absolute URL of `path`."""
        return self.base_url + path

    def script(self, path: str, *replies: Reply) -> None:
        """Answer requests to `path` with these replies in order (the last one repeats)."""
        with self._lock:
            self._scripts[path] = deque(replies)

    def requests_to(self, path: str) -> list[Recorded]:
        """The requests received for `path`."""
        return [r for r in self.requests if r.path == path]

    def next_reply(self, path: str) -> Reply:
        """Pop the next scripted reply for `path` (404 when nothing is scripted)."""
        with self._lock:
            queue = self._scripts.get(path)
            if not queue:
                return Reply(b"not scripted", status=404, content_type="text/plain")
            return queue.popleft() if len(queue) > 1 else queue[0]

    def record(self, request: Recorded) -> None:
        """Keep a received request."""
        with self._lock:
            self.requests.append(request)

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            arrived = time.monotonic()
            parts = urlsplit(self.path)
            reply = server.next_reply(parts.path)
            status = _status_for(reply, self.headers)
            server.record(
                Recorded("GET", parts.path, parts.query, dict(self.headers), arrived, status)
            )
            if reply.delay:
                time.sleep(reply.delay)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._send(reply, status)  # unless the client gave up (a timeout test)

        def _send(self, reply: Reply, status: int) -> None:
            body = b"" if status == 304 else reply.body
            self.send_response(status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(body)))
            if reply.etag:
                self.send_header("ETag", reply.etag)
            if reply.last_modified:
                self.send_header("Last-Modified", reply.last_modified)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return None  # keep test output clean

    return Handler


def _status_for(reply: Reply, headers: Message) -> int:
    if reply.status != 200:
        return reply.status
    if reply.etag and headers.get("If-None-Match") == reply.etag:
        return 304
    if reply.last_modified and headers.get("If-Modified-Since") == reply.last_modified:
        return 304
    return reply.status


class FakeTime:
    """An injectable clock and sleep: sleeping advances the clock instantly."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        """The current fake time in seconds."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Advance the clock by `seconds` and let other tasks run."""
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)
