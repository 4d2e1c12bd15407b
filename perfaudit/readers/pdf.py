"""PDF forms (pdfplumber): the cells of ruled tables, or wrapped text rows where nothing is ruled.

A reader takes what the page shows, not what the file happens to hold:

- Characters a clipping path hides (text a cell clipped, text beyond the page edge) are not
  read. A cell that clips its text is reported in ``Sheet.notes`` (so in ``leftovers``) with the
  number of characters hidden, never completed from the hidden part.
- Numbers are the printed text (``10,891.62``); ``value`` is that number and ``number_format``
  the format that prints it so (``#,##0.00``), so the printed precision travels with the cell.
- Pages are tiles of one sheet. A spreadsheet printed over several pages continues its table
  from page to page (rows) and, when it is wider than the paper, from page to page sideways
  (LibreOffice and Excel print down the first columns, then down the next ones). The tiles are
  put back together before cells are found, so a merged cell cut by a page break is one cell
  again. Header rows repeated at the top of a continuation page are dropped (with a note).
- A PDF with several forms gives one sheet per form: a page whose first line is a title in a
  larger font than the body starts a new form.

References: ``p{page}!{column}{row}``. ``column`` is the column of the form's ruled grid
(``A`` = the leftmost ruling of the form, counted across pages printed side by side, so it
matches the spreadsheet's column when the PDF was printed from one), ``row`` counts the rows on
that page from the top (a ruled table row or a line of text outside the table). In text-only
pages ``column`` counts the fragments of the line. ``p2!C5`` is page 2, column C, fifth row.
"""

from __future__ import annotations

import bisect
import functools
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from perfaudit.readers.cells import Cell, ReadError, Sheet

# Layout tolerances in PDF points (1/72 inch); forms are printed at 9–14 pt.
_RULE_TOLERANCE = 3.0  # rulings closer than this are one line (pdfplumber's default)
_SAME_POSITION = 1.0  # two pages' row rulings at the same height
_TITLE_SIZE_RATIO = 1.3  # a title's font is this much larger than the body's
_COLUMN_GAP_EM = 1.5  # a gap this wide (in character heights) separates fragments of a line
_SPACE_GAP_EM = 0.25  # a narrower gap inside a fragment is a space
_WRAP_SLACK_EM = 2.5  # a wrapped line ends less than this short of its column's edge
_CELL_PADDING = 2.0  # room a cell keeps between its border and its text, each side
_BAND_TEXT_OVERLAP = 0.5  # side-by-side tiles share less than this share of their texts
_PLAIN_NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")


def read_pdf(path: Path) -> list[Sheet]:
    """Read a PDF form into one sheet per form found in it.

    Raises:
        ReadError: not a PDF, damaged, encrypted, empty, or scanned (no text layer: OCR needed).

    Example:
        >>> sheets = read_pdf(Path("tests/fixtures/pdf/zhanjiang-renshe-2024.pdf"))  # doctest: +SKIP
        >>> sheets[0].rows[1][0].text, sheets[0].rows[1][0].ref  # doctest: +SKIP
        ('部门名称', 'p1!A2')
    """
    data = path.read_bytes()
    if not data.strip():
        raise ReadError(path, "empty file")
    if b"%PDF-" not in data[:1024]:
        raise ReadError(path, "not a PDF file (no %PDF header)")
    tiles = _read_tiles(path)
    if not any(tile.chars for tile in tiles):
        if any(tile.images for tile in tiles):
            raise ReadError(path, "scanned PDF: the pages are images without a text layer; OCR is needed to read it")
        raise ReadError(path, "the PDF has no text on any page")
    sheets = []
    for group in _group_tiles(tiles):
        sheet = _read_group(group)
        if sheet.rows:
            sheets.append(sheet)
    return sheets


# --- opening and reading pages ---------------------------------------------------------------


