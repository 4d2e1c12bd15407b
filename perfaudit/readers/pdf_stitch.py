"""Tiles into forms: which pages print one form, and where each page sits on the form's canvas.

A spreadsheet printed over several pages continues its table from page to page (rows) and, when
it is wider than the paper, from page to page sideways (LibreOffice and Excel print down the first
columns, then down the next ones). :func:`group_tiles` finds the forms (a page opening with a
title in a larger font starts one) and the bands of pages printed side by side; :func:`place_tiles`
shifts the pages so that they join into one sheet-sized canvas, dropping the header rows a
continuation page repeats. :func:`on_canvas` and :func:`locate_tile` map between page and canvas.
"""

from __future__ import annotations

import statistics

from perfaudit.readers.pdf_lines import RULE_TOLERANCE, SAME_POSITION, mid_y
from perfaudit.readers.pdf_pages import Tile

_TITLE_SIZE_RATIO = 1.3  # a title's font is this much larger than the body's
_BAND_TEXT_OVERLAP = 0.5  # side-by-side tiles share less than this share of their texts


def _is_title_page(tile: Tile) -> bool:
    """The page opens with a line above any ruling in a font larger than the body's."""
    line = tile.lines[0] if tile.lines else []
    if not line:
        return False
    ruled = tile.ruled
    if ruled is not None and line[0]["bottom"] > ruled[1] + RULE_TOLERANCE:
        return False
    body = statistics.median(c["size"] for c in tile.chars)
    return max(c["size"] for c in line) >= _TITLE_SIZE_RATIO * body


def _same_rows(a: Tile, b: Tile) -> bool:
    """Both pages print the same rows.

    The same table bottom, and every row ruling of one is a ruling of the other (a merged cell leaves out some
    rulings in its columns only).
    """
    ra, rb = sorted((a.row_rules(), b.row_rules()), key=len)
    if len(ra) < 2 or abs(a.ruled[3] - b.ruled[3]) > SAME_POSITION:
        return False
    return all(any(abs(x - y) <= SAME_POSITION for y in rb) for x in ra)


def _texts(tile: Tile) -> set[str]:
    return {"".join(c["text"] for c in line).strip() for line in tile.lines} - {""}


def _side_by_side(a: Tile, b: Tile) -> bool:
    """``b`` prints the next columns of the rows ``a`` prints (a sheet wider than the paper)."""
    if a.ruled is None or b.ruled is None or not _same_rows(a, b):
        return False
    ta, tb = _texts(a), _texts(b)
    return not ta or not tb or len(ta & tb) < _BAND_TEXT_OVERLAP * min(len(ta), len(tb))


