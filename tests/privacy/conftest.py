"""Arrangement for the privacy tests: people registered through the API, and the rows other domains write
(session choices, group rankings, scans, announcements, calendar invites, nominations) put in place with SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from litestar.testing import AsyncTestClient

PERSON = "Kari.Nordmann@Example.no"


async def register(client: AsyncTestClient[Any], slug: str, email: str = PERSON, **extra: Any) -> dict[str, Any]:
    body = {"name": "Kari Nordmann", "email": email, "accept_privacy": True, "language": "nn", **extra}
    response = await client.post(f"/api/v1/events/{slug}/registrations", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def insert_event(
    conn: asyncpg.Connection, slug: str, ends_at: datetime, retention_days: int | None = None
) -> UUID:
    event_id: UUID = await conn.fetchval(
        """INSERT INTO events (slug, kind, title, starts_at, ends_at, capacity, status, retention_days)
           VALUES ($1, 'conference', '{"nb": "Dag"}', $2::timestamptz - interval '6 hours', $2, 10, 'published', $3)
           RETURNING id""",
        slug,
        ends_at,
        retention_days,
    )
    return event_id


async def insert_registration(conn: asyncpg.Connection, event_id: UUID, email: str) -> UUID:
    registration_id: UUID = await conn.fetchval(
        """INSERT INTO registrations (event_id, status, name, email, email_norm, privacy_accepted_at)
           VALUES ($1, 'waitlisted', 'Kari', $2, lower($2), now()) RETURNING id""",
        event_id,
        email,
    )
    return registration_id


async def insert_call(conn: asyncpg.Connection, slug: str, scoring_closes_at: datetime) -> UUID:
    prize_id = await conn.fetchval(
        'INSERT INTO prizes (slug, name) VALUES ($1, \'{"nb": "Prisen"}\') RETURNING id', slug
    )
    call_id: UUID = await conn.fetchval(
        """INSERT INTO prize_calls (prize_id, year, opens_at, closes_at, scoring_closes_at)
           VALUES ($1, 2020, $2::timestamptz - interval '60 days', $2::timestamptz - interval '30 days', $2)
           RETURNING id""",
        prize_id,
        scoring_closes_at,
    )
    return call_id


async def insert_nomination(
    conn: asyncpg.Connection,
    call_id: UUID,
    *,
    status: str = "submitted",
    nominator: str = "beate@bergen.kommune.no",
    nominee: str = "gamut@uib.no",
) -> UUID:
    nomination_id: UUID = await conn.fetchval(
        """INSERT INTO nominations (call_id, status, nominee_kind, nominee_name, nominee_organisation, nominee_email,
                                    nominee_key, title, justification, nominator_name, nominator_email,
                                    nominator_relation, secret_hash, withdrawn_at)
           VALUES ($1, $2, 'group', 'GAMUT', 'Universitetet i Bergen', $4, 'gamut', 'Musikkterapi',
                   'Fordi dei gjer forsking til praksis.', 'Beate Husa', $3, 'Byråd',
                   decode(md5(random()::text), 'hex'),
                   CASE WHEN $2 = 'withdrawn' THEN now() END)
           RETURNING id""",
        call_id,
        status,
        nominator,
        nominee,
    )
    return nomination_id
