"""SQL of the programme: sessions, choices and the calendar invites sent for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from ..progress import Progress
from .schemas import CalendarInvite, Choice, EndedChoice, SentInvite, Session

_SESSION_COLUMNS = """
    s.id, s.event_id, s.kind, s.title, s.abstract, s.room, s.track, s.starts_at, s.ends_at, s.speakers,
    s.capacity, s.status, s.sequence, s.updated_at,
    (SELECT count(*) FROM session_choices c WHERE c.session_id = s.id AND c.status = 'confirmed')::int
        AS confirmed,
    (SELECT count(*) FROM session_choices c WHERE c.session_id = s.id AND c.status = 'waitlisted')::int
        AS waitlisted
"""
SESSIONS_OF_EVENT = (
    f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.event_id = $1 ORDER BY s.starts_at, s.room, s.id"  # noqa: S608 - composed from this module's SQL constants
)
SESSION_BY_ID = f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.id = $1"  # noqa: S608 - composed from this module's SQL constants
SESSIONS_BY_IDS = f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.id = ANY($1::uuid[]) ORDER BY s.starts_at"  # noqa: S608 - composed from this module's SQL constants

INSERT_SESSION = """
INSERT INTO sessions (event_id, kind, title, abstract, room, track, starts_at, ends_at, speakers, capacity)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING id
"""
# NO KEY UPDATE: serialises choosers of one session without blocking inserts that only reference it
# (FOR UPDATE would conflict with the key-share lock of every foreign-key check, e.g. a calendar sync).
LOCK_SESSION = "SELECT id FROM sessions WHERE id = $1 FOR NO KEY UPDATE"
_UPDATABLE = ("kind", "title", "abstract", "room", "track", "starts_at", "ends_at", "speakers", "capacity", "status")

CHOICES_OF = """
SELECT c.session_id, c.status,
       CASE WHEN c.status = 'waitlisted' THEN (
           SELECT count(*) FROM session_choices w
            WHERE w.session_id = c.session_id AND w.status = 'waitlisted' AND w.queue_seq <= c.queue_seq)::int
       END AS waitlist_position
  FROM session_choices c JOIN sessions s ON s.id = c.session_id
 WHERE c.registration_id = $1
 ORDER BY s.starts_at
"""
INSERT_CHOICE = """
INSERT INTO session_choices (registration_id, session_id, status, chosen_at)
VALUES ($1, $2, CASE WHEN $3::int IS NULL
                       OR (SELECT count(*) FROM session_choices
                            WHERE session_id = $2 AND status = 'confirmed') < $3::int
                     THEN 'confirmed' ELSE 'waitlisted' END, $4)
RETURNING status
"""
DELETE_CHOICE = "DELETE FROM session_choices WHERE registration_id = $1 AND session_id = $2 RETURNING status"
DELETE_CHOICES_OF = "DELETE FROM session_choices WHERE registration_id = $1 RETURNING session_id, status"
# Calendar invites: one sync per attendee at a time.
SYNC_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1, 31))"
INVITES_OF = "SELECT id, session_id, uid, sequence, state, sent FROM calendar_invites WHERE registration_id = $1"
ADD_INVITE = """
INSERT INTO calendar_invites (registration_id, session_id, uid) VALUES ($1, $2, $3)
ON CONFLICT ON CONSTRAINT calendar_invites_item_key DO UPDATE SET uid = calendar_invites.uid
RETURNING id, session_id, uid, sequence, state, sent
"""
MARK_SENT = "UPDATE calendar_invites SET sequence = $2, state = $3, sent = $4, sent_at = $5 WHERE id = $1"
SENT_INVITES = """
SELECT r.email, r.name, r.language, i.uid, i.sequence, i.sent
  FROM calendar_invites i JOIN registrations r ON r.id = i.registration_id
 WHERE i.registration_id = $1 AND i.state = 'sent'
"""
BUMP_EVENT_SEQUENCE = (
    "UPDATE events SET calendar_sequence = calendar_sequence + 1 WHERE id = $1 RETURNING calendar_sequence"
)
# Promote from a session's waiting list while it has room, in queue order; returns who moved up.
PROMOTE = """
WITH room AS (
    SELECT CASE WHEN s.capacity IS NULL THEN 2147483647
                ELSE s.capacity - (SELECT count(*) FROM session_choices c
                                    WHERE c.session_id = s.id AND c.status = 'confirmed') END AS free
      FROM sessions s WHERE s.id = $1
), next AS (
    SELECT c.registration_id FROM session_choices c, room
     WHERE c.session_id = $1 AND c.status = 'waitlisted'
     ORDER BY c.queue_seq
     LIMIT greatest((SELECT free FROM room), 0)
)
UPDATE session_choices c SET status = 'confirmed'
  FROM next WHERE c.session_id = $1 AND c.registration_id = next.registration_id
