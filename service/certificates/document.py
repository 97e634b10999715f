"""The certificate of attendance as a PDF page, drawn with reportlab like the name badges (service/pdf.py's font
and text fitting).

One A4 portrait page per attendee, in the attendee's language, centred text from the top:

    Certificate of attendance                    (heading, 26 pt bold)
    This is to certify that
    NAME                                         (24 pt bold, shrunk, wrapped on two lines when long)
    attended
    EVENT TITLE                                  (16 pt bold, wrapped)
    Thursday 10 June 2027, Alrek helseklynge
    Duration: 7 hours
    Organisers: Kunnskapskommunen Helse Omsorg Vest
    Programme items chosen                       (left-aligned list: time and title, at most 14, then "… and n more")
    Issued … by Møteplass                        (footer, 8 pt grey)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from io import BytesIO
from typing import cast

import msgspec
from babel.numbers import format_decimal
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ..events.schemas import Event
from ..i18n import Language, gettext, pick
from ..pdf import BOLD, REGULAR, a4_canvas, cut, size_for, wrap
from ..types import OSLO
from ..web.render import BABEL_LOCALES, format_when
from .schemas import Attendee

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 25 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
MOST_ITEMS = 14
ONE_HOUR, HOURS = "Duration: %(hours)s hour", "Duration: %(hours)s hours"


class CertificateText(msgspec.Struct, frozen=True, kw_only=True):
    """Every text of one certificate, already in its language."""

    language: str
    heading: str
    certify: str
    name: str
    attended: str
    event: str
    when: str
    duration: str
    organisers: str
    items_heading: str
    items: list[str]
    issued: str


def hours_of(event: Event) -> float:
    """The event's length in hours, to the nearest half hour. An event over several days in Oslo counts each day
    from the start's time of day to the end's (a conference 09:00 on Thursday to 16:00 on Friday is two days of
    seven hours, not 31), unless the end's time of day is not after the start's (then the whole span counts)."""
    starts, ends = event.starts_at.astimezone(OSLO), event.ends_at.astimezone(OSLO)
    seconds = (ends - starts).total_seconds()
    days = (ends.date() - starts.date()).days + 1
    if days > 1:
        daily = datetime.combine(starts.date(), ends.time()) - datetime.combine(starts.date(), starts.time())
        if daily.total_seconds() > 0:
            seconds = days * daily.total_seconds()
    return round(seconds / 1800) / 2


def dates_of(event: Event, language: Language) -> str:
    """The event's day, or its first and last day when it spans several in Oslo."""
    first = format_when(event.starts_at, language, part="date")
    if event.starts_at.astimezone(OSLO).date() == event.ends_at.astimezone(OSLO).date():
        return first
    return f"{first} – {format_when(event.ends_at, language, part='date')}"


def format_hours(hours: float, language: Language) -> str:
    """ "7" or "6,5" (bokmål, nynorsk) / "6.5" (English)."""
    return format_decimal(hours, format="#,##0.#", locale=BABEL_LOCALES[language])


def certificate_text(event: Event, attendee: Attendee, *, issued_at: datetime, organisation: str) -> CertificateText:
    """The certificate's texts in the attendee's language; the organisers are the event's, else `organisation`
    (the ORGANISATION_NAME setting)."""
    language = cast(Language, attendee.language)
    hours = hours_of(event)
    place = f", {event.venue}" if event.venue else ""
    items = [
        f"{format_when(item.starts_at, language, part='time')}–{format_when(item.ends_at, language, part='time')} "
        f"{pick(item.title, language)}"
        for item in attendee.items
    ]
    if len(items) > MOST_ITEMS:
        more = len(items) - MOST_ITEMS + 1
        items = [*items[: MOST_ITEMS - 1], gettext(language, "… and %(n)s more") % {"n": more}]
    return CertificateText(
        language=language,
        heading=gettext(language, "Certificate of attendance"),
        certify=gettext(language, "This is to certify that"),
        name=" ".join(attendee.name.split()),
        attended=gettext(language, "attended"),
        event=pick(event.title, language),
        when=dates_of(event, language) + place,
        duration=gettext(language, ONE_HOUR if hours == 1 else HOURS) % {"hours": format_hours(hours, language)},
        organisers=gettext(language, "Organisers: %(organisers)s")
        % {"organisers": event.organiser_name or organisation},
        items_heading=gettext(language, "Programme items chosen") if items else "",
        items=items,
        issued=gettext(language, "Issued %(date)s by Møteplass")
        % {"date": format_when(issued_at, language, part="date")},
    )


def _centred(canvas: Canvas, text: str, font: str, size: float, y: float) -> None:
    canvas.setFont(font, size)
    canvas.drawCentredString(PAGE_WIDTH / 2, y, text)


def _block(canvas: Canvas, text: str, font: str, largest: float, smallest: float, y: float) -> float:
    """`text` centred, shrunk from `largest` to `smallest` to fit one line, else wrapped (two lines at most, the
    second cut); returns the y below it."""
    size = max(size_for(text, font, TEXT_WIDTH, largest), smallest)
    lines = wrap(text, font, size, TEXT_WIDTH)
    if len(lines) > 2:
        lines = [lines[0], cut(" ".join(lines[1:]), font, size, TEXT_WIDTH)]
    for line in lines:
        _centred(canvas, line, font, size, y)
        y -= size * 1.25
    return y


def _draw(canvas: Canvas, text: CertificateText) -> None:
    canvas.setFillColorRGB(0.1, 0.2, 0.4)
    canvas.setLineWidth(1.5)
    canvas.rect(12 * mm, 12 * mm, PAGE_WIDTH - 24 * mm, PAGE_HEIGHT - 24 * mm, stroke=1, fill=0)
    y = PAGE_HEIGHT - 50 * mm
    _centred(canvas, text.heading, BOLD, 26, y)
    canvas.setFillColorRGB(0, 0, 0)
    y -= 22 * mm
    _centred(canvas, text.certify, REGULAR, 12, y)
    y -= 14 * mm
    y = _block(canvas, text.name, BOLD, 24, 12, y) - 6 * mm
    _centred(canvas, text.attended, REGULAR, 12, y)
    y -= 10 * mm
    y = _block(canvas, text.event, BOLD, 16, 10, y) - 4 * mm
    for line in (text.when, text.duration, text.organisers):
        y = _block(canvas, line, REGULAR, 11, 8, y) - 2 * mm
    if text.items:
        y -= 8 * mm
        canvas.setFont(BOLD, 11)
        canvas.drawString(MARGIN, y, text.items_heading)
        y -= 6 * mm
        for item in text.items:
            canvas.setFont(REGULAR, 10)
            canvas.drawString(MARGIN, y, cut(item, REGULAR, 10, TEXT_WIDTH))
            y -= 5.5 * mm
    canvas.setFillColorRGB(0.35, 0.35, 0.35)
    _centred(canvas, text.issued, REGULAR, 8, 20 * mm)


def render(certificates: Sequence[CertificateText], *, title: str, author: str = "Møteplass") -> bytes:
    """The PDF of the certificates, one page each, in the order given. CPU-bound: run it in a worker thread."""
    buffer = BytesIO()
    canvas = a4_canvas(buffer, title=title, author=author)
    for certificate in certificates:
        _draw(canvas, certificate)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
