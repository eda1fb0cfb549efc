"""Spreadsheet rows to validated customer, vehicle and service-order records (pure).

Two file kinds, told apart by the header row: customers with their vehicles (one row
per vehicle) and service orders. Headers and values are accepted in Chinese or English
as dealership exports write them; docs/imports.md lists every accepted spelling.

Validation never stops at the first problem: every bad cell becomes a RowError with the
line number and column header the user sees in Excel, so one round of corrections fixes
the whole file.

Nothing in the file is left out without a word: what the import cannot use (a column it
does not know, vehicle columns without a VIN column, values under no header) becomes a
FileWarning on the report, with a stable code and a message.
"""

from __future__ import annotations

import enum
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.domain.phones import InvalidPhone, normalize_phone

Cell = Any  # what a reader yields: str, int, float, date, datetime or None


class FileKind(enum.StrEnum):
    CUSTOMERS = "customers"
    SERVICE_ORDERS = "service_orders"

    @property
    def label(self) -> str:
        return "customers with vehicles" if self is FileKind.CUSTOMERS else "service orders"


@dataclass(frozen=True, slots=True)
class RowError:
    line: int  # as Excel numbers rows: the header is line 1 (unless title rows precede it)
    column: str  # the header as written in the file; "" for problems of the whole file
    value: str
    reason: str


class WarningCode(enum.StrEnum):
    """Stable: scripts may match on them. docs/imports.md describes each."""

    UNKNOWN_COLUMNS = "unknown_columns"
    VEHICLE_COLUMNS_WITHOUT_VIN = "vehicle_columns_without_vin"
    VALUES_WITHOUT_HEADER = "values_without_header"
    OTHER_SHEETS = "other_sheets_not_read"


@dataclass(frozen=True, slots=True)
class FileWarning:
    """Something in the file that was not imported; the rest of the file still is."""

    code: WarningCode
    # What it is about: headers as written, column letters, or sheet names.
    names: tuple[str, ...]
    message: str