@dataclass
class _Tile:
    """What one page shows: visible characters, rulings, and what a clip hid."""

    number: int
    width: float
    height: float
    chars: list[dict]
    hidden: list[dict]
    edges: list[dict]
    images: int
    # Set when the tile is placed on the canvas of its form (see _place).
    band: int = 0
    down: int = 0
    dx: float = 0.0
    dy: float = 0.0
    start: float = 0.0  # canvas height where this page's part of the form begins
    cut_top: float | None = None  # page height above which repeated header rows were dropped
    dropped: int = 0  # how many rows that is

    @functools.cached_property
    def ruled(self) -> tuple[float, float, float, float] | None:
        h = [e for e in self.edges if e["orientation"] == "h"]
        v = [e for e in self.edges if e["orientation"] == "v"]
        if len(h) < 2 or len(v) < 2:
            return None
        return (
            min(e["x0"] for e in h + v),
            min(e["top"] for e in h + v),
            max(e["x1"] for e in h + v),
            max(e["bottom"] for e in h + v),
        )

    def row_rules(self) -> list[float]:
        return sorted({round(e["top"], 1) for e in self.edges if e["orientation"] == "h"})

    @functools.cached_property
    def lines(self) -> list[list[dict]]:
        return _lines(self.chars)


def _read_tiles(path: Path) -> list[_Tile]:
    import pdfplumber  # imported here: only PDF forms need it
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    tiles = []
    try:
        with pdfplumber.open(path) as pdf:
            if not pdf.pages:
                raise ReadError(path, "the PDF has no pages")
            for page in pdf.pages:
                tiles.append(_read_page(page))
    except ReadError:
        raise
    except PdfminerException as err:
        cause = err.args[0] if err.args else err
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError) or "password" in str(cause).lower():
            raise ReadError(path, "encrypted PDF: it needs a password to open; save an unprotected copy") from None
        raise ReadError(path, f"damaged PDF ({type(cause).__name__}: {cause})") from None
    except Exception as err:  # pdfminer raises many types for broken files
        raise ReadError(path, f"damaged PDF ({type(err).__name__}: {err})") from None
    return tiles


def _read_page(page) -> _Tile:
    from pdfplumber.utils import filter_edges

    chars, hidden = _visible_chars(page)
    box = (0.0, 0.0, float(page.width), float(page.height))
    edges = [
        e
        for e in filter_edges(page.edges, min_length=_RULE_TOLERANCE)
        if e["x0"] >= box[0] - 1 and e["x1"] <= box[2] + 1 and e["top"] >= box[1] - 1 and e["bottom"] <= box[3] + 1
    ]
    return _Tile(
        number=page.page_number,
        width=box[2],
        height=box[3],
        chars=chars,
        hidden=hidden,
        edges=edges,
        images=len(page.images),
    )


def _visible_chars(page) -> tuple[list[dict], list[dict]]:
    """The page's characters as dicts, split into visible ones and ones a clip hides.

    pdfminer ignores clipping paths, so the page is interpreted once more here with the
    clipping rectangle tracked (spreadsheet exports clip every overfull cell to its border).
    """
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTChar, LTContainer
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.utils import apply_matrix_pt

    class ClipDevice(PDFPageAggregator):
        clip: tuple[float, float, float, float] | None = None

        def render_char(self, *args, **kwargs):
            adv = super().render_char(*args, **kwargs)
            self.cur_item._objs[-1].clip = self.clip
            return adv

    class ClipInterpreter(PDFPageInterpreter):
        def init_state(self, ctm):
            super().init_state(ctm)
            self.clip_stack = []

        def do_q(self):
            self.clip_stack.append(self.device.clip)
            super().do_q()

        def do_Q(self):
            if self.clip_stack:
                self.device.clip = self.clip_stack.pop()
            super().do_Q()

        def do_W(self):
            points = [apply_matrix_pt(self.ctm, seg[-2:]) for seg in self.curpath if len(seg) >= 3]
            if not points:
                return
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            rect = (min(xs), min(ys), max(xs), max(ys))
            old = self.device.clip
            if old is not None:
                rect = (max(rect[0], old[0]), max(rect[1], old[1]), min(rect[2], old[2]), min(rect[3], old[3]))
            self.device.clip = rect

        do_W_a = do_W

    device = ClipDevice(page.pdf.rsrcmgr, pageno=page.page_number)
    ClipInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    height = float(page.height)

    def walk(item):
        for obj in item:
            if isinstance(obj, LTChar):
                yield obj
            elif isinstance(obj, LTContainer):
                yield from walk(obj)

    visible, hidden = [], []
    for obj in walk(device.get_result()):
        text = obj.get_text()
        if not text or not obj.upright:
            continue
        char = {
            "text": text,
            "x0": obj.x0,
            "x1": obj.x1,
            "top": height - obj.y1,
            "bottom": height - obj.y0,
            "size": obj.size,
            "page": page.page_number,
        }
        cx, cy = (obj.x0 + obj.x1) / 2, (obj.y0 + obj.y1) / 2
        clip = obj.clip
        on_page = 0 <= cx <= float(page.width) and 0 <= cy <= height
        if clip is not None:
            char["clip"] = (clip[0], height - clip[3], clip[2], height - clip[1])
        if on_page and (clip is None or (clip[0] <= cx <= clip[2] and clip[1] <= cy <= clip[3])):
            visible.append(char)
        elif not text.isspace():
            hidden.append(char)
    return visible, hidden


