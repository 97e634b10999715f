"""iCalendar: e-mailed invites (iMIP REQUEST and CANCEL) and subscribable feeds, built with `icalendar`.

What the domain hands over is a plain `CalendarItem`; everything RFC 5545/5546 asks of the text lives here
(integrations.md CAL-1..CAL-9):

- invites carry the stored UID and SEQUENCE, DTSTAMP = send time, ORGANIZER (a no-reply mailbox with the
  organiser's name as CN), the attendee as ATTENDEE with RSVP=FALSE, and times in UTC, so no VTIMEZONE is
  needed and no client can get the zone wrong;
- feeds have no METHOD, keep cancelled items with STATUS:CANCELLED, carry REFRESH-INTERVAL and
  X-PUBLISHED-TTL, and give times in Europe/Oslo with a VTIMEZONE written by hand with RRULEs: icalendar's
  generated zone lists every change date on one RDATE line (misread by ical.js) and starts summer time at
  03:00 instead of 02:00 (CAL-8).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vDuration, vRecur

PRODID = "-//Møteplass//Kunnskapskommunen Helse Omsorg Vest//NB"
OSLO = ZoneInfo("Europe/Oslo")
REFRESH = timedelta(hours=1)
Method = Literal["REQUEST", "CANCEL"]


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


def _address(person: Person, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    if person.name:
        address.params["CN"] = person.name
    address.params.update(params)
    return address


def _event(item: CalendarItem, *, stamp: datetime, utc: bool) -> Event:
    zone = UTC if utc else OSLO
    event = Event.new(
        uid=item.uid,
        sequence=item.sequence,
        summary=item.summary,
        start=item.starts_at.astimezone(zone),
        end=item.ends_at.astimezone(zone),
        stamp=stamp.astimezone(UTC),
        description=item.description or None,
        location=item.location or None,
        url=item.url,
    )
    return event


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
    calendar = Calendar.new(prodid=PRODID, method=method, language=language)
    del calendar["UID"]  # Calendar.new invents one; an iTIP message has no calendar-level UID
    event = _event(item, stamp=stamp, utc=True)
    event.add("organizer", _address(organizer))
    status = "NEEDS-ACTION" if method == "REQUEST" else "DECLINED"
    event.add("attendee", _address(attendee, ROLE="REQ-PARTICIPANT", PARTSTAT=status, RSVP="FALSE"))
    if method == "CANCEL" and item.cancelled:
        event.add("status", "CANCELLED")
    elif method == "REQUEST":
        event.add("status", "CONFIRMED")
    calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body


def oslo_timezone() -> Timezone:
    """Europe/Oslo as RRULEs (RFC 5545 §3.6.5): summer time from 02:00 on the last Sunday in March to
    03:00 on the last Sunday in October, as the EU rule has it since 1996."""
    zone = Timezone()
    zone.add("tzid", "Europe/Oslo")
    zone.add("x-lic-location", "Europe/Oslo")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    summer.add("dtstart", datetime(1970, 3, 29, 2, 0, 0))
    summer.add("rrule", vRecur(freq="YEARLY", bymonth=3, byday="-1SU"))
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    winter.add("dtstart", datetime(1970, 10, 25, 3, 0, 0))
    winter.add("rrule", vRecur(freq="YEARLY", bymonth=10, byday="-1SU"))
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


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
    calendar = Calendar.new(
        prodid=PRODID,
        uid=uid,
        name=name,
        description=description or None,
        refresh_interval=REFRESH,
        language=language,
    )
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # RFC 7986 §5.7 requires the parameter
    calendar.add("x-wr-timezone", "Europe/Oslo")
    calendar.add("x-published-ttl", vDuration(REFRESH))
    calendar.add_component(oslo_timezone())
    for item in items:
        event = _event(item, stamp=item.modified or stamp, utc=False)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body


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
    "oslo_timezone",
    "outlook_link",
    "webcal",
)
