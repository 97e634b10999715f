"""iCalendar: e-mailed invites (iMIP REQUEST and CANCEL) and subscribable feeds (written by `ics`).

What the domain hands over is a plain `CalendarItem`; everything RFC 5545/5546 asks of the text lives here
(integrations.md CAL-1..CAL-9):

- invites carry the stored UID and SEQUENCE, DTSTAMP = send time, ORGANIZER (a no-reply mailbox with the
  organiser's name as CN), the attendee as ATTENDEE with RSVP=FALSE, and times in UTC, so no VTIMEZONE is
  needed and no client can get the zone wrong;
- feeds have no METHOD, keep cancelled items with STATUS:CANCELLED, carry REFRESH-INTERVAL and
  X-PUBLISHED-TTL, and give times in Europe/Oslo with a VTIMEZONE written with RRULEs: icalendar's
  generated zone lists every change date on one RDATE line (misread by ical.js) and starts summer time at
  03:00 instead of 02:00 (CAL-8).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec

from . import ics

PRODID = "-//Møteplass//Kunnskapskommunen Helse Omsorg Vest//NB"
OSLO = ZoneInfo("Europe/Oslo")
REFRESH = timedelta(hours=1)
Method = Literal["REQUEST", "CANCEL"]

# Europe/Oslo as RRULEs (RFC 5545 §3.6.5): summer time from 02:00 on the last Sunday in March to 03:00 on
# the last Sunday in October, as the EU rule has it since 1996.
OSLO_VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/Oslo\r\n"
    "X-LIC-LOCATION:Europe/Oslo\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "DTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
    "TZNAME:CEST\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "DTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
    "TZNAME:CET\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
)


class CalendarItem(msgspec.Struct, frozen=True, kw_only=True):
    """One event or session as a calendar shows it."""

    uid: str
    sequence: int
    summary: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    location: str = ""
    url: str | None = None
    cancelled: bool = False
    modified: datetime | None = None  # DTSTAMP in feeds, so an unchanged feed is byte-for-byte the same


class Person(msgspec.Struct, frozen=True):
    email: str
    name: str = ""


def _address(person: Person, **params: str) -> str:
    """A CAL-ADDRESS property's parameters and value: `;CN=…;…:mailto:…`."""
    pairs = ([("CN", person.name)] if person.name else []) + list(params.items())
    return "".join(f";{key}={ics.param(value)}" for key, value in pairs) + f":mailto:{person.email}"


def _vevent(item: CalendarItem, *, stamp: datetime, utc: bool, status: str | None, extra: str = "") -> str:
    if utc:
        start, end = ("DTSTART", ics.utc(item.starts_at)), ("DTEND", ics.utc(item.ends_at))
    else:
        start = ("DTSTART;TZID=Europe/Oslo", ics.local(item.starts_at, OSLO))
        end = ("DTEND;TZID=Europe/Oslo", ics.local(item.ends_at, OSLO))
    return (
        "BEGIN:VEVENT\r\n"
        + ics.lines(
            (
                ("UID", ics.text(item.uid)),
                ("SEQUENCE", str(item.sequence)),
                ("DTSTAMP", ics.utc(stamp)),
                start,
                end,
                ("SUMMARY", ics.text(item.summary)),
                ("DESCRIPTION", ics.text(item.description)),
                ("LOCATION", ics.text(item.location)),
                ("URL;VALUE=URI", item.url or ""),
                ("STATUS", status or ""),
            )
        )
        + extra
        + "END:VEVENT\r\n"
    )


def invite(
    method: Method,
    item: CalendarItem,
    *,
    organizer: Person,
    attendee: Person,
    stamp: datetime,
    language: str = "nb",
) -> bytes:
    """An iMIP message body (RFC 6047) for one attendee. A CANCEL of a cancelled item (the whole event or
    session is off) says STATUS:CANCELLED; a CANCEL that only removes this attendee does not (CAL-5)."""
    status = "CONFIRMED" if method == "REQUEST" else "CANCELLED" if item.cancelled else None
    partstat = "NEEDS-ACTION" if method == "REQUEST" else "DECLINED"
    people = ics.fold("ORGANIZER" + _address(organizer)) + ics.fold(
        "ATTENDEE" + _address(attendee, ROLE="REQ-PARTICIPANT", PARTSTAT=partstat, RSVP="FALSE")
    )
    text = (
        "BEGIN:VCALENDAR\r\n"
        + ics.lines((("VERSION", "2.0"), ("PRODID", PRODID), ("CALSCALE", "GREGORIAN"), ("METHOD", method)))
        + _vevent(item, stamp=stamp, utc=True, status=status, extra=people)
        + "END:VCALENDAR\r\n"
    )
    return text.encode()


def feed(
    items: Iterable[CalendarItem],
    *,
    uid: str,
    name: str,
    stamp: datetime,
    description: str = "",
    language: str = "nb",
) -> bytes:
    """A subscribable calendar (no METHOD): cancelled items stay with STATUS:CANCELLED. DTSTAMP of each item
    is its `modified` time (else `stamp`), so the same data always gives the same bytes (and ETag)."""
    refresh = ics.duration(REFRESH)
    head = ics.lines(
        (
            ("VERSION", "2.0"),
            ("PRODID", PRODID),
            ("CALSCALE", "GREGORIAN"),
            ("UID", ics.text(uid)),
            ("NAME", ics.text(name)),
            ("X-WR-CALNAME", ics.text(name)),
            ("DESCRIPTION", ics.text(description)),
            ("REFRESH-INTERVAL;VALUE=DURATION", refresh),
            ("X-PUBLISHED-TTL", refresh),
            ("X-WR-TIMEZONE", "Europe/Oslo"),
        )
    )
    events = "".join(
        _vevent(item, stamp=item.modified or stamp, utc=False, status="CANCELLED" if item.cancelled else "CONFIRMED")
        for item in items
    )
    return ("BEGIN:VCALENDAR\r\n" + head + OSLO_VTIMEZONE + events + "END:VCALENDAR\r\n").encode()


def google_link(item: CalendarItem) -> str:
    """A link that opens Google Calendar's 'new event' form filled in."""
    from urllib.parse import urlencode

    dates = "/".join(t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for t in (item.starts_at, item.ends_at))
    query = {"action": "TEMPLATE", "text": item.summary, "dates": dates, "location": item.location}
    if item.description or item.url:
        query["details"] = "\n\n".join(part for part in (item.description, item.url or "") if part)
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_link(item: CalendarItem) -> str:
    """A link that opens Outlook on the web's 'new event' form filled in."""
    from urllib.parse import urlencode

    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": item.summary,
        "startdt": item.starts_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "enddt": item.ends_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "location": item.location,
        "body": item.description,
    }
    return "https://outlook.office.com/calendar/0/deeplink/compose?" + urlencode(query)


def webcal(url: str) -> str:
    """The same feed address with the webcal scheme, which calendar apps open as a subscription."""
    return "webcal://" + url.split("://", 1)[1] if "://" in url else url


__all__: Sequence[str] = (
    "CalendarItem",
    "Person",
    "feed",
    "google_link",
    "invite",
    "outlook_link",
    "webcal",
)
