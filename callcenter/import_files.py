"""The spreadsheet files an import reads: .xlsx/.xlsm workbooks and .csv/.txt text.

``read_sheet`` gives the rows of the first worksheet as Excel numbers them: row 1 first
(blank rows included, so a row's position is its line number), column A first. A cell is
text, a number (int or float), a bool, a date, datetime or time, a FormulaError, or empty
(None or ""). What the file holds beyond that sheet, and is therefore not imported, comes
back as warnings.

Workbooks are read with python-calamine (Rust), about ten times faster than openpyxl on
a 100,000-row export (docs/imports.md, "Speed"). tests/unit/test_import_files.py reads
one workbook of awkward cells with both, cell by cell: they agree on every value, in
forms the import treats alike (an empty cell is "" instead of None, a whole number may be
a float, a date cell at midnight a date rather than a datetime, and calamine also
recognises the built-in date formats of Chinese Excel, 27-36 and 50-58, where openpyxl
gives the day number). Two things calamine reads wrong, and a workbook holding either is
read with openpyxl instead:

- a cell showing a formula's error (#N/A, #DIV/0!...): calamine makes it an empty cell,
  which would import as a blank; openpyxl gives the error, which the checks refuse;
- an integer of more than 15 digits written by a program (Excel itself keeps 15):
  calamine rounds it to a float; openpyxl keeps every digit.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import python_calamine

from callcenter.domain.imports import (
    Cell,
    FileWarning,
    FormulaError,
    is_blank,
    other_sheets_warning,
)

# Lines of a CSV file looked at to tell its separator.
_SNIFF_LINES = 10
# Floats at or beyond this magnitude may not be the integer the file wrote.
_EXACT_FLOATS = float(2**53)
# Bytes of a sheet's XML searched at a time for error cells.
_SCAN_CHUNK = 1 << 20


class Unreadable(Exception):
    """The file cannot be read as a spreadsheet; the message says why, for the user."""


@dataclass
class Sheet:
    rows: list[Sequence[Cell]]
    warnings: list[FileWarning] = field(default_factory=list)


def read_sheet(path: Path) -> Sheet:
    """The first worksheet of a workbook, or a CSV file's rows (blocking).

    Raises Unreadable, or OSError when the file cannot be opened.
    """
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_workbook(path)
    if suffix in (".csv", ".txt"):
        return Sheet(_read_csv(path))
    raise Unreadable("unsupported file type: save it as .xlsx or .csv (UTF-8 or GBK)")


# --- workbooks -----------------------------------------------------------------------

def _read_workbook(path: Path) -> Sheet:
    try:
        with python_calamine.CalamineWorkbook.from_path(path) as book:
            names = [sheet.name for sheet in book.sheets_metadata
                     if sheet.typ is python_calamine.SheetTypeEnum.WorkSheet]
            if not names:
                raise Unreadable("the workbook has no worksheet")
            filled = [name for name in names[1:]
                      if _has_values(book.get_sheet_by_name(name).to_python())]
            warnings = [other_sheets_warning(names[0], filled)] if filled else []
            if _shows_formula_errors(path):
                return Sheet(openpyxl_rows(path), warnings)
            rows = calamine_rows(book.get_sheet_by_name(names[0]))
    except python_calamine.CalamineError as exc:
        raise Unreadable(f"not a readable .xlsx workbook ({exc})") from None
    if _has_inexact_integers(rows):
        rows = openpyxl_rows(path)
    return Sheet(rows, warnings)


def calamine_rows(sheet: python_calamine.CalamineSheet) -> list[Sequence[Cell]]:
    # Without skip_empty_area calamine starts at A1, as Excel numbers lines and columns.
    return sheet.to_python(skip_empty_area=False)  # type: ignore[return-value]


def openpyxl_rows(path: Path) -> list[Sequence[Cell]]:
    """The first worksheet as openpyxl reads it; a formula's error is a FormulaError."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML errors...
        raise Unreadable(f"not a readable .xlsx workbook ({exc})") from None
    try:
        sheet = book.worksheets[0]
        # Read-only mode stops at the size the file declares, and some generators declare
        # a wrong one ("A1:A1"): read to the real end.
        sheet.reset_dimensions()
        return [[FormulaError(cell.value) if cell.data_type == "e" else cell.value
                 for cell in row] for row in sheet.iter_rows()]
    finally:
        book.close()


def _has_values(rows: list[list[Cell]]) -> bool:
    return not all(is_blank(cell) for row in rows for cell in row)


def _shows_formula_errors(path: Path) -> bool:
    """Whether a worksheet has an error cell (t="e"), calamine's blind spot. A plain byte
    search of each sheet's XML (0.2 s for 100,000 rows); a false alarm only costs the
    slower reader."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if "worksheets/" in name and name.endswith(".xml"):
                with archive.open(name) as part:
                    tail = b""
                    while chunk := part.read(_SCAN_CHUNK):
                        window = tail + chunk
                        if b't="e"' in window or b"t='e'" in window:
                            return True
                        tail = window[-4:]  # a match may straddle chunks
    return False


def _has_inexact_integers(rows: list[Sequence[Cell]]) -> bool:
    return any(abs(cell) >= _EXACT_FLOATS
               for cell in itertools.chain.from_iterable(rows) if cell.__class__ is float)


# --- CSV -----------------------------------------------------------------------------

def _read_csv(path: Path) -> list[Sequence[Cell]]:
    text = _decode(path.read_bytes())
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:  # e.g. a cell over the csv module's size limit
        raise Unreadable(f"not a readable CSV file ({exc})") from None


def _decode(raw: bytes) -> str:
    # Excel on a Chinese Windows writes CSV in GBK (GB18030 is its superset); everything
    # else writes UTF-8, often with a byte-order mark.
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("the text is neither UTF-8 nor GBK/GB18030")


def _delimiter(text: str) -> str:
    # Comma, or what a European-locale Excel or a "text" export uses instead.
    head = "\n".join(text.split("\n", _SNIFF_LINES)[:_SNIFF_LINES])
    return max(",;\t", key=head.count)
