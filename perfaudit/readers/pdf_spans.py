"""Merged label cells of tables without rulings: each is put before the rows it spans.

A spreadsheet prints the text of a merged cell vertically centred on the rows it spans: 产出指标
beside the middle one of its fifteen indicators, 数量指标 between the second and third of its four.
With rulings the grid reader finds the merged cell and reads it at its top left, as Excel does.
Without them the label stands in the middle of its rows, and a reader of flowing text (which takes
a label to head the rows after it, as pdftotext prints the published forms) would file the rows
above it under the label before. So the fallback moves each such label to the first row it spans.

A cell is a *spanning label* when nothing stands left of it in its row, the rows just above and
below it have nothing in its column, and they have the same columns of cells to its right (as does
its own row, when it holds more cells). Labels of an inner column (二级) are found first, then,
with them set aside, those of the column left of it (一级).

Its rows follow from its centre: the span begins where the label above it in its column ends (or
under the last row that has something in its column), and ends as far below the centre as it
begins above it, at the nearest boundary between rows. The pages of the form are joined first (the
bottom of a page's last row meets the top of the next page's first row, under any repeated header
rows), so that a span continued on the next page is measured without the margins in between.

This takes merged labels to be centred, as every merged cell of the spreadsheets in ``data/forms``
is (vertical alignment ``center``). A table that set its labels at the top of their rows would be
misread (each label moved up to where the one above it ends); no form seen so far does that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pdf_text builds the rows and calls order_rows
    from perfaudit.readers.pdf_text import TextCell, TextRow


# C901: one pass over text rows deciding where cells span rows; the cases share the open row.
def order_rows(rows: list[TextRow], header_bottoms: dict[int, float]) -> list[list[TextCell]]:  # noqa: C901
    """The cells of the rows in reading order, each spanning label on a row of its own before its rows.

    ``header_bottoms`` gives, for a page whose repeated header rows were dropped, where they end.
    """
    labels = _find_labels(rows)
    if not labels:
        return [row.cells for row in rows]
    home = {cell: index for index, row in enumerate(rows) for cell in row.cells}
    body = [row for row in rows if any(cell not in labels for cell in row.cells)]
    in_body = {id(row) for row in body}
    # body_before[j]: the body rows above row j; the boundary above row j is bounds[body_before[j]].
    body_before = [0]
    for row in rows:
        body_before.append(body_before[-1] + (id(row) in in_body))
    bounds, shift = _join_pages(body, labels, header_bottoms)

    def centre(cell: TextCell) -> float:
        return cell.centre + shift.get(rows[home[cell]].page, 0.0)

    starts: dict[TextCell, int] = {}
    ends: dict[TextCell, int] = {}
    for label in sorted(labels, key=centre):
        j = home[label]
        start = 0
        for k in range(j - 1, -1, -1):
            cells = _inner(rows[k].cells, label, labels)
            over = [cell for cell in cells if _overlap(cell, label)]
            if over:
                above = next((cell for cell in over if cell in ends), None)
                start = ends[above] if above is not None else body_before[k + 1]
                break
            if cells and not _right_of(cells, label):
                start = body_before[k + 1]
                break
        cap = len(body)
        for k in range(j + 1, len(rows)):
            cells = _inner(rows[k].cells, label, labels)
            if cells and (any(_overlap(cell, label) for cell in cells) or not _right_of(cells, label)):
                cap = body_before[k]
                break
        start = min(start, body_before[j])
        first = max(start, body_before[j + 1])  # the span holds the label's own row
        target = 2 * centre(label) - bounds[start]
        starts[label] = start
        ends[label] = min(range(first, max(first, cap) + 1), key=lambda k: abs(bounds[k] - target))
    before: dict[int, list[TextCell]] = {}
    for label in sorted(labels, key=centre):
        before.setdefault(starts[label], []).append(label)
    for index, group in before.items():
        # Outer columns first (一级 before 二级), then top to bottom.
        before[index] = sorted(group, key=lambda cell: sum(other.x1 <= cell.x0 for other in group))
    out: list[list[TextCell]] = []
    for index, row in enumerate(body):
        out.extend([label] for label in before.get(index, []))
        out.append([cell for cell in row.cells if cell not in labels])
    out.extend([label] for label in before.get(len(body), []))
    return out


def _find_labels(rows: list[TextRow]) -> set[TextCell]:
    labels: set[TextCell] = set()
    while True:
        live = [cells for cells in ([c for c in row.cells if c not in labels] for row in rows) if cells]
        found = {
            cells[0]
            for above, cells, below in zip(live, live[1:], live[2:], strict=False)
            if _spans(cells[0], cells[1:], above, below)
        }
        if not found:
            return labels
        labels |= found


def _spans(cell: TextCell, rest: list[TextCell], above: list[TextCell], below: list[TextCell]) -> bool:
    if any(_overlap(other, cell) for other in above + below):
        return False
    right_above = [c for c in above if c.x0 >= cell.x1]
    right_below = [c for c in below if c.x0 >= cell.x1]
    if not right_above or not _same_columns(right_above, right_below):
        return False
    return not rest or _same_columns(rest, right_above)


def _join_pages(
    body: list[TextRow], labels: set[TextCell], header_bottoms: dict[int, float]
) -> tuple[list[float], dict[int, float]]:
    """Boundaries between the body rows on the joined pages, and how far each page is shifted.

    ``bounds[k]`` is the boundary above body row k; ``bounds[-1]`` the bottom of the last.
    A row's extent leaves out its labels; the boundary between two rows is halfway between them.
    """
    pages: dict[int, list[tuple[float, float]]] = {}
    for row in body:
        cells = [cell for cell in row.cells if cell not in labels]
        pages.setdefault(row.page, []).append((min(c.top for c in cells), max(c.bottom for c in cells)))
    bounds: list[float] = []
    shift: dict[int, float] = {}
    joint = None
    for page, extents in pages.items():
        pairs = list(zip(extents, extents[1:], strict=False))
        gaps = [below[0] - above[1] for above, below in pairs]
        top = extents[0][0] - (gaps[0] / 2 if gaps else 0.0)
        if page in header_bottoms:
            top = (header_bottoms[page] + extents[0][0]) / 2
        shift[page] = 0.0 if joint is None else joint - top
        bounds.append(top + shift[page])
        bounds.extend((above[1] + below[0]) / 2 + shift[page] for above, below in pairs)
        joint = extents[-1][1] + (gaps[-1] / 2 if gaps else 0.0) + shift[page]
    bounds.append(joint if joint is not None else 0.0)
    return bounds, shift


def _inner(cells: list[TextCell], label: TextCell, labels: set[TextCell]) -> list[TextCell]:
    """The cells of a row but the labels of columns left of ``label`` (a row of those is no bound)."""
    return [cell for cell in cells if not (cell in labels and cell.x1 <= label.x0)]


def _overlap(a: TextCell, b: TextCell) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1


def _right_of(cells: list[TextCell], label: TextCell) -> bool:
    return any(cell.x0 >= label.x1 for cell in cells)


def _same_columns(a: list[TextCell], b: list[TextCell]) -> bool:
    return len(a) == len(b) and all(_overlap(x, y) for x, y in zip(a, b, strict=True))