def column_letter(index: int) -> str:
    """Excel's name of the column at a 0-based index: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def other_sheets_warning(first: str, others: Sequence[str]) -> FileWarning:
    return FileWarning(WarningCode.OTHER_SHEETS, tuple(others),
                       f"only the first sheet ({first!r}) is read; not imported: the sheet"
                       f"{'s' if len(others) > 1 else ''} {_quoted(others)}")


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(n) for n in names)


# --- headers -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Field:
    name: str
    aliases: tuple[str, ...]
    required: bool = False
    # Several columns may feed it (手机, 电话2, 备用电话...).
    multi: bool = False


_CUSTOMER_NO = ("客户编号", "客户号", "客户代码", "客户编码", "customer_no", "customer number",
                "customer id", "customer code")
_VIN = ("车架号", "车架号码", "VIN", "VIN码", "车辆识别代号", "车辆识别码")
_MILEAGE = ("里程", "里程数", "公里数", "行驶里程", "里程(km)", "mileage", "mileage (km)",
            "mileage_km", "odometer")
# A customer file's columns that describe the vehicle of the row, which the VIN names.
VEHICLE_FIELDS = ("plate", "model", "sale_date", "delivery_date", "mileage", "salesperson")

CUSTOMER_FIELDS = (
    Field("customer_no", _CUSTOMER_NO, required=True),
    Field("name", ("姓名", "客户姓名", "客户名称", "name", "customer name"), required=True),
    Field("phone", ("手机", "手机号", "手机号码", "电话", "电话号码", "联系电话", "联系方式",
                    "座机", "固定电话", "备用电话", "家庭电话", "办公电话", "phone", "phones",
                    "phone number", "mobile", "mobile phone", "tel", "telephone", "landline"),
          multi=True),
    Field("gender", ("性别", "gender", "sex")),
    Field("birthday", ("生日", "出生日期", "birthday", "birth date", "date of birth")),
    Field("value_level", ("客户等级", "客户级别", "等级", "value level", "value_level",
                          "customer level", "level")),
    Field("temperament", ("性格", "性格类型", "客户性格", "temperament", "personality")),
    Field("do_not_disturb", ("免打扰", "勿扰", "请勿打扰", "do not disturb", "do_not_disturb",
                             "dnd")),
    Field("address", ("地址", "联系地址", "住址", "address")),
    Field("vin", _VIN),
    Field("plate", ("车牌", "车牌号", "车牌号码", "plate", "plate no", "license plate")),
    Field("model", ("车型", "车型名称", "model", "vehicle model")),
    Field("sale_date", ("销售日期", "购车日期", "sale date", "sale_date", "sold on",
                        "purchase date")),
    Field("delivery_date", ("交车日期", "交付日期", "delivery date", "delivery_date",
                            "delivered on")),
    Field("mileage", _MILEAGE),
    Field("salesperson", ("销售顾问", "销售员", "销售", "salesperson", "sales consultant")),
)

ORDER_FIELDS = (
    Field("order_no", ("工单号", "工单编号", "维修工单号", "order no", "order_no",
                       "order number", "repair order"), required=True),
    Field("visit_no", ("来访号", "来访编号", "接待单号", "接待号", "visit no", "visit_no",
                       "visit number")),
    Field("customer_no", _CUSTOMER_NO, required=True),
    Field("vin", _VIN, required=True),
    Field("kind", ("工单类型", "维修类型", "业务类型", "kind", "order kind", "order type",
                   "type"), required=True),
    Field("opened_at", ("开单时间", "开单日期", "进厂时间", "opened at", "opened_at",
                        "open time")),
    Field("settled_at", ("结算时间", "结算日期", "settled at", "settled_at", "settlement time"),
          required=True),
    Field("advisor", ("服务顾问", "接待顾问", "顾问", "advisor", "service advisor")),
    Field("mileage", _MILEAGE),
    Field("amount", ("金额", "结算金额", "工单金额", "总金额", "金额(元)", "amount", "total")),
)

FIELDS_BY_KIND = {FileKind.CUSTOMERS: CUSTOMER_FIELDS, FileKind.SERVICE_ORDERS: ORDER_FIELDS}

# Spaces, underscores and punctuation in either width do not distinguish headers.
_HEADER_NOISE = re.compile(r"[\s_\-()\[\]{}:./#*（）【】：，、。]+")
_TRAILING_NUMBER = re.compile(r"\d+$")


def header_key(text: object) -> str:
    """The form headers are compared in: NFKC, case-folded, without spaces/punctuation."""
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", str(text or "")).casefold())


def _alias_index(fields: tuple[Field, ...]) -> dict[str, Field]:
    return {header_key(alias): f for f in fields for alias in (*f.aliases, f.name)}


_ALIASES = {kind: _alias_index(fields) for kind, fields in FIELDS_BY_KIND.items()}


@dataclass(frozen=True, slots=True)
class Header:
    kind: FileKind
    line: int
    names: tuple[str, ...]  # every header cell as written
    columns: Mapping[str, tuple[int, ...]]  # field name -> column indexes it reads
    ignored: tuple[str, ...]  # headers that mean nothing to the import
    warnings: tuple[FileWarning, ...] = ()  # the columns it will not read, and why


def _field_for(key: str, aliases: Mapping[str, Field]) -> Field | None:
    found = aliases.get(key)
    if found is None:
        # "电话2", "phone 1": numbered copies of a multi-column field.
        base = aliases.get(_TRAILING_NUMBER.sub("", key))
        if base is not None and base.multi:
            return base
    return found


def detect_kind(cells: Sequence[Cell]) -> FileKind | None:
    """The file kind this row is the header of, or None when it is not a header."""
    keys = {header_key(c) for c in cells}
    order_fields = _ALIASES[FileKind.SERVICE_ORDERS]
    if any(order_fields.get(k) is not None and order_fields[k].name == "order_no"
           for k in keys):
        return FileKind.SERVICE_ORDERS
    customer_fields = _ALIASES[FileKind.CUSTOMERS]
    if any(customer_fields.get(k) is not None
           and customer_fields[k].name in ("customer_no", "name") for k in keys):
        return FileKind.CUSTOMERS
    return None


def parse_header(line: int, cells: Sequence[Cell]) -> tuple[Header | None, list[RowError]]:
    """Map a header row to fields; errors for missing required or doubled columns."""
    kind = detect_kind(cells)
    if kind is None:
        return None, [RowError(line, "", "", NO_HEADER)]
    aliases = _ALIASES[kind]
    names = tuple("" if c is None else str(c).strip() for c in cells)
    columns: dict[str, list[int]] = {}
    ignored = []
    errors = []
    for index, name in enumerate(names):
        if not name:
            continue
        found = _field_for(header_key(name), aliases)
        if found is None:
            ignored.append(name)
        elif found.name in columns and not found.multi:
            first = names[columns[found.name][0]]
            errors.append(RowError(line, name, name, f"same meaning as column {first!r}"))
        else:
            columns.setdefault(found.name, []).append(index)
    for f in FIELDS_BY_KIND[kind]:
        if f.required and f.name not in columns:
            errors.append(RowError(line, "", "", "missing column: " + " / ".join(f.aliases[:2])
                                   + (f" / {f.name}" if f.name not in f.aliases[:2] else "")))
    warnings = []
    if ignored:
        warnings.append(FileWarning(
            WarningCode.UNKNOWN_COLUMNS, tuple(ignored),
            f"columns the import does not know in a file of {kind.label}, not imported: "
            f"{_quoted(ignored)} (docs/imports.md lists the headers)"))
    if kind is FileKind.CUSTOMERS and "vin" not in columns:
        # Without a VIN there is no vehicle to attach these cells to: they are not read
        # (nor checked) rather than dropped row by row.
        unusable = sorted(i for f in VEHICLE_FIELDS for i in columns.pop(f, ()))
        if unusable:
            unused = tuple(names[i] for i in unusable)
            warnings.append(FileWarning(
                WarningCode.VEHICLE_COLUMNS_WITHOUT_VIN, unused,
                f"vehicle columns without a VIN column, not imported: {_quoted(unused)}; "
                "add a 车架号/VIN column to import the vehicles"))
    header = Header(kind, line, names, {k: tuple(v) for k, v in columns.items()},
                    tuple(ignored), tuple(warnings))
    return header, errors


NO_HEADER = ("no header row: expected customer columns (客户编号/customer_no, 姓名/name, ...) "
             "or service-order columns (工单号/order_no, ...) in the first rows")


# --- values ------------------------------------------------------------------------

class BadValue(ValueError):
    """A cell that cannot be read; the message is the reason shown to the user."""


class FormulaError(str):
    """A cell showing a formula's error (#N/A, #DIV/0!, ...): its value is unknown."""


