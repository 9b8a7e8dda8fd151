"""Shared fixtures: a loopback-only network guard and paths to the real data."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"
# The full corpus lives in ../shared/data beside the checkout; a newcomer's clone has none. The
# few README versions and arXiv captures the unit tests name are committed under tests/data
# (CC0 list, arXiv metadata); tests that need the whole corpus are marked `needs_shared`.
HAVE_SHARED = (SHARED_DATA / "awesome-dl-papers" / "readme-history").is_dir()
README_HISTORY = (SHARED_DATA / "awesome-dl-papers" / "readme-history" if HAVE_SHARED
                  else TEST_DATA / "readme-history")
ARXIV_SAMPLES = SHARED_DATA / "arxiv-samples" if HAVE_SHARED else TEST_DATA / "arxiv"
needs_shared = pytest.mark.skipif(
    not HAVE_SHARED, reason="needs the full corpus in ../shared/data beside the checkout")

_real_connect = socket.socket.connect
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else address
    if not _is_loopback(host):
        raise RuntimeError(f"test tried to reach {address!r}: only loopback is allowed")
    return _real_connect(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if host is not None and not _is_loopback(host if isinstance(host, str) else str(host)):
        raise OSError(f"test tried to resolve {host!r}: only loopback is allowed")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection that leaves 127.0.0.1."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