RETURNING c.registration_id
"""
REGISTRATIONS_WITH_SESSION = """
SELECT registration_id FROM session_choices WHERE session_id = $1
UNION
SELECT registration_id FROM calendar_invites WHERE session_id = $1 AND state = 'sent'
"""
CONFIRMED_OF_EVENT = "SELECT id FROM registrations WHERE event_id = $1 AND status = 'confirmed'"
REGISTRATIONS_WITH_INVITES = """
SELECT id FROM registrations WHERE event_id = $1 AND status = 'confirmed'
UNION
SELECT i.registration_id FROM calendar_invites i JOIN registrations r ON r.id = i.registration_id
 WHERE r.event_id = $1 AND i.state = 'sent'
"""


# Calendar feeds: what a calendar shows of sessions needs none of the live counts, and an agenda holds only the
# plenaries and the attendee's confirmed choices.
_FEED_SESSION_COLUMNS = """
    s.id, s.event_id, s.kind, s.title, s.abstract, s.room, s.track, s.starts_at, s.ends_at, s.speakers,
    s.capacity, s.status, s.sequence, s.updated_at
"""
FEED_SESSIONS = (
    f"SELECT {_FEED_SESSION_COLUMNS} FROM sessions s WHERE s.event_id = $1 ORDER BY s.starts_at, s.room, s.id"  # noqa: S608 - composed from this module's SQL constants
)
AGENDA_SESSIONS = f"""
SELECT {_FEED_SESSION_COLUMNS} FROM sessions s
 WHERE s.event_id = $1
   AND (s.kind IN ('plenary', 'break', 'social') OR EXISTS (SELECT 1 FROM session_choices c
                                       WHERE c.session_id = s.id AND c.registration_id = $2 AND c.status = 'confirmed'))
 ORDER BY s.starts_at, s.room, s.id
"""  # noqa: S608 - composed from this module's SQL constants
FEED_STAMP = "SELECT calendar_sequence, updated_at FROM events WHERE id = $1"
INVITE_KEYS = "SELECT session_id, uid, sequence FROM calendar_invites WHERE registration_id = $1"


class FeedStamp(msgspec.Struct, frozen=True):
    """An event's calendar SEQUENCE and the time it last changed (DTSTAMP of its feed entry)."""

    calendar_sequence: int
    updated_at: datetime


class InviteKey(msgspec.Struct, frozen=True):
    """The UID and SEQUENCE last sent to an attendee for the event (session_id None) or a session."""

    session_id: UUID | None
    uid: str
    sequence: int


def _session(row: asyncpg.Record) -> Session:
    return msgspec.convert(dict(row), Session)


async def sessions_of_event(conn: asyncpg.Connection, event_id: UUID) -> list[Session]:
    return [_session(r) for r in await conn.fetch(SESSIONS_OF_EVENT, event_id)]


async def session_by_id(conn: asyncpg.Connection, session_id: UUID) -> Session | None:
    row = await conn.fetchrow(SESSION_BY_ID, session_id)
    return _session(row) if row else None


async def sessions_by_ids(conn: asyncpg.Connection, ids: list[UUID]) -> list[Session]:
    return [_session(r) for r in await conn.fetch(SESSIONS_BY_IDS, ids)]


async def insert_session(conn: asyncpg.Connection, event_id: UUID, values: dict[str, Any]) -> UUID:
    session_id: UUID = await conn.fetchval(
        INSERT_SESSION,
        event_id,
        values["kind"],
        values["title"],
        values["abstract"],
        values["room"],
        values["track"],
        values["starts_at"],
        values["ends_at"],
        values["speakers"],
        values["capacity"],
    )
    return session_id


async def lock_session(conn: asyncpg.Connection, session_id: UUID) -> bool:
    return await conn.fetchval(LOCK_SESSION, session_id) is not None


async def update_session(
    conn: asyncpg.Connection, session_id: UUID, changes: dict[str, Any], *, bump_sequence: bool
) -> None:
    names = [name for name in _UPDATABLE if name in changes]
    assignments = [f"{name} = ${i}" for i, name in enumerate(names, start=2)]
    assignments += ["updated_at = now()"] + (["sequence = sequence + 1"] if bump_sequence else [])
    await conn.execute(
        f"UPDATE sessions SET {', '.join(assignments)} WHERE id = $1",  # noqa: S608 - column names from _UPDATABLE, values as $n
        session_id,
        *(changes[name] for name in names),
    )


async def choices_of(conn: asyncpg.Connection, registration_id: UUID) -> list[Choice]:
    return [Choice(**dict(r)) for r in await conn.fetch(CHOICES_OF, registration_id)]


async def insert_choice(conn: asyncpg.Connection, registration_id: UUID, session: Session, now: Any) -> str:
    status: str = await conn.fetchval(INSERT_CHOICE, registration_id, session.id, session.capacity, now)
    return status


async def delete_choice(conn: asyncpg.Connection, registration_id: UUID, session_id: UUID) -> str | None:
    status: str | None = await conn.fetchval(DELETE_CHOICE, registration_id, session_id)
    return status


async def delete_choices_of(conn: asyncpg.Connection, registration_id: UUID) -> list[EndedChoice]:
    return [EndedChoice(**row) for row in await conn.fetch(DELETE_CHOICES_OF, registration_id)]


