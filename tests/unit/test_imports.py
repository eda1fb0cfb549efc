import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from callcenter.domain.imports import (
    BOOLEANS,
    FORMULA_ERROR,
    GENDERS,
    ORDER_KINDS,
    TEMPERAMENTS,
    VALUE_LEVELS,
    BadValue,
    CustomerFileValidator,
    FileKind,
    FileWarning,
    FormulaError,
    OrderFileValidator,
    RowError,
    VehicleOwner,
    WarningCode,
    check_order_references,
    column_letter,
    header_key,
    parse_amount,
    parse_date,
    parse_datetime,
    parse_enum,
    parse_header,
    parse_mileage,
    parse_phones,
    parse_plate,
    parse_vin,
)
from callcenter.services.imports import (
    Counts,
    ImportRejected,
    ImportReport,
    ParsedFile,
    parse_file,
    write_parsed,
)

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2025, 6, 30)
VIN1 = "LSVAU2180N2000001"
VIN2 = "LSVAU2180N2000002"


# --- dates -------------------------------------------------------------------------

@pytest.mark.parametrize("cell", [
    "2025-03-01", "2025/3/1", "2025.03.01", "2025年3月1日", "2025 年 3 月 1 日", "20250301",
    "2025-03-01 00:00:00", "2025-03-01T08:30", "２０２５－０３－０１", date(2025, 3, 1),
    datetime(2025, 3, 1, 17, 45), 45717, 45717.75, 20250301,
])
def test_dates(cell: object) -> None:
    assert parse_date(cell) == date(2025, 3, 1)


@pytest.mark.parametrize(("cell", "reason"), [
    ("2025-02-30", "no such date"), ("2025-13-01", "no such date"),
    ("3/1/2025", "not a date"), ("yesterday", "not a date"), ("1800-01-01", "out of range"),
    ("2025-03-01 noon", "not a date"), (-3, "not a date"), ("20251301", "no such date"),
])
def test_bad_dates(cell: object, reason: str) -> None:
    with pytest.raises(BadValue, match=reason):
        parse_date(cell)


@pytest.mark.parametrize(("cell", "expected"), [
    ("2025-03-01 14:30", datetime(2025, 3, 1, 14, 30, tzinfo=TZ)),
    ("2025/3/1 9:05:07", datetime(2025, 3, 1, 9, 5, 7, tzinfo=TZ)),
    ("2025年3月1日 14时30分", datetime(2025, 3, 1, 14, 30, tzinfo=TZ)),
    ("2025-03-01", datetime(2025, 3, 1, tzinfo=TZ)),
    ("2025-03-01T06:30:00+00:00", datetime(2025, 3, 1, 14, 30, tzinfo=TZ)),
    (datetime(2025, 3, 1, 14, 30), datetime(2025, 3, 1, 14, 30, tzinfo=TZ)),
    (45717.5, datetime(2025, 3, 1, 12, 0, tzinfo=TZ)),
])
def test_datetimes_are_local_unless_they_say_otherwise(cell: object,
                                                       expected: datetime) -> None:
    assert parse_datetime(cell, TZ) == expected


@pytest.mark.parametrize("cell", ["2025-03-01 25:00", "2025-03-01 later", "soon"])
def test_bad_datetimes(cell: str) -> None:
    with pytest.raises(BadValue):
        parse_datetime(cell, TZ)


# --- values ------------------------------------------------------------------------

@pytest.mark.parametrize(("table", "spellings", "value"), [
    (VALUE_LEVELS, ["VIP", "vip", "贵宾"], "vip"),
    (VALUE_LEVELS, ["重点", "key", "KEY"], "key"),
    (VALUE_LEVELS, ["普通", "normal", "一般"], "normal"),
    (GENDERS, ["男", "male", "M", "先生"], "male"),
    (GENDERS, ["女", "Female", "f"], "female"),
    (TEMPERAMENTS, ["果断型", "decisive"], "decisive"),
    (TEMPERAMENTS, ["发泄型", "venting"], "venting"),
    (BOOLEANS, ["是", "yes", "Y", "1", "true", "TRUE", "Ｙ"], True),
    (BOOLEANS, ["否", "no", "N", "0", "false"], False),
    (ORDER_KINDS, ["保养", "首保", "maintenance"], "maintenance"),
    (ORDER_KINDS, ["维修", "repair"], "repair"),
    (ORDER_KINDS, ["保修", "索赔", "warranty"], "warranty"),
    (ORDER_KINDS, ["事故", "accident"], "accident"),
    (ORDER_KINDS, ["其他", "其它", "other"], "other"),
])
def test_enumerations_in_both_languages(table: dict, spellings: list[str], value: object) -> None:
    for spelling in spellings:
        assert parse_enum(spelling, table, "x") == value


