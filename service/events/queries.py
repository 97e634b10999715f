from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from .schemas import Event

_COLUMNS = """
e.id, e.slug, e.kind, e.title, e.description, e.venue, e.address, e.starts_at, e.ends_at, e.capacity,
e.registration_opens_at, e.registration_closes_at, e.registration_paused, e.status, e.series, e.organiser_name,
e.retention_days, e.allow_walk_ins
"""
_COUNTS = """
(SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed') AS confirmed,
(SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'waitlisted') AS waitlisted
"""

INSERT_EVENT = """
INSERT INTO events (slug, kind, title, description, venue, address, starts_at, ends_at, capacity,
                    registration_opens_at, registration_closes_at, status, series, organiser_name, created_by,
                    retention_days, allow_walk_ins)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
ON CONFLICT (slug) DO NOTHING
RETURNING id
"""
ADD_SEATS = "INSERT INTO event_seats (event_id) SELECT $1 FROM generate_series(1, $2)"
REMOVE_FREE_SEATS = """
DELETE FROM event_seats WHERE id IN (
    SELECT id FROM event_seats WHERE event_id = $1 AND registration_id IS NULL
     ORDER BY event_id DESC, spot DESC LIMIT $2 FOR UPDATE)
"""
EVENT_BY_SLUG = f"SELECT {_COLUMNS}, {_COUNTS} FROM events e WHERE e.slug = $1"  # noqa: S608 - composed from this module's SQL constants
EVENT_BY_ID = f"SELECT {_COLUMNS}, {_COUNTS} FROM events e WHERE e.id = $1"  # noqa: S608 - composed from this module's SQL constants
EVENT_FOR_UPDATE = f"SELECT {_COLUMNS}, 0 AS confirmed, 0 AS waitlisted FROM events e WHERE e.slug = $1 FOR UPDATE"  # noqa: S608 - composed from this module's SQL constants
LIST_PUBLISHED = f"""
SELECT {_COLUMNS}, {_COUNTS} FROM events e
 WHERE e.status = 'published' AND e.ends_at > $1
 ORDER BY e.starts_at, e.slug
 LIMIT $2 OFFSET $3
"""  # noqa: S608 - composed from this module's SQL constants
OF_SERIES = f"""
SELECT {_COLUMNS}, {_COUNTS} FROM events e WHERE e.series = $1 AND e.status <> 'cancelled' ORDER BY e.starts_at, e.slug
"""  # noqa: S608 - composed from this module's SQL constants
LIST_ALL = f"""
SELECT {_COLUMNS}, {_COUNTS} FROM events e
 ORDER BY e.starts_at DESC, e.slug
 LIMIT $1 OFFSET $2
"""  # noqa: S608 - composed from this module's SQL constants

_UPDATABLE = {
    "title",
    "description",
    "venue",
    "address",
    "starts_at",
    "ends_at",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "registration_paused",
    "status",
    "series",
    "organiser_name",
    "retention_days",
    "allow_walk_ins",
}


def to_event(row: asyncpg.Record) -> Event:
    return Event(**dict(row))


async def insert_event(conn: asyncpg.Connection, values: dict[str, Any], created_by: UUID | None) -> UUID | None:
    result: UUID | None = await conn.fetchval(
        INSERT_EVENT,
        values["slug"],
        values["kind"],
        values["title"],
        values["description"],
        values["venue"],
        values["address"],
        values["starts_at"],
        values["ends_at"],
        values["capacity"],
        values["registration_opens_at"],
        values["registration_closes_at"],
        values["status"],
        values["series"],
        values["organiser_name"],
        created_by,
        values.get("retention_days"),
        values.get("allow_walk_ins", False),
    )
    return result


async def add_seats(conn: asyncpg.Connection, event_id: UUID, count: int) -> None:
    if count > 0:
        await conn.execute(ADD_SEATS, event_id, count)


async def remove_free_seats(conn: asyncpg.Connection, event_id: UUID, count: int) -> int:
    status = await conn.execute(REMOVE_FREE_SEATS, event_id, count)
    return int(status.split()[-1])


async def event_by_slug(conn: asyncpg.Connection, slug: str) -> Event | None:
    row = await conn.fetchrow(EVENT_BY_SLUG, slug)
    return to_event(row) if row else None


async def events_of_series(conn: asyncpg.Connection, series: str) -> list[Event]:
    """The series' events that are not cancelled, in time order."""
    return [to_event(row) for row in await conn.fetch(OF_SERIES, series)]


async def event_by_id(conn: asyncpg.Connection, event_id: UUID) -> Event | None:
    row = await conn.fetchrow(EVENT_BY_ID, event_id)
    return to_event(row) if row else None


async def event_for_update(conn: asyncpg.Connection, slug: str) -> Event | None:
    row = await conn.fetchrow(EVENT_FOR_UPDATE, slug)
    return to_event(row) if row else None


async def update_event(conn: asyncpg.Connection, event_id: UUID, changes: dict[str, Any]) -> None:
    columns = [name for name in changes if name in _UPDATABLE]
    if not columns:
        return
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(columns, start=2))
    await conn.execute(
        f"UPDATE events SET {assignments}, updated_at = now() WHERE id = $1",  # noqa: S608 - column names from _UPDATABLE, values as $n
        event_id,
        *(changes[name] for name in columns),
    )


async def list_published(conn: asyncpg.Connection, now: Any, limit: int, offset: int) -> list[Event]:
    return [to_event(r) for r in await conn.fetch(LIST_PUBLISHED, now, limit, offset)]


async def list_all(conn: asyncpg.Connection, limit: int, offset: int) -> list[Event]:
    return [to_event(r) for r in await conn.fetch(LIST_ALL, limit, offset)]


SERIES_ID = "SELECT id FROM series WHERE slug = $1"
INSERT_SERIES = """
INSERT INTO series (slug, created_by, created_at) VALUES ($1, $2, $3)
ON CONFLICT (slug) DO NOTHING
RETURNING id
"""
SERIES_ORGANISERS = """
SELECT u.email FROM user_series_scopes s JOIN users u ON u.id = s.user_id WHERE s.series_id = $1 ORDER BY u.email
"""
ORGANISERS_BY_EMAIL = "SELECT id, email FROM users WHERE email = ANY($1::text[]) AND role = 'organiser'"
SET_SERIES_ORGANISERS = """
WITH gone AS (DELETE FROM user_series_scopes WHERE series_id = $1 AND NOT user_id = ANY($2::uuid[]))
INSERT INTO user_series_scopes (user_id, series_id) SELECT unnest($2::uuid[]), $1 ON CONFLICT DO NOTHING
"""


async def series_id(conn: asyncpg.Connection, slug: str) -> UUID | None:
    result: UUID | None = await conn.fetchval(SERIES_ID, slug)
    return result


async def insert_series(conn: asyncpg.Connection, slug: str, created_by: UUID, now: Any) -> UUID | None:
    """The new series' id, or None when the name is taken."""
    result: UUID | None = await conn.fetchval(INSERT_SERIES, slug, created_by, now)
    return result


async def series_organisers(conn: asyncpg.Connection, series: UUID) -> list[str]:
    return [r["email"] for r in await conn.fetch(SERIES_ORGANISERS, series)]


async def organisers_by_email(conn: asyncpg.Connection, emails: list[str]) -> dict[str, UUID]:
    return {r["email"]: r["id"] for r in await conn.fetch(ORGANISERS_BY_EMAIL, emails)}


async def set_series_organisers(conn: asyncpg.Connection, series: UUID, user_ids: list[UUID]) -> None:
    await conn.execute(SET_SERIES_ORGANISERS, series, user_ids)