FORMULA_ERROR = "the cell shows a formula error: fix the formula or type the value"


def is_blank(cell: Cell) -> bool:
    return cell is None or (cell.__class__ is str and not cell.strip())


def cell_text(cell: Cell) -> str:
    """A cell as text: numbers typed into Excel (customer numbers, phones) lose '.0'."""
    if cell.__class__ is str:
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    return str(cell).strip()


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TIME = re.compile(r"(\d{1,2})\s*[:时点]\s*(\d{1,2})"
                   r"(?:\s*[:分]\s*(\d{1,2})(?:\.\d+)?\s*秒?)?\s*分?")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_YEARS = range(1900, 2101)


def _checked_date(year: int, month: int, day: int) -> date:
    if year not in _YEARS:
        raise BadValue(f"year {year} is out of range")
    try:
        return date(year, month, day)
    except ValueError:
        raise BadValue("no such date") from None


def _excel_serial(number: float) -> datetime:
    # Numeric cells without a date format: an 8-digit 20250301, or Excel's day count.
    if number.is_integer() and 19000101 <= number <= 21001231:
        text = str(int(number))
        return datetime.combine(
            _checked_date(int(text[:4]), int(text[4:6]), int(text[6:])), time())
    if 1 <= number < 73051:  # up to 2099-12-31
        return _EXCEL_EPOCH + timedelta(days=number)
    raise BadValue("not a date")


