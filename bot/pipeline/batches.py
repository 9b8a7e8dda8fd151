"""Long jobs on the event loop work in bounded batches and let the loop answer between them.

A 21 MB arXiv day (12,935 items) is stored and scored a batch at a time, each batch one short
transaction, and between two batches the loop answers whatever waits (a /help, a button).
Tests replace `breathe` to hold a job between batches and see what is answered meanwhile.
"""

from __future__ import annotations

import asyncio

STORE_BATCH = 500  # papers per storing transaction (about 0.1 s on the loop)
SCORE_BATCH = 250  # papers per scoring step (ranked in a worker thread, stored in one go)


async def breathe() -> None:
    """Let the event loop run what waits (replies, other jobs) before the next batch."""
    await asyncio.sleep(0)
