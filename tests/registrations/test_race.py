"""Capacity under real concurrency: many connections racing on one event against the real database."""

from __future__ import annotations

import asyncio
from uuid import UUID

import asyncpg
import msgspec
import pytest

from service import db
from service.hooks import REGISTRATION_END_HOOKS
from service.registrations.domain import cancel_registration, register_attendee
from service.registrations.schemas import Registration, RegistrationIn
from service.settings import Settings
from tests.conftest import T0, Client, MakeEvent, RunJobs, auth
from tests.smtp import SmtpServer


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Races send many requests from one address for one e-mail address: rate limits are not what they test."""
    return msgspec.structs.replace(settings, public_rate_limit=None, email_rate_limit=None)


def attendee(n: int) -> RegistrationIn:
    return RegistrationIn(name=f"Deltakar {n}", email=f"person{n}@example.no", accept_privacy=True)


async def test_register_200_concurrent_fills_exactly_50_and_waitlists_150_in_order(
    client: Client, make_event: MakeEvent, database_url: str, organiser_token: str
) -> None:
    await make_event(slug="race", capacity=50)
    pool = await db.create_pool(database_url, size=40)

    async def one(n: int) -> Registration:
        async with pool.acquire() as conn:
            return await register_attendee(conn, "race", data=attendee(n), now=T0)

    try:
        results = await asyncio.gather(*(one(n) for n in range(200)))
        async with pool.acquire() as conn:
            rows = await conn.fetch(
                """SELECT status, email, CASE WHEN status = 'waitlisted'
                          THEN count(*) FILTER (WHERE status = 'waitlisted') OVER (ORDER BY queue_seq) END AS position
                     FROM registrations ORDER BY queue_seq"""
            )
            seats = await conn.fetchval("SELECT count(*) FROM event_seats WHERE registration_id IS NOT NULL")
    finally:
        await pool.close()

    statuses = [r.status for r in results]
    positions = [r["position"] for r in rows if r["status"] == "waitlisted"]
    assert (statuses.count("confirmed"), statuses.count("waitlisted")) == (50, 150)
    assert positions == list(range(1, 151))
    assert len({r["email"] for r in rows}) == 200
    assert seats == 50


async def test_cancel_10_concurrent_promotes_exactly_10_in_list_order_each_mailed_once(
    client: Client, make_event: MakeEvent, database_url: str, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="race", capacity=20)
    pool = await db.create_pool(database_url, size=30)
    try:
        async with pool.acquire() as conn:
            registered = [await register_attendee(conn, "race", data=attendee(n), now=T0) for n in range(40)]
        await run_jobs()
        smtp.sink.messages.clear()
        confirmed = [r for r in registered if r.status == "confirmed"][:10]
        first_waitlisted = [str(r.email) for r in registered if r.status == "waitlisted"][:10]

        async def cancel(registration_id: UUID) -> Registration:
            async with pool.acquire() as conn:
                return await cancel_registration(
                    conn, registration_id, actor="attendee", now=T0, end_hooks=REGISTRATION_END_HOOKS
                )

        await asyncio.gather(*(cancel(r.id) for r in confirmed))
        await run_jobs()
        async with pool.acquire() as conn:
            now_confirmed = {
                r["email"] for r in await conn.fetch("SELECT email FROM registrations WHERE status = 'confirmed'")
            }
            remaining_positions = [
                r["p"]
                for r in await conn.fetch(
                    """SELECT count(*) OVER (ORDER BY queue_seq) AS p FROM registrations
                    WHERE status = 'waitlisted' ORDER BY queue_seq"""
                )
            ]
    finally:
        await pool.close()

    promoted_mails = [m for m in smtp.sink.messages if "plass" in m.message["Subject"]]
    assert set(first_waitlisted) <= now_confirmed
    assert len(now_confirmed) == 20
    assert sorted(m.rcpt_tos[0] for m in promoted_mails) == sorted(first_waitlisted)
    assert remaining_positions == list(range(1, 11))


async def test_idempotency_key_sent_20_times_at_once_registers_once(
    client: Client, make_event: MakeEvent, database_url: str
) -> None:
    await make_event(slug="idem", capacity=5)
    body = {"name": "Kari Nordmann", "email": "kari@example.no", "accept_privacy": True}

    responses = await asyncio.gather(
        *(
            client.post("/api/v1/events/idem/registrations", json=body, headers={"Idempotency-Key": "same-key-1"})
            for _ in range(20)
        )
    )

    conn: asyncpg.Connection = await db.connect(database_url)
    try:
        count = await conn.fetchval("SELECT count(*) FROM registrations")
    finally:
        await conn.close()
    ok = [r for r in responses if r.status_code == 201]
    assert count == 1
    assert all(r.status_code in (201, 409) for r in responses)
    assert {r.json()["id"] for r in ok} == {ok[0].json()["id"]}
    assert {r.json()["code"] for r in responses if r.status_code == 409} <= {"idempotency_key_in_flight"}


_ = auth