def parse_date(cell: Cell) -> date:
    """2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日, 20250301, date/datetime cells."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _excel_serial(float(cell)).date()
    return _parse_date_text(str(cell))


# A file repeats the same few thousand dates (sale days, birthdays) over 100,000 rows.
@lru_cache(maxsize=8192)
def _parse_date_text(raw: str) -> date:
    text = unicodedata.normalize("NFKC", raw).strip()
    match = _DATE.match(text)
    rest = text[match.end():].strip() if match else ""
    if match and (not rest or _TIME.fullmatch(rest.lstrip("T "))):
        return _checked_date(int(match[1]), int(match[2]), int(match[3]))
    match = _COMPACT_DATE.fullmatch(text)
    if match:
        return _checked_date(int(match[1]), int(match[2]), int(match[3]))
    raise BadValue("not a date (use YYYY-MM-DD)")


def parse_datetime(cell: Cell, tz: ZoneInfo) -> datetime:
    """A point in time; times written without an offset are the dealership's local time.

    A date alone means midnight local time.
    """
    if isinstance(cell, datetime):
        moment = cell
    elif isinstance(cell, date):
        moment = datetime.combine(cell, time())
    elif isinstance(cell, int | float) and not isinstance(cell, bool):
        moment = _excel_serial(float(cell))
    else:
        moment = _parse_datetime_text(unicodedata.normalize("NFKC", str(cell)).strip())
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _parse_datetime_text(text: str) -> datetime:
    match = _DATE.match(text)
    if match:
        day = _checked_date(int(match[1]), int(match[2]), int(match[3]))
        rest = text[match.end():].strip().lstrip("T").strip()
        if not rest:
            return datetime.combine(day, time())
        clock = _TIME.fullmatch(rest)
        if clock:
            try:
                return datetime.combine(day, time(int(clock[1]), int(clock[2]),
                                                  int(clock[3] or 0)))
            except ValueError:
                raise BadValue("no such time of day") from None
    try:
        moment = datetime.fromisoformat(text)  # ISO 8601, possibly with an offset
    except ValueError:
        raise BadValue("not a date and time (use YYYY-MM-DD HH:MM)") from None
    if moment.year not in _YEARS:
        raise BadValue(f"year {moment.year} is out of range")
    return moment


@lru_cache(maxsize=4096)
def _enum_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold().replace(" ", "")


def _enum(mapping: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_enum_key(spelling): value
            for value, spellings in mapping.items() for spelling in (value, *spellings)}


GENDERS = _enum({"male": ("男", "男性", "先生", "m"), "female": ("女", "女性", "女士", "f")})
VALUE_LEVELS = _enum({"vip": ("VIP客户", "贵宾"), "key": ("重点", "重点客户", "重要"),
                      "normal": ("普通", "普通客户", "一般")})
TEMPERAMENTS = _enum({
    "decisive": ("果断", "果断型", "决断型"), "sociable": ("社交", "社交型", "外向型"),
    "analytical": ("分析", "分析型"), "venting": ("发泄", "发泄型", "情绪型"),
    "cautious": ("谨慎", "谨慎型")})
ORDER_KINDS = _enum({
    "maintenance": ("保养", "首保", "定保", "常规保养"), "repair": ("维修", "一般维修", "机修"),
    "warranty": ("保修", "索赔", "三包"), "accident": ("事故", "事故车", "钣喷"),
    "other": ("其他", "其它")})
BOOLEANS = {**{k: True for k in ("是", "y", "yes", "true", "1", "√", "✓")},
            **{k: False for k in ("否", "n", "no", "false", "0", "×")}}


def parse_enum(text: str, values: Mapping[str, Any], what: str) -> Any:
    try:
        return values[_enum_key(text)]
    except KeyError:
        choices = sorted({str(v) for v in values.values()})
        raise BadValue(f"unknown {what} (use {', '.join(choices)})") from None


def _enum_parser(values: Mapping[str, Any], what: str) -> Callable[[Cell], Any]:
    return lambda cell: parse_enum(cell_text(cell), values, what)


_parse_gender = _enum_parser(GENDERS, "gender")
_parse_value_level = _enum_parser(VALUE_LEVELS, "value level")
_parse_temperament = _enum_parser(TEMPERAMENTS, "temperament")
_parse_yes_no = _enum_parser(BOOLEANS, "yes/no value")
_parse_order_kind = _enum_parser(ORDER_KINDS, "order kind")

_VIN_PATTERN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")


def parse_vin(text: str) -> str:
    """17 characters, letters and digits without I, O and Q (ISO 3779)."""
    vin = unicodedata.normalize("NFKC", text).upper().replace(" ", "")
    if _VIN_PATTERN.fullmatch(vin):
        return vin
    if len(vin) != 17:
        raise BadValue(f"a VIN has 17 characters, not {len(vin)}")
    if set(vin) & set("IOQ"):
        raise BadValue("a VIN never contains I, O or Q")
    raise BadValue("a VIN has only letters and digits")


_PLATE_NOISE = re.compile(r"[\s·•.\-]")


def parse_plate(text: str) -> str:
    return _PLATE_NOISE.sub("", unicodedata.normalize("NFKC", text)).upper()


MAX_MILEAGE_KM = 10_000_000


_MILEAGE_NOISE = re.compile(r"(?i)[\s,]|km|公里|千米")


def parse_mileage(cell: Cell) -> int:
    if cell.__class__ is int or cell.__class__ is float:  # a number cell: nothing to clean
        value = float(cell)
    else:
        try:
            value = float(_MILEAGE_NOISE.sub("", unicodedata.normalize("NFKC", cell_text(cell))))
        except ValueError:
            raise BadValue("not a number of kilometres") from None
    if not value.is_integer() or not 0 <= value <= MAX_MILEAGE_KM:
        raise BadValue(f"kilometres: a whole number from 0 to {MAX_MILEAGE_KM:,}")
    return int(value)


_MAX_AMOUNT = Decimal("9999999999.99")


def parse_amount(cell: Cell) -> Decimal:
    text = re.sub(r"(?i)[\s,¥元]|rmb|cny", "", unicodedata.normalize("NFKC", cell_text(cell)))
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise BadValue("not an amount") from None
    if not amount.is_finite() or not 0 <= amount <= _MAX_AMOUNT:
        raise BadValue("an amount from 0 to 9,999,999,999.99")
    if amount != amount.quantize(Decimal("0.01")):
        raise BadValue("more than two decimals")
    return amount.quantize(Decimal("0.01"))


_PHONE_SPLIT = re.compile(r"[/,，;；、|\n]+")


def parse_phones(text: str, region: str) -> list[str]:
    """Several numbers in one cell: separated by / , ; 、 (either width) or new lines."""
    phones = []
    for part in _PHONE_SPLIT.split(text):
        if part.strip():
            try:
                phones.append(normalize_phone(part, region))
            except InvalidPhone:
                raise BadValue(f"not a valid phone number: {part.strip()!r}") from None
    return phones


# --- records -----------------------------------------------------------------------

@dataclass(slots=True)
class CustomerRecord:
    line: int  # the first line the customer appears on
    customer_no: str
    name: str
    gender: str | None = None
    birthday: date | None = None
    value_level: str | None = None
    temperament: str | None = None
    do_not_disturb: bool | None = None
    address: str | None = None
    phones: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class VehicleRecord:
    line: int
    customer_no: str
    vin: str
    plate: str | None
    model: str | None
    sale_date: date | None
    delivery_date: date | None
    mileage_km: int | None
    salesperson: str | None = None  # who sold it: the sales follow-up's answers concern them


@dataclass(frozen=True, slots=True)
class OrderRecord:
    line: int
    order_no: str
    visit_no: str
    customer_no: str
    vin: str
    kind: str
    opened_at: datetime | None
    settled_at: datetime
    advisor: str | None
    mileage_km: int | None
    amount: Decimal | None


class _RowReader:
    """Reads one row's cells by field name, collecting a RowError per bad cell, and notes
    the values standing under no header (which nothing reads)."""

    def __init__(self, header: Header, errors: list[RowError]) -> None:
        self.header = header
        self.errors = errors
        self.line = 0
        self.cells: Sequence[Cell] = ()
        self._positions = {name: i for i, name in reversed(list(enumerate(header.names)))}
        # Looked up for every cell of 100,000 rows: resolved once.
        self._first = {name: (columns[0], header.names[columns[0]])
                       for name, columns in header.columns.items()}
        self._width = len(header.names)
        self._unnamed = tuple(i for i, name in enumerate(header.names) if not name)
        self._strays: dict[int, int] = {}  # column index -> first line with a value there

    def start(self, line: int, cells: Sequence[Cell]) -> None:
        self.line, self.cells = line, cells
        if self._unnamed or len(cells) > self._width:
            for index in itertools.chain(self._unnamed, range(self._width, len(cells))):
                if (index < len(cells) and index not in self._strays
                        and not is_blank(cells[index])):
                    self._strays[index] = line

    def finish(self) -> list[FileWarning]:
        """Sort the errors in the order the file has them: by line, then column, however
        they were found (a row's fields are not checked in column order). The warning
        about values under no header, if any."""
        self.errors.sort(key=lambda e: (e.line, self._positions.get(e.column, -1)))
        if not self._strays:
            return []
        letters = tuple(column_letter(i) for i in sorted(self._strays))
        where = ", ".join(f"column {column_letter(i)} (from line {line})"
                          for i, line in sorted(self._strays.items()))
        return [FileWarning(WarningCode.VALUES_WITHOUT_HEADER, letters,
                            f"values in columns without a header, not imported: {where}")]

    def raw(self, name: str, index: int | None = None) -> tuple[str, Cell]:
        """(header, cell) of the field's first column, or of column ``index``."""
        if index is not None:
            column, header = index, self.header.names[index]
        elif name in self._first:
            column, header = self._first[name]
        else:
            return "", None
        return header, self.cells[column] if column < len(self.cells) else None

    def fail(self, column: str, cell: Cell, reason: str) -> None:
        self.errors.append(RowError(self.line, column, cell_text(cell), reason))

    def _missing(self, column: str, required: bool) -> None:
        if required:
            self.fail(column, None, "missing required value")

    def refuse_formula_error(self, column: str, cell: Cell) -> bool:
        if cell.__class__ is FormulaError:
            self.fail(column, cell, FORMULA_ERROR)
            return True
        return False

    def get(self, name: str, parse: Any = None, *, required: bool = False) -> Any:
        # The hot path of an import (15 cells a row, 100,000 rows): raw() inlined, text
        # (the usual cell) tested first.
        found = self._first.get(name)
        if found is None:
            column, cell = "", None
        else:
            index, column = found
            cell = self.cells[index] if index < len(self.cells) else None
        if cell.__class__ is str:
            cell = cell.strip()
            if not cell:
                return self._missing(column, required)
            if parse is None:
                return cell
        elif cell is None:
            return self._missing(column, required)
        elif cell.__class__ is FormulaError:
            self.fail(column, cell, FORMULA_ERROR)
            return None
        try:
            return parse(cell) if parse else cell_text(cell) or None
        except BadValue as exc:
            self.fail(column, cell, str(exc))
            return None


_CUSTOMER_ATTRS = ("name", "gender", "birthday", "value_level", "temperament",
                   "do_not_disturb", "address")


class CustomerFileValidator:
    """Validates a customers-with-vehicles file row by row.

    A customer spans several rows (one per vehicle): the rows' phones are combined, an
    attribute may be left blank on the customer's other rows, and an attribute written
    differently on two rows is an error rather than a silent pick.
    """

    def __init__(self, header: Header, *, region: str, today: date) -> None:
        self.errors: list[RowError] = []
        self.warnings: list[FileWarning] = []
        self.customers: dict[str, CustomerRecord] = {}
        self.vehicles: list[VehicleRecord] = []
        self._vin_lines: dict[str, int] = {}
        self._row = _RowReader(header, self.errors)
        # Without a VIN column the vehicle cells are not read (the header warns of it).
        self._reads_vehicles = "vin" in header.columns
        self._region = region
        self._today = today

    def add(self, line: int, cells: Sequence[Cell]) -> None:
        row = self._row
        row.start(line, cells)
        number = row.get("customer_no", required=True)
        record = CustomerRecord(
            line=line, customer_no=number or "",
            name=row.get("name") or "",
            gender=row.get("gender", _parse_gender),
            birthday=row.get("birthday", self._birthday),
            value_level=row.get("value_level", _parse_value_level),
            temperament=row.get("temperament", _parse_temperament),
            do_not_disturb=row.get("do_not_disturb", _parse_yes_no),
            address=row.get("address"),
            phones=self._phones(),
        )
        vehicle = self._vehicle(number or "")
        if number:
            self._merge(record)
        if vehicle is not None and number:
            self.vehicles.append(vehicle)

    def finish(self) -> None:
        """Errors that only the whole file shows: a customer named on none of its rows."""
        column = self._row.header.names[self._row.header.columns["name"][0]]
        self.errors.extend(RowError(c.line, column, "", "missing required value")
                           for c in self.customers.values() if not c.name)
        self.warnings = self._row.finish()

    def _birthday(self, cell: Cell) -> date:
        day = parse_date(cell)
        if day > self._today:
            raise BadValue("birthday is in the future")
        return day

    def _phones(self) -> list[str]:
        phones: list[str] = []
        for index in self._row.header.columns.get("phone", ()):
            column, cell = self._row.raw("phone", index)
            if self._row.refuse_formula_error(column, cell):
                continue
            try:
                phones.extend(parse_phones(cell_text(cell), self._region))
            except BadValue as exc:
                self._row.fail(column, cell, str(exc))
        return list(dict.fromkeys(phones))

    def _vehicle(self, customer_no: str) -> VehicleRecord | None:
        if not self._reads_vehicles:
            return None
        row = self._row
        vin = row.get("vin", parse_vin)
        plate = row.get("plate", lambda cell: parse_plate(cell_text(cell)) or None)
        model = row.get("model")
        sale_date = row.get("sale_date", parse_date)
        delivery_date = row.get("delivery_date", parse_date)
        mileage = row.get("mileage", parse_mileage)
        salesperson = row.get("salesperson")
        if sale_date and delivery_date and delivery_date < sale_date:
            column, cell = row.raw("delivery_date")
            row.fail(column, cell, "delivery date is before the sale date")
        if vin is None:
            column, cell = row.raw("vin")
            # A salesperson alone is no vehicle fact: exports name one per customer too.
            if is_blank(cell) and any(
                    v is not None for v in (plate, model, sale_date, delivery_date, mileage)):
                row.fail(column, cell, "missing required value: vehicle columns need a VIN")
            return None
        first = self._vin_lines.setdefault(vin, row.line)
        if first != row.line:
            column, cell = row.raw("vin")
            row.fail(column, cell, f"duplicate VIN: already on line {first}")
            return None
        return VehicleRecord(row.line, customer_no, vin, plate, model, sale_date,
                             delivery_date, mileage, salesperson)

    def _merge(self, record: CustomerRecord) -> None:
        known = self.customers.get(record.customer_no)
        if known is None:
            self.customers[record.customer_no] = record
            return
        for attr in _CUSTOMER_ATTRS:
            new, old = getattr(record, attr), getattr(known, attr)
            if new is None or new == "":
                continue
            if old is None or old == "":
                setattr(known, attr, new)
            elif new != old:
                column, cell = self._row.raw(attr)
                self._row.fail(column, cell, f"differs from line {known.line} "
                               f"for customer {record.customer_no}: {old!s}")
        known.phones.extend(p for p in record.phones if p not in known.phones)


class OrderFileValidator:
    """Validates a service-orders file row by row (references are checked later)."""

    def __init__(self, header: Header, *, tz: ZoneInfo) -> None:
        self.errors: list[RowError] = []
        self.warnings: list[FileWarning] = []
        self.orders: list[OrderRecord] = []
        self._order_lines: dict[str, int] = {}
        self._visits: dict[str, OrderRecord] = {}
        self._row = _RowReader(header, self.errors)
        self._tz = tz

    def add(self, line: int, cells: Sequence[Cell]) -> None:
        row = self._row
        row.start(line, cells)
        order_no = row.get("order_no", required=True)
        # Without a visit number each order is its own visit.
        visit_no = row.get("visit_no") or order_no
        customer_no = row.get("customer_no", required=True)
        vin = row.get("vin", parse_vin, required=True)
        kind = row.get("kind", _parse_order_kind, required=True)
        opened_at = row.get("opened_at", lambda c: parse_datetime(c, self._tz))
        settled_at = row.get("settled_at", lambda c: parse_datetime(c, self._tz),
                             required=True)
        advisor = row.get("advisor")
        mileage = row.get("mileage", parse_mileage)
        amount = row.get("amount", parse_amount)
        if opened_at and settled_at and settled_at < opened_at:
            column, cell = row.raw("settled_at")
            row.fail(column, cell, "settled before the order was opened")
        if order_no:
            first = self._order_lines.setdefault(order_no, line)
            if first != line:
                column, cell = row.raw("order_no")
                row.fail(column, cell, f"duplicate order number: already on line {first}")
                return
        if not (order_no and customer_no and vin and kind and settled_at):
            return
        order = OrderRecord(line, order_no, visit_no, customer_no, vin, kind, opened_at,
                            settled_at, advisor, mileage, amount)
        same_visit = self._visits.setdefault(visit_no, order)
        if (same_visit.customer_no, same_visit.vin) != (customer_no, vin):
            column, cell = row.raw("visit_no" if "visit_no" in row.header.columns else "vin")
            row.fail(column, cell, f"visit {visit_no} is on line {same_visit.line} "
                     "with another customer or vehicle")
            return
        self.orders.append(order)

    def finish(self) -> None:
        self.warnings = self._row.finish()


@dataclass(frozen=True, slots=True)
class VehicleOwner:
    vehicle_id: int
    customer_id: int
    customer_no: str | None


def check_order_references(header: Header, orders: Iterable[OrderRecord],
                           customers: Mapping[str, int],
                           vehicles: Mapping[str, VehicleOwner]) -> list[RowError]:
    """Errors for orders naming a customer or vehicle the center does not have, or a
    vehicle that belongs to another customer. ``customers`` maps customer numbers to
    ids, ``vehicles`` VINs to their owner, both as stored."""
    customer_column = header.names[header.columns["customer_no"][0]]
    vin_column = header.names[header.columns["vin"][0]]
    errors = []
    for order in orders:
        if order.customer_no not in customers:
            errors.append(RowError(order.line, customer_column, order.customer_no,
                                   "unknown customer: import the customer file first"))
            continue
        owner = vehicles.get(order.vin)
        if owner is None:
            errors.append(RowError(order.line, vin_column, order.vin,
                                   "unknown vehicle: import the customer file first"))
        elif owner.customer_id != customers[order.customer_no]:
            errors.append(RowError(order.line, vin_column, order.vin,
                                   f"vehicle belongs to customer {owner.customer_no}"))
    return errors
