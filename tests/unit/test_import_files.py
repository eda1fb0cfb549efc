"""Reading spreadsheets: python-calamine against openpyxl, cell by cell, on a workbook of
the cells dealership exports hold; and what makes a workbook fall back to openpyxl."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from callcenter import import_files
from callcenter.domain.imports import (
    FORMULA_ERROR,
    Cell,
    FormulaError,
    WarningCode,
    is_blank,
    parse_date,
)
from callcenter.import_files import Sheet, calamine_rows, openpyxl_rows, read_sheet
from callcenter.services.imports import ParsedFile, parse_sheet
from tests.xlsx import shared_string, write_workbook

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2025, 6, 30)


def serial(day: date | datetime) -> str:
    """Excel's day number (the 1900 system) of a date or date-time."""
    moment = day if isinstance(day, datetime) else datetime.combine(day, time())
    return repr((moment - datetime(1899, 12, 30)).total_seconds() / 86400)


# Cell styles (s="N") of the workbook below.
SHORT_DATE, DATE_TIME, ZH_DATE_31, ZH_DATE_57, ZH_DATE_58, ZH_CUSTOM, TEXT, CLOCK, \
    ELEVEN_DIGITS, SLASH_DATE_TIME = range(1, 11)
FORMATS: list[int | str] = [14, 22, 31, 57, 58, 'yyyy"年"m"月"d"日"', 49, 20, "00000000000",
                            "yyyy/m/d h:mm"]
STRINGS = [
    shared_string("客户清单（2025年6月）"),
    *(shared_string(h) for h in ("客户编号", "姓名", "手机", "电话2", "生日", "车架号",
                                 "销售日期", "交车日期", "里程", "免打扰", "备注", "销售顾问")),
    shared_string("C001"),  # 13
    '<si><r><t>张</t></r><r><rPr><b/></rPr><t>伟</t></r></si>',  # rich text
    shared_string("010-12345678"),
    shared_string("LSVAU2180N2000001"),
    shared_string("a_x000D_b"),  # 17: Excel's escape of a carriage return
    shared_string("0012"),
    # A phonetic guide (as Japanese and some Chinese Excel write names): not the text.
    '<si><t>王芳</t><rPh sb="0" eb="2"><t>ワンファン</t></rPh><phoneticPr fontId="0"/></si>',
    shared_string("013800138000"),
    shared_string("13900139000\n13700137000"),
    shared_string("1,500 km"),
    shared_string("是"),
    shared_string("李娜"),
    shared_string("LSVAU2180N2000003"),
    shared_string(" 京A 12345 "),  # 26
    shared_string("C003"),
    shared_string("赵磊"),
    shared_string("LSVAU2180N2000004"),
    shared_string("LSVAU2180N2000005"),
    shared_string("1990-13-01"),  # 31
    shared_string("1380013800"),
    '<si><t/></si>',  # 33: an empty string
    shared_string("孙 经理"),
]


def s(ref: str, index: int, style: int | None = None) -> str:
    return f'<c r="{ref}" t="s"{_style(style)}><v>{index}</v></c>'


def n(ref: str, value: object, style: int | None = None) -> str:
    return f'<c r="{ref}"{_style(style)}><v>{value}</v></c>'


def _style(style: int | None) -> str:
    return "" if style is None else f' s="{style}"'


