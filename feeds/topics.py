"""Match what a user types ("cnn", "gans", "生成模型", "object detection") to a list section.

Names come from the section itself (the whole name and its "/" parts), its Chinese name (the
translated README's `###` headings translate the newest English sections in order), a few
aliases keyed by a word of the section name, so renamed sections keep theirs, and the Chinese
glossary's terms whose English is one of those names ("目标检测" -> "object detection").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from functools import lru_cache

from feeds.bundled import chinese_section_names
from feeds.glossary import english_of
from feeds.model import Section

ALIASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("understanding", ("generalisation", "transfer learning", "distillation", "theory",
                       "interpretability")),
    ("optimization", ("optimisation", "optimizer", "training", "regularization", "dropout",
                      "batch normalization", "batchnorm")),
    ("generative", ("gan", "generative adversarial networks", "vae", "autoencoder",
                    "generative model", "unsupervised learning")),
    ("convolutional", ("cnn", "convnet", "conv net", "convolutional networks", "resnet",
                       "architectures", "convolutional network models")),
    ("detection", ("object detection", "detection", "segmentation", "semantic segmentation",
                   "rcnn", "r cnn", "yolo")),
    ("video", ("video", "vision", "computer vision", "captioning", "vqa", "super resolution",
               "style transfer")),
    ("natural language", ("nlp", "rnn", "lstm", "language", "machine translation", "text",
                          "nmt")),
    ("speech", ("asr", "audio", "speech recognition", "tts")),
    ("reinforcement", ("rl", "deep rl", "drl", "robot", "robotics", "reinforcement learning")),
    ("new paper", ("new", "recent", "latest")),
    ("old paper", ("old", "classic", "classics")),
    ("dataset", ("hardware", "software", "datasets", "framework", "frameworks", "hw", "sw")),
    ("survey", ("book", "books", "surveys", "review", "reviews", "overview")),
    ("lecture", ("lectures", "tutorial", "tutorials", "blog", "blogs", "course", "courses")),
    ("appendix", ("more than top 100", "more papers")),
)
MATCH_CUTOFF = 0.85
SUGGEST_CUTOFF = 0.55


def _norm(text: str) -> str:
    """Case-fold and keep letters and digits; fold English plurals word by word."""
    words = re.findall(r"[^\W_]+", text.casefold())
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and w.isascii() else w
                    for w in words)


def topic_names(section: Section) -> tuple[str, ...]:
    """Every normalised way to name a section: name, parts, Chinese name and parts, aliases."""
    return _names_of(section.name)


@lru_cache(maxsize=256)
def _names_of(name: str) -> tuple[str, ...]:
    # By the section's name only (its entries do not matter): every /papers asks for these.
    names = [name, *name.split("/"), *name.split(":")]
    chinese = chinese_section_names().get(name, "")
    if chinese:
        names += [chinese, *re.split(r"[/／]", chinese)]
    low = name.lower()
    for key, aliases in ALIASES:
        if key in low:
            names.extend(aliases)
    english = {_norm(each) for each in names}
    names += [zh for zh, renderings in english_of().items()
              if any(_norm(each) in english for each in renderings)]
    return tuple(dict.fromkeys(n for n in (_norm(each) for each in names) if n))


def match_topic(text: str, sections: Sequence[Section]) -> Section | None:
    """Return the section the text names, loosely; None when nothing fits well enough."""
    wanted = _norm(text)
    if not wanted:
        return None
    exact = [s for s in sections if wanted in topic_names(s)]
    if len(exact) == 1:
        return exact[0]
    if exact:
        return None  # "image" names two sections: let the caller offer both
    contained = [s for s in sections if any(_contains(name, wanted) for name in topic_names(s))]
    if len(contained) == 1:
        return contained[0]
    close = suggest_topics(text, sections, limit=1, cutoff=MATCH_CUTOFF)
    return close[0] if close else None


def _contains(name: str, wanted: str) -> bool:
    """'generative' in 'unsupervised generative model'; '生成模型' in '无监督 生成模型'."""
    if wanted.isascii():
        return f" {wanted} " in f" {name} " and len(wanted) >= 3
    return len(wanted) >= 2 and wanted in name


def suggest_topics(
    text: str, sections: Sequence[Section], limit: int = 3, cutoff: float = SUGGEST_CUTOFF
) -> list[Section]:
    """Sections whose names look like the text, closest first (for "did you mean ...?")."""
    wanted = _norm(text)[:80]
    if not wanted:
        return []
    ranked = []
    for position, section in enumerate(sections):
        best = max((_likeness(wanted, name) for name in topic_names(section)), default=0.0)
        if best >= cutoff:
            ranked.append((-best, position, section))
    return [section for _, _, section in sorted(ranked, key=lambda r: r[:2])[:limit]]


def _likeness(wanted: str, name: str) -> float:
    whole = difflib.SequenceMatcher(None, wanted, name).ratio()
    words = [difflib.SequenceMatcher(None, wanted, w).ratio() for w in name.split()
             if len(w) >= 3]
    return max([whole, *words])
