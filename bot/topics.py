"""Match what a user types ("gan", "nlp", "强化学习") to a section of the list."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from feeds.bundled import chinese_section_names
from feeds.model import Section

# Words people use for each section, keyed by a fragment of the section's name.
ALIASES: dict[str, tuple[str, ...]] = {
    "understanding": ("understanding", "generalization", "generalisation", "transfer",
                      "transfer learning", "distillation", "theory", "理解", "泛化", "迁移"),
    "optimization": ("optimization", "optimisation", "optimizer", "training", "regularization",
                     "dropout", "batchnorm", "normalization", "优化", "训练"),
    "generative": ("gan", "gans", "generative", "unsupervised", "vae", "autoencoder",
                   "generative models", "生成", "生成模型", "无监督"),
    "convolutional": ("cnn", "cnns", "convnet", "convolutional", "conv", "resnet",
                      "architecture", "卷积", "卷积神经网络"),
    "segmentation": ("detection", "object detection", "segmentation", "yolo", "rcnn", "r-cnn",
                     "检测", "分割", "目标检测", "物体检测"),
    "image / video": ("image", "video", "vision", "captioning", "caption", "vqa", "图像", "视频"),
    "natural language": ("nlp", "rnn", "rnns", "lstm", "language", "translation", "text",
                         "自然语言", "自然语言处理", "语言"),
    "speech": ("speech", "audio", "asr", "语音"),
    "reinforcement": ("rl", "reinforcement", "reinforcement learning", "robotics", "robot",
                      "强化学习", "机器人"),
    "more papers from 2016": ("2016", "more 2016"),
    "new papers": ("new", "recent", "新论文"),
    "old papers": ("old", "classic", "classics", "经典"),
    "hw / sw": ("hardware", "software", "dataset", "datasets", "framework", "hw", "sw", "数据集"),
    "book": ("book", "books", "survey", "review", "综述", "书籍"),
    "appendix": ("appendix", "more than top 100", "附录"),
}


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def _names(section: Section) -> list[str]:
    """Every way to write a section: its name, its Chinese name, its aliases."""
    names = [section.name, chinese_section_names().get(section.name, "")]
    low = section.name.lower()
    for fragment, words in ALIASES.items():
        if fragment in low:
            names.extend(words)
    return [n for n in (_norm(name) for name in names) if n]


def match_topic(text: str, sections: Sequence[Section]) -> Section | None:
    """Return the section the text names, loosely; None when nothing fits well."""
    wanted = _norm(text)
    if not wanted:
        return None
    for section in sections:
        if wanted in _names(section):
            return section
    for section in sections:  # a fragment of a name: "object detection", "generative model"
        if any(len(wanted) >= 3 and (wanted in name or name in wanted.split())
               for name in _names(section)):
            return section
    close = suggest_topics(text, sections, limit=1, cutoff=0.85)
    return close[0] if close else None


def suggest_topics(
    text: str, sections: Sequence[Section], limit: int = 3, cutoff: float = 0.6
) -> list[Section]:
    """Return sections whose names or aliases look like the text (for 'did you mean')."""
    wanted = _norm(text)[:60]
    scored: list[tuple[float, int]] = []
    for position, section in enumerate(sections):
        ratios = [difflib.SequenceMatcher(None, wanted, name).ratio() for name in _names(section)]
        best = max(ratios, default=0.0)
        if best >= cutoff:
            scored.append((best, position))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [sections[position] for _, position in scored[:limit]]
