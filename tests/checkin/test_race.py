"""Doors scanning the same tickets at the same instant on the real database: through one process's batcher (the
scans share statements) and through two (their statements race), online and offline."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from service import db
from service.accounts.domain import hash_token
from service.checkin.batching import ScanBatcher
from service.checkin.domain import GUESS_LIMIT, check_in, scan_batcher
from service.checkin.queries import Scan, ScanAnswer
from service.checkin.schemas import CheckinAnswer, CheckinIn
from service.settings import Settings
from tests.checkin.conftest import NewDoor, Register, code_of
from tests.conftest import T0, Client, MakeEvent

TICKETS = 40
ROUNDS = 5
POOL = 8  # the database server is shared: enough connections for real races, few enough to always get them


@asynccontextmanager
async def processes(database_url: str, count: int) -> AsyncIterator[list[ScanBatcher]]:
    """`count` batchers on pools of their own, as in that many web processes."""
    pools = [await db.create_pool(database_url, size=POOL) for _ in range(count)]
    try:
        yield [scan_batcher(pool) for pool in pools]
    finally:
        for pool in pools:
            await pool.close()


@pytest.mark.parametrize("process_count", [1, 2])
async def test_two_doors_scanning_one_ticket_at_once_admit_exactly_once_every_time(
    client: Client,
    make_event: MakeEvent,
    new_door: NewDoor,
    register: Register,
    database_url: str,
    settings: Settings,
    pool: asyncpg.Pool,
    process_count: int,
) -> None:
    await make_event(slug="kk", capacity=TICKETS)
    people = [await register(f"Deltakar {n}", f"d{n}@example.no") for n in range(TICKETS)]
    _, main_token = await new_door(name="Hovudinngang")
    _, side_token = await new_door(name="Sideinngang")

    async with processes(database_url, process_count) as batchers:
        main, side = batchers[0], batchers[-1]

        async def scan(batcher: ScanBatcher, token: str, code: str, offline: bool) -> str:
            data = CheckinIn(code=code, nonce=uuid.uuid4().hex, offline=offline, scanned_at=T0 if offline else None)
            return (await check_in(batcher, f"Bearer {token}", data=data, settings=settings, now=T0)).result

        results = []
        for round_ in range(ROUNDS):
            offline = round_ % 2 == 1  # online scans (DO NOTHING) and offline uploads (DO UPDATE … WHERE earlier)
            scans = [
                scan(b, t, code_of(p), offline) for p in people for b, t in ((main, main_token), (side, side_token))
            ]
            results.append(await asyncio.gather(*scans))

    admissions = await pool.fetchval("SELECT count(*) FROM checkin_admissions")
    admitted_scans = await pool.fetchval("SELECT count(*) FROM checkin_scans WHERE result = 'admitted'")
    first_round = results[0]
    assert [first_round[2 * n : 2 * n + 2].count("admitted") for n in range(TICKETS)] == [1] * TICKETS
    assert all(result == "already_checked_in" for later in results[1:] for result in later)
    assert (admissions, admitted_scans) == (TICKETS, TICKETS)


@pytest.mark.parametrize("process_count", [1, 2])
async def test_the_same_nonce_sent_twice_at_once_is_one_scan(
    client: Client,
    make_event: MakeEvent,
    new_door: NewDoor,
    register: Register,
    database_url: str,
    settings: Settings,
    pool: asyncpg.Pool,
    process_count: int,
) -> None:
    await make_event(slug="kk", capacity=TICKETS)
    people = [await register(f"Deltakar {n}", f"d{n}@example.no") for n in range(TICKETS)]
    _, token = await new_door()

    async with processes(database_url, process_count) as batchers:

        async def scan(batcher: ScanBatcher, code: str, nonce: str) -> CheckinAnswer:
            data = CheckinIn(code=code, nonce=nonce)
            return await check_in(batcher, f"Bearer {token}", data=data, settings=settings, now=T0)

        answers = await asyncio.gather(
            *(
                scan(batcher, code_of(p), f"n{n}")
                for n, p in enumerate(people)
                for batcher in (batchers[0], batchers[-1])
            )
        )

    assert [answers[2 * n] == answers[2 * n + 1] for n in range(TICKETS)] == [True] * TICKETS
    assert {a.result for a in answers} == {"admitted"}
    assert await pool.fetchval("SELECT count(*) FROM checkin_scans") == TICKETS


async def test_a_scan_that_spoils_its_statement_fails_alone(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register, database_url: str, pool: asyncpg.Pool
) -> None:
    await make_event(slug="kk", capacity=TICKETS)
    people = [await register(f"Deltakar {n}", f"d{n}@example.no") for n in range(8)]
    _, token = await new_door()
    ids = [uuid.UUID(p["id"]) for p in people]

    def scan(registration: uuid.UUID, nonce: str) -> Scan:
        return Scan(hash_token(token), registration, 1, nonce, "code", T0, T0)

    async with processes(database_url, 1) as (batcher,):
        assert batcher.guess_limit == GUESS_LIMIT
        answers = await asyncio.gather(
            *(batcher.judge(scan(i, f"ok{n}")) for n, i in enumerate(ids)),
            batcher.judge(scan(ids[0], "x" * 65)),  # too long for the scan log's CHECK: spoils its statement
            return_exceptions=True,
        )

    *good, spoiled = answers
    assert isinstance(spoiled, asyncpg.CheckViolationError)
    rows = [a for a in good if isinstance(a, ScanAnswer)]
    assert len(rows) == len(good)  # only the spoiled scan failed
    assert [(a.result, a.name) for a in rows] == [("admitted", f"Deltakar {n}") for n in range(len(people))]
    assert await pool.fetchval("SELECT count(*) FROM checkin_scans") == len(people)
