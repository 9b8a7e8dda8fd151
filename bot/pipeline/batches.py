"""Long jobs on the event loop work in bounded batches and let the loop answer between them.

A 21 MB arXiv day (12,935 items) is stored and scored a batch at a time, each batch one short
transaction, and between two batches the loop answers whatever waits (a /help, a button).
Tests replace `breathe` to hold a job between batches and see what is answered meanwhile.
"""

from __future__ import annotations

import asyncio

STORE_BATCH = 250  # papers per storing transaction (50-100 ms on the loop)
SCORE_BATCH = 128  # papers per scoring step: read and stored on the loop (about 0.1 s),
# ranked in a worker thread
PAUSE = 0.001  # seconds: a timer, not sleep(0), so what fell due during a batch runs first


async def breathe() -> None:
    """Let the event loop run what waits (replies, other jobs) before the next batch."""
    await asyncio.sleep(PAUSE)
