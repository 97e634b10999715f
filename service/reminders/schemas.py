"""Reminders in and out: a reminder is named by how long before the start it goes, as an ISO 8601 duration."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from ..errors import Invalid

SHORTEST, LONGEST = 60, 60 * 86_400  # PT1M .. P60D
MAX_REMINDERS = 10
DEFAULT_BEFORE = (7 * 86_400, 86_400)  # P7D, P1D

# Weeks, days, hours, minutes, seconds: years and months are left out on purpose (a month has no fixed length).
_DURATION = re.compile(
    r"P(?:(?P<w>\d{1,5})W)?(?:(?P<d>\d{1,5})D)?(?:T(?:(?P<h>\d{1,7})H)?(?:(?P<m>\d{1,9})M)?(?:(?P<s>\d{1,10})S)?)?"
)
_SECONDS = {"w": 7 * 86_400, "d": 86_400, "h": 3600, "m": 60, "s": 1}


class ReminderIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    before: Annotated[str, Meta(min_length=2, max_length=40)]


class Reminder(msgspec.Struct, kw_only=True):
    """One reminder of an event: `before` the start, so `due_at`; `sent` mails so far."""

    before: str
    due_at: datetime
    sent: int = 0


def parse_duration(text: str, *, field: str = "before") -> int:
    """Seconds of an ISO 8601 duration between PT1M and P60D. Raises Invalid (invalid_duration)."""
    found = _DURATION.fullmatch(text.strip().upper())
    if found is None or not any(found.groupdict().values()) or text.strip().upper().endswith("T"):
        raise Invalid("invalid_duration", f"{text!r} is not an ISO 8601 duration such as P7D or PT2H", field=field)
    seconds = sum(int(value) * _SECONDS[unit] for unit, value in found.groupdict().items() if value)
    if not SHORTEST <= seconds <= LONGEST:
        raise Invalid("invalid_duration", "a reminder goes between PT1M and P60D before the start", field=field)
    return seconds


def format_duration(seconds: int) -> str:
    """The ISO 8601 text of a whole number of seconds: P7D, PT1H30M, P1DT12H."""
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
