"""Migration topics_001: topic subscriptions and routed papers move from headings to stable
topics (issue 18); a database made by main at b4d6238 (tests/data/legacy) converts."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from feeds.model import SubscriptionKind, Topic
from feeds.topic_identity import topic_for_heading
from storage import chats, scores
from storage.db import open_db
from tests.conftest import TEST_DATA

LEGACY = TEST_DATA / "legacy" / "main-b4d6238.db"


def legacy_with_old_headings(tmp_path: Path) -> Path:
    """The legacy database plus subscriptions by headings the list used in 2017: one chat
    follows the generative topic under two of its names, another a heading since renamed."""
    path = tmp_path / "old.db"
    shutil.copy(LEGACY, path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("insert into chats (chat_id, chat_type, title, lang, digest, active) "
                     "values (1002, 'private', '', 'en', 'daily', 1)")
        conn.executemany(
            "insert into subscriptions (chat_id, kind, value, created_at) values (?, ?, ?, '')",
            [(1001, "topic", "Unsupervised / Adversarial"),
             (1002, "topic", "Natural Language Process"),
             (1002, "topic", "Recurrent Neural Network Models"),
             (1002, "topic", "Word Embedding"),  # no topic of its own: kept by its heading
             (1002, "keyword", "Natural Language Process")])
    conn.close()
    return path


def test_old_topic_subscriptions_become_stable_topics_and_keywords_stay(tmp_path) -> None:
    db = open_db(legacy_with_old_headings(tmp_path))
    first = {(s.kind, s.value) for s in chats.subscriptions(db, 1001)}
    assert first == {(SubscriptionKind.KEYWORD, "learning"),
                     (SubscriptionKind.TOPIC, Topic.GENERATIVE)}  # two headings, one topic
    second = {(s.kind, s.value) for s in chats.subscriptions(db, 1002)}
    assert second == {(SubscriptionKind.TOPIC, Topic.LANGUAGE),
                      (SubscriptionKind.TOPIC, Topic.RECURRENT),
                      (SubscriptionKind.TOPIC, "Word Embedding"),
                      (SubscriptionKind.KEYWORD, "Natural Language Process")}
    assert chats.topic_subscribers(db, Topic.LANGUAGE) == [1002]


def test_routed_papers_carry_their_topic_beside_the_heading(tmp_path) -> None:
    db = open_db(legacy_with_old_headings(tmp_path))
    rows = list(db.query("select section, section2, topic, topic2 from scores"))
    assert rows and any(row["topic"] for row in rows)
    for row in rows:
        assert row["topic"] == topic_for_heading(row["section"])
        assert row["topic2"] == (topic_for_heading(row["section2"]) if row["section2"] else None)
    language = [row for row in rows if Topic.LANGUAGE in (row["topic"], row["topic2"])]
    assert language and scores.count_in_section(db, Topic.LANGUAGE) == len(language)
