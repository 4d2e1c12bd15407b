"""The one look of every chart, and the few drawing helpers that keep labels readable.

Charts are drawn at A4 text width (17 cm) so that a PNG pasted into a working paper keeps its
9-point text. The style is applied inside each chart function with ``rc_context``; nothing
here touches matplotlib's global settings, and figures are made without pyplot (no global
figure registry, no double display in Jupyter).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

from perfaudit.charts.fonts import bold_weight, font_families
from perfaudit.fields import label, severity_colour
from perfaudit.strings import display_width

WIDTH_IN = 6.7  # 17 cm: an A4 page (21 cm) less 2 cm margins
DPI = 200
SCREEN_DPI = 120  # the width a notebook shows a chart at (the PNG itself is at DPI)
ROW_IN = 0.27  # height of one bar row: leaves room for a wrapped two-line label

BLUE = "#2f5d8a"
LIGHT_BLUE = "#9dbad5"
# Orange and red are the warning and error colours of the findings, so that a flagged point reads
# as the finding it is (vocab/severities.csv).
ORANGE = severity_colour("warning")
LIGHT_ORANGE = "#f5cba7"
RED = severity_colour("error")
LIGHT_RED = "#f2b8b0"
GREEN = "#3b8f6f"
GREY = "#8c96a0"
LIGHT_GREY = "#e6e9ec"
INK = "#222222"
# Categorical series (years, units, sections), colour-blind safe enough in this order.
SERIES = (BLUE, ORANGE, GREEN, "#8e5ea2", "#b5525c", "#6b7b8c", "#c4a000", "#2a9d8f")

VALUE_GID = "value-label"  # bar numbers
POINT_GID = "point-label"  # scatter annotations
NOTE_GID = "note"  # footnotes


def rc() -> dict:
    """The rcParams of every chart."""
    return {
        "font.family": font_families(),
        "font.size": 9,
        "axes.titlesize": 9.5,
        "axes.titlelocation": "left",
        "axes.titlepad": 5,
        "axes.labelsize": 8.5,
        "axes.labelcolor": "#333333",
        "axes.edgecolor": "#999999",
        "axes.linewidth": 0.7,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.axisbelow": True,
        "axes.grid": False,
        "grid.color": "#e3e3e3",
        "grid.linewidth": 0.6,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8.5,
        "xtick.color": "#444444",
        "ytick.color": "#333333",
        "ytick.major.size": 0,
        "legend.fontsize": 8,
        "legend.frameon": False,
        "figure.titlesize": 11,
        "figure.titleweight": bold_weight(),
        "figure.facecolor": "white",
        "figure.dpi": 100,
        "savefig.dpi": DPI,
        "savefig.facecolor": "white",
        "text.color": INK,
    }


@contextmanager
def styled() -> Iterator[None]:
    """Apply the chart style for the duration of a ``with`` block."""
    with matplotlib.rc_context(rc()), warnings.catch_warnings():
        # A control character in form text has no glyph in any font: it is left out, silently.
        # Any other missing glyph (a CJK font that lacks one) still warns.
        warnings.filterwarnings("ignore", message=_CONTROL_GLYPH, category=UserWarning)
        yield


_CONTROL_GLYPH = r"Glyph (?:[0-9]|[12][0-9]|3[01]|12[7-9]|1[3-5][0-9]) \("


class Chart(Figure):
    """A Figure that shows itself in Jupyter as a PNG.

    Charts are made without pyplot, so Jupyter's inline backend (which registers its display
    hook only once pyplot has drawn something) may not know them; and a pyplot figure returned
    from a cell would be shown twice. This shows it once, crisp on high-density screens.
    """

    def _repr_png_(self) -> tuple[bytes, dict]:
        buffer = io.BytesIO()
        with styled():
            self.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue(), {"width": round(self.get_figwidth() * SCREEN_DPI)}


def new_figure(height_in: float, width_in: float = WIDTH_IN) -> Chart:
    """A figure with an Agg canvas (renders without a display) and constrained layout."""
    fig = Chart(figsize=(width_in, max(height_in, 1.6)), layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(h_pad=0.06, w_pad=0.06, hspace=0.04, wspace=0.04)
    return fig


# --- numbers and words -------------------------------------------------------------------


def wan(yuan: float) -> float:
    """Yuan to 万元."""
    return yuan / 10_000


def amount(value: float, decimals: int = 2) -> str:
    """A money figure as forms print it: thousands separators, fixed decimals."""
    return f"{value:,.{decimals}f}"


def plain(value: float) -> str:
    """A tick number without trailing zeros or scientific notation: 80,000 · 2.5 · 0.005."""
    if value == 0:
        return "0"
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def plain_ticks() -> FuncFormatter:
    """A tick formatter writing :func:`plain` numbers (one per axis: formatters remember their axis)."""
    return FuncFormatter(lambda value, _pos: plain(value))


def money_label(table: str, column: str, unit: str = "万元") -> str:
    """The dictionary's label of a money column with the unit the axis shows: 拟投入资金(万元)."""
    text = label(table, column)
    base = text.split("(")[0].split("（")[0]
    return f"{base}({unit})"