async def lock_sync(conn: asyncpg.Connection, registration_id: UUID) -> None:
    await conn.execute(SYNC_LOCK, str(registration_id))


async def invites_of(conn: asyncpg.Connection, registration_id: UUID) -> list[CalendarInvite]:
    return [CalendarInvite(**row) for row in await conn.fetch(INVITES_OF, registration_id)]


async def add_invite(conn: asyncpg.Connection, registration_id: UUID, key: UUID | None, uid: str) -> CalendarInvite:
    row = await conn.fetchrow(ADD_INVITE, registration_id, key, uid)
    assert row is not None  # the upsert returns the row either way
    return CalendarInvite(**row)


async def mark_sent(
    conn: asyncpg.Connection, invite_id: int, sequence: int, state: str, sent: dict[str, str] | None, now: datetime
) -> None:
    await conn.execute(MARK_SENT, invite_id, sequence, state, sent, now)


async def sent_invites(conn: asyncpg.Connection, registration_id: UUID) -> list[SentInvite]:
    return [SentInvite(**row) for row in await conn.fetch(SENT_INVITES, registration_id)]


async def bump_event_sequence(conn: asyncpg.Connection, event_id: UUID) -> int:
    """The event's next calendar SEQUENCE (every attendee's event invite follows it)."""
    return int(await conn.fetchval(BUMP_EVENT_SEQUENCE, event_id))


async def promote(conn: asyncpg.Connection, session_id: UUID) -> list[UUID]:
    return [r["registration_id"] for r in await conn.fetch(PROMOTE, session_id)]


async def registrations_with_session(conn: asyncpg.Connection, session: Session) -> list[UUID]:
    query = CONFIRMED_OF_EVENT if session.kind == "plenary" else None
    rows = await conn.fetch(REGISTRATIONS_WITH_SESSION, session.id)
    ids = {r["registration_id"] for r in rows}
    if query:
        ids |= {r["id"] for r in await conn.fetch(query, session.event_id)}
    return sorted(ids)


async def registrations_with_invites(conn: asyncpg.Connection, event_id: UUID) -> list[UUID]:
    return sorted(r["id"] for r in await conn.fetch(REGISTRATIONS_WITH_INVITES, event_id))


async def feed_sessions(conn: asyncpg.Connection, event_id: UUID) -> list[Session]:
    """Every session of the event, in programme order, without the live counts."""
    return [_session(r) for r in await conn.fetch(FEED_SESSIONS, event_id)]


async def agenda_sessions(conn: asyncpg.Connection, event_id: UUID, registration_id: UUID) -> list[Session]:
    """The day's programme (plenaries, breaks, socials) and the registration's confirmed choices, in programme
    order, without the live counts."""
    return [_session(r) for r in await conn.fetch(AGENDA_SESSIONS, event_id, registration_id)]


async def feed_stamp(conn: asyncpg.Connection, event_id: UUID) -> FeedStamp | None:
    row = await conn.fetchrow(FEED_STAMP, event_id)
    return FeedStamp(row["calendar_sequence"], row["updated_at"]) if row else None


async def invite_keys(conn: asyncpg.Connection, registration_id: UUID) -> dict[UUID | None, InviteKey]:
    """The registration's invites by session (None: the event itself)."""
    return {
        r["session_id"]: InviteKey(r["session_id"], r["uid"], r["sequence"])
        for r in await conn.fetch(INVITE_KEYS, registration_id)
    }


# How far one calendar update (a change fanned out to everyone it touches) has come, from its jobs: the fan-out
# ($1, its dedupe key) and the one sync per attendee it queued ($2, the update's name in their payload). No total
# while the fan-out has not run; a fan-out purged with the old jobs counts as run.
CALENDAR_UPDATE_PROGRESS = """
SELECT CASE WHEN fan.id IS NULL OR fan.done_at IS NOT NULL THEN count(j.id) END AS total,
       count(j.id) FILTER (WHERE j.done_at IS NOT NULL) AS sent,
       count(j.id) FILTER (WHERE j.done_at IS NULL AND j.dead_at IS NOT NULL) AS failed,
       count(j.id) FILTER (WHERE j.done_at IS NULL AND j.dead_at IS NULL) AS pending
  FROM (SELECT 1) one
  LEFT JOIN jobs fan ON fan.dedupe_key = $1
  LEFT JOIN jobs j ON j.kind = 'calendar.sync' AND j.payload ->> 'update' = $2
 GROUP BY fan.id, fan.done_at
"""


EVENT_CALENDAR_REVISION = "SELECT calendar_sequence FROM events WHERE id = $1"


async def event_calendar_revision(conn: asyncpg.Connection, event_id: UUID) -> int:
    return int(await conn.fetchval(EVENT_CALENDAR_REVISION, event_id) or 0)


async def calendar_update_progress(conn: asyncpg.Connection, fanout_key: str, update: str) -> Progress:
    row = await conn.fetchrow(CALENDAR_UPDATE_PROGRESS, fanout_key, update)
    assert row is not None
    return Progress(**row)
