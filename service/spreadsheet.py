"""Files organisers open in a spreadsheet: CSV (UTF-8 with a BOM, so Excel reads æøå) and XLSX (openpyxl), whole
or a batch of lines at a time (exports of tens of thousands of rows, which must not be held in memory at once).

Every cell goes through `cell`, the guard against CSV injection: a text that starts like a formula (`=`, `+`, `-`,
`@`, a tab or a carriage return) gets a leading apostrophe, so a name such as `=HYPERLINK(...)` typed into a public
form is shown, not run. The writers apply it themselves, so no export can forget it.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import IO

from litestar import Response
from litestar.response import Stream
from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv"  # Litestar adds "; charset=utf-8" to a text/ type
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A finished XLSX file stays in memory up to this size, then moves to a temporary file.
XLSX_IN_MEMORY = 8 * 1024 * 1024
FILE_CHUNK = 64 * 1024

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


async def csv_parts(header: Iterable[object], parts: AsyncIterable[Lines]) -> AsyncIterator[bytes]:
    """A CSV file sent as it is made: the BOM and the header at once, then each part's lines as they come."""
    yield to_csv([header])
    async for lines in parts:
        yield csv_lines(lines)


class XlsxFile:
    """An XLSX file with one sheet, written a batch of lines at a time. openpyxl's write-only sheet puts each row
    in a temporary file as it is appended, so the rows are never all in memory (each distinct text is, once, in
    the shared strings table every XLSX file has)."""

    def __init__(self, title: str) -> None:
        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet(title=title[:31] or "Sheet")

    def append(self, lines: Lines) -> None:
        for line in lines:
            self._sheet.append([cell(value) for value in line])

    def save(self) -> IO[bytes]:
        """The finished file, read from its start; in memory while small, on disk past XLSX_IN_MEMORY. The
        caller closes it (file_chunks does)."""
        spool = tempfile.SpooledTemporaryFile(max_size=XLSX_IN_MEMORY)  # noqa: SIM115 - handed to the caller
        self._workbook.save(spool)
        spool.seek(0)
        return spool


def to_xlsx(lines: Lines, title: str) -> bytes:
    """A whole XLSX file of `lines`, as bytes."""
    book = XlsxFile(title)
    book.append(lines)
    with book.save() as finished:
        return finished.read()


async def file_chunks(file: IO[bytes]) -> AsyncIterator[bytes]:
    """A finished file sent FILE_CHUNK bytes at a time, closed at the end (or when the download is dropped)."""
    with file:
        while chunk := file.read(FILE_CHUNK):
            yield chunk


def csv_response(filename: str, lines: Lines) -> Response[bytes]:
    """A CSV download named `filename`."""
    return Response(to_csv(lines), media_type=CSV_MEDIA_TYPE, headers=_attachment(filename))


def csv_stream(filename: str, header: Iterable[object], parts: AsyncIterable[Lines]) -> Stream:
    """A CSV download named `filename` sent as it is made (csv_parts), with csv_response's headers."""
    return Stream(csv_parts(header, parts), media_type=CSV_MEDIA_TYPE, headers=_attachment(filename))


def _attachment(filename: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{filename}"'}