# --- tiles into forms ------------------------------------------------------------------------


def _is_title_page(tile: _Tile) -> bool:
    """The page opens with a line above any ruling in a font larger than the body's."""
    line = tile.lines[0] if tile.lines else []
    if not line:
        return False
    ruled = tile.ruled
    if ruled is not None and line[0]["bottom"] > ruled[1] + _RULE_TOLERANCE:
        return False
    body = statistics.median(c["size"] for c in tile.chars)
    return max(c["size"] for c in line) >= _TITLE_SIZE_RATIO * body


def _same_rows(a: _Tile, b: _Tile) -> bool:
    """Both pages print the same rows: the same table bottom, and every row ruling of one is a
    ruling of the other (a merged cell leaves out some rulings in its columns only)."""
    ra, rb = sorted((a.row_rules(), b.row_rules()), key=len)
    if len(ra) < 2 or abs(a.ruled[3] - b.ruled[3]) > _SAME_POSITION:
        return False
    return all(any(abs(x - y) <= _SAME_POSITION for y in rb) for x in ra)


def _texts(tile: _Tile) -> set[str]:
    return {"".join(c["text"] for c in line).strip() for line in tile.lines} - {""}


def _side_by_side(a: _Tile, b: _Tile) -> bool:
    """``b`` prints the next columns of the rows ``a`` prints (a sheet wider than the paper)."""
    if a.ruled is None or b.ruled is None or not _same_rows(a, b):
        return False
    ta, tb = _texts(a), _texts(b)
    return not ta or not tb or len(ta & tb) < _BAND_TEXT_OVERLAP * min(len(ta), len(tb))


def _band_grid(tiles: list[_Tile], start: int) -> tuple[int, int] | None:
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


def _group_tiles(tiles: list[_Tile]) -> list[list[list[_Tile]]]:
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


def _place(group: list[list[_Tile]]) -> None:
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


def _drop_repeated_rows(earlier: list[_Tile], tile: _Tile) -> float:
    """Top of a continuation page's table, below the header rows it repeats from earlier pages.

    Printing "rows to repeat" puts the same header rows at the top of every page; they were
    read where the table first printed them. Returns the page height where reading starts
    (the top ruling, or the ruling under the repeated rows, which are then not read).
    """
    top = tile.ruled[1]
    rules = [r for r in tile.row_rules() if r >= top - _SAME_POSITION]
    seen = []
    for page in earlier:
        if page.ruled is None:
            continue
        page_rules = [r for r in page.row_rules() if r >= page.ruled[1] - _SAME_POSITION]
        seen.append([_band_text(page, a, b) for a, b in zip(page_rules, page_rules[1:], strict=False)])
    best = None
    for k in range(1, len(rules)):
        wanted = [_band_text(tile, rules[i], rules[i + 1]) for i in range(k)]
        if not wanted[-1] or not any(_contains_run(rows, wanted) for rows in seen):
            break
        best = rules[k]
    if best is not None:
        tile.cut_top, tile.dropped = best, rules.index(best)
        return best
    return top


def _band_text(tile: _Tile, top: float, bottom: float) -> str:
    return "".join(
        c["text"] for c in sorted(tile.chars, key=lambda c: (c["x0"], c["top"])) if top <= _mid_y(c) < bottom
    )


def _contains_run(rows: list[str], wanted: list[str]) -> bool:
    return any(rows[i : i + len(wanted)] == wanted for i in range(len(rows) - len(wanted) + 1))


