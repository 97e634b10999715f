"""Files organisers open in a spreadsheet: CSV (UTF-8 with a BOM, so Excel reads æøå) and XLSX (openpyxl).

Every cell goes through `cell`, the guard against CSV injection: a text that starts like a formula (`=`, `+`, `-`,
`@`, a tab or a carriage return) gets a leading apostrophe, so a name such as `=HYPERLINK(...)` typed into a public
form is shown, not run. The writers apply it themselves, so no export can forget it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from litestar import Response
from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv"  # Litestar adds "; charset=utf-8" to a text/ type
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Lines = Iterable[Iterable[object]]


def cell(value: object) -> str:
    """Text for a spreadsheet cell; a leading formula character is neutralised (CSV injection). None is empty."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(lines: Lines) -> bytes:
    """A whole CSV file: the BOM, then the lines."""
    return "\ufeff".encode() + csv_lines(lines)


def csv_lines(lines: Lines) -> bytes:
    """Lines of a CSV file without the BOM (the parts of a streamed file after its first)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([cell(value) for value in line] for line in lines)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(lines: Lines, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet")
    for line in lines:
        sheet.append([cell(value) for value in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_response(filename: str, lines: Lines) -> Response[bytes]:
    """A CSV download named `filename`."""
    return Response(
        to_csv(lines),
        media_type=CSV_MEDIA_TYPE,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
