"""What Møteplass's PDFs share (name badges, certificates of attendance): the embedded font and text fitting.

The font is Bitstream Vera Sans (regular and bold), the TrueType files that ship inside the pinned reportlab
package (`reportlab/fonts/Vera*.ttf`): it has æ, ø, å and the rest of Latin-1, and is embedded (subset) in the PDF,
so no font needs to be installed on the server or the reader's computer.
"""

from __future__ import annotations

import functools
from io import BytesIO
from pathlib import Path

import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = Path(reportlab.__file__).parent / "fonts"
REGULAR = "MoteplassSans"
BOLD = "MoteplassSans-Bold"
ELLIPSIS = "…"


@functools.cache
def register_fonts() -> None:
    """Make REGULAR and BOLD known to reportlab (once per process)."""
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "VeraBd.ttf")))


def a4_canvas(buffer: BytesIO, *, title: str, author: str = "Møteplass") -> Canvas:
    """An A4 canvas writing to `buffer`: compressed, reproducible (no creation date or random id), with the
    fonts registered and REGULAR set."""
    register_fonts()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1, initialFontName=REGULAR)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    return canvas


def text_width(text: str, font: str, size: float) -> float:
    """The width in points of `text` set in `font` at `size` (reportlab's own metrics)."""
    register_fonts()
    width: float = pdfmetrics.stringWidth(text, font, size)
    return width


def size_for(text: str, font: str, width: float, largest: float) -> float:
    """The largest size up to `largest`, in half points, at which `text` fits `width` on one line."""
    at_one = text_width(text, font, 1.0)
    if at_one <= 0:
        return largest
    return min(largest, int(width / at_one * 2) / 2)


def cut(text: str, font: str, size: float, width: float) -> str:
    """`text` as it fits `width`, cut at the end with an ellipsis when it does not."""
    if text_width(text, font, size) <= width:
        return text
    while text and text_width(text.rstrip() + ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy lines of whole words; a word wider than a line is broken where it must be."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while text_width(word, font, size) > width:
            end = len(word) - 1
            while end > 1 and text_width(word[:end], font, size) > width:
                end -= 1
            lines.append(word[:end])
            word = word[end:]
        current = word
    if current:
        lines.append(current)
    return lines