# --- one form: cells from rulings, or text rows ----------------------------------------------


@dataclass
class _Row:
    """One output row: a ruled grid row or a line of text outside the grid."""

    top: float  # on the canvas
    down: int  # which page down the sheet it was printed on
    cells: list[tuple[int, dict]] = field(default_factory=list)  # (column, {"chars", "box"})


def _read_group(group: list[list[_Tile]]) -> Sheet:
    _place(group)
    tiles = [tile for band in group for tile in band]
    pages = sorted(t.number for t in tiles)
    name = f"p{pages[0]}" if len(pages) == 1 else f"p{pages[0]}-{pages[-1]}"
    chars, edges, notes = [], [], []
    for tile in tiles:
        cut = tile.cut_top
        if cut is not None:
            notes.append(f"p{tile.number}: header rows repeated at the top of the page were not read again")
        chars.extend(_on_canvas(c, tile) for c in tile.chars if cut is None or _mid_y(c) >= cut)
        for edge in tile.edges:
            if cut is not None and edge["bottom"] <= cut + 0.5:
                continue
            if cut is not None and edge["top"] < cut:
                edge = {**edge, "top": cut, "height": edge["bottom"] - cut}
            edges.append(_on_canvas(edge, tile))
    cells = _find_cells(edges)
    sheet = _ruled_sheet(name, cells, chars, group) if cells else _text_sheet(name, chars)
    sheet.notes = notes + sheet.notes
    return sheet


def _on_canvas(obj: dict, tile: _Tile) -> dict:
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


def _mid_y(obj: dict) -> float:
    return (obj["top"] + obj["bottom"]) / 2


def _mid_x(obj: dict) -> float:
    return (obj["x0"] + obj["x1"]) / 2


def _find_cells(edges: list[dict]) -> list[tuple[float, float, float, float]]:
    from pdfplumber.table import edges_to_intersections, intersections_to_cells, merge_edges

    if not edges:
        return []
    merged = merge_edges(edges, _RULE_TOLERANCE, _RULE_TOLERANCE, _RULE_TOLERANCE, _RULE_TOLERANCE)
    merged = [e for e in merged if (e["x1"] - e["x0"] if e["orientation"] == "h" else e["bottom"] - e["top"]) >= 3]
    points = edges_to_intersections(merged, _RULE_TOLERANCE, _RULE_TOLERANCE)
    return intersections_to_cells(points)


def _positions(values: list[float]) -> list[float]:
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > _RULE_TOLERANCE:
            out.append(value)
    return out


def _locate(group: list[list[_Tile]], x: float, y: float) -> _Tile:
    """The tile (page) that printed a canvas position."""
    band = group[0]
    for candidate in group:
        if candidate[0].dx <= x + _RULE_TOLERANCE:
            band = candidate
    tile = band[0]
    for candidate in band:
        if candidate.start <= y + _RULE_TOLERANCE:
            tile = candidate
    return tile