ROWS = [
    # Line 1 is missing altogether, column A is empty throughout: both count from A1.
    f'<row r="2">{s("B2", 0)}</row>',
    '<row r="3">' + "".join(s(f"{chr(ord('B') + i)}3", i + 1) for i in range(12)) + "</row>",
    '<row r="4">' + s("B4", 13) + s("C4", 14) + n("D4", 13800138000) + s("E4", 15)
    + n("F4", serial(date(1985, 4, 12)), SHORT_DATE) + s("G4", 16)
    + n("H4", serial(date(2025, 6, 18)), ZH_DATE_31)
    + n("I4", serial(date(2025, 6, 20)), ZH_DATE_57)
    + n("J4", 1200) + '<c r="K4" t="b"><v>0</v></c>' + s("L4", 17) + s("M4", 34) + "</row>",
    '<row r="5">' + s("B5", 18) + s("C5", 19) + s("D5", 20) + s("E5", 21)
    + n("F5", serial(datetime(1990, 1, 2, 14, 30)), DATE_TIME)
    + '<c r="G5" t="inlineStr"><is><t>LSVAU2180N2000002</t></is></c>'
    + n("H5", serial(date(2025, 6, 24)), ZH_CUSTOM)
    + '<c r="I5" t="d"><v>2025-06-25T00:00:00</v></c>' + s("J5", 22) + s("K5", 23)
    + '<c r="L5"><f>J4*2</f><v>2400</v></c>' + "</row>",
    '<row r="6">' + n("B6", 1001) + s("C6", 24) + n("D6", 13600136000, ELEVEN_DIGITS)
    + '<c r="E6" t="str"><f>"135"&amp;"00135000"</f><v>13500135000</v></c>'
    + n("F6", serial(date(1988, 8, 8)), ZH_DATE_58) + s("G6", 25, TEXT)
    + n("H6", serial(datetime(2025, 6, 27, 9, 5)), SLASH_DATE_TIME) + n("J6", 0)
    + '<c r="K6" t="b"><v>1</v></c>' + s("L6", 26) + n("M6", "1E+3") + n("N6", 7) + "</row>",
    # A row of empty cells, some styled, one an empty string; then a missing row.
    '<row r="7"><c r="B7"/><c r="C7" s="1"/>' + s("D7", 33) + "</row>",
    # B9:B10 merged: the number is in B9 only.
    '<row r="9">' + s("B9", 27) + s("C9", 28) + s("G9", 29)
    + n("F9", 59, SHORT_DATE) + n("J9", "1.5E+3") + '<c r="L9"><f>1/0*0+A1</f></c>'
    + n("M9", "123456789012345") + "</row>",
    '<row r="10">' + s("C10", 28) + s("G10", 30) + n("F10", 61, SHORT_DATE)
    + n("L10", "0.6041666666666666", CLOCK) + n("M10", "-0.5") + "</row>",
    '<row r="11">' + s("B11", 13) + s("C11", 14) + s("D11", 32) + s("F11", 31)
    + n("L11", "0.1") + n("M11", "1200.5") + "</row>",
]
SHEET = ('<dimension ref="B2:N11"/><sheetData>' + "".join(ROWS) + "</sheetData>"
         '<mergeCells count="1"><mergeCell ref="B9:B10"/></mergeCells>')


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "export.xlsx", [("客户", SHEET)], shared=STRINGS,
                          formats=FORMATS)


def by_calamine(path: Path) -> list[Sequence[Cell]]:
    with CalamineWorkbook.from_path(path) as book:
        return calamine_rows(book.get_sheet_by_index(0))


def as_imported(cell: Cell) -> object:
    """A cell as the import reads it: the forms it treats alike made one."""
    if is_blank(cell):
        return None
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float):
        return float(cell)
    if type(cell) is date:
        return datetime.combine(cell, time())
    return cell


def grid(rows: list[Sequence[Cell]], height: int, width: int) -> list[list[Cell]]:
    """The rows as a height x width grid; openpyxl ends a row at its last cell."""
    padded = [[*row, *[None] * (width - len(row))] for row in rows]
    return padded + [[None] * width for _ in range(height - len(padded))]


