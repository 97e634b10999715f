"""Name badges on A4 label sheets, drawn with reportlab (pure Python, no system libraries).

The sheet: A4 portrait (210 × 297 mm) with 2 columns × 4 rows of 90 × 54 mm badges, the 8-up name-badge and
business-card size of Avery- and Herma-style label sheets. The badges touch each other (no gutters) and the
block is centred on the page: margins 15 mm left and right, 40.5 mm top and bottom. Badges fill a sheet row by
row from the top left; one page holds 8.

One badge (distances from its own bottom-left corner):

    +--------------------------------------------------+
    | NAME, bold, 22 pt shrunk to fit 82 mm; two lines |   name band: 5 mm from the top, 18 mm tall
    | at 12 pt and smaller when even 12 pt overflows   |
    | Organisation (10 pt)                 +---------+ |
    | Role (9 pt)                          |   QR    | |   QR: 30 × 30 mm with its quiet zone,
    | Group (9 pt)                         |         | |   1 mm from the right and bottom edges
    | Event title (7 pt, grey)             +---------+ |
    +--------------------------------------------------+

Every text is fitted: a name never leaves its box (shrunk, then wrapped on two lines, then shrunk further, and as
a last resort cut with "…"); organisation, role and group shrink to 7 pt and are then cut with "…".

The font and the text fitting are service/pdf.py's, shared with the certificates of attendance.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

import msgspec
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from integrations import qr

from ..pdf import BOLD, REGULAR, a4_canvas, cut, size_for, text_width, wrap

PAGE_WIDTH, PAGE_HEIGHT = A4
COLUMNS, ROWS = 2, 4
PER_PAGE = COLUMNS * ROWS
BADGE_WIDTH, BADGE_HEIGHT = 90 * mm, 54 * mm
MARGIN_X = (PAGE_WIDTH - COLUMNS * BADGE_WIDTH) / 2  # 15 mm
MARGIN_Y = (PAGE_HEIGHT - ROWS * BADGE_HEIGHT) / 2  # 40.5 mm

PADDING = 4 * mm
NAME_WIDTH = BADGE_WIDTH - 2 * PADDING  # 82 mm
NAME_TOP = BADGE_HEIGHT - 5 * mm
NAME_BAND = 18 * mm
NAME_MAX, NAME_MIN, NAME_FLOOR = 22.0, 12.0, 7.0  # points
LEADING = 1.15
QR_SIZE = 30 * mm
QR_X, QR_Y = BADGE_WIDTH - 1 * mm - QR_SIZE, 1 * mm
INFO_WIDTH = QR_X + 2 * mm - PADDING  # to 1 mm short of the QR symbol (its white quiet zone is 3.2 mm wide)
INFO_TOP = 25 * mm
SMALL_MIN = 7.0


class BadgeText(msgspec.Struct, frozen=True, kw_only=True):
    """What one badge shows, already in the sheet's language; `code` is what its QR encodes."""

    name: str
    organisation: str
    role: str
    group: str
    code: str


class FittedName(msgspec.Struct, frozen=True):
    size: float
    lines: list[str]


def _two_lines(text: str, font: str, size: float, width: float) -> list[str] | None:
    """The split between words that fits two lines with the shorter longest line, or None."""
    words = text.split()
    best: tuple[float, list[str]] | None = None
    for split in range(1, len(words)):
        first, second = " ".join(words[:split]), " ".join(words[split:])
        widest = max(text_width(first, font, size), text_width(second, font, size))
        if widest <= width and (best is None or widest < best[0]):
            best = (widest, [first, second])
    if best is not None:
        return best[1]
    lines = wrap(text, font, size, width)
    return lines if len(lines) <= 2 else None


