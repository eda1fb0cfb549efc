"""The xlsx exports (complaint statistics, reports): sheets of plain rows written as one
workbook, with every text that a spreadsheet would take for a formula kept as text.

A name such as ``=HYPERLINK("http://x", "click")`` typed into a customer record must not
become a live formula in a supervisor's Excel (CSV/formula injection). A text cell that
starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before looking) is written as a string cell with Excel's own "quote
prefix" (what typing ``'=x`` makes): the text is kept exactly as it was, shown as text, and
stays text when someone edits the cell.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = Sequence[object]


def _cell(sheet: WriteOnlyWorksheet, value: object) -> object:
    if not (isinstance(value, str) and value.startswith(FORMULA_STARTS)):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl made it a formula
    cell.quotePrefix = True
    return cell


def workbook(sheets: Iterable[tuple[str, Iterable[Row]]]) -> bytes:
    """The workbook of ``(title, rows)`` sheets, in order."""
    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append([_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
