"""The 年度重点工作任务 block: one row per task, from positioned cells or flowing text."""

from __future__ import annotations

from perfaudit.readers.cells import Cell
from perfaudit.strings import display_width
from perfaudit.template.common import (
    MONEY_PRINT,
    MONEY_UNIT,
    Doc,
    Piece,
    assign_columns,
    cell_amount,
    find_header,
    join_fragments,
    key,
    money_to_yuan,
    span,
    text_layout,
)
from perfaudit.values import extract_task_outputs


def read_tasks(doc: Doc, rows: list[list[Cell]]) -> None:
    """The 年度重点工作任务 table: one task per row with its planned money and promised outputs."""
    header_index, columns = find_header(rows, "tasks")
    if header_index >= 0:
        doc.take(*columns.values())
        doc.info["task_columns"] = ",".join(name for name in _TASK_COLUMNS if name in columns)
        planned = columns.get("planned")
        match = MONEY_UNIT.search(planned.text) if planned is not None else None
        unit = match.group(1) if match else doc.info.get("amount_unit") or "万元"
    else:
        unit = doc.info.get("amount_unit") or "万元"
    body = rows[header_index + 1 :]
    positioned = all(cell.col is not None for cell in columns.values()) and columns
    if positioned:
        for row in body:
            cells = assign_columns(row, columns)
            _add_task(
                doc,
                name=Piece([c.text for c in cells.get("name", [])], [c.ref for c in cells.get("name", [])]),
                content=Piece([c.text for c in cells.get("content", [])], [c.ref for c in cells.get("content", [])]),
                money=(cells.get("planned") or [None])[0],
                outcome=Piece(
                    [c.text for c in cells.get("expected_outcome", [])],
                    [c.ref for c in cells.get("expected_outcome", [])],
                ),
                unit=unit,
                row_cells=row,
                sides={name: join_fragments(c.text for c in cells.get(name, [])) for name in _SIDE_COLUMNS},
            )
    else:
        _read_flowing_tasks(doc, body, unit)
    for task in doc.tasks:
        task.pop("_refs", None)
        doc.task_outputs.extend(task_output_rows(task))


def task_output_rows(task: dict) -> list[dict]:
    """The counts a task's content promises, as rows of the task_outputs table."""
    return [
        {
            "task_no": task["task_no"],
            "quantity": output.quantity,
            "unit": output.unit,
            "qualifier": output.qualifier,
            "noun": output.noun,
            "phrase": output.phrase,
            "source_ref": task["source_ref"],
        }
        for output in extract_task_outputs(task["content"])
    ]


def _is_total_row(name: str) -> bool:
    return key(name) in text_layout()["total_row_labels"].split("|")


# The task table's columns in contract order (documents.task_columns says which a form printed).
_TASK_COLUMNS = ("name", "duty", "content", "spending_line", "planned", "expected_outcome")
# Columns some layouts print beside a task (福建 年度履职目标: 部门职能 | 年度目标任务 | 支出项目名称 | 预算金额).
_SIDE_COLUMNS = ("duty", "spending_line")


def _add_task(
    doc, name: Piece, content: Piece, money: Cell | None, outcome: Piece, unit: str, row_cells, sides=None
) -> None:
    doc.take(*row_cells)
    amount = cell_amount(money) if money is not None else None
    if money is not None and amount is None:
        doc.leftover(money, "task amount is not a number")
    if _is_total_row(name.text):
        doc.budget.append(
            {
                "section": "年度重点工作任务",
                "item": "金额合计",
                "item_raw": name.text,
                "amount_yuan": money_to_yuan(amount, unit),
                "printed": money.text if money is not None else "",
                "printed_unit": unit,
                "source_ref": money.ref if money is not None else name.ref,
            }
        )
        return
    if not (name.text or content.text or amount is not None):
        return
    doc.tasks.append(
        {
            "task_no": len(doc.tasks) + 1,
            "name": name.text,
            "content": content.text,
            "planned_yuan": money_to_yuan(amount, unit),
            "planned_printed": money.text if money is not None else "",
            "planned_unit": unit,
            "expected_outcome": outcome.text,
            **{column: (sides or {}).get(column, "") for column in _SIDE_COLUMNS},
            "source_ref": span(name.refs + content.refs + ([money.ref] if money else []) + outcome.refs),
            "_refs": name.refs + content.refs + ([money.ref] if money else []) + outcome.refs,
            "planned_ref": money.ref if money is not None else "",
        }
    )