def test_unknown_enumeration_names_the_choices() -> None:
    with pytest.raises(BadValue, match=r"unknown value level \(use key, normal, vip\)"):
        parse_enum("gold", VALUE_LEVELS, "value level")


def test_vins() -> None:
    assert parse_vin(" lsvau2180n2000001 ") == VIN1
    with pytest.raises(BadValue, match="17 characters, not 16"):
        parse_vin("LSVAU2180N200000")
    with pytest.raises(BadValue, match="I, O or Q"):
        parse_vin("LSVAU2180N200000O")
    with pytest.raises(BadValue, match="only letters and digits"):
        parse_vin("LSVAU2180N20000-1")


def test_plates_lose_separators() -> None:
    assert parse_plate("京A·12345") == "京A12345"
    assert parse_plate("沪 c-d1234") == "沪CD1234"


@pytest.mark.parametrize(("cell", "km"), [
    ("12,345", 12345), ("12345 km", 12345), ("800公里", 800), (5000.0, 5000), (0, 0)])
def test_mileage(cell: object, km: int) -> None:
    assert parse_mileage(cell) == km


@pytest.mark.parametrize("cell", ["-5", "12.5", "lots", "99999999"])
def test_bad_mileage(cell: str) -> None:
    with pytest.raises(BadValue):
        parse_mileage(cell)


@pytest.mark.parametrize(("cell", "amount"), [
    ("¥1,234.50", Decimal("1234.50")), ("680元", Decimal("680.00")),
    (1200.5, Decimal("1200.50")), ("0", Decimal("0.00"))])
def test_amounts(cell: object, amount: Decimal) -> None:
    assert parse_amount(cell) == amount


@pytest.mark.parametrize("cell", ["-1", "1.234", "abc", "1e20", "NaN"])
def test_bad_amounts(cell: str) -> None:
    with pytest.raises(BadValue):
        parse_amount(cell)


@pytest.mark.parametrize("cell", [
    "13800138000/010-12345678", "13800138000, 010-12345678", "13800138000；010-12345678",
    "13800138000、010-12345678", "13800138000;010-12345678", "13800138000，010-12345678",
    "13800138000\n010 1234 5678"])
def test_several_phones_in_one_cell(cell: str) -> None:
    assert parse_phones(cell, "CN") == ["+8613800138000", "+861012345678"]


def test_one_bad_phone_in_a_cell_is_named() -> None:
    with pytest.raises(BadValue, match="'1380013'"):
        parse_phones("13800138000 / 1380013", "CN")


# --- headers -----------------------------------------------------------------------

def test_header_key_ignores_case_spaces_and_punctuation_widths() -> None:
    assert header_key(" Customer_No ") == header_key("customer no") == "customerno"
    assert header_key("里程（km）") == header_key("里程(KM)") == "里程km"
    assert header_key("ＶＩＮ码") == "vin码"


def test_chinese_customer_header() -> None:
    header, errors = parse_header(1, [
        "客户编号", "客户姓名", "手机", "联系电话", "性别", "出生日期", "客户等级", "性格",
        "勿扰", "地址", "车架号", "车牌", "车型", "购车日期", "交付日期", "公里数", "备注"])
    assert errors == [] and header is not None
    assert header.kind is FileKind.CUSTOMERS
    assert header.columns == {
        "customer_no": (0,), "name": (1,), "phone": (2, 3), "gender": (4,), "birthday": (5,),
        "value_level": (6,), "temperament": (7,), "do_not_disturb": (8,), "address": (9,),
        "vin": (10,), "plate": (11,), "model": (12,), "sale_date": (13,),
        "delivery_date": (14,), "mileage": (15,)}
    assert header.ignored == ("备注",)
    assert [(w.code, w.names) for w in header.warnings] == [
        (WarningCode.UNKNOWN_COLUMNS, ("备注",))]


def test_english_customer_header_with_numbered_phone_columns() -> None:
    header, errors = parse_header(1, [
        "Customer No.", "NAME", "Phone 1", "Phone 2", "Mobile", "Do-Not-Disturb", "VIN",
        "Sale Date", "Delivery_Date", "Mileage (km)"])
    assert errors == [] and header is not None
    assert header.columns["phone"] == (2, 3, 4)
    assert set(header.columns) == {"customer_no", "name", "phone", "do_not_disturb", "vin",
                                   "sale_date", "delivery_date", "mileage"}