def test_calamine_and_openpyxl_read_the_same_cells(workbook: Path) -> None:
    fast, slow = by_calamine(workbook), openpyxl_rows(workbook)
    height, width = 11, 14
    assert len(fast) == height and {len(row) for row in fast} == {width}
    fast_grid, slow_grid = grid(fast, height, width), grid(slow, height, width)
    # Where the two differ, calamine is right; the import reads the dates alike.
    differences = {
        # Chinese Excel's built-in date formats: openpyxl does not know them.
        "H4": (int(float(serial(date(2025, 6, 18)))), date(2025, 6, 18)),
        "I4": (int(float(serial(date(2025, 6, 20)))), date(2025, 6, 20)),
        "F6": (int(float(serial(date(1988, 8, 8)))), date(1988, 8, 8)),
        # The carriage return Excel escapes: openpyxl leaves the escape in the text.
        "L4": ("a_x000D_b", "a\rb"),
    }
    for ref, (slow_value, fast_value) in differences.items():
        row, column = int(ref[1:]) - 1, ord(ref[0]) - ord("A")
        assert (slow_grid[row][column], fast_grid[row][column]) == (slow_value, fast_value)
        if isinstance(fast_value, date):
            assert parse_date(slow_value) == parse_date(fast_value)
    for row in range(height):
        for column in range(width):
            ref = f"{chr(ord('A') + column)}{row + 1}"
            if ref not in differences:
                assert as_imported(fast_grid[row][column]) == as_imported(
                    slow_grid[row][column]), ref
    # The cases the import cares most about, as calamine gives them.
    assert fast_grid[3][1:5] == ["C001", "张伟", 13800138000.0, "010-12345678"]
    assert fast_grid[4][1:5] == ["0012", "王芳", "013800138000", "13900139000\n13700137000"]
    assert fast_grid[5][3:5] == [13600136000.0, "13500135000"]
    assert fast_grid[4][5] == datetime(1990, 1, 2, 14, 30)
    assert fast_grid[5][7] == datetime(2025, 6, 27, 9, 5)
    assert fast_grid[9][11] == time(14, 30)
    assert fast_grid[8][12] == 123456789012345.0
    assert fast_grid[8][1:3] == ["C003", "赵磊"] and fast_grid[9][1:3] == ["", "赵磊"]
    assert fast_grid[8][5] == date(1900, 2, 28) and fast_grid[9][5] == date(1900, 3, 1)
    assert fast_grid[5][11] == " 京A 12345 "
    assert all(is_blank(cell) for cell in fast_grid[6] + fast_grid[7] + fast_grid[0])


def parse_with(rows: list[Sequence[Cell]]) -> ParsedFile:
    return parse_sheet("export.xlsx", Sheet(rows), region="CN", tz=TZ, today=TODAY)


def test_both_readers_make_the_same_import(workbook: Path) -> None:
    fast, slow = parse_with(by_calamine(workbook)), parse_with(openpyxl_rows(workbook))

    assert fast.customers == slow.customers
    assert fast.vehicles == slow.vehicles
    assert fast.report.errors == slow.report.errors
    assert fast.report.warnings == slow.report.warnings
    # And what they make is right.
    assert [(c.customer_no, c.name, c.birthday, c.phones, c.do_not_disturb)
            for c in fast.customers] == [
        ("C001", "张伟", date(1985, 4, 12), ["+8613800138000", "+861012345678"], False),
        ("0012", "王芳", date(1990, 1, 2),
         ["+8613800138000", "+8613900139000", "+8613700137000"], True),
        ("1001", "李娜", date(1988, 8, 8), ["+8613600136000", "+8613500135000"], True),
        ("C003", "赵磊", date(1900, 2, 28), [], None)]
    assert [(v.customer_no, v.vin, v.sale_date, v.delivery_date, v.mileage_km)
            for v in fast.vehicles] == [
        ("C001", "LSVAU2180N2000001", date(2025, 6, 18), date(2025, 6, 20), 1200),
        ("0012", "LSVAU2180N2000002", date(2025, 6, 24), date(2025, 6, 25), 1500),
        ("1001", "LSVAU2180N2000003", date(2025, 6, 27), None, 0),
        ("C003", "LSVAU2180N2000004", None, None, 1500)]
    assert [(e.line, e.column, e.value, e.reason) for e in fast.report.errors] == [
        (10, "客户编号", "", "missing required value"),  # the merged cell's second line
        (11, "手机", "1380013800", "not a valid phone number: '1380013800'"),
        (11, "生日", "1990-13-01", "no such date")]
    assert [(w.code, w.names) for w in fast.report.warnings] == [
        (WarningCode.UNKNOWN_COLUMNS, ("备注",)),  # 销售顾问 is the salesperson's column
        (WarningCode.VALUES_WITHOUT_HEADER, ("N",))]


