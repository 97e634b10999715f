"""integrations/calendar: invites and feeds that three independent parsers read alike."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Literal

import msgspec
import pytest

from integrations.calendar import (
    CalendarItem,
    Person,
    feed,
    google_link,
    invite,
    oslo_timezone,
    outlook_link,
    webcal,
)
from tests.programme.parsers import parse_everywhere

SUMMARY = "Pårørendeperspektivet i helsetjenesten; «Ærlig talt», sa Øystein – Åsane, Bergen"
ITEM = CalendarItem(
    uid="0b7e-æøå-free@moteplass.example",
    sequence=3,
    summary=SUMMARY,
    starts_at=datetime(2027, 6, 10, 7, 0, tzinfo=UTC),
    ends_at=datetime(2027, 6, 10, 8, 30, tzinfo=UTC),
    location="Auditoriet, Alrek helseklynge, Årstadveien 17",
    description="Første linje\nAndre linje; med komma, og semikolon\\ og skråstrek",
    url="https://moteplass.example/events/kk",
)
ORGANIZER = Person("no-reply@moteplass.example", "Kunnskapskommunen Helse Omsorg Vest")
ATTENDEE = Person("kari@example.no", "Kari Nordmann, Åsane")
STAMP = datetime(2027, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("method", "cancelled", "status"),
    [
        ("REQUEST", False, "CONFIRMED"),
        ("CANCEL", False, None),
        ("CANCEL", True, "CANCELLED"),
    ],
)
def test_invite_parses_alike_in_three_parsers(
    method: Literal["REQUEST", "CANCEL"], cancelled: bool, status: str | None
) -> None:
    item = msgspec.structs.replace(ITEM, cancelled=cancelled)

    calendar = parse_everywhere(invite(method, item, organizer=ORGANIZER, attendee=ATTENDEE, stamp=STAMP))

    assert calendar == {
        "method": method,
        "events": [
            {
                "uid": ITEM.uid,
                "sequence": 3,
                "status": status,
                "summary": SUMMARY,
                "location": ITEM.location,
                "start": "2027-06-10T07:00:00Z",
                "end": "2027-06-10T08:30:00Z",
            }
        ],
    }


def test_invite_text_is_folded_at_75_octets_with_utc_times_and_no_calendar_uid() -> None:
    text = invite("REQUEST", ITEM, organizer=ORGANIZER, attendee=ATTENDEE, stamp=STAMP)

    lines = text.split(b"\r\n")
    unfolded = text.replace(b"\r\n ", b"").decode()
    assert max(len(line) for line in lines) <= 75
    assert all(line.decode() for line in lines[:-1])  # every folded piece is whole UTF-8
    assert "DTSTART:20270610T070000Z" in unfolded
    assert "DTSTAMP:20270501T120000Z" in unfolded
    assert unfolded.count("UID:") == 1
    assert "TZID" not in unfolded
    assert 'ATTENDEE;CN="Kari Nordmann, Åsane";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:' in unfolded


def test_feed_of_winter_and_summer_items_comes_out_right_in_utc() -> None:
    winter = CalendarItem(
        uid="w@x",
        sequence=0,
        summary="Vinter",
        starts_at=datetime(2027, 1, 14, 8, tzinfo=UTC),
        ends_at=datetime(2027, 1, 14, 9, tzinfo=UTC),
    )
    summer = CalendarItem(
        uid="s@x",
        sequence=0,
        summary="Sommer",
        starts_at=datetime(2027, 6, 10, 7, tzinfo=UTC),
        ends_at=datetime(2027, 6, 10, 8, tzinfo=UTC),
    )

    text = feed([winter, summer], uid="f@x", name="Program", stamp=STAMP).body
    calendar = parse_everywhere(text)

    assert [(e["start"], e["end"]) for e in calendar["events"]] == [
        ("2027-01-14T08:00:00Z", "2027-01-14T09:00:00Z"),
        ("2027-06-10T07:00:00Z", "2027-06-10T08:00:00Z"),
    ]
    unfolded = text.replace(b"\r\n ", b"").decode()
    assert "DTSTART;TZID=Europe/Oslo:20270114T090000" in unfolded
    assert "DTSTART;TZID=Europe/Oslo:20270610T090000" in unfolded


def test_feed_item_across_the_spring_change_night_comes_out_right_in_utc() -> None:
    night = CalendarItem(
        uid="n@x",
        sequence=0,
        summary="Nattevakt",
        starts_at=datetime(2027, 3, 28, 0, 30, tzinfo=UTC),  # 01:30 CET
        ends_at=datetime(2027, 3, 28, 1, 30, tzinfo=UTC),  # 03:30 CEST: 02:00-03:00 does not exist that night
    )

    text = feed([night], uid="f@x", name="Program", stamp=STAMP).body
    calendar = parse_everywhere(text)

    assert [(e["start"], e["end"]) for e in calendar["events"]] == [("2027-03-28T00:30:00Z", "2027-03-28T01:30:00Z")]
    unfolded = text.replace(b"\r\n ", b"").decode()
    assert (
        "DTSTART;TZID=Europe/Oslo:20270328T013000" in unfolded,
        "DTEND;TZID=Europe/Oslo:20270328T033000" in unfolded,
    ) == (
        True,
        True,
    )


def test_feed_name_and_description_are_escaped_text() -> None:
    text = feed([ITEM], uid="f@x", name="Program; dag 1, Bergen", description="Alt, og mer; ", stamp=STAMP).body

    unfolded = text.replace(b"\r\n ", b"").decode()
    assert [line for line in unfolded.split("\r\n") if line.split(":")[0] in ("NAME", "X-WR-CALNAME", "DESCRIPTION")][
        :3
    ] == [
        "NAME:Program\\; dag 1\\, Bergen",
        "X-WR-CALNAME:Program\\; dag 1\\, Bergen",
        "DESCRIPTION:Alt\\, og mer\\; ",
    ]


def test_same_feed_data_gives_the_same_bytes_rendered_once() -> None:
    first = feed([ITEM], uid="f@x", name="Program", stamp=STAMP)
    second = feed([msgspec.structs.replace(ITEM)], uid="f@x", name="Program", stamp=STAMP)

    assert second is first  # the same version: the bytes rendered before
    assert first.etag == '"' + hashlib.sha256(first.body).hexdigest()[:32] + '"'


def test_changed_feed_data_gives_new_bytes_and_etag() -> None:
    first = feed([ITEM], uid="f@x", name="Program", stamp=STAMP)

    moved = feed([msgspec.structs.replace(ITEM, location="Rom 9")], uid="f@x", name="Program", stamp=STAMP)

    assert (moved.etag != first.etag, b"LOCATION:Rom 9\r\n" in moved.body) == (True, True)


def test_oslo_zone_is_two_rrules_with_summer_time_from_two_oclock() -> None:
    text = oslo_timezone().to_ical(sorted=False).decode()

    assert text == (
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


def test_add_to_calendar_links() -> None:
    assert google_link(ITEM).startswith(
        "https://calendar.google.com/calendar/render?action=TEMPLATE&text=P%C3%A5r%C3%B8rendeperspektivet"
    )
    assert "dates=20270610T070000Z%2F20270610T083000Z" in google_link(ITEM)
    assert "startdt=2027-06-10T07%3A00%3A00Z&enddt=2027-06-10T08%3A30%3A00Z" in outlook_link(ITEM)
    assert webcal("https://moteplass.example/agenda/A1X.ics") == "webcal://moteplass.example/agenda/A1X.ics"