def fit_name(name: str, width: float = NAME_WIDTH) -> FittedName:
    """The name's size and lines: one line shrunk from 22 pt down to 12 pt; else two lines at 12 pt, shrunk
    down to 7 pt; else two lines at 7 pt, the second cut with an ellipsis. Every line fits `width`."""
    text = " ".join(name.split())
    size = size_for(text, BOLD, width, NAME_MAX)
    if size >= NAME_MIN:
        return FittedName(size, [text])
    size = NAME_MIN
    while size >= NAME_FLOOR:
        lines = _two_lines(text, BOLD, size, width)
        if lines is not None:
            return FittedName(size, lines)
        size -= 0.5
    lines = wrap(text, BOLD, NAME_FLOOR, width)
    return FittedName(NAME_FLOOR, [lines[0], cut(" ".join(lines[1:]), BOLD, NAME_FLOOR, width)])


def _fit_line(text: str, font: str, largest: float, width: float) -> tuple[float, str]:
    text = " ".join(text.split())
    size = max(size_for(text, font, width, largest), SMALL_MIN)
    return size, cut(text, font, size, width)


def _draw_qr(canvas: Canvas, code: str, x: float, y: float) -> None:
    """The ticket's QR symbol (the same symbol as the ticket's PNG and SVG) as one filled path of rectangles, one
    per run of dark modules in a row, drawn in module units (whole numbers keep the PDF small and quick to write).
    One path filled once leaves no hairline seams between rows when the PDF is rasterised."""
    matrix = qr.modules(code)
    count = len(matrix)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, QR_SIZE, QR_SIZE, stroke=0, fill=1)
    canvas.saveState()
    canvas.translate(x, y + QR_SIZE)
    canvas.scale(QR_SIZE / count, -QR_SIZE / count)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        start = -1
        for column, dark in enumerate([*row, False]):
            if dark and start < 0:
                start = column
            elif not dark and start >= 0:
                path.rect(start, row_index, column - start, 1)
                start = -1
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _draw_badge(canvas: Canvas, badge: BadgeText, title: str, x: float, y: float) -> None:
    fitted = fit_name(badge.name)
    canvas.setFillColorRGB(0, 0, 0)
    line_height = fitted.size * LEADING
    baseline = y + NAME_TOP - fitted.size * 0.8
    if len(fitted.lines) == 1:
        baseline -= max(0.0, (NAME_BAND - fitted.size * 1.1) / 2 - 2 * mm)
    canvas.setFont(BOLD, fitted.size)
    for index, line in enumerate(fitted.lines):
        canvas.drawString(x + PADDING, baseline - index * line_height, line)
    line_y = y + INFO_TOP
    lines = ((badge.organisation, BOLD, 10.0), (badge.role, REGULAR, 9.0), (badge.group, REGULAR, 9.0))
    for text, font, largest in lines:
        if not text.strip():
            continue
        size, shown = _fit_line(text, font, largest, INFO_WIDTH)
        canvas.setFont(font, size)
        canvas.drawString(x + PADDING, line_y, shown)
        line_y -= size * 1.35
    if title:
        size, shown = _fit_line(title, REGULAR, 7.0, INFO_WIDTH)
        canvas.setFillColorRGB(0.3, 0.3, 0.3)
        canvas.setFont(REGULAR, size)
        canvas.drawString(x + PADDING, y + PADDING, shown)
    _draw_qr(canvas, badge.code, x + QR_X, y + QR_Y)


def badge_origin(index: int) -> tuple[float, float]:
    """The bottom-left corner (points) of the badge at `index` on its page: rows from the top, left to right."""
    slot = index % PER_PAGE
    column, row = slot % COLUMNS, slot // COLUMNS
    return MARGIN_X + column * BADGE_WIDTH, PAGE_HEIGHT - MARGIN_Y - (row + 1) * BADGE_HEIGHT


def render(badges: Sequence[BadgeText], *, title: str, author: str = "Møteplass") -> bytes:
    """The PDF of the badges, 8 to a page, in the order given. CPU-bound: run it in a worker thread."""
    buffer = BytesIO()
    canvas = a4_canvas(buffer, title=title, author=author)
    for index, badge in enumerate(badges):
        if index and index % PER_PAGE == 0:
            canvas.showPage()
        _draw_badge(canvas, badge, title, *badge_origin(index))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
