"""Per-chat 👍/👎 reorder candidates without hiding any (feeds/rank/feedback.py)."""

from __future__ import annotations

from bot.render.strings import render_reason
from feeds.model import Candidate, Paper, Reason, ReasonKey, Scored
from feeds.rank.feedback import MAX_SHIFT, Vote, learn_preferences, personalise

GEN = "Unsupervised / Generative Models"
RL = "Reinforcement Learning / Robotics"
NLP = "Natural Language Processing / RNNs"


LIST_REASON = Reason(ReasonKey.TEXT, {"text": "list reason"})


def _scored(paper_id: str, score: float, section: str, authors: tuple[str, ...] = (),
            terms: tuple[str, ...] = ()) -> Candidate:
    paper = Paper(paper_id, 1, " ".join(terms) or "untitled", "", authors, ())
    return Candidate(paper, Scored(paper_id, score, section, ((section, 0.9),), (LIST_REASON,)))


def _texts(candidate: Candidate) -> list[str]:
    assert candidate.scored is not None
    return [render_reason(r, "en") for r in candidate.scored.reasons]


CANDIDATES = [
    _scored("rl", 3.0, RL, ("Sergey Levine",), ("policy", "robot")),
    _scored("nlp", 2.9, NLP, ("Kyunghyun Cho",), ("translation",)),
    _scored("gan", 2.8, GEN, ("Ian Goodfellow",), ("adversarial", "gan")),
]


def _ids(candidates: list[Candidate]) -> list[str]:
    return [c.paper.arxiv_id for c in candidates]


def test_no_votes_keeps_the_ranker_order() -> None:
    assert _ids(personalise(CANDIDATES, [])) == ["rl", "nlp", "gan"]


def test_liked_section_rises_and_says_why() -> None:
    votes = [Vote("old-gan", 1, GEN, ("Someone Else",), ("image",))]
    result = personalise(CANDIDATES, votes)
    assert _ids(result)[0] == "gan"
    assert result[0].scored.reasons[0] == Reason(ReasonKey.LIKED_SECTION, {"section": GEN})
    assert _texts(result[0])[0] == f"you liked papers in {GEN}"
    assert _texts(result[0])[-1] == "list reason"  # the ranker's reasons are kept


def test_disliked_section_sinks_but_is_never_hidden() -> None:
    votes = [Vote("old-rl", -1, RL), Vote("older-rl", -1, RL)]
    result = personalise(CANDIDATES, votes)
    assert _ids(result)[-1] == "rl"
    assert sorted(_ids(result)) == sorted(_ids(CANDIDATES))
    assert f"you disliked papers in {RL}" in _texts(result[-1])


def test_liked_authors_match_across_spellings() -> None:
    votes = [Vote("old", 1, "", ("Cho, Kyunghyun",))]
    result = personalise(CANDIDATES, votes)
    assert _ids(result)[0] == "nlp"
    assert "you liked papers by K. Cho" in _texts(result[0])


def test_the_latest_vote_on_a_paper_wins() -> None:
    votes = [Vote("x", 1, RL), Vote("x", -1, RL)]
    assert learn_preferences(votes).sections[RL] == -1


def test_a_disliked_paper_itself_goes_down_but_stays() -> None:
    result = personalise(CANDIDATES, [Vote("rl", -1)])
    assert _ids(result)[-1] == "rl" and len(result) == len(CANDIDATES)


def test_feedback_is_bounded_so_a_far_better_paper_stays_first() -> None:
    strong = _scored("strong", 3.0 + 2 * MAX_SHIFT + 1, RL, ("Sergey Levine",), ("policy",))
    weak = _scored("weak", 3.0, GEN, ("Ian Goodfellow",), ("gan",))
    votes = [Vote(f"r{i}", -1, RL, ("Sergey Levine",), ("policy",)) for i in range(10)]
    votes += [Vote(f"g{i}", 1, GEN, ("Ian Goodfellow",), ("gan",)) for i in range(10)]
    assert _ids(personalise([strong, weak], votes)) == ["strong", "weak"]
