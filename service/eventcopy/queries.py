"""The copy's SQL: each statement copies one kind of row from the source event to the copy, shifted by `$3`
(an interval) where it holds a time. Columns are named one by one: what is not named (ids, sequences, counters,
registrations, doors, the Slack channel, the series) is not copied."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import asyncpg

COPY_EVENT = """
INSERT INTO events (slug, kind, title, description, venue, address, starts_at, ends_at, capacity,
                    registration_opens_at, registration_closes_at, status, organiser_name, created_by,
                    retention_days, allow_walk_ins)
SELECT $2, kind, title, description, venue, address, starts_at + $3::interval, ends_at + $3::interval, capacity,
       registration_opens_at + $3::interval, registration_closes_at + $3::interval, 'draft', organiser_name, $4,
       retention_days, allow_walk_ins
  FROM events WHERE id = $1
ON CONFLICT (slug) DO NOTHING
RETURNING id
"""
# The source's organisers (people, not door devices or jurors) keep their access to the copy.
COPY_ORGANISERS = """
INSERT INTO user_event_scopes (user_id, event_id)
SELECT s.user_id, $2 FROM user_event_scopes s JOIN users u ON u.id = s.user_id
 WHERE s.event_id = $1 AND u.role = 'organiser' AND u.disabled_at IS NULL
ON CONFLICT DO NOTHING
"""
# The programme as it stands: cancelled sessions are not carried into next year.
COPY_SESSIONS = """
INSERT INTO sessions (event_id, kind, title, abstract, room, track, starts_at, ends_at, speakers, capacity)
SELECT $2, kind, title, abstract, room, track, starts_at + $3::interval, ends_at + $3::interval, speakers, capacity
  FROM sessions WHERE event_id = $1 AND status = 'scheduled'
"""
COPY_QUESTIONS = """
INSERT INTO event_questions (event_id, position, kind, label, choices, required)
SELECT $2, position, kind, label, choices, required FROM event_questions WHERE event_id = $1
"""
COPY_GROUPS = """
INSERT INTO workshop_groups (event_id, key, position, name, perspective, capacity)
SELECT $2, key, position, name, perspective, capacity FROM workshop_groups WHERE event_id = $1
"""


def _count(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1])


async def copy_event_row(
    conn: asyncpg.Connection, source_id: UUID, slug: str, offset: timedelta, created_by: UUID | None
) -> UUID | None:
    """The copy's id, or None when the slug is taken."""
    copy_id: UUID | None = await conn.fetchval(COPY_EVENT, source_id, slug, offset, created_by)
    return copy_id


async def copy_organisers(conn: asyncpg.Connection, source_id: UUID, copy_id: UUID) -> None:
    await conn.execute(COPY_ORGANISERS, source_id, copy_id)


async def copy_sessions(conn: asyncpg.Connection, source_id: UUID, copy_id: UUID, offset: timedelta) -> int:
    return _count(await conn.execute(COPY_SESSIONS, source_id, copy_id, offset))


async def copy_questions(conn: asyncpg.Connection, source_id: UUID, copy_id: UUID) -> int:
    return _count(await conn.execute(COPY_QUESTIONS, source_id, copy_id))


async def copy_groups(conn: asyncpg.Connection, source_id: UUID, copy_id: UUID) -> int:
    return _count(await conn.execute(COPY_GROUPS, source_id, copy_id))