def _band_grid(tiles: list[Tile], start: int) -> tuple[int, int] | None:
    """(pages down, bands across) when the pages from ``start`` are a sheet printed in bands."""
    n = len(tiles)
    for down in range(1, (n - start) // 2 + 1):
        if any(_is_title_page(tiles[start + k]) for k in range(1, down)):
            return None
        if not all(_side_by_side(tiles[start + k], tiles[start + down + k]) for k in range(down)):
            continue
        bands = 2
        while start + (bands + 1) * down <= n and all(
            _side_by_side(tiles[start + k], tiles[start + bands * down + k]) for k in range(down)
        ):
            bands += 1
        return down, bands
    return None


def group_tiles(tiles: list[Tile]) -> list[list[list[Tile]]]:
    """Forms as grids of tiles: ``group[band][page_down]``."""
    groups = []
    i = 0
    while i < len(tiles):
        grid = _band_grid(tiles, i)
        if grid is not None:
            down, bands = grid
            groups.append([tiles[i + b * down : i + (b + 1) * down] for b in range(bands)])
            i += down * bands
            continue
        j = i + 1
        while j < len(tiles) and not _is_title_page(tiles[j]):
            j += 1
        groups.append([tiles[i:j]])
        i = j
    return groups


def place_tiles(group: list[list[Tile]]) -> None:
    """Shift the tiles of a form so that they join into one sheet-sized canvas.

    Down the sheet, a page's table continues from the bottom ruling of the page above; across,
    a band of columns continues from the right ruling of the band to its left.
    """
    for b, band in enumerate(group):
        for d, tile in enumerate(band):
            tile.band, tile.down = b, d
    first_band = group[0]
    for d in range(1, len(first_band)):
        previous, tile = first_band[d - 1], first_band[d]
        if previous.ruled is not None and tile.ruled is not None:
            top = _drop_repeated_rows(first_band[:d], tile)
            dy, start = previous.dy + previous.ruled[3] - top, previous.dy + previous.ruled[3]
        else:
            dy = start = previous.dy + previous.height
        for band in group:
            if d < len(band):
                band[d].dy, band[d].start = dy, start
                band[d].cut_top, band[d].dropped = tile.cut_top, tile.dropped
    for b in range(1, len(group)):
        left = next((t.ruled for t in group[b] if t.ruled), None)
        right = next((t.ruled for t in group[b - 1] if t.ruled), None)
        dx = group[b - 1][0].dx + (right[2] - left[0] if left and right else group[b - 1][0].width)
        for tile in group[b]:
            tile.dx = dx


def _drop_repeated_rows(earlier: list[Tile], tile: Tile) -> float:
    """Top of a continuation page's table, below the header rows it repeats from earlier pages.

    Printing "rows to repeat" puts the same header rows at the top of every page; they were
    read where the table first printed them. Returns the page height where reading starts
    (the top ruling, or the ruling under the repeated rows, which are then not read).
    """
    top = tile.ruled[1]
    rules = [r for r in tile.row_rules() if r >= top - SAME_POSITION]
    seen = []
    for page in earlier:
        if page.ruled is None:
            continue
        page_rules = [r for r in page.row_rules() if r >= page.ruled[1] - SAME_POSITION]
        seen.append([_band_text(page, a, b) for a, b in zip(page_rules, page_rules[1:], strict=False)])
    best = None
    for k in range(1, len(rules)):
        wanted = [_band_text(tile, rules[i], rules[i + 1]) for i in range(k)]
        if not wanted[-1] or not any(contains_run(rows, wanted) for rows in seen):
            break
        best = rules[k]
    if best is not None:
        tile.cut_top, tile.dropped = best, rules.index(best)
        return best
    return top


def _band_text(tile: Tile, top: float, bottom: float) -> str:
    return "".join(c["text"] for c in sorted(tile.chars, key=lambda c: (c["x0"], c["top"])) if top <= mid_y(c) < bottom)


def contains_run(rows: list, wanted: list) -> bool:
    """``wanted`` stands in ``rows`` as a run of consecutive items."""
    return any(rows[i : i + len(wanted)] == wanted for i in range(len(rows) - len(wanted) + 1))


def on_canvas(obj: dict, tile: Tile) -> dict:
    """A copy of a PDF object moved by its tile's offset onto the stitched canvas."""
    moved = dict(obj)
    for key in ("x0", "x1"):
        moved[key] = obj[key] + tile.dx
    for key in ("top", "bottom"):
        moved[key] = obj[key] + tile.dy
    if "clip" in obj:
        c = obj["clip"]
        moved["clip"] = (c[0] + tile.dx, c[1] + tile.dy, c[2] + tile.dx, c[3] + tile.dy)
    moved["page"] = tile.number
    moved["down"] = tile.down
    return moved


def locate_tile(group: list[list[Tile]], x: float, y: float) -> Tile:
    """The tile (page) that printed a canvas position."""
    band = group[0]
    for candidate in group:
        if candidate[0].dx <= x + RULE_TOLERANCE:
            band = candidate
    tile = band[0]
    for candidate in band:
        if candidate.start <= y + RULE_TOLERANCE:
            tile = candidate
    return tile
