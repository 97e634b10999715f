"""iCalendar: e-mailed invites (iMIP REQUEST and CANCEL) and subscribable feeds, built as `icalendar` components.

What the domain hands over is a plain `CalendarItem`; everything RFC 5545/5546 asks of the text is done by
icalendar (escaping, folding at 75 octets, CRLF) or decided here (integrations.md CAL-1..CAL-9):

- invites carry the stored UID and SEQUENCE, DTSTAMP = send time, ORGANIZER (a no-reply mailbox with the
  organiser's name as CN), the attendee as ATTENDEE with RSVP=FALSE, and times in UTC, so no VTIMEZONE is
  needed and no client can get the zone wrong;
- feeds have no METHOD, keep cancelled items with STATUS:CANCELLED, carry REFRESH-INTERVAL and
  X-PUBLISHED-TTL, and give times in Europe/Oslo with a VTIMEZONE of two RRULEs built here: icalendar's
  `add_missing_timezones` lists every change date on RDATE lines (misread by ical.js and Outlook) and starts
  summer time at 03:00 instead of 02:00 (CAL-8).

Writing a VEVENT with icalendar costs a few tenths of a millisecond (most of it folding lines; 15 to 30 times the
hand-written writer it replaced, scripts/bench/calendar_feeds.py), and a subscribed feed is fetched again and
again, so `feed` renders each version once: the same items and calendar fields give the bytes and ETag rendered
before (a small LRU per process, keyed by everything that goes into the text, so a changed programme is simply
a new key and nothing can be stale).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import msgspec
from icalendar import (
    Calendar,
    Component,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
    vRecur,
    vText,
)

PRODID = "-//Møteplass//Kunnskapskommunen Helse Omsorg Vest//NB"
OSLO = ZoneInfo("Europe/Oslo")
REFRESH = timedelta(hours=1)
FEEDS_KEPT = 1024  # rendered feeds kept per process: every public programme and the agendas in use
Method = Literal["REQUEST", "CANCEL"]

# A parameter value (CN) cannot hold DQUOTE, CR or LF (RFC 5545 §3.2).
_PARAM_FORBIDDEN = str.maketrans({'"': "'", "\r": " ", "\n": " "})


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


class CalendarFile(msgspec.Struct, frozen=True):
    """A rendered feed and its strong ETag (a hash of the bytes)."""

    body: bytes
    etag: str


class _FeedVersion(msgspec.Struct, frozen=True):
    """Everything that goes into a feed's text: equal versions give equal bytes."""

    items: tuple[CalendarItem, ...]
    uid: str
    name: str
    description: str
    stamp: datetime


def oslo_timezone() -> Timezone:
    """Europe/Oslo as RRULEs (RFC 5545 §3.6.5): summer time from 02:00 on the last Sunday in March to 03:00 on
    the last Sunday in October, as the EU rule has it since 1996."""
    zone = Timezone()
    zone.add("TZID", "Europe/Oslo")
    zone.add("X-LIC-LOCATION", "Europe/Oslo")
    for kind, onset, month, name, before, after in (
        (TimezoneDaylight, datetime(1970, 3, 29, 2), 3, "CEST", 1, 2),
        (TimezoneStandard, datetime(1970, 10, 25, 3), 10, "CET", 2, 1),
    ):
        observance = kind()
        observance.add("DTSTART", onset)
        observance.add("RRULE", vRecur(FREQ="YEARLY", BYDAY="-1SU", BYMONTH=month))
        observance.add("TZNAME", name)
        observance.add("TZOFFSETFROM", timedelta(hours=before))
        observance.add("TZOFFSETTO", timedelta(hours=after))
        zone.add_component(observance)
    return zone


def _address(person: Person, **params: str) -> vCalAddress:
    """A CAL-ADDRESS value with the person's name as CN, then `params` in the order given."""
    address = vCalAddress(f"mailto:{person.email}")
    if person.name:
        address.params["CN"] = person.name.translate(_PARAM_FORBIDDEN)
    address.params.update(params)
    return address


def _vevent(item: CalendarItem, *, stamp: datetime, zone: tzinfo, status: str | None) -> Event:
    event = Event()
    event.add("UID", item.uid)
    event.add("SEQUENCE", item.sequence)
    event.add("DTSTAMP", stamp.astimezone(UTC))
    event.add("DTSTART", item.starts_at.astimezone(zone))  # UTC gives `…Z`, Oslo gives `;TZID=Europe/Oslo:…`
    event.add("DTEND", item.ends_at.astimezone(zone))
    event.add("SUMMARY", item.summary)
    if item.description:
        event.add("DESCRIPTION", item.description)
    if item.location:
        event.add("LOCATION", item.location)
    if item.url:
        event.add("URL", item.url, parameters={"VALUE": "URI"})
    if status:
        event.add("STATUS", status)
    return event


def _text(component: Component) -> bytes:
    # Properties in the order they were added (the order a person reading the text expects), not sorted.
    text: bytes = component.to_ical(sorted=False)
    return text


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
    event = _vevent(item, stamp=stamp, zone=UTC, status=status)
    event.add("ORGANIZER", _address(organizer))
    event.add("ATTENDEE", _address(attendee, ROLE="REQ-PARTICIPANT", PARTSTAT=partstat, RSVP="FALSE"))
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    calendar.add_component(event)
    return _text(calendar)


def feed(
    items: Iterable[CalendarItem],
    *,
    uid: str,
    name: str,
    stamp: datetime,
    description: str = "",
    language: str = "nb",
) -> CalendarFile:
    """A subscribable calendar (no METHOD): cancelled items stay with STATUS:CANCELLED. DTSTAMP of each item
    is its `modified` time (else `stamp`), so the same data always gives the same bytes and ETag, rendered
    once per process."""
    return _rendered(_FeedVersion(tuple(items), uid, name, description, stamp))


@lru_cache(maxsize=FEEDS_KEPT)
def _rendered(version: _FeedVersion) -> CalendarFile:
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("UID", version.uid)
    # TEXT values: icalendar 7.3 writes NAME (RFC 7986) and X- properties unescaped unless given a vText.
    calendar.add("NAME", vText(version.name))
    calendar.add("X-WR-CALNAME", vText(version.name))
    if version.description:
        calendar.add("DESCRIPTION", version.description)
    # RFC 7986 requires VALUE=DURATION here; icalendar's Calendar.new(refresh_interval=) leaves it out.
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    calendar.add("X-WR-TIMEZONE", "Europe/Oslo")
    calendar.add_component(oslo_timezone())
    for item in version.items:
        status = "CANCELLED" if item.cancelled else "CONFIRMED"
        calendar.add_component(_vevent(item, stamp=item.modified or version.stamp, zone=OSLO, status=status))
    body = _text(calendar)
    return CalendarFile(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def google_link(item: CalendarItem) -> str:
    """A link that opens Google Calendar's 'new event' form filled in."""
    dates = "/".join(t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for t in (item.starts_at, item.ends_at))
    query = {"action": "TEMPLATE", "text": item.summary, "dates": dates, "location": item.location}
    if item.description or item.url:
        query["details"] = "\n\n".join(part for part in (item.description, item.url or "") if part)
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_link(item: CalendarItem) -> str:
    """A link that opens Outlook on the web's 'new event' form filled in."""
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
    "CalendarFile",
    "CalendarItem",
    "Person",
    "feed",
    "google_link",
    "invite",
    "oslo_timezone",
    "outlook_link",
    "webcal",
)
