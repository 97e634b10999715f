"""Parses an iCalendar text from stdin with libical (through GObject introspection: Debian's
gir1.2-ical-3.0 and python3-gi) and prints, as JSON, the METHOD and each VEVENT's UID, SEQUENCE, STATUS,
SUMMARY and start/end in UTC. Run with the system Python, which has `gi`; the project's venv has not."""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402


def main() -> None:
    text = sys.stdin.read()
    calendar = ICalGLib.Component.new_from_string(text)
    if calendar is None:
        raise SystemExit("libical could not parse the text")
    utc_zone = ICalGLib.Timezone.get_utc_timezone()
    events = []
    method = calendar.get_method()
    event = calendar.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    while event is not None:
        start, end = event.get_dtstart(), event.get_dtend()
        start.convert_to_zone_inplace(utc_zone)
        end.convert_to_zone_inplace(utc_zone)
        status = event.get_first_property(ICalGLib.PropertyKind.STATUS_PROPERTY)
        events.append(
            {
                "uid": event.get_uid(),
                "sequence": event.get_sequence(),
                "status": status.get_value_as_string() if status is not None else None,
                "summary": event.get_summary(),
                "location": event.get_location(),
                "start": start.as_ical_string(),
                "end": end.as_ical_string(),
            }
        )
        event = calendar.get_next_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    method_name = None if method == ICalGLib.PropertyMethod.NONE else ICalGLib.Property.method_to_string(method)
    print(json.dumps({"method": method_name, "events": events, "errors": calendar.count_errors()}))


main()
