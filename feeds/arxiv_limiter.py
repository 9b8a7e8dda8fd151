"""One politeness limiter for every request to arXiv: one at a time, 3 seconds apart."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from types import TracebackType

logger = logging.getLogger(__name__)

# arXiv's API terms: "make no more than one request every three seconds, and limit requests
# to a single connection at a time". The RSS host is arXiv too, so it shares the budget.
ARXIV_MIN_INTERVAL = 3.0

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class ArxivLimiter:
    """Hold one arXiv request at a time and start each one ≥ `interval` s after the last ended."""

    def __init__(
        self,
        interval: float = ARXIV_MIN_INTERVAL,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._not_before = float("-inf")
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    def hold_off(self, seconds: float) -> None:
        """Start no request before `seconds` from now (e.g. a server's Retry-After)."""
        self._not_before = max(self._not_before, self.clock() + max(0.0, seconds))

    async def wait_turn(self) -> None:
        """Sleep until the next request may start."""
        while (delay := self._not_before - self.clock()) > 0:
            logger.debug("arXiv limiter: waiting %.2f s", delay)
            await self.sleep(delay)

    async def __aenter__(self) -> ArxivLimiter:
        await self._current_lock().acquire()
        try:
            await self.wait_turn()
        except BaseException:
            self._current_lock().release()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.hold_off(self.interval)
        self._current_lock().release()

    def _current_lock(self) -> asyncio.Lock:
        # asyncio.Lock binds to the loop it first waits in; a new loop (asyncio.run per CLI
        # command, one loop per test) gets a fresh lock while the timing carries over.
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock


ARXIV_LIMITER = ArxivLimiter()
"""The process-wide limiter every arXiv call goes through unless a test injects its own."""
