"""Clip tracking: what a page hides, and which cells clip their text.

pdfminer ignores clipping paths, but spreadsheet exports clip every overfull cell to its border
(and the page edge cuts a sheet printed over several pages). :func:`visible_chars` reads a page
once more with the clipping rectangle tracked and splits its characters into the ones the page
shows and the ones it hides; :func:`clipped_boxes` tells which ruled cells hid part of their text.
A reader takes only what the page shows and marks the cut, never completing it from the hidden part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.utils import apply_matrix_pt

from perfaudit.readers.pdf_lines import CELL_PADDING, RULE_TOLERANCE, SAME_POSITION, group_lines, mid_x, mid_y

if TYPE_CHECKING:  # pdf_pages reads pages with visible_chars
    from perfaudit.readers.pdf_pages import Tile


# C901: one pass over a page's characters whose tests share the clip boxes found so far.
def visible_chars(page) -> tuple[list[dict], list[dict]]:  # noqa: C901
    """The page's characters as dicts, split into visible ones and ones a clip hides.

    pdfminer ignores clipping paths, so the page is interpreted once more here with the
    clipping rectangle tracked (spreadsheet exports clip every overfull cell to its border).
    """

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


# C901: one pass over a page's drawing operators with the clip path state they share.
def clipped_boxes(group: list[list[Tile]], boxes, by_box: dict) -> dict[tuple, int]:  # noqa: C901
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
                cx, cy = mid_x(char), mid_y(char)
                x, y = char["x0"] + tile.dx, char["top"] + tile.dy
                explained = (
                    (cx > ruled[2] and tile.band < bands - 1)
                    or (cx < ruled[0] and tile.band > 0)
                    or (cy < (tile.cut_top or ruled[1]) and tile.down > 0)
                    or (cy > ruled[3] and tile.down < len(band) - 1)
                    # a merged cell cut by the page break, drawn on both pages and shown on the other
                    or any(
                        abs(x - sx) <= SAME_POSITION * 2 and abs(y - sy) <= SAME_POSITION * 2
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
            and c["clip"][0] >= box[0] - RULE_TOLERANCE
            and c["clip"][2] <= box[2] + RULE_TOLERANCE
            and c["clip"][1] >= box[1] - RULE_TOLERANCE
            and c["clip"][3] <= box[3] + RULE_TOLERANCE
            for c in chars
        )
        if inside:
            # The last line shown is full: the text went on, on a line the cell cut off.
            last = group_lines(chars)[-1]
            room = (box[2] - box[0]) - 2 * CELL_PADDING
            if last[-1]["x1"] - last[0]["x0"] + max(c["size"] for c in last) >= room - CELL_PADDING:
                counts[box] = 0
    return counts