_BREAK_AFTER = "、，；：。）)"
_BREAK_BEFORE = "（("


def _chunks(text: str) -> list[str]:
    """Pieces of a label between the places a line may break (after 、，：…, before an opening bracket)."""
    chunks, chunk = [], ""
    for ch in text:
        if ch in _BREAK_BEFORE and chunk:
            chunks.append(chunk)
            chunk = ""
        chunk += ch
        if ch in _BREAK_AFTER:
            chunks.append(chunk)
            chunk = ""
    return [*chunks, chunk] if chunk else chunks


def _fill(chunks: list[str], limit: int, split: bool) -> list[str] | None:
    """Lines of at most ``limit`` columns; a piece longer than that is broken only when ``split``."""
    lines, line = [], ""
    for chunk in chunks:
        if display_width(line + chunk) <= limit:
            line += chunk
            continue
        if display_width(chunk) <= limit:
            lines.append(line)
            line = chunk
            continue
        if not split:
            return None
        for ch in chunk:  # Chinese has no spaces: a long piece may break anywhere
            if display_width(line + ch) > limit:
                lines.append(line)
                line = ""
            line += ch
    lines.append(line)
    return [line for line in lines if line]


def wrap(text: str, width: int = 24, max_lines: int = 2) -> str:
    """Break a label into balanced lines of at most ``width`` columns, at punctuation where it can.

    Past ``max_lines`` the text is cut with ….
    """
    total = display_width(text)
    if total <= width:
        return text
    need = -(-total // width)
    chunks = _chunks(text)
    balanced = -(-total // need)
    # Fewest lines first; within that, break at punctuation if any width allows it, else anywhere.
    lines = next(
        (
            found
            for split in (False, True)
            for limit in range(balanced, width + 1)
            if (found := _fill(chunks, limit, split)) is not None and len(found) <= need
        ),
        None,
    ) or _fill(chunks, width, True)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and display_width(last + "…") > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return "\n".join(line.strip() for line in lines)


# --- labels that do not collide ----------------------------------------------------------


def label_bars(ax: Axes, bars, texts: Iterable[str], fontsize: float = 7.5) -> list[Text]:
    """Write a number at the end of each horizontal bar (left of it for a negative bar)."""
    out = []
    for bar, text in zip(bars, texts, strict=True):
        width = bar.get_width()
        end = bar.get_x() + width
        negative = width < 0
        out.append(
            ax.annotate(
                text,
                xy=(end, bar.get_y() + bar.get_height() / 2),
                xytext=(-3 if negative else 3, 0),
                textcoords="offset points",
                ha="right" if negative else "left",
                va="center",
                fontsize=fontsize,
                color="#333333",
                gid=VALUE_GID,
                annotation_clip=False,
                zorder=4,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.75},
            )
        )
    for text in out:
        text.set_in_layout(False)  # kept inside the axes by finish(), not by shrinking the axes
    return out


def finish(fig: Figure) -> Figure:
    """Lay the figure out, then widen x-limits until every bar number sits inside its axes.

    Drawing here, inside the style context, also creates the tick labels with the chart fonts,
    so a later display in a notebook (outside the context) looks the same and finds the glyphs.
    """
    for _ in range(6):
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        changed = _fit_titles(fig, renderer)
        for ax in fig.axes:
            labels = [t for t in ax.texts if t.get_gid() == VALUE_GID and t.get_visible()]
            if labels and ax.get_xscale() == "linear":
                changed |= _widen_for(ax, labels, renderer)
        if not changed:
            break
    return fig


_BREAKS = "：，；、"


def _fit_titles(fig: Figure, renderer) -> bool:
    """Break an axes title that runs past the figure's edge at its most balanced punctuation mark."""
    changed = False
    for ax in fig.axes:
        text = ax.get_title(loc="left")
        if not text or "\n" in text:
            continue
        title = ax.set_title(text, loc="left")
        if title.get_window_extent(renderer).x1 <= fig.bbox.x1 - 4:
            continue
        cuts = [n + 1 for n, ch in enumerate(text[:-1]) if ch in _BREAKS]
        if cuts:
            cut = min(cuts, key=lambda n: max(display_width(text[:n]), display_width(text[n:])))
            ax.set_title(text[:cut] + "\n" + text[cut:], loc="left")
        else:
            ax.set_title(wrap(text, display_width(text) // 2 + 2), loc="left")
        changed = True
    return changed


def _widen_for(ax: Axes, labels: list[Text], renderer) -> bool:
    box = ax.get_window_extent(renderer)
    pad = 4
    right = max(t.get_window_extent(renderer).x1 for t in labels) - (box.x1 - pad)
    left = (box.x0 + pad) - min(t.get_window_extent(renderer).x0 for t in labels)
    if right <= 0.5 and left <= 0.5:
        return False
    x0, x1 = ax.get_xlim()
    span = x1 - x0
    # Grow the data range by the overflow's share of the axes, plus a little; repeat if needed.
    if right > 0.5:
        x1 += span * (right / max(box.width - right, 1)) * 1.05
    if left > 0.5:
        x0 -= span * (left / max(box.width - left, 1)) * 1.05
    ax.set_xlim(x0, x1)
    return True


def declutter(ax: Axes, labels: list[Text]) -> None:
    """Move point labels up or down until none overlaps another, and keep them inside the axes."""
    if not labels:
        return
    fig = ax.figure
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    to_points = 72 / fig.dpi
    placed = []
    for text in sorted(labels, key=lambda t: -t.get_window_extent(renderer).y0):
        if text.get_window_extent(renderer).x1 > box.x1:  # too far right: put it left of its point
            dx, dy = text.xyann
            text.set_horizontalalignment("right")
            text.xyann = (-abs(dx), dy)
        start = text.xyann
        for direction in (-1, 1):  # first downwards; upwards if that leaves the axes
            text.xyann = start
            extent = text.get_window_extent(renderer)
            for _ in range(40):
                hit = next((p for p in placed if p.overlaps(extent)), None)
                if hit is None:
                    break
                shift = (extent.y1 - hit.y0 + 1) if direction < 0 else (hit.y1 - extent.y0 + 1)
                dx, dy = text.xyann
                text.xyann = (dx, dy + direction * shift * to_points)
                extent = text.get_window_extent(renderer)
            if box.y0 <= extent.y0 and extent.y1 <= box.y1:
                break
        placed.append(extent)


def add_note(fig: Figure, text: str) -> None:
    """A footnote under the plots (what was left out and why), each line wrapped to the figure's width."""
    columns = int(fig.get_figwidth() * 72 / 7.5 * 2 * 0.92)  # half-width columns of 7.5-point text
    lines = [wrap(line, columns, max_lines=3) for line in text.splitlines() if line]
    fig.supxlabel("\n".join(lines), fontsize=7.5, color="#555555", x=0.01, ha="left", gid=NOTE_GID)


def add_header(fig: Figure, title: str, handles: list | None = None) -> None:
    """The chart's title at the top left, with its legend (if any) in rows under it.

    The legend carries the title (as its own title) so that constrained layout reserves one
    block for both: a figure title and a figure legend at the top would be laid over each other.
    """
    if not handles:
        fig.suptitle(title, x=0.01, ha="left")
        return
    width_pt = fig.get_figwidth() * 72 - 10
    longest = max(display_width(h.get_label()) for h in handles) * 4.2 + 36  # 8-point text plus the key
    ncols = max(1, min(len(handles), int(width_pt // longest)))
    fig.legend(
        handles=handles,
        loc="outside upper left",
        ncols=ncols,
        title=title,
        alignment="left",
        title_fontproperties={"size": 11, "weight": bold_weight()},
        handlelength=1.4,
        borderpad=0.2,
        columnspacing=1.4,
    )
