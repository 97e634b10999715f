"""SQL of reminders: the list per event, the claim of deliveries, and what a reminder mail needs."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

REMINDERS_OF = """
SELECT r.id, r.before_seconds, r.enabled, r.revision,
       (SELECT count(*) FROM reminder_deliveries d WHERE d.reminder_id = r.id AND d.sent_at IS NOT NULL
           AND d.sent_as <> 'skipped') AS sent
  FROM event_reminders r WHERE r.event_id = $1 AND ($2 OR r.enabled)
 ORDER BY r.before_seconds DESC
"""

# Turned on (a new row, or an old one that was off: its revision goes up); a reminder already on is left alone.
TURN_ON = """
INSERT INTO event_reminders AS r (event_id, before_seconds, created_at, updated_at)
VALUES ($1, $2, $3, $3)
ON CONFLICT (event_id, before_seconds) DO UPDATE
   SET enabled = true, revision = r.revision + 1, updated_at = EXCLUDED.updated_at
 WHERE NOT r.enabled
RETURNING id, revision
"""

TURN_OFF_OTHERS = """
UPDATE event_reminders SET enabled = false, updated_at = $3
 WHERE event_id = $1 AND enabled AND NOT before_seconds = ANY($2::integer[])
RETURNING before_seconds
"""

REMINDER_FOR_UPDATE = """
SELECT r.id, r.event_id, r.before_seconds, r.enabled, r.revision
  FROM event_reminders r WHERE r.id = $1 FOR SHARE
"""

# Everyone who was registered (with a seat or waiting) when the reminder fell due, and has no delivery row yet:
# their rows, in the same transaction as their mail jobs.
CLAIM_DELIVERIES = """
INSERT INTO reminder_deliveries (registration_id, reminder_id, claimed_at)
SELECT r.id, $2, $3
  FROM registrations r
 WHERE r.event_id = $1 AND r.status IN ('confirmed', 'waitlisted') AND r.created_at <= $4
ORDER BY r.queue_seq
ON CONFLICT ON CONSTRAINT reminder_deliveries_pkey DO NOTHING
RETURNING registration_id
"""

DELIVERY = """
SELECT d.claimed_at, d.sent_at, r.before_seconds, r.enabled
  FROM reminder_deliveries d JOIN event_reminders r ON r.id = d.reminder_id
 WHERE d.registration_id = $1 AND d.reminder_id = $2
"""

MARK_SENT = """
UPDATE reminder_deliveries SET sent_at = $3, sent_as = $4
 WHERE registration_id = $1 AND reminder_id = $2 AND sent_at IS NULL
"""


class ReminderRow(msgspec.Struct, frozen=True):
    """A reminder of an event and how many mails it has sent."""

    id: UUID
    before_seconds: int
    enabled: bool
    revision: int
    sent: int


class TurnedOn(msgspec.Struct, frozen=True):
    """A reminder just turned on: its id and the revision its scheduled job must carry."""

    id: UUID
    revision: int


class LockedReminder(msgspec.Struct, frozen=True):
    id: UUID
    event_id: UUID
    before_seconds: int
    enabled: bool
    revision: int


class Delivery(msgspec.Struct, frozen=True):
    """One person's delivery of one reminder: claimed, and sent once it has gone."""

    claimed_at: datetime
    sent_at: datetime | None
    before_seconds: int
    enabled: bool


class ChosenSession(msgspec.Struct, frozen=True):
    """A session the attendee chose, as their reminder lists it (waiting: on its waiting list)."""

    title: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    room: str
    waiting: bool


async def reminders_of(conn: asyncpg.Connection, event_id: UUID, *, with_disabled: bool = False) -> list[ReminderRow]:
    rows = await conn.fetch(REMINDERS_OF, event_id, with_disabled)
    return [msgspec.convert(dict(row), ReminderRow) for row in rows]


async def turn_on(conn: asyncpg.Connection, event_id: UUID, before_seconds: int, now: datetime) -> TurnedOn | None:
    """The reminder's (id, revision) when it was turned on now; None when it was on already."""
    row = await conn.fetchrow(TURN_ON, event_id, before_seconds, now)
    return msgspec.convert(dict(row), TurnedOn) if row else None


async def turn_off_others(conn: asyncpg.Connection, event_id: UUID, keep: list[int], now: datetime) -> list[int]:
    return [int(r["before_seconds"]) for r in await conn.fetch(TURN_OFF_OTHERS, event_id, keep, now)]


async def reminder_for_update(conn: asyncpg.Connection, reminder_id: UUID) -> LockedReminder | None:
    row = await conn.fetchrow(REMINDER_FOR_UPDATE, reminder_id)
    return msgspec.convert(dict(row), LockedReminder) if row else None


async def claim_deliveries(
    conn: asyncpg.Connection, event_id: UUID, reminder_id: UUID, *, now: datetime, registered_by: datetime
) -> list[UUID]:
    rows = await conn.fetch(CLAIM_DELIVERIES, event_id, reminder_id, now, registered_by)
    return [row["registration_id"] for row in rows]


async def delivery(conn: asyncpg.Connection, registration_id: UUID, reminder_id: UUID) -> Delivery | None:
    row = await conn.fetchrow(DELIVERY, registration_id, reminder_id)
    return msgspec.convert(dict(row), Delivery) if row else None


async def mark_sent(conn: asyncpg.Connection, registration_id: UUID, reminder_id: UUID, now: Any, sent_as: str) -> None:
    await conn.execute(MARK_SENT, registration_id, reminder_id, now, sent_as)


SESSIONS_CHOSEN = """
SELECT s.title, s.starts_at, s.ends_at, s.room, c.status = 'waitlisted' AS waiting
  FROM session_choices c JOIN sessions s ON s.id = c.session_id
 WHERE c.registration_id = $1 AND s.status = 'scheduled'
 ORDER BY s.starts_at, s.id
"""


async def sessions_chosen(conn: asyncpg.Connection, registration_id: UUID) -> list[ChosenSession]:
    return [msgspec.convert(dict(row), ChosenSession) for row in await conn.fetch(SESSIONS_CHOSEN, registration_id)]
