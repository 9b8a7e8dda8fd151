"""A digest's order: the fit bar decides what a topic shows, importance decides the order.

The candidates are a real week (the 64 items of ISO week 2017-W11 of the 2,000-item 2017 feed,
tests/data/arxiv) scored by the real ranker and routed by the real router, as
tests/bot/test_fit_gate.py; group_for_chat is called on them directly.
"""

from __future__ import annotations

from functools import cache

import pytest

from bot.pipeline.list_sync import seed_bundled
from bot.pipeline.select import group_for_chat, topic_fit
from feeds.model import Candidate, Subscription, SubscriptionKind, Topic
from feeds.rank.ranker import importance
from feeds.rank.topics import show_bar
from storage import scores
from storage.db import open_db
from tests.bot.test_fit_gate import store_week, week

TOPICS = (Topic.LANGUAGE, Topic.REINFORCEMENT, Topic.GENERATIVE, Topic.DETECTION,
          Topic.OPTIMIZATION)


@cache
def candidates() -> tuple[Candidate, ...]:
    db = open_db()
    seed_bundled(db)
    store_week(db)
    found = scores.scores_for(db, [p.arxiv_id for p in week()])
    return tuple(Candidate(p, found.get(p.arxiv_id)) for p in week())


def subscribe(topic: str) -> list[Subscription]:
    return [Subscription(1, SubscriptionKind.TOPIC, topic)]


def fit(candidate: Candidate, topic: str) -> float:
    return topic_fit(candidate.scored, topic)


@pytest.mark.parametrize("topic", TOPICS)
def test_papers_over_the_bar_come_most_important_first(topic: str) -> None:
    groups = group_for_chat(subscribe(topic), candidates())
    (group,) = groups
    shown = group.papers
    assert all(fit(c, topic) >= show_bar(topic) for c in shown)  # the bar gates
    ranks = [importance(c.scored) for c in shown]
    assert ranks == sorted(ranks, reverse=True)  # importance orders
    routed = [c for c in candidates() if fit(c, topic) >= show_bar(topic)]
    assert {c.paper.arxiv_id for c in shown} == {c.paper.arxiv_id for c in routed}


def test_the_more_important_paper_comes_first_even_with_the_lower_fit() -> None:
    """In this week's NLP papers a paper with a weaker (but passing) fit outranks a closer fit
    that matters less: under the old fit x importance the closer fit came first."""
    topic = Topic.LANGUAGE
    (group,) = group_for_chat(subscribe(topic), candidates())
    order = list(group.papers)
    pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1:]
             if fit(a, topic) < fit(b, topic) and importance(a.scored) > importance(b.scored)]
    assert pairs  # the week has such pairs, and each is ordered by importance
    crossed = [(a, b) for a, b in pairs if fit(a, topic) * importance(a.scored)
               < fit(b, topic) * importance(b.scored)]
    assert crossed  # at least one pair the old product put the other way round
    for a, b in crossed:
        assert order.index(a) < order.index(b)


def test_a_chats_votes_still_move_the_order() -> None:
    """`weight` is the chat's importance (its 👍/👎 move it): reversing it reverses the order,
    and the fit bar still decides what is shown."""
    topic = Topic.LANGUAGE
    (plain,) = group_for_chat(subscribe(topic), candidates())
    (moved,) = group_for_chat(subscribe(topic), candidates(),
                              lambda c: 1.0 - importance(c.scored))
    assert len(plain.papers) > 2
    assert moved.papers == tuple(reversed(plain.papers))


def test_equal_importance_is_broken_by_fit() -> None:
    topic = Topic.LANGUAGE
    (group,) = group_for_chat(subscribe(topic), candidates(), lambda c: 0.5)
    fits = [fit(c, topic) for c in group.papers]
    assert len(fits) > 2 and fits == sorted(fits, reverse=True)
