"""Which session changes reach attendees' calendars: one rule in the programme domain, read by update_session
and by the console before it asks the organiser to confirm."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import msgspec
import pytest

from service.programme.domain import adds_to_calendars, changes_calendar
from service.programme.schemas import Session, SessionIn, SessionPatch

T0 = datetime(2027, 6, 10, 8, 0, tzinfo=UTC)
BEFORE = Session(
    id=uuid4(),
    event_id=uuid4(),
    kind="parallel",
    title={"nb": "Velferdsteknologi"},
    abstract={"nb": ""},
    room="Rom 1",
    track="A",
    starts_at=T0,
    ends_at=T0.replace(hour=9),
    speakers=[],
    capacity=30,
    status="scheduled",
    sequence=0,
    updated_at=T0,
)


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ({"room": "Rom 2"}, True),
        ({"title": {"nb": "Velferdsteknologi i praksis"}}, True),
        ({"starts_at": "2027-06-10T08:30:00+00:00"}, True),
        ({"kind": "social"}, True),
        ({"room": "Rom 1", "title": {"nb": "Velferdsteknologi"}, "kind": "parallel"}, False),
        ({"capacity": 40, "track": "B"}, False),
    ],
)
def test_changes_calendar_only_for_what_a_calendar_shows(patch: Any, expected: Any) -> None:
    data = msgspec.convert(patch, SessionPatch)

    decided = changes_calendar(BEFORE, data)

    assert decided is expected


@pytest.mark.parametrize(("kind", "expected"), [("plenary", True), ("parallel", False), ("break", False)])
def test_adds_to_calendars_only_a_new_plenary_session(kind: Any, expected: Any) -> None:
    data = msgspec.convert(
        {"kind": kind, "title": {"nb": "Åpning"}, "starts_at": T0.isoformat(), "ends_at": T0.isoformat()}, SessionIn
    )

    assert adds_to_calendars(data) is expected
