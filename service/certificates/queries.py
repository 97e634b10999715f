"""Who attended an event (checked in at a door) and the programme items each chose and kept."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from uuid import UUID

import asyncpg

from .schemas import Attendee, ChosenItem

# Checked in = admitted at a door once (checkin_admissions); a later cancellation does not undo attending.
ATTENDEES = """
SELECT r.id, r.name, r.email, r.language FROM registrations r
  JOIN checkin_admissions a ON a.registration_id = r.id
 WHERE r.event_id = $1 AND ($2::uuid IS NULL OR r.id = $2)
 ORDER BY lower(r.name), r.id
"""
ITEMS = """
SELECT c.registration_id, s.title, s.starts_at, s.ends_at FROM session_choices c
  JOIN sessions s ON s.id = c.session_id
 WHERE s.event_id = $1 AND c.registration_id = ANY($2::uuid[]) AND c.status = 'confirmed' AND s.status = 'scheduled'
 ORDER BY s.starts_at, s.id
"""
# A certificate mail for each of the registrations with none queued yet; the rows returned are the new ones (the
# primary key makes a second press, or two at once, queue nobody twice).
CLAIM_MAILS = """
INSERT INTO certificate_mails (registration_id, queued_at, queued_by)
SELECT unnest($1::uuid[]), $2, $3
ON CONFLICT (registration_id) DO NOTHING
RETURNING registration_id
"""


async def attendees(conn: asyncpg.Connection, event_id: UUID, *, only: UUID | None = None) -> list[Attendee]:
    """The event's checked-in people by name (or only the registration `only`, when it checked in)."""
    rows = await conn.fetch(ATTENDEES, event_id, only)
    items: dict[UUID, list[ChosenItem]] = defaultdict(list)
    for row in await conn.fetch(ITEMS, event_id, [row["id"] for row in rows]):
        items[row["registration_id"]].append(
            ChosenItem(title=row["title"], starts_at=row["starts_at"], ends_at=row["ends_at"])
        )
    return [Attendee(**dict(row), items=items[row["id"]]) for row in rows]


async def claim_mails(
    conn: asyncpg.Connection, registration_ids: list[UUID], *, now: datetime, actor: str
) -> list[UUID]:
    """The registrations among `registration_ids` that had no certificate mail queued (now they have)."""
    return [row["registration_id"] for row in await conn.fetch(CLAIM_MAILS, registration_ids, now, actor)]


CHECKED_IN = "SELECT EXISTS (SELECT 1 FROM checkin_admissions WHERE registration_id = $1)"


async def checked_in(conn: asyncpg.Connection, registration_id: UUID) -> bool:
    return bool(await conn.fetchval(CHECKED_IN, registration_id))
