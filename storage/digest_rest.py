"""The papers a digest left out of a subscription, kept for the button that shows them."""

from __future__ import annotations

import json
from collections.abc import Sequence

from storage.db import Database, utc_now


def keep_rest(db: Database, chat_id: int, label: str, paper_ids: Sequence[str]) -> int:
    """Remember the left-out papers (call inside the composing transaction); return the id."""
    table = db.table("digest_rest").insert(
        {"chat_id": chat_id, "label": label, "paper_ids": json.dumps(list(paper_ids)),
         "created_at": utc_now()})
    assert table.last_pk is not None
    return int(table.last_pk)


def rest_of(db: Database, rest_id: int, chat_id: int) -> tuple[str, list[str]] | None:
    """The label and paper ids of a chat's kept rest (None: unknown, or another chat's)."""
    rows = list(db.query("select label, paper_ids from digest_rest where id = ? and chat_id = ?",
                         [rest_id, chat_id]))
    if not rows:
        return None
    return str(rows[0]["label"]), [str(i) for i in json.loads(rows[0]["paper_ids"])]
