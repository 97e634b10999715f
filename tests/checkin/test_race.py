"""Two doors scanning the same tickets at the same instant, on separate connections of the real database."""

from __future__ import annotations

import asyncio
import uuid

from service import db
from service.checkin.domain import check_in
from service.checkin.schemas import CheckinIn
from tests.checkin.conftest import code_of
from tests.conftest import T0

TICKETS = 40
ROUNDS = 5
POOL = 16  # the database server is shared: enough connections for real races, few enough to always get them


async def test_two_doors_scanning_one_ticket_at_once_admit_exactly_once_every_time(
    client, make_event, new_door, register, database_url, settings
):
    await make_event(slug="kk", capacity=TICKETS)
    people = [await register(f"Deltakar {n}", f"d{n}@example.no") for n in range(TICKETS)]
    _, main_token = await new_door(name="Hovudinngang")
    _, side_token = await new_door(name="Sideinngang")
    pool = await db.create_pool(database_url, size=POOL)

    async def scan(token: str, code: str, offline: bool) -> str:
        async with pool.acquire() as conn:
            data = CheckinIn(code=code, nonce=uuid.uuid4().hex, offline=offline, scanned_at=T0 if offline else None)
            return (await check_in(conn, f"Bearer {token}", data=data, settings=settings, now=T0)).result

    try:
        results = []
        for round_ in range(ROUNDS):
            offline = round_ % 2 == 1  # online scans (DO NOTHING) and offline uploads (DO UPDATE … WHERE earlier)
            results.append(
                await asyncio.gather(
                    *(scan(token, code_of(p), offline) for p in people for token in (main_token, side_token))
                )
            )
        async with pool.acquire() as conn:
            admissions = await conn.fetchval("SELECT count(*) FROM checkin_admissions")
            admitted_scans = await conn.fetchval("SELECT count(*) FROM checkin_scans WHERE result = 'admitted'")
    finally:
        await pool.close()

    first_round = results[0]
    assert [first_round[2 * n : 2 * n + 2].count("admitted") for n in range(TICKETS)] == [1] * TICKETS
    assert all(result == "already_checked_in" for later in results[1:] for result in later)
    assert (admissions, admitted_scans) == (TICKETS, TICKETS)


async def test_the_same_nonce_sent_twice_at_once_is_one_scan(
    client, make_event, new_door, register, database_url, settings
):
    await make_event(slug="kk", capacity=TICKETS)
    people = [await register(f"Deltakar {n}", f"d{n}@example.no") for n in range(TICKETS)]
    _, token = await new_door()
    pool = await db.create_pool(database_url, size=POOL)

    async def scan(code: str, nonce: str):
        async with pool.acquire() as conn:
            data = CheckinIn(code=code, nonce=nonce)
            return await check_in(conn, f"Bearer {token}", data=data, settings=settings, now=T0)

    try:
        answers = await asyncio.gather(*(scan(code_of(p), f"n{n}") for n, p in enumerate(people) for _ in range(2)))
        async with pool.acquire() as conn:
            scans = await conn.fetchval("SELECT count(*) FROM checkin_scans")
    finally:
        await pool.close()

    assert [answers[2 * n] == answers[2 * n + 1] for n in range(TICKETS)] == [True] * TICKETS
    assert {a.result for a in answers} == {"admitted"}
    assert scans == TICKETS
