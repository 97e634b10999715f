"""Adding by hand under real concurrency: never one confirmed seat beyond capacity unless asked for."""

from __future__ import annotations

import asyncio

from service import db
from service.errors import DomainError
from service.events import queries as event_queries
from service.people.domain import add_person
from service.registrations.schemas import PersonIn
from tests.conftest import T0, MakeEvent


async def test_add_person_60_concurrent_on_20_seats_confirms_exactly_20(
    make_event: MakeEvent, database_url: str
) -> None:
    await make_event(slug="race", capacity=20)
    pool = await db.create_pool(database_url, size=30)

    async def one(n: int) -> str:
        async with pool.acquire() as conn:
            event = await event_queries.event_by_slug(conn, "race")
            assert event is not None
            try:
                added = await add_person(conn, event, PersonIn(name=f"Person {n}"), actor="user:test", now=T0)
            except DomainError as error:
                return error.code
            return added.status

    try:
        outcomes = await asyncio.gather(*(one(n) for n in range(60)))
        async with pool.acquire() as conn:
            stored = await conn.fetchrow(
                """SELECT count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed, count(*) AS registrations,
                          (SELECT capacity FROM events WHERE slug = 'race') AS capacity,
                          (SELECT count(*) FROM event_seats s WHERE s.registration_id IS NOT NULL) AS held
                     FROM registrations r"""
            )
    finally:
        await pool.close()

    assert sorted(outcomes).count("confirmed") == 20
    assert sorted(outcomes).count("event_full") == 40
    assert tuple(stored) == (20, 20, 20, 20)


async def test_add_person_concurrent_over_capacity_grows_by_exactly_the_extra(
    make_event: MakeEvent, database_url: str
) -> None:
    await make_event(slug="race", capacity=5)
    pool = await db.create_pool(database_url, size=20)

    async def one(n: int) -> str:
        async with pool.acquire() as conn:
            event = await event_queries.event_by_slug(conn, "race")
            assert event is not None
            data = PersonIn(name=f"Person {n}", over_capacity=True)
            return (await add_person(conn, event, data, actor="user:test", now=T0)).status

    try:
        outcomes = await asyncio.gather(*(one(n) for n in range(15)))
        async with pool.acquire() as conn:
            capacity = await conn.fetchval("SELECT capacity FROM events WHERE slug = 'race'")
            seats = await conn.fetchval("SELECT count(*) FROM event_seats")
    finally:
        await pool.close()

    assert outcomes == ["confirmed"] * 15
    assert (capacity, seats) == (15, 15)