def error_cells(tmp_path: Path) -> Path:
    rows = ('<sheetData><row r="1">' + s("A1", 0) + s("B1", 1) + s("C1", 2) + "</row>"
            '<row r="2">' + s("A2", 3) + '<c r="B2" t="e"><f>VLOOKUP(A2,X!A:B,2,0)</f>'
            '<v>#N/A</v></c><c r="C2" t="e"><v>#DIV/0!</v></c></row></sheetData>')
    return write_workbook(tmp_path / "errors.xlsx", [("Sheet1", rows)],
                          shared=[shared_string(t) for t in ("客户编号", "姓名", "手机", "C1")])


@pytest.mark.parametrize("chunk", [1 << 20, 3])  # 3: every t="e" straddles two chunks
def test_a_formula_error_is_refused_not_read_as_blank(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    path = error_cells(tmp_path)
    # Why such a workbook is read with openpyxl: calamine makes the errors empty cells.
    assert by_calamine(path)[1] == ["C1", "", ""]
    monkeypatch.setattr(import_files, "_SCAN_CHUNK", chunk)

    sheet = read_sheet(path)

    assert sheet.rows[1] == ["C1", "#N/A", "#DIV/0!"]
    assert [type(cell) for cell in sheet.rows[1][1:]] == [FormulaError, FormulaError]
    parsed = parse_with(sheet.rows)
    assert [(e.line, e.column, e.value, e.reason) for e in parsed.report.errors] == [
        (2, "姓名", "#N/A", FORMULA_ERROR),
        (2, "姓名", "", "missing required value"),  # a customer without a name, then
        (2, "手机", "#DIV/0!", FORMULA_ERROR)]


def test_an_integer_beyond_fifteen_digits_keeps_every_digit(tmp_path: Path) -> None:
    rows = ('<sheetData><row r="1">' + s("A1", 0) + s("B1", 1) + "</row>"
            '<row r="2">' + n("A2", "12345678901234567890") + s("B2", 2) + "</row></sheetData>")
    path = write_workbook(tmp_path / "long.xlsx", [("Sheet1", rows)],
                          shared=[shared_string(t) for t in ("客户编号", "姓名", "赵磊")])
    assert by_calamine(path)[1][0] == 1.2345678901234567e19  # rounded

    sheet = read_sheet(path)

    assert sheet.rows[1][0] == 12345678901234567890
    assert parse_with(sheet.rows).customers[0].customer_no == "12345678901234567890"


def test_sheets_after_the_first_are_not_read_and_said_so(tmp_path: Path) -> None:
    header = ('<sheetData><row r="1">' + s("A1", 0) + s("B1", 1) + "</row>"
              '<row r="2">' + s("A2", 2) + s("B2", 3) + "</row></sheetData>")
    path = write_workbook(tmp_path / "book.xlsx", [
        ("客户", header), ("车辆", header), ("Sheet3", "<sheetData/>"),
        ("说明", '<sheetData><row r="4"><c r="C4"/></row></sheetData>')],
        shared=[shared_string(t) for t in ("客户编号", "姓名", "C1", "赵磊")])

    sheet = read_sheet(path)

    assert [(w.code, w.names) for w in sheet.warnings] == [
        (WarningCode.OTHER_SHEETS, ("车辆",))]
    assert sheet.warnings[0].message == (
        "only the first sheet ('客户') is read; not imported: the sheet '车辆'")


def test_workbooks_that_openpyxl_writes_read_alike(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["客户编号", "姓名", "手机", "生日", "里程", "免打扰"])
    sheet.append(["0012", "王芳", 13800138000, datetime(1990, 1, 2), 12.5, True])
    sheet.append([None, " 李娜 ", "013800138000", date(1988, 8, 8), 0, False])
    sheet["H5"] = "stray"
    book.save(tmp_path / "openpyxl.xlsx")
    fast, slow = by_calamine(tmp_path / "openpyxl.xlsx"), openpyxl_rows(tmp_path / "openpyxl.xlsx")

    assert [[as_imported(c) for c in row] for row in grid(fast, 5, 8)] == [
        [as_imported(c) for c in row] for row in grid(slow, 5, 8)]
