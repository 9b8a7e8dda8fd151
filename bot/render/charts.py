"""The /trends chart: papers per topic per week as stacked bars, drawn to a PNG (pure)."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING

from bot.render.strings import section_name, t
from feeds.model import WeekCount

if TYPE_CHECKING:
    from matplotlib.axes import Axes

TOP_SECTIONS = 6
FIG_INCHES = (10.0, 5.6)
FIG_DPI = 100  # with FIG_INCHES: every chart is 1000 x 560 pixels
LEGEND_CHARS = 28
OTHER = "other"
_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
            "#ff9da7", "#9c755f")
_OTHER_COLOUR = "#bab0ac"
_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                 "WenQuanYi Zen Hei", "Sarasa Gothic SC", "SimHei", "Microsoft YaHei",
                 "PingFang SC")
# matplotlib's rcParams, font cache and text layout cache are process-wide: even without pyplot,
# renders from several threads are serialised.
_RENDER_LOCK = threading.Lock()

def default_title(weeks: int, lang: str = "en") -> str:
    """Return the chart's title in the language it can be drawn in."""
    return t(_drawable(lang), "chart_title", weeks=weeks)


def short_label(name: str, limit: int = LEGEND_CHARS) -> str:
    """Shorten a section name for the legend: its first part, cut at a word."""
    if len(name) <= limit:
        return name
    head = name.split(" / ")[0].strip()
    if len(head) <= limit:
        return head
    cut = head[: limit - 1].rsplit(" ", 1)[0].rstrip(" :/,-")
    return (cut or head[: limit - 1]) + "…"


def fold_sections(
    counts: Sequence[WeekCount], top: int = TOP_SECTIONS
) -> tuple[list[str], dict[tuple[str, date], int]]:
    """Keep the `top` busiest topics (busiest first) and add the rest up as OTHER, once.

    Papers routed to no topic ("other") join that bar instead of being a topic of their own:
    they used to be a second "other" series, drawn and counted twice.
    """
    totals: dict[str, int] = {}
    for c in counts:
        totals[c.section] = totals.get(c.section, 0) + c.count
    ranked = sorted((s for s in totals if s != OTHER), key=lambda s: (-totals[s], s))
    kept = set(ranked[:top])
    cells: dict[tuple[str, date], int] = {}
    for c in counts:
        key = (c.section if c.section in kept else OTHER, c.week)
        cells[key] = cells.get(key, 0) + c.count
    folded = len(ranked) > top or OTHER in totals
    return ranked[:top] + ([OTHER] if folded else []), cells


def render_trends_png(
    counts: Sequence[WeekCount], title: str, lang: str = "en", *,
    weeks: Sequence[date] | None = None, top: int = TOP_SECTIONS,
) -> bytes:
    """Draw papers per topic per week as stacked bars; return a 1000x560 PNG."""
    # Blocking (~0.1-0.3 s): call it from a worker thread, as trends_png does.
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lang = lang if lang == "zh" and _cjk_family() else "en"
    fonts = [_cjk_family() or "DejaVu Sans", "DejaVu Sans"]
    with _RENDER_LOCK, rc_context({"font.family": "sans-serif", "font.sans-serif": fonts}):
        fig = Figure(figsize=FIG_INCHES, dpi=FIG_DPI, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        fig.suptitle(title, fontsize=14, fontweight="bold")
        if sum(c.count for c in counts) == 0:
            _draw_empty(ax, lang)
        else:
            _draw_bars(ax, counts, weeks or _weeks_spanned(counts), lang, top)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=FIG_DPI, metadata={"Software": None})
    return out.getvalue()


def _weeks_spanned(counts: Sequence[WeekCount]) -> list[date]:
    first, last = min(c.week for c in counts), max(c.week for c in counts)
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def _draw_empty(ax: Axes, lang: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, t(_drawable(lang), "chart_empty"), ha="center", va="center", fontsize=20,
            color="#777777", transform=ax.transAxes)


def _draw_bars(
    ax: Axes, counts: Sequence[WeekCount], weeks: Sequence[date], lang: str, top: int
) -> None:
    from matplotlib.ticker import MaxNLocator

    series, cells = fold_sections(counts, top)
    xs = list(range(len(weeks)))
    bottoms = [0] * len(weeks)
    for i, section in enumerate(series):
        heights = [cells.get((section, week), 0) for week in weeks]
        colour = _OTHER_COLOUR if section == OTHER else _PALETTE[i % len(_PALETTE)]
        ax.bar(xs, heights, bottom=bottoms, width=0.8, color=colour,
               label=_legend_label(section, lang), edgecolor="white", linewidth=0.5)
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    step = max(1, (len(weeks) + 11) // 12)  # at most about a dozen date labels
    ax.set_xticks(xs[::step], [w.strftime("%b %d") for w in weeks[::step]])
    ax.set_xlim(-0.6, len(weeks) - 0.4)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(t(_drawable(lang), "chart_papers"))
    ax.set_xlabel(t(_drawable(lang), "chart_week"))
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0),
              frameon=False, fontsize=9)  # reversed: legend order matches the stack


def _legend_label(section: str, lang: str) -> str:
    if section == OTHER:
        return t(_drawable(lang), "chart_other")
    if lang == "zh":
        return short_label(section_name(section, lang), LEGEND_CHARS // 2)
    return short_label(section)


def _drawable(lang: str) -> str:
    """Chinese only when a font with Chinese glyphs is installed, else English."""
    return "zh" if lang == "zh" and _cjk_family() else "en"


@cache
def _cjk_family() -> str | None:
    """Return an installed font family that has Chinese glyphs, if any."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in _CJK_FAMILIES if family in installed), None)
