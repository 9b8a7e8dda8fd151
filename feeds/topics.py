"""Match what a user types ("cnn", "gans", "生成模型", "object detection") to a list section.

Names come from the section itself (the whole name and its "/" parts), its Chinese name (the
translated README's `###` headings translate the newest English sections in order) and a few
aliases keyed by a word of the section name, so renamed sections keep theirs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from functools import lru_cache

from feeds.bundled import chinese_section_names
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
# Chinese terms a reader may search for, with the English a paper's title or abstract uses. The
# list's own section names (translated README) are added to these by `chinese_terms`.
ZH_TERMS: tuple[tuple[str, str], ...] = (
    ("生成对抗网络", "generative adversarial"), ("对抗生成网络", "generative adversarial"),
    ("对抗样本", "adversarial examples"), ("对抗攻击", "adversarial attack"),
    ("卷积神经网络", "convolutional neural"), ("卷积网络", "convolutional network"),
    ("循环神经网络", "recurrent neural"), ("递归神经网络", "recurrent neural"),
    ("长短期记忆", "lstm"), ("自注意力", "self attention"), ("注意力机制", "attention"),
    ("注意力", "attention"), ("深度强化学习", "deep reinforcement learning"),
    ("强化学习", "reinforcement learning"), ("目标检测", "object detection"),
    ("物体检测", "object detection"), ("语义分割", "semantic segmentation"),
    ("实例分割", "instance segmentation"), ("图像分割", "image segmentation"),
    ("图像分类", "image classification"), ("图像生成", "image generation"),
    ("图像描述", "image captioning"), ("图像字幕", "image captioning"),
    ("超分辨率", "super resolution"), ("风格迁移", "style transfer"),
    ("神经机器翻译", "neural machine translation"), ("机器翻译", "machine translation"),
    ("语音识别", "speech recognition"), ("语音合成", "speech synthesis"),
    ("语言模型", "language model"), ("词向量", "word embeddings"), ("词嵌入", "word embeddings"),
    ("问答", "question answering"), ("图神经网络", "graph neural"),
    ("知识蒸馏", "knowledge distillation"), ("迁移学习", "transfer learning"),
    ("元学习", "meta learning"), ("批归一化", "batch normalization"),
    ("批量归一化", "batch normalization"), ("正则化", "regularization"),
    ("变分自编码器", "variational autoencoder"), ("自编码器", "autoencoder"),
    ("扩散模型", "diffusion model"), ("残差网络", "residual network"),
    ("无监督学习", "unsupervised learning"), ("半监督", "semi supervised"),
    ("自监督", "self supervised"), ("对比学习", "contrastive learning"),
    ("表示学习", "representation learning"), ("神经网络", "neural network"),
    ("深度学习", "deep learning"), ("机器人", "robot"), ("推荐系统", "recommender system"),
    ("知识图谱", "knowledge graph"), ("目标跟踪", "object tracking"),
    ("姿态估计", "pose estimation"), ("人脸识别", "face recognition"),
    ("预训练", "pre training"), ("优化", "optimization"), ("视频", "video"),
    ("图像", "image"), ("文本", "text"), ("语音", "speech"), ("生成模型", "generative model"),
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


def chinese_terms() -> tuple[tuple[str, str], ...]:
    """Chinese search terms with their English, longest first: the glossary, then the
    section names of the translated README part by part ("生成模型" -> "generative models")."""
    pairs = list(ZH_TERMS)
    for english, chinese in chinese_section_names().items():
        english_parts = [p.strip() for p in english.split("/")]
        chinese_parts = [p.strip() for p in re.split(r"[/／]", chinese)]
        if len(english_parts) == len(chinese_parts):
            pairs += [(zh, en.lower()) for zh, en in zip(chinese_parts, english_parts, strict=True)
                      if zh and not zh.isascii()]
    unique = dict(reversed(pairs))  # the glossary wins over a section part
    return tuple(sorted(unique.items(), key=lambda kv: -len(kv[0])))


def to_english(text: str) -> tuple[tuple[str, ...], ...]:
    """The English phrases a Chinese query stands for, longest terms matched first."""
    found: list[tuple[str, ...]] = []
    rest = text
    for chinese, english in chinese_terms():
        if chinese in rest:
            found.append(tuple(english.split()))
            rest = rest.replace(chinese, " ")
    return tuple(dict.fromkeys(found))
