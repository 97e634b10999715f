"""Three independent iCalendar parsers, each giving the same normalised view of a calendar text:
`icalendar` (Python), Mozilla's ical.js (Node; Thunderbird's parser) and libical (C, through GObject
introspection with the system Python). A test asserts they agree and hold the expected values."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import icalendar

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]


def _utc(value: str | datetime) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    compact = value.replace("-", "").replace(":", "").replace(".000", "")
    return datetime.strptime(compact, "%Y%m%dT%H%M%SZ").strftime("%Y-%m-%dT%H:%M:%SZ")


def _normalise(method: str | None, events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "method": method or None,
        "events": [
            {
                "uid": e["uid"],
                "sequence": int(e["sequence"] or 0),
                "status": e["status"] or None,
                "summary": (e["summary"] or "").strip(),
                "location": (e["location"] or "").strip(),
                "start": _utc(e["start"]),
                "end": _utc(e["end"]),
            }
            for e in events
        ],
    }


def with_icalendar(text: bytes) -> dict[str, Any]:
    calendar = icalendar.Calendar.from_ical(text)
    events = [
        {
            "uid": str(e["UID"]),
            "sequence": e.get("SEQUENCE", 0),
            "status": str(e["STATUS"]) if "STATUS" in e else None,
            "summary": str(e.get("SUMMARY", "")),
            "location": str(e.get("LOCATION", "")),
            "start": e.decoded("DTSTART"),
            "end": e.decoded("DTEND"),
        }
        for e in calendar.walk("VEVENT")
    ]
    method = calendar.get("METHOD")
    return _normalise(str(method) if method else None, events)


def with_icaljs(text: bytes) -> dict[str, Any]:
    out = subprocess.run(
        ["node", str(HERE / "parse_icaljs.mjs")], input=text, capture_output=True, check=True, cwd=PROJECT, timeout=30
    )
    result = json.loads(out.stdout)
    return _normalise(result["method"], result["events"])


def with_libical(text: bytes) -> dict[str, Any]:
    out = subprocess.run(
        ["/usr/bin/python3", str(HERE / "parse_libical.py")], input=text, capture_output=True, check=True, timeout=30
    )
    result = json.loads(out.stdout)
    assert result["errors"] == 0, result
    return _normalise(result["method"], result["events"])


def parse_everywhere(text: bytes) -> dict[str, Any]:
    """The calendar as all three parsers read it; fails unless they agree."""
    views = {name: parse(text) for name, parse in PARSERS.items()}
    first = views["icalendar"]
    for name, view in views.items():
        assert view == first, f"{name} reads the calendar differently:\n{view}\nvs icalendar:\n{first}"
    return first


PARSERS = {"icalendar": with_icalendar, "ical.js": with_icaljs, "libical": with_libical}