# C901: a state machine over wrapped lines; its states share the open task and its outcome.
def _read_flowing_tasks(doc: Doc, rows: list[list[Cell]], unit: str) -> None:  # noqa: C901
    """Tasks from text, where a row's cells may be wrapped over several lines.

    The amount is the anchor: what precedes it (since the previous task's outcome ended) is
    the name and the content, what follows it is the expected outcome.
    """
    layout = text_layout()
    name_width = int(layout["name_column_max_width"])
    sentence_end = tuple(layout["sentence_end"])
    per_line = doc.sheet.cell_per_line
    pending: list[Piece] = []
    outcome: Piece | None = None
    open_task: dict | None = None

    def close_outcome() -> None:
        nonlocal outcome, open_task
        if open_task is not None and outcome is not None:
            open_task["expected_outcome"] = outcome.text
            open_task["source_ref"] = span(open_task["_refs"] + outcome.refs)
        outcome, open_task = None, None

    for row in rows:
        doc.take(*row)
        money_at = next((i for i, c in enumerate(row) if _is_money_fragment(c, len(row))), None)
        if money_at is None:
            piece = Piece([c.text for c in row], [c.ref for c in row])
            if outcome is not None:
                outcome.texts += piece.texts
                outcome.refs += piece.refs
                if per_line or piece.text.endswith(sentence_end):
                    close_outcome()
            else:
                pending.append(piece)
            continue
        if outcome is not None:
            # The previous outcome never reached a sentence end: split it where a narrow
            # (name-column) line starts.
            pending = _split_unclosed_outcome(outcome, name_width) + pending
            close_outcome()
        before = [Piece([c.text], [c.ref]) for c in row[:money_at]]
        after = row[money_at + 1 :]
        name, content = _name_and_content(pending + before, name_width, sentence_end, per_line)
        pending = []
        _add_task(doc, name, content, row[money_at], Piece([], []), unit, row)
        if doc.tasks and doc.tasks[-1]["planned_ref"] == row[money_at].ref:
            open_task = doc.tasks[-1]
            outcome = Piece([c.text for c in after], [c.ref for c in after])
            if after and (per_line or outcome.text.endswith(sentence_end)):
                close_outcome()
    close_outcome()
    for piece in pending:
        doc.leftovers.append({"source_ref": piece.ref, "text": piece.text, "reason": "task text without an amount"})


def _is_money_fragment(cell: Cell, fragments_in_line: int) -> bool:
    """An amount in flowing text: a whole line, or a fragment printed like money (70,200.00).

    A bare number inside a wrapped sentence ("约 20 场") must not end a task.
    """
    if cell_amount(cell) is None:
        return False
    return fragments_in_line == 1 or bool(MONEY_PRINT.fullmatch(cell.text.strip()))


def _name_and_content(pieces: list[Piece], name_width: int, sentence_end: tuple, per_line: bool) -> tuple[Piece, Piece]:
    if not pieces:
        return Piece([], []), Piece([], [])
    if per_line or len(pieces) == 1:
        cut = 1
    else:
        cut = 0
        while (
            cut < len(pieces) - 1
            and display_width(pieces[cut].text) <= name_width
            and not pieces[cut].text.endswith(sentence_end)
        ):
            cut += 1
        cut = max(cut, 1)
    name = Piece(sum((p.texts for p in pieces[:cut]), []), sum((p.refs for p in pieces[:cut]), []))
    content = Piece(sum((p.texts for p in pieces[cut:]), []), sum((p.refs for p in pieces[cut:]), []))
    return name, content


def _split_unclosed_outcome(outcome: Piece, name_width: int) -> list[Piece]:
    """Give back the trailing lines of an outcome that belong to the next task's name."""
    for index in range(1, len(outcome.texts)):
        if display_width(outcome.texts[index]) <= name_width:
            rest = [Piece([t], [r]) for t, r in zip(outcome.texts[index:], outcome.refs[index:], strict=True)]
            del outcome.texts[index:], outcome.refs[index:]
            return rest
    return []
