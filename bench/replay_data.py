"""The data a replay of 2017 reads: arXiv weeks as RSS bytes, the list's versions, the labels.

arXiv: the 2,000-item feed (../shared/data/arxiv-samples/rss2_ml6_2000-items.xml, real papers
of 2017-01..09 in arXiv's RSS 2.0 format) is split into ISO weeks by its items' pubDates; each
week keeps the feed's own channel header and its items' bytes as they stand. The feed ends on
2017-10-01, so the weeks after it are built from the arXiv pool (../shared/data/arxiv-pool/) in
the same format and by the same convention as that feed: an ML-tagged paper is announced the
day after its v1 (`new` when its primary category is one of the six followed, else `cross`),
and as `replace`/`replace-cross` v2 the day after its latest version.

The list: ../shared/data/awesome-dl-papers/mainline.tsv names the README versions that were on
master and when; the replay starts from the last one of 2016.

Labels (written before any digest was looked at; one rule per topic, on the title and the
arXiv categories, plus the GAN zoo as an outside list of GAN papers):
  nlp        cs.CL among the categories, or a title about language, text or recurrent models
  rl         cs.RO among the categories, or a title about reinforcement learning, policies,
             rewards, agents, robots, control, planning or games
  gan        in the GAN zoo (by arXiv id), or a title about GANs, generative models,
             autoencoders, density models or unsupervised learning
  detection  cs.CV among the categories and a title about detection, segmentation, region
             proposals, localisation or the named detectors (R-CNN, YOLO, SSD)
"""

from __future__ import annotations

import csv
import hashlib
import pickle
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from bench.pool import load_pool
from feeds.arxiv_rss import parse_arxiv_rss
from feeds.awesome_list import parse_awesome_list
from feeds.model import Paper

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
FEED = DATA / "arxiv-samples" / "rss2_ml6_2000-items.xml"
LIST_DIR = DATA / "awesome-dl-papers"
GAN_ZOO = DATA / "arxiv-pool" / "the-gan-zoo_gans.tsv"
CACHE = Path.home() / ".cache" / "papers-bot"
LABELS = Path(__file__).resolve().parent / "data" / "replay_labels.tsv"
FIRST_MONDAY = date(2017, 1, 2)  # ISO week 1 of 2017; 2017-01-01 (a Sunday) counts to it
WEEKS = 52
ML_SIX = ("cs.LG", "cs.CV", "cs.CL", "cs.AI", "stat.ML", "cs.NE")
TOPICS = ("nlp", "rl", "gan", "detection")

_ITEM = re.compile(rb"[ \t]*<item>.*?</item>\n?", re.S)
_PUB_DATE = re.compile(rb"<pubDate>([^<]*)</pubDate>")
_BUILD_DATE = re.compile(rb"<lastBuildDate>[^<]*</lastBuildDate>")
FOOTER = b"  </channel>\n</rss>\n"
_OFFSET = "-0500"  # the offset every pubDate of the 2,000-item feed carries