def test_order_headers_in_both_languages() -> None:
    chinese, errors = parse_header(1, ["工单号", "接待单号", "客户编号", "车架号", "工单类型",
                                       "开单时间", "结算时间", "服务顾问", "里程", "金额"])
    assert errors == [] and chinese is not None and chinese.kind is FileKind.SERVICE_ORDERS
    english, errors = parse_header(1, ["order_no", "visit_no", "customer_no", "vin", "kind",
                                       "opened_at", "settled_at", "advisor", "mileage",
                                       "amount"])
    assert errors == [] and english is not None
    assert chinese.columns == english.columns


def test_header_problems() -> None:
    header, errors = parse_header(3, ["工单号", "客户编号", "工单类型", "姓名", "工单编号"])
    assert header is not None
    assert errors == [
        RowError(3, "工单编号", "工单编号", "same meaning as column '工单号'"),
        RowError(3, "", "", "missing column: 车架号 / 车架号码 / vin"),
        RowError(3, "", "", "missing column: 结算时间 / 结算日期 / settled_at"),
    ]
    assert header.ignored == ("姓名",)
    assert header.warnings[0].message == (
        "columns the import does not know in a file of service orders, not imported: "
        "'姓名' (docs/imports.md lists the headers)")
    none, errors = parse_header(1, ["foo", "bar"])
    assert none is None and "no header row" in errors[0].reason


def test_vehicle_columns_without_a_vin_column_are_not_read_and_said_so() -> None:
    header, errors = parse_header(1, ["客户编号", "姓名", "车牌号", "车型", "交车日期", "备注"])
    assert errors == [] and header is not None
    assert set(header.columns) == {"customer_no", "name"}
    assert header.warnings == (
        FileWarning(WarningCode.UNKNOWN_COLUMNS, ("备注",),
                    "columns the import does not know in a file of customers with "
                    "vehicles, not imported: '备注' (docs/imports.md lists the headers)"),
        FileWarning(WarningCode.VEHICLE_COLUMNS_WITHOUT_VIN, ("车牌号", "车型", "交车日期"),
                    "vehicle columns without a VIN column, not imported: '车牌号', '车型', "
                    "'交车日期'; add a 车架号/VIN column to import the vehicles"))
    validator = CustomerFileValidator(header, region="CN", today=TODAY)
    # Cells of columns that are not read are not checked either.
    validator.add(2, ["C1", "张伟", "京A12345", "速腾", "not a date", "老客户"])
    validator.finish()
    assert (validator.errors, validator.warnings, validator.vehicles) == ([], [], [])
    assert list(validator.customers) == ["C1"]


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"),
                                                (702, "AAA")])
def test_column_letters(index: int, letters: str) -> None:
    assert column_letter(index) == letters


def test_values_under_no_header_are_said_so() -> None:
    # Column C has no header, and some rows run past the header's last column (E).
    header, _ = parse_header(1, ["客户编号", "姓名", None, "手机"])
    assert header is not None
    validator = CustomerFileValidator(header, region="CN", today=TODAY)
    validator.add(2, ["C1", "张伟", "", "13800138000", ""])
    validator.add(3, ["C2", "李娜", "VIP", "13900139000"])
    validator.add(4, ["C3", "王芳", None, None, None, "x"])
    validator.add(5, ["C4", "赵磊", "again", None, "y"])
    validator.finish()
    assert validator.errors == []
    assert validator.warnings == [FileWarning(
        WarningCode.VALUES_WITHOUT_HEADER, ("C", "E", "F"),
        "values in columns without a header, not imported: column C (from line 3), "
        "column E (from line 5), column F (from line 4)")]


def test_a_formula_error_is_refused_where_a_value_was_expected() -> None:
    validator = customer_validator()
    validator.add(2, ["C1", "张伟", FormulaError("#REF!"), FormulaError("#N/A"), VIN1,
                      FormulaError("#VALUE!"), None, None])
    validator.finish()
    assert [(e.column, e.value, e.reason) for e in validator.errors] == [
        (column, value, FORMULA_ERROR)
        for column, value in (("手机", "#REF!"), ("生日", "#N/A"), ("车型", "#VALUE!"))]


# --- rows ----------------------------------------------------------------------------

CUSTOMER_HEADER = ["客户编号", "姓名", "手机", "生日", "车架号", "车型", "销售日期", "交车日期"]


def customer_validator() -> CustomerFileValidator:
    header, _ = parse_header(1, CUSTOMER_HEADER)
    assert header is not None
    return CustomerFileValidator(header, region="CN", today=TODAY)


