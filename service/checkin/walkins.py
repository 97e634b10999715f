"""Walk-ins: a door of an event that allows them registers a person on the spot and admits them in one step.

The registration is the people domain's `add_person` (source `door`, counted against capacity, never beyond
it: a full event refuses and nothing is written); the admission is written in the same transaction as a scan of
the walk-in form. Online only: a door without network cannot know whether a seat is free.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from ..errors import Forbidden, Unavailable
from ..events import queries as event_queries
from ..people import domain as people
from ..registrations.schemas import PersonIn
from . import queries
from .domain import admission_of, attendee_of
from .doors import Scanner
from .schemas import Admission, Attendee, CheckinAnswer, WalkInIn


async def admit_walk_in(conn: asyncpg.Connection, scanner: Scanner, data: WalkInIn, *, now: datetime) -> CheckinAnswer:
    """Register and admit a person at the door. Idempotent per (door, nonce): a repeat answers what the first
    got. Raises Forbidden (walk_ins_not_allowed), EventFull (event_full), AlreadyRegistered, InvalidState
    (event_cancelled); nothing is written then."""
    event = await event_queries.event_by_id(conn, scanner.event_id)
    assert event is not None  # a door goes with its event
    if not event.allow_walk_ins:
        raise Forbidden("walk_ins_not_allowed", "this event does not take walk-ins at the door")
    earlier = await queries.scan_by_nonce(conn, scanner.id, data.nonce)
    if earlier is not None:
        return _replayed(earlier)
    person = PersonIn(name=data.name, organisation=data.organisation, email=data.email, source="door")
    try:
        async with conn.transaction():
            registration = await people.add_person(conn, event, person, actor=f"door:{scanner.id}", now=now)
            scan_id = await queries.walk_in(conn, scanner.id, event.id, registration.id, data.nonce, now)
    except asyncpg.UniqueViolationError as error:
        if error.constraint_name != "checkin_scans_nonce_key":
            raise
        # The same walk-in sent twice at once: the other request registered and admitted them.
        earlier = await queries.scan_by_nonce(conn, scanner.id, data.nonce)
        if earlier is None:
            raise Unavailable("busy", "the walk-in could not be stored; send it again") from None
        return _replayed(earlier)
    return CheckinAnswer(
        result="admitted",
        scan_id=scan_id,
        scanned_at=now,
        attendee=Attendee(name=registration.name, organisation=registration.organisation),
        admission=Admission(at=now, door=scanner.name),
    )


def _replayed(row: queries.ScanView) -> CheckinAnswer:
    return CheckinAnswer(
        result=row.result,
        scan_id=row.scan_id,
        scanned_at=row.scanned_at,
        attendee=attendee_of(row),
        admission=admission_of(row),
    )