def week_of(day: date) -> int | None:
    """The replay week (0..51) of a day of 2017, None outside 2017."""
    if day.year != 2017:
        return None
    return min(max((day - FIRST_MONDAY).days // 7, 0), WEEKS - 1)


def monday_of(week: int) -> date:
    """The Monday that starts a replay week."""
    return FIRST_MONDAY + timedelta(days=7 * week)


@dataclass(frozen=True)
class SplitFeed:
    """An RSS body cut into its channel header and its items, bytes as they stand."""

    header: bytes
    items: tuple[bytes, ...]


def split_feed(body: bytes) -> SplitFeed:
    """Cut an arXiv RSS 2.0 body into the channel header and the items."""
    first = _ITEM.search(body)
    if first is None:
        raise ValueError("no <item> in the feed")
    return SplitFeed(body[: first.start()], tuple(m.group(0) for m in _ITEM.finditer(body)))


def item_day(item: bytes) -> date:
    """The day an item's pubDate names (in the feed's own offset)."""
    found = _PUB_DATE.search(item)
    if found is None:
        raise ValueError("an item without a pubDate")
    return parsedate_to_datetime(found.group(1).decode()).date()


def feed_weeks(body: bytes) -> dict[int, list[bytes]]:
    """The feed's items by replay week (items outside 2017 are left out)."""
    weeks: dict[int, list[bytes]] = {}
    for item in split_feed(body).items:
        week = week_of(item_day(item))
        if week is not None:
            weeks.setdefault(week, []).append(item)
    return weeks


def rss_date(day: date) -> str:
    """A day as the feed writes it: 'Tue, 11 Apr 2017 00:00:00 -0500'."""
    return f"{day.strftime('%a, %d %b %Y')} 00:00:00 {_OFFSET}"


def channel(header: bytes, items: Iterable[bytes], announced: date) -> bytes:
    """A whole RSS body: the header dated `announced`, the items, the closing tags."""
    built = datetime.combine(announced, datetime.min.time(), UTC) + timedelta(hours=5)
    head = _PUB_DATE.sub(f"<pubDate>{rss_date(announced)}</pubDate>".encode(), header, count=1)
    head = _BUILD_DATE.sub(f"<lastBuildDate>{format_datetime(built)}</lastBuildDate>"
                           .replace("-0000", "+0000").encode(), head, count=1)
    return head + b"".join(items) + FOOTER


def pool_item(paper: Paper, kind: str, version: int, day: date) -> bytes:
    """One item in the format of the 2,000-item feed, from a pool record."""
    ident = f"{paper.arxiv_id}v{version}"
    lines = [
        "    <item>",
        f"      <title>{escape(paper.title)}</title>",
        f"      <link>https://arxiv.org/abs/{paper.arxiv_id}</link>",
        f"      <description>arXiv:{ident} Announce Type: {kind} \n"
        f"Abstract: {escape(paper.abstract)}</description>",
        f'      <guid isPermaLink="false">oai:arXiv.org:{ident}</guid>',
        *(f"      <category>{escape(c)}</category>" for c in paper.categories),
        f"      <pubDate>{rss_date(day)}</pubDate>",
        f"      <arxiv:announce_type>{kind}</arxiv:announce_type>",
        "      <dc:rights>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</dc:rights>",
        *([f"      <arxiv:DOI>{escape(paper.doi)}</arxiv:DOI>"] if paper.doi else []),
        f"      <dc:creator>{escape(', '.join(paper.authors))}</dc:creator>",
        "    </item>",
    ]
    return ("\n".join(lines) + "\n").encode()


def pool_weeks(pool: Mapping[str, Paper], weeks: set[int]) -> dict[int, list[bytes]]:
    """Items for these replay weeks from the pool: v1 the day after it was created, the
    latest version the day after it was updated (ML-tagged papers only)."""
    found: dict[int, list[tuple[date, str, bytes]]] = {}
    for paper in pool.values():
        if not set(ML_SIX) & set(paper.categories):
            continue
        ours = paper.primary_category in ML_SIX
        for stamp, kind, version in ((paper.published, "new" if ours else "cross", 1),
                                     (paper.updated, "replace" if ours else "replace-cross", 2)):
            if not stamp:
                continue
            day = date.fromisoformat(stamp[:10]) + timedelta(days=1)
            week = week_of(day)
            if week in weeks:
                found.setdefault(week, []).append(
                    (day, paper.arxiv_id, pool_item(paper, kind, version, day)))
    return {w: [item for *_, item in sorted(items)] for w, items in found.items()}


def api_entry(paper: Paper, today: date) -> str:
    """One arXiv API (Atom) entry for a pool record, as the API answered on `today`: the
    latest version only once it exists, published = the first version's day."""
    later = bool(paper.updated) and paper.updated[:10] <= today.isoformat()
    version, updated = (2, paper.updated[:10]) if later else (1, paper.published[:10])
    ident = f"{paper.arxiv_id}v{version}"
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{ident}</id>",
        f"    <title>{escape(paper.title)}</title>",
        f"    <updated>{updated}T00:00:00Z</updated>",
        f'    <link href="https://arxiv.org/abs/{ident}" rel="alternate" type="text/html"/>',
        f"    <summary>{escape(paper.abstract)}</summary>",
        *(f'    <category term="{escape(c)}" scheme="http://arxiv.org/schemas/atom"/>'
          for c in paper.categories),
        f"    <published>{paper.published[:10]}T00:00:00Z</published>",
        *([f"    <arxiv:doi>{escape(paper.doi)}</arxiv:doi>"] if paper.doi else []),
        f'    <arxiv:primary_category term="{escape(paper.primary_category)}"/>',
        *(f"    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in paper.authors),
        "  </entry>",
    ]
    return "\n".join(lines)


def api_page(papers: list[Paper], today: date) -> bytes:
    """An arXiv API answer (Atom, the API's own layout) holding these records."""
    head = (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/api/replay</id>\n  <title>arXiv Query: replay</title>\n"
        f"  <updated>{today.isoformat()}T00:00:00Z</updated>\n"
        f"  <opensearch:itemsPerPage>{len(papers)}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{len(papers)}</opensearch:totalResults>\n"
        "  <opensearch:startIndex>0</opensearch:startIndex>\n"
    )
    entries = "".join(api_entry(p, today) + "\n" for p in papers)
    return (head + entries + "</feed>\n").encode()


@dataclass(frozen=True)
class ListVersion:
    """One README version that was on the list's master branch."""

    step: str
    at: datetime  # the commit's time, in UTC
    path: Path


def list_versions(list_dir: Path = LIST_DIR) -> list[ListVersion]:
    """The mainline README versions in order."""
    with (list_dir / "mainline.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [ListVersion(r["step"], datetime.fromisoformat(r["date"]).astimezone(UTC),
                        list_dir / r["readme_file"]) for r in rows]


def replay_versions(versions: list[ListVersion], year: int = 2017) -> list[ListVersion]:
    """The version current when the year began, then every version of the year."""
    before = [v for v in versions if v.at.year < year]
    return before[-1:] + [v for v in versions if v.at.year == year]


def listed_ids(list_dir: Path = LIST_DIR) -> set[str]:
    """The arXiv ids of every entry of every README version."""
    return {e.arxiv_id for v in list_versions(list_dir)
            for e in parse_awesome_list(v.path.read_bytes()).entries if e.arxiv_id}


def gan_zoo_ids(path: Path = GAN_ZOO) -> frozenset[str]:
    """The arXiv ids of the GAN zoo's papers."""
    ids = set()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            found = re.search(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", row["Arxiv"])
            if found:
                ids.add(found.group(1))
    return frozenset(ids)


_NLP = re.compile(
    r"\b(language|languages|linguistic|translation|text|textual|words?|sentences?|"
    r"dialog(ue)?s?|conversation\w*|question answering|pars(ing|er)|summari[sz]\w*|sentiment|"
    r"named entit\w*|reading comprehension|corpus|corpora|lexical|semantic role|chatbots?|"
    r"recurrent|rnns?|lstms?|grus?|sequence.to.sequence|seq2seq)\b", re.I)
_RL = re.compile(
    r"\b(reinforcement|q.learning|polic(y|ies)|rewards?|actor.critic|bandits?|"
    r"markov decision|mdps?|imitation|agents?|multi.agent|robot\w*|control|planning|games?|"
    r"atari|self.play|navigation|manipulation|grasp\w*)\b", re.I)
_GAN_WORDS = re.compile(
    r"\b(generative|adversarial (nets?|networks?|learning|training)|adversarially learned|"
    r"variational auto.?encoders?|vaes?|auto.?encod\w*|boltzmann|image synthesis|"
    r"image generation|image.to.image|density estimation|normali[sz]ing flows?|pixelcnn|"
    r"pixelrnn|wasserstein|unsupervised)\b", re.I)
_GAN_NAME = re.compile(r"GANs?\b")  # DCGAN, CycleGAN, GANs: case-sensitive ("organs")
_DETECTION = re.compile(
    r"(detect\w*|segment\w*|\br.?cnns?\b|\byolo\b|\bssd\b|locali[sz]\w*|bounding.box\w*|"
    r"\bproposals?\b|pedestrian\w*)", re.I)


def topic_labels(title: str, categories: Iterable[str], gan_zoo: frozenset[str],
                 arxiv_id: str) -> dict[str, bool]:
    """Whether a paper is on topic for each of TOPICS, by the rules of the docstring."""
    cats = set(categories)
    return {
        "nlp": "cs.CL" in cats or bool(_NLP.search(title)),
        "rl": "cs.RO" in cats or bool(_RL.search(title)),
        "gan": arxiv_id in gan_zoo or bool(_GAN_WORDS.search(title) or _GAN_NAME.search(title)),
        "detection": "cs.CV" in cats and bool(_DETECTION.search(title)),
    }


def write_labels(papers: Iterable[Paper], gan_zoo: frozenset[str], path: Path = LABELS) -> int:
    """Write the labels of these papers (one row each, by id); return how many."""
    rows = sorted({p.arxiv_id: p for p in papers}.values(), key=lambda p: p.arxiv_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter="\t", lineterminator="\n")
        out.writerow(["arxiv_id", *TOPICS, "title"])
        for paper in rows:
            labels = topic_labels(paper.title, paper.categories, gan_zoo, paper.arxiv_id)
            out.writerow([paper.arxiv_id, *(int(labels[t]) for t in TOPICS), paper.title])
    return len(rows)


def read_labels(path: Path = LABELS) -> dict[str, dict[str, bool]]:
    """The committed labels by arXiv id."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["arxiv_id"]: {t: row[t] == "1" for t in TOPICS}
                for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)}


@dataclass(frozen=True)
class Weeks:
    """The replayed arXiv weeks: each week's RSS body and the papers the parser reads in it."""

    bodies: dict[int, bytes]
    papers: dict[int, list[Paper]]
    from_feed: frozenset[int]
    records: dict[str, Paper]  # pool records the arXiv API answers with (replay and list papers)


def build_weeks() -> Weeks:
    """Split the 2,000-item feed into weeks, build the rest from the pool; cached on disk."""
    key = hashlib.sha256(Path(__file__).read_bytes())
    for source in [FEED, *sorted((DATA / "arxiv-pool").glob("*.tsv.xz"))]:
        key.update(f"{source.name}:{source.stat().st_size}:{source.stat().st_mtime}".encode())
    cached = CACHE / f"replay-weeks-{key.hexdigest()[:16]}.pickle"
    if cached.exists():
        loaded: Weeks = pickle.loads(cached.read_bytes())
        return loaded
    body = FEED.read_bytes()
    header = split_feed(body).header
    items = feed_weeks(body)
    missing = set(range(WEEKS)) - set(items)
    pool = load_pool()
    items.update(pool_weeks(pool, missing))
    bodies = {w: channel(header, items.get(w, []), monday_of(w + 1))
              for w in range(WEEKS)}
    papers = {w: parse_arxiv_rss(b).papers for w, b in bodies.items()}
    wanted = {p.arxiv_id for found in papers.values() for p in found} | listed_ids()
    weeks = Weeks(bodies, papers, frozenset(range(WEEKS)) - frozenset(missing),
                  {i: pool[i] for i in sorted(wanted) if i in pool})
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(pickle.dumps(weeks))
    return weeks
