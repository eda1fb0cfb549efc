"""Workbooks written part by part, as Excel and WPS lay them out (shared strings, number
formats by id, cells of every type): what openpyxl's writer cannot produce, for the
reader tests and the import benchmark; and a sheet's values read back, for the export
tests.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
# Custom number formats get ids from 164 up, as in Excel.
_FIRST_CUSTOM_FORMAT = 164


def shared_string(text: str) -> str:
    """An <si> of plain text; as in Excel, spaces at its ends are marked to be kept."""
    keep = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<si><t{keep}>{escape(text)}</t></si>"


def write_workbook(path: Path, sheets: Sequence[tuple[str, str]], *,
                   shared: Sequence[str] = (), formats: Sequence[int | str] = ()) -> Path:
    """Write an .xlsx.

    ``sheets``: (name, the XML inside <worksheet>: <sheetData>, <mergeCells>...), first
    sheet first. ``shared``: the <si> items of the shared strings, in index order.
    ``formats``: cell style N (s="N", from 1) has formats[N - 1], a built-in numFmtId
    (14 is the short date) or a custom format code.
    """
    custom = {code: _FIRST_CUSTOM_FORMAT + n
              for n, code in enumerate(f for f in formats if isinstance(f, str))}
    num_fmts = "".join(f'<numFmt numFmtId="{number}" formatCode={quoteattr(code)}/>'
                       for code, number in custom.items())
    xfs = "".join(f'<xf numFmtId="{custom[f] if isinstance(f, str) else f}" '
                  'applyNumberFormat="1"/>' for f in formats)
    parts = {
        "[Content_Types].xml":
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
                      f'ContentType="{_CT}.worksheet+xml"/>' for n in range(1, len(sheets) + 1))
            + f'<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{_CT}.sharedStrings+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>',
        "_rels/.rels":
            f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            f'{_XML}<workbook xmlns="{MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
                      for n, (name, _) in enumerate(sheets, start=1))
            + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels":
            f'<Relationships xmlns="{_PKG_REL}">'
            + "".join(f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" '
                      f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, len(sheets) + 1))
            + f'<Relationship Id="rIdS" Type="{_REL}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
            f'<Relationship Id="rIdY" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>",
        "xl/styles.xml":
            f'{_XML}<styleSheet xmlns="{MAIN}">'
            + (f'<numFmts count="{len(custom)}">{num_fmts}</numFmts>' if custom else "")
            + '<fonts count="1"><font/></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            f'<cellStyleXfs count="1"><xf/></cellStyleXfs>'
            f'<cellXfs count="{len(formats) + 1}"><xf/>{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>",
        "xl/sharedStrings.xml":
            f'{_XML}<sst xmlns="{MAIN}" count="{len(shared)}" uniqueCount="{len(shared)}">'
            + "".join(shared) + "</sst>",
    }
    for n, (_, body) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{n}.xml"] = (
            f'{_XML}<worksheet xmlns="{MAIN}">{body}</worksheet>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, text)
    return path


def sheet_values(sheet: Any) -> list[list[object]]:
    """An openpyxl sheet's rows of values, without the empty cells it pads a short row with."""
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    return rows