def _ruled_sheet(name: str, boxes, chars: list[dict], group: list[list[_Tile]]) -> Sheet:
    xs = _positions([b[0] for b in boxes])
    tops = _positions([b[1] for b in boxes])
    ordered = sorted(boxes, key=lambda b: (b[1], b[0]))
    box_tops = [b[1] for b in ordered]
    by_box: dict[tuple, list[dict]] = {box: [] for box in boxes}
    free = []
    for char in chars:
        cx, cy = _mid_x(char), _mid_y(char)
        owner = next(
            (b for b in ordered[: bisect.bisect_right(box_tops, cy)] if b[0] <= cx < b[2] and b[1] <= cy < b[3]),
            None,
        )
        (free if owner is None else by_box[owner]).append(char)

    def column_of(x: float) -> int:
        return max(1, bisect.bisect_right(xs, x + _RULE_TOLERANCE))

    def grid_top(y: float) -> float:
        return tops[max(0, bisect.bisect_right(tops, y + _RULE_TOLERANCE) - 1)]

    rows: dict[float, _Row] = {}
    for box in ordered:
        top = grid_top(box[1])
        if top not in rows:
            rows[top] = _Row(top=top, down=_locate(group, box[0], top).down)
        rows[top].cells.append((column_of(box[0]), {"chars": by_box[box], "box": box}))
    for line in _lines(free):
        for fragment in _fragments(line):
            top = min(c["top"] for c in fragment)
            if top not in rows:
                rows[top] = _Row(top=top, down=fragment[0]["down"])
            rows[top].cells.append((column_of(fragment[0]["x0"]), {"chars": fragment, "box": None}))
    numbering: dict[int, list[float]] = {}
    for row in sorted(rows.values(), key=lambda r: r.top):
        numbering.setdefault(row.down, []).append(row.top)

    def ref(col: int, info: dict, row: _Row) -> str:
        box, cell_chars = info["box"], info["chars"]
        if cell_chars:
            first = min(cell_chars, key=lambda c: (round(c["top"]), c["x0"]))
            page, down = first["page"], first["down"]
        else:
            tile = _locate(group, box[0], box[1])
            page, down = tile.number, tile.down
        on_page = numbering.get(down, [row.top])
        index = min(bisect.bisect_left(on_page, (box[1] if box else row.top) - _RULE_TOLERANCE), len(on_page) - 1)
        return f"p{page}!{column_letter(col)}{index + 1 + group[0][down].dropped}"

    sheet = Sheet(name=name)
    clipped = _clipped_boxes(group, ordered, by_box)
    for row_no, row in enumerate(sorted(rows.values(), key=lambda r: r.top), start=1):
        out = []
        for col, info in sorted(
            row.cells, key=lambda item: (item[0], _bbox(item[1]["chars"])[0] if item[1]["chars"] else 0)
        ):
            cell_ref = ref(col, info, row)
            text = _cell_text(info["chars"], info["box"])
            if info["box"] in clipped:
                hidden = clipped[info["box"]]
                sheet.notes.append(
                    f"{cell_ref}: text clipped by the cell: the page shows only part of it"
                    + (f" ({hidden} more characters are hidden)" if hidden else "")
                )
            if not text:
                continue
            if re.fullmatch(r"#+", text):
                sheet.notes.append(
                    f"{cell_ref}: shown as {text}: the number is too wide for its column and is not printed"
                )
            out.append(_make_cell(text, cell_ref, row_no, col))
        if out:
            sheet.rows.append(out)
    return sheet


def _clipped_boxes(group: list[list[_Tile]], boxes, by_box: dict) -> dict[tuple, int]:
    """Cells that clip their text, with the number of characters known to be hidden (may be 0).

    A character hidden beyond a page's ruled area on a side where another page continues the
    sheet was cut by the page edge and is printed there; any other hidden character was cut
    off by its cell. A cell whose text is drawn under a clip inside its borders and whose last
    line shown is full (the text went on) is clipped too: producers leave out the lines that lie
    wholly outside the clip, so there is nothing hidden to count.
    """
    counts: dict[tuple, int] = {}
    bands = len(group)
    shown: dict[str, list[tuple[float, float]]] = {}
    for chars in by_box.values():
        for c in chars:
            shown.setdefault(c["text"], []).append((c["x0"], c["top"]))
    for band in group:
        for tile in band:
            ruled = tile.ruled
            if ruled is None:
                continue
            for char in tile.hidden:
                cx, cy = _mid_x(char), _mid_y(char)
                x, y = char["x0"] + tile.dx, char["top"] + tile.dy
                explained = (
                    (cx > ruled[2] and tile.band < bands - 1)
                    or (cx < ruled[0] and tile.band > 0)
                    or (cy < (tile.cut_top or ruled[1]) and tile.down > 0)
                    or (cy > ruled[3] and tile.down < len(band) - 1)
                    # a merged cell cut by the page break, drawn on both pages and shown on the other
                    or any(
                        abs(x - sx) <= _SAME_POSITION * 2 and abs(y - sy) <= _SAME_POSITION * 2
                        for sx, sy in shown.get(char["text"], ())
                    )
                )
                if explained:
                    continue
                clip = char.get("clip") or (cx, cy, cx, cy)
                px = min(max((clip[0] + clip[2]) / 2, ruled[0]), ruled[2]) + tile.dx
                py = min(max((clip[1] + clip[3]) / 2, ruled[1]), ruled[3]) + tile.dy
                owner = next((b for b in boxes if b[0] <= px <= b[2] and b[1] <= py <= b[3]), None)
                if owner is not None:
                    counts[owner] = counts.get(owner, 0) + 1
    for box, chars in by_box.items():
        if box in counts or not chars:
            continue
        inside = any(
            "clip" in c
            and c["clip"][0] >= box[0] - _RULE_TOLERANCE
            and c["clip"][2] <= box[2] + _RULE_TOLERANCE
            and c["clip"][1] >= box[1] - _RULE_TOLERANCE
            and c["clip"][3] <= box[3] + _RULE_TOLERANCE
            for c in chars
        )
        if inside:
            # The last line shown is full: the text went on, on a line the cell cut off.
            last = _lines(chars)[-1]
            room = (box[2] - box[0]) - 2 * _CELL_PADDING
            if last[-1]["x1"] - last[0]["x0"] + max(c["size"] for c in last) >= room - _CELL_PADDING:
                counts[box] = 0
    return counts


