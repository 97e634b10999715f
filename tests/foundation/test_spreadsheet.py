"""service.spreadsheet: the one CSV/XLSX writer and its guard against formula (CSV) injection."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from service.spreadsheet import cell, csv_response, to_csv, to_xlsx


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+47 555 12 345", "'+47 555 12 345"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Kari = Nordmann", "Kari = Nordmann"),
        ("Åse Ødegård", "Åse Ødegård"),
        ("", ""),
        (None, ""),
        (3, "3"),
        (-1, "'-1"),
        (False, "False"),
    ],
)
def test_cell_neutralises_a_leading_formula_character(value: Any, expected: Any) -> None:
    assert cell(value) == expected


def test_cell_guards_once_when_applied_twice() -> None:
    assert cell(cell("=1+1")) == "'=1+1"


def test_to_csv_writes_utf8_with_a_bom_and_guards_every_cell() -> None:
    content = to_csv([["name", "=title"], ["Åse", "@x"], [None, 7]])

    assert content.startswith("\ufeff".encode())
    assert list(csv.reader(io.StringIO(content.decode("utf-8-sig")))) == [
        ["name", "'=title"],
        ["Åse", "'@x"],
        ["", "7"],
    ]


def test_to_xlsx_guards_every_cell_and_names_the_sheet() -> None:
    content = to_xlsx(
        [["name", "organisation"], ["Åse", "+47"], ["Per", "\tx"]], "kk-konferansen-2027-med-et-langt-navn"
    )

    sheet = load_workbook(io.BytesIO(content)).active
    assert (sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]) == (
        "kk-konferansen-2027-med-et-lang",
        [["name", "organisation"], ["Åse", "'+47"], ["Per", "'\tx"]],
    )


def test_csv_response_is_a_named_download() -> None:
    response = csv_response("kk-registrations.csv", [["a"], ["-1"]])

    assert (response.content, response.media_type, response.headers["content-disposition"]) == (
        "\ufeffa\r\n'-1\r\n".encode(),
        "text/csv",
        'attachment; filename="kk-registrations.csv"',
    )
