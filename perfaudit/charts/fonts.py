"""A font that renders Chinese: the first CJK font the machine has, else the one a dependency ships.

Auditors work on Windows (Microsoft YaHei, SimHei), some on macOS (PingFang SC, Hiragino Sans GB)
and the tests and CI on a bare Linux machine, which has no CJK font at all. For that machine the
package depends on ``pylopdf-fonts-zh-cn``, a data-only wheel holding Noto Sans SC (SIL Open Font
License 1.1); its file is registered with matplotlib's font manager in memory the first time a
chart is drawn. Nothing is downloaded and nothing is written to disk.
"""

from __future__ import annotations

import functools
from pathlib import Path

from matplotlib import font_manager

# The order is the preference: the system's own UI fonts first, so charts look native.
CANDIDATES = (
    "Microsoft YaHei",  # Windows (微软雅黑)
    "SimHei",  # Windows (黑体)
    "DengXian",  # Windows 10+ (等线)
    "PingFang SC",  # macOS
    "Hiragino Sans GB",  # macOS
    "Heiti SC",  # older macOS
    "STHeiti",
    "Noto Sans CJK SC",  # Linux: fonts-noto-cjk (a face of the collection, matplotlib >= 3.10)
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",  # Linux: fonts-wqy-microhei
    "WenQuanYi Zen Hei",
    "Noto Sans CJK JP",  # the collection's first face; its cmap covers simplified Chinese too
)

# A font counts as CJK only when it has these glyphs (a family name alone can lie).
PROBE = "东坑镇妇联预算万元指标满意度湛江资金"

# Latin digits and symbols the CJK font lacks come from here (matplotlib falls back per glyph).
LATIN_FALLBACK = "DejaVu Sans"


def bundled_font_path() -> Path:
    """The Noto Sans SC file shipped by the ``pylopdf-fonts-zh-cn`` dependency."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError as err:
        raise ImportError(
            "no Chinese font for the charts: this machine has none of "
            f"{', '.join(CANDIDATES)}, and the package pylopdf-fonts-zh-cn (Noto Sans SC) is not installed; "
            "run `pip install pylopdf-fonts-zh-cn` or install a CJK font",
            name=err.name,
        ) from err
    return Path(pylopdf_fonts_zh_cn.sans_path())


def covers(path, text: str = PROBE) -> bool:
    """Whether a font (a file path, or what ``findfont`` returns: a face of a collection) has every glyph."""
    try:
        font = font_manager.get_font(path if not isinstance(path, Path) else str(path))
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) for ch in text)


def pick_installed(candidates: tuple[str, ...]) -> str | None:
    """The first candidate family that matplotlib knows and whose font covers :data:`PROBE`."""
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    for name in candidates:
        if name not in known:
            continue
        try:
            found = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
        except ValueError:
            continue
        if covers(found):
            return name
    return None


@functools.cache
def cjk_family() -> str:
    """The family name of the CJK font the charts use (registering the bundled one if needed).

    Example:
        >>> cjk_family()   # doctest: +SKIP
        'Microsoft YaHei'
    """
    installed = pick_installed(CANDIDATES)
    if installed:
        return installed
    path = bundled_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


@functools.cache
def bold_weight() -> str:
    """``"bold"`` when the CJK font has a bold face, else ``"normal"``.

    The bundled Noto Sans SC is Regular only; asking matplotlib for bold would log a findfont
    warning on every chart, so titles are then set in the regular weight.
    """
    family = cjk_family()
    weights = [entry.weight for entry in font_manager.fontManager.ttflist if entry.name == family]
    return "bold" if any(_weight(w) >= 600 for w in weights) else "normal"


def _weight(weight: int | str) -> int:
    return weight if isinstance(weight, int) else font_manager.weight_dict.get(weight, 400)


def font_families() -> list[str]:
    """The ``font.family`` list for charts: the CJK font first, Latin symbols after it."""
    return [cjk_family(), LATIN_FALLBACK]