def test_a_customer_over_several_rows_is_one_customer() -> None:
    validator = customer_validator()
    validator.add(2, ["C1", "张伟", "13800138000", "1985-04-12", VIN1, "速腾", "2025-06-01",
                      None])
    validator.add(3, ["C1", None, "13900139000 / 13800138000", None, VIN2, "途观",
                      "2025-06-10", "2025-06-12"])
    validator.finish()
    assert validator.errors == []
    [customer] = validator.customers.values()
    assert (customer.line, customer.name, customer.birthday) == (2, "张伟", date(1985, 4, 12))
    assert customer.phones == ["+8613800138000", "+8613900139000"]
    assert [(v.line, v.vin, v.customer_no) for v in validator.vehicles] == [
        (2, VIN1, "C1"), (3, VIN2, "C1")]


def test_row_problems_are_all_collected() -> None:
    validator = customer_validator()
    validator.add(2, ["C1", "张伟", "13800138000", None, VIN1, None, None, None])
    validator.add(3, ["C1", "张三", "12345", "2030-01-01", VIN1, None, None, None])
    validator.add(4, ["C2", "李娜", None, None, None, "速腾", None, None])
    validator.add(5, ["C3", "王芳", None, None, VIN2, None, "2025-06-10", "2025-06-01"])
    validator.add(6, ["C4", None, None, None, None, None, None, None])
    validator.add(7, ["C4", "", "13800138000", None, None, None, None, None])
    validator.finish()
    assert [(e.line, e.column, e.reason) for e in validator.errors] == [
        (3, "姓名", "differs from line 2 for customer C1: 张伟"),
        (3, "手机", "not a valid phone number: '12345'"),
        (3, "生日", "birthday is in the future"),
        (3, "车架号", "duplicate VIN: already on line 2"),
        (4, "车架号", "missing required value: vehicle columns need a VIN"),
        (5, "交车日期", "delivery date is before the sale date"),
        (6, "姓名", "missing required value"),  # named on none of the customer's rows
    ]


ORDER_HEADER = ["工单号", "来访号", "客户编号", "车架号", "工单类型", "开单时间", "结算时间"]


def order_validator() -> OrderFileValidator:
    header, _ = parse_header(1, ORDER_HEADER)
    assert header is not None
    return OrderFileValidator(header, tz=TZ)


def test_order_rows() -> None:
    validator = order_validator()
    validator.add(2, ["R1", "V1", "C1", VIN1, "保养", "2025-06-01 09:00", "2025-06-01 15:00"])
    validator.add(3, ["R1", "V1", "C1", VIN1, "保养", None, "2025-06-01 15:00"])
    validator.add(4, ["R2", "V1", "C2", VIN2, "维修", None, "2025-06-01 15:00"])
    validator.add(5, ["R3", None, "C1", VIN1, "洗车", "2025-06-02 10:00", "2025-06-02 09:00"])
    validator.add(6, ["R4", "V4", "C1", VIN1, "repair", None, None])
    validator.finish()
    assert [(e.line, e.column, e.reason) for e in validator.errors] == [
        (3, "工单号", "duplicate order number: already on line 2"),
        (4, "来访号", "visit V1 is on line 2 with another customer or vehicle"),
        (5, "工单类型", "unknown order kind (use accident, maintenance, other, repair, "
                        "warranty)"),
        (5, "结算时间", "settled before the order was opened"),
        (6, "结算时间", "missing required value"),
    ]
    [order] = validator.orders
    assert (order.order_no, order.visit_no, order.kind) == ("R1", "V1", "maintenance")


def test_an_order_without_a_visit_number_is_its_own_visit() -> None:
    validator = order_validator()
    validator.add(2, ["R7", "", "C1", VIN1, "其他", None, "2025-06-01"])
    assert validator.orders[0].visit_no == "R7"


def test_order_references() -> None:
    validator = order_validator()
    for line, (customer, vin) in enumerate(
            [("C1", VIN1), ("C9", VIN1), ("C1", VIN2), ("C2", VIN1)], start=2):
        validator.add(line, [f"R{line}", None, customer, vin, "保养", None, "2025-06-01"])
    header, _ = parse_header(1, ORDER_HEADER)
    assert header is not None
    errors = check_order_references(header, validator.orders, {"C1": 1, "C2": 2},
                                    {VIN1: VehicleOwner(10, 1, "C1")})
    assert [(e.line, e.column, e.value, e.reason) for e in errors] == [
        (3, "客户编号", "C9", "unknown customer: import the customer file first"),
        (4, "车架号", VIN2, "unknown vehicle: import the customer file first"),
        (5, "车架号", VIN1, "vehicle belongs to customer C1"),
    ]