def _make_cell(text: str, ref: str, row: int, col: int | None) -> Cell:
    match = _PLAIN_NUMBER.fullmatch(text)
    if match is None:
        return Cell(text=text, ref=ref, row=row, col=col)
    decimals = len(match.group(1) or "")
    number_format = ("#,##0" if "," in text else "0") + ("." + "0" * decimals if decimals else "")
    value = float(text.replace(",", ""))
    return Cell(
        text=text, ref=ref, row=row, col=col, value=int(value) if not decimals else value, number_format=number_format
    )


def column_letter(col: int) -> str:
    """Spreadsheet column letters: 1 → A, 27 → AA."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- text: lines, fragments, wrapped cells ---------------------------------------------------


def _lines(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into printed lines, top to bottom, each left to right."""
    lines: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (round(_mid_y(c), 1), c["x0"])):
        if lines:
            last = lines[-1]
            height = max(c["bottom"] - c["top"] for c in last)
            if abs(_mid_y(char) - _mid_y(last[0])) <= height / 2:
                last.append(char)
                continue
        lines.append([char])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def _fragments(line: list[dict]) -> list[list[dict]]:
    """A line cut where a gap wider than a column gap separates its characters."""
    out: list[list[dict]] = []
    for char in line:
        if out:
            prev = out[-1][-1]
            size = max(prev["bottom"] - prev["top"], char["bottom"] - char["top"])
            if char["x0"] - prev["x1"] <= _COLUMN_GAP_EM * size:
                out[-1].append(char)
                continue
        out.append([char])
    return [[c for c in frag] for frag in out if "".join(c["text"] for c in frag).strip()]


def _line_text(chars: list[dict]) -> str:
    text = ""
    prev = None
    for char in chars:
        if prev is not None and not char["text"].isspace() and not text.endswith(" "):
            size = char["bottom"] - char["top"]
            if char["x0"] - prev["x1"] > _SPACE_GAP_EM * size:
                text += " "
        text += char["text"]
        prev = char
    return re.sub(r"\s+", " ", text).strip()


def _cell_text(chars: list[dict], box) -> str:
    """A cell's lines joined: a line that ends short of the border ended on purpose (a newline);
    a full line was wrapped by the cell (joined without a break)."""
    lines = [line for line in _lines(chars) if _line_text(line)]
    if not lines:
        return ""
    text = _line_text(lines[0])
    for before, line in zip(lines, lines[1:], strict=False):
        piece = _line_text(line)
        if box is not None:
            room = (box[2] - box[0]) - 2 * _CELL_PADDING
            used = before[-1]["x1"] - before[0]["x0"]
            first = _first_word_width(line)
            if used + first < room - _CELL_PADDING:
                text += "\n" + piece
                continue
        if text[-1:].isascii() and text[-1:].isalnum() and piece[:1].isascii() and piece[:1].isalnum():
            text += " "
        text += piece
    return text


def _first_word_width(line: list[dict]) -> float:
    """Width of what a wrap moves as a whole: one CJK character, or a run of Latin letters and digits."""
    end = 0
    while end < len(line) and line[end]["text"].isascii() and not line[end]["text"].isspace():
        end += 1
    run = line[: max(end, 1)]
    return run[-1]["x1"] - run[0]["x0"]


