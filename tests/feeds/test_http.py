"""feeds/http.py against real loopback servers: whole-download deadline, size caps, and
credentials that never follow a redirect to another origin."""

from __future__ import annotations

import gzip
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from feeds.http import FetchError, Limits, get, new_client, post_json

SEEN: dict[str, list[dict[str, str]]] = {}


def _double_bomb() -> bytes:
    inner = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip of 1 GB of zeros, made in pieces
    zero = b"\0" * (1024 * 1024)
    once = b"".join(inner.compress(zero) for _ in range(1024)) + inner.flush()
    return gzip.compress(once, 9)


DOUBLE_BOMB = _double_bomb()


class Handler(BaseHTTPRequestHandler):
    """/trickle: a byte every 0.2 s; /bomb: 1 KB of gzip inflating to 20 MB; /big: 3 MB;
    /to/PORT/PATH: a 307 there; /json: answers and records the headers it got."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self._serve()

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self._serve()

    def _serve(self) -> None:
        SEEN.setdefault(f"{self.server.server_port}{self.path}", []).append(
            {k.lower(): v for k, v in self.headers.items()})
        if self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass  # the client gave up, as it should
            return
        if self.path == "/bomb":
            body = gzip.compress(b"\0" * (20 * 1024 * 1024))
            self._answer(body, {"Content-Encoding": "gzip"})
        elif self.path == "/double-bomb":  # ~16 KB on the wire, 1 GB after two inflations
            self._answer(DOUBLE_BOMB, {"Content-Encoding": "gzip, gzip"})
        elif self.path == "/double":
            self._answer(gzip.compress(gzip.compress(b"<rss>ok</rss>" * 1000)),
                         {"Content-Encoding": "gzip, gzip"})
        elif self.path == "/brotli":
            self._answer(b"\x1b\x03", {"Content-Encoding": "br"})
        elif self.path == "/big":
            self._answer(b"y" * (3 * 1024 * 1024))
        elif self.path.startswith("/to/"):  # /to/PORT/PATH: a redirect to that port
            _, _, port, rest = self.path.split("/", 3)
            self.send_response(307)  # keeps the method and body, as a POST redirect may
            self.send_header("Location", f"http://127.0.0.1:{port}/{rest}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._answer(b'{"ok": true}')

    def _answer(self, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(200)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


MB = 1024 * 1024


async def test_a_trickling_server_is_cut_off_at_the_total_limit() -> None:
    with server() as base:
        async with new_client(timeout=5) as client:  # each read comes well within 5 s
            with pytest.raises(FetchError) as caught:
                await get(client, f"{base}/trickle", limits=Limits(total_seconds=1.0))
    assert "took longer than 1 s" in str(caught.value) and "/trickle" in str(caught.value)


async def test_a_gzip_bomb_stops_at_the_inflated_cap() -> None:
    with server() as base:
        async with new_client() as client:
            with pytest.raises(FetchError) as caught:
                await get(client, f"{base}/bomb", limits=Limits(max_bytes=2 * MB))
            fine = await get(client, f"{base}/bomb", limits=Limits(max_bytes=25 * MB))
    assert "passed the 2,097,152-byte cap" in str(caught.value)
    assert len(fine.body) == 20 * MB  # under a larger cap it is read whole


async def test_a_double_gzip_bomb_stops_at_the_cap_without_inflating_it() -> None:
    """Hostile case 5: `Content-Encoding: gzip, gzip`, ~16 KB on the wire, once took 3.7 GB
    resident. Every layer counts against the cap; memory is measured, not time."""
    assert len(DOUBLE_BOMB) < 64 * 1024
    with server() as base:
        async with new_client() as client:
            tracemalloc.start()
            try:
                with pytest.raises(FetchError) as caught:
                    await get(client, f"{base}/double-bomb", limits=Limits(max_bytes=8 * MB))
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            fine = await get(client, f"{base}/double")
            with pytest.raises(FetchError) as unknown:
                await get(client, f"{base}/brotli")
    assert "passed the 8,388,608-byte cap (HTTP_MAX_MB)" in str(caught.value)
    assert peak < 40 * MB, f"peak {peak / MB:.0f} MB"
    assert fine.body == b"<rss>ok</rss>" * 1000  # two honest layers are undone
    assert "unsupported Content-Encoding: br" in str(unknown.value)


async def test_a_body_larger_than_the_cap_is_refused_by_its_length() -> None:
    with server() as base:
        async with new_client() as client:
            with pytest.raises(FetchError) as caught:
                await get(client, f"{base}/big", limits=Limits(max_bytes=1 * MB))
    assert "3,145,728 bytes, over the 1,048,576-byte cap (HTTP_MAX_MB)" in str(caught.value)


async def test_the_api_key_is_dropped_on_a_redirect_to_another_origin() -> None:
    SEEN.clear()
    with server() as first, server() as other:
        port_first, port_other = first.rsplit(":", 1)[1], other.rsplit(":", 1)[1]
        async with new_client() as client:
            same = await post_json(client, f"{first}/to/{port_first}/json", {"ids": []},
                                   headers={"x-api-key": "s2-secret"})
            away = await post_json(client, f"{first}/to/{port_other}/json", {"ids": []},
                                   headers={"x-api-key": "s2-secret"})
    assert same.body == away.body == b'{"ok": true}'
    assert SEEN[f"{port_first}/json"][0].get("x-api-key") == "s2-secret"  # same origin: kept
    assert "x-api-key" not in SEEN[f"{port_other}/json"][0]  # another origin: never sent