# --- files -------------------------------------------------------------------------

def parse(path: Path) -> ParsedFile:
    return parse_file(path, region="CN", tz=TZ, today=TODAY)


def test_csv_with_bom_title_rows_blank_lines_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("客户清单\n\n客户编号;姓名;手机\nC1;张伟;13800138000\n;;\nC2;李娜;x\n",
                    encoding="utf-8-sig")
    parsed = parse(path)
    assert parsed.report.kind is FileKind.CUSTOMERS
    assert parsed.report.total_rows == 2
    # Lines count as Excel shows them: the header is on line 3 here.
    assert [(e.line, e.column, e.value) for e in parsed.report.errors] == [(6, "手机", "x")]


def test_gbk_csv(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("客户编号,姓名\r\nC1,赵磊\r\n".encode("gbk"))
    parsed = parse(path)
    assert parsed.report.errors == []
    assert parsed.customers[0].name == "赵磊"


def test_a_file_without_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    assert "no header row" in parse(path).report.errors[0].reason


@pytest.mark.parametrize(("titles", "found"), [(9, True), (10, False)])
def test_the_header_is_looked_for_in_the_first_ten_rows(tmp_path: Path, titles: int,
                                                        found: bool) -> None:
    path = tmp_path / "titled.csv"
    path.write_text("客户清单\n" * titles + "客户编号,姓名\nC1,赵磊\n", encoding="utf-8")
    parsed = parse(path)
    if found:
        assert parsed.header is not None and parsed.header.line == titles + 1
        assert (parsed.report.errors, parsed.customers[0].name) == ([], "赵磊")
    else:
        assert parsed.header is None
        assert "no header row" in parsed.report.errors[0].reason


async def test_a_file_without_header_is_never_written() -> None:
    # Even one put together by hand, without the "no header row" error parse_file adds.
    parsed = ParsedFile(ImportReport("hand-made.csv", None))
    with pytest.raises(ImportRejected):
        await write_parsed(None, parsed, tz=TZ, today=TODAY)  # type: ignore[arg-type]


def test_xlsx_with_a_wrong_declared_size_is_read_to_the_end(tmp_path: Path) -> None:
    written = tmp_path / "written.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["客户编号", "姓名", "生日"])
    for n in range(5):
        book.active.append([1000 + n, f"客户{n}", datetime(1990, 1, n + 1)])
    book.save(written)
    # Some generators declare the sheet as one cell.
    wrong = tmp_path / "wrong.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(wrong, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', data)
            target.writestr(item, data)

    parsed = parse(wrong)

    assert parsed.report.errors == [] and parsed.report.total_rows == 5
    assert [(c.customer_no, c.birthday) for c in parsed.customers][-1] == (
        "1004", date(1990, 1, 5))


def test_report_text() -> None:
    unknown = FileWarning(WarningCode.UNKNOWN_COLUMNS, ("备注",), "columns ... not imported")
    report = ImportReport("orders.xlsx", FileKind.SERVICE_ORDERS, total_rows=1,
                          orders=Counts(2, 1, 3), followups_created=1, warnings=[unknown])
    assert report.format_text() == (
        "orders.xlsx: service orders, 1 row\n"
        "  orders:     2 created, 1 updated, 3 unchanged\n"
        "  follow-ups: 1 created, 0 rescheduled\n"
        "  warning [unknown_columns]: columns ... not imported")
    rejected = ImportReport("c.csv", FileKind.CUSTOMERS, total_rows=9, errors=[
        RowError(2, "手机", "123", "not a valid phone number: '123'"),
        RowError(2, "姓名", "", "missing required value"),
        RowError(5, "车架号", "X", "a VIN has 17 characters, not 1")], warnings=[unknown])
    assert rejected.format_text(max_errors=2) == (
        "c.csv: customers with vehicles, 9 rows - REJECTED, nothing was imported: "
        "3 problems in 2 rows\n"
        "  line 2, 手机 ('123'): not a valid phone number: '123'\n"
        "  line 2, 姓名: missing required value\n"
        "  ... and 1 more\n"
        "  warning [unknown_columns]: columns ... not imported")
    unreadable = ImportReport("old.xls", None, errors=[RowError(0, "", "", "unsupported")])
    assert unreadable.format_text() == (
        "old.xls: unknown kind, 0 rows - REJECTED, nothing was imported: 1 problem\n"
        "  file: unsupported")