def _text_sheet(name: str, chars: list[dict]) -> Sheet:
    """No rulings: rows of text as pdftotext prints them, cells wrapped over several lines.

    Lines are cut into fragments at column gaps. A fragment continues the one above it (a
    wrapped cell) when the one above is full: it reaches the next column's text, or the right
    edge of the text. Blocks of stacked fragments whose heights overlap are one table row: a row
    of one-line cells is printed as one line, any other row block by block, left to right.
    """
    sheet = Sheet(name=name, wrapped=True)
    fragments = sorted(
        (frag for line in _lines(chars) for frag in _fragments(line)), key=lambda f: (_bbox(f)[1], _bbox(f)[0])
    )
    # Glyph boxes of CJK fonts are taller than the line pitch of a tight table: use the em box.
    boxes = []
    for frag in fragments:
        x0, _, x1, _ = _bbox(frag)
        size = max(c["size"] for c in frag)
        mid = statistics.median(_mid_y(c) for c in frag)
        boxes.append((x0, mid - size / 2, x1, mid + size / 2))
    right_edge = max(b[2] for b in boxes) if boxes else 0.0

    def full(i: int) -> bool:
        x0, top, x1, bottom = boxes[i]
        size = bottom - top
        limit = min(
            (b[0] for b in boxes if b[0] >= x1 - size / 2 and b[3] > top - 2 * size and b[1] < bottom + 2 * size),
            default=right_edge,
        )
        return x1 + _WRAP_SLACK_EM * size >= min(limit, right_edge)

    def on_line(i: int) -> list[int]:
        mid = (boxes[i][1] + boxes[i][3]) / 2
        return [j for j, b in enumerate(boxes) if j != i and b[1] < mid < b[3]]

    def aligned(a: tuple, b: tuple, size: float) -> bool:
        """Left-aligned or centred on each other, as the lines of one cell are."""
        return abs(a[0] - b[0]) <= size or abs((a[0] + a[2]) / 2 - (b[0] + b[2]) / 2) <= size

    def grid_rows(i: int, j: int) -> bool:
        """Lines i and j are rows of a grid: a short (not wrapped) cell beside i has one under it."""
        below = on_line(j)
        return any(
            not full(g) and any(boxes[h][0] < boxes[g][2] and boxes[g][0] < boxes[h][2] for h in below)
            for g in on_line(i)
        )

    blocks: list[list[int]] = []
    for i, (_, top, _, bottom) in enumerate(boxes):
        size = bottom - top
        for block in reversed(blocks):
            last = boxes[block[-1]]
            below = 0 <= top - last[3] <= 0.8 * size
            if below and aligned(last, boxes[i], size) and full(block[-1]) and not grid_rows(block[-1], i):
                block.append(i)
                break
        else:
            blocks.append([i])
    bands: list[list[list[int]]] = []
    band_bottom = 0.0
    for block in sorted(blocks, key=lambda b: boxes[b[0]][1]):
        top, bottom = boxes[block[0]][1], boxes[block[-1]][3]
        size = boxes[block[0]][3] - top
        if bands and top < band_bottom - size / 4:
            bands[-1].append(block)
            band_bottom = max(band_bottom, bottom)
            continue
        bands.append([block])
        band_bottom = bottom
    lines_per_page: dict[int, int] = {}
    for band in bands:
        band.sort(key=lambda b: boxes[b[0]][0])
        if all(len(block) == 1 for block in band):
            rows = [[fragments[block[0]] for block in band]]
        else:
            rows = [[fragments[i]] for block in band for i in block]
        for row in rows:
            page = row[0][0]["page"]
            lines_per_page[page] = lines_per_page.get(page, 0) + 1
            parts = [part for frag in row for part in _line_text(frag).split()]
            sheet.rows.append(
                [
                    Cell(text=part, ref=f"p{page}!{column_letter(i)}{lines_per_page[page]}", row=len(sheet.rows) + 1)
                    for i, part in enumerate(parts, start=1)
                ]
            )
    return sheet


def _bbox(chars: list[dict]) -> tuple[float, float, float, float]:
    return (
        min(c["x0"] for c in chars),
        min(c["top"] for c in chars),
        max(c["x1"] for c in chars),
        max(c["bottom"] for c in chars),
    )
