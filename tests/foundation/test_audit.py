"""service.audit.record: the one way an audit entry is written."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from service import audit
from tests.conftest import MakeEvent

T0 = datetime(2027, 6, 10, 9, 0, tzinfo=UTC)


async def test_record_writes_the_entry_with_the_time_given(conn: asyncpg.Connection, make_event: MakeEvent) -> None:
    event = await make_event(slug="kk")

    await audit.record(
        conn,
        "event.changed",
        actor="user:kari@example.no",
        event_id=UUID(event["id"]),
        data={"fields": ["title"]},
        at=T0,
    )

    row = await conn.fetchrow(
        "SELECT at, actor, event_id::text, action, data FROM audit_log WHERE action = 'event.changed'"
    )
    assert dict(row) == {
        "at": T0,
        "actor": "user:kari@example.no",
        "event_id": event["id"],
        "action": "event.changed",
        "data": {"fields": ["title"]},
    }


async def test_record_without_a_time_takes_the_transaction_time_and_no_event(conn: asyncpg.Connection) -> None:
    async with conn.transaction():
        await audit.record(conn, "jobs.requeued", actor="user:admin@example.no", event_id=None, data={"count": 2})
        now = await conn.fetchval("SELECT now()")

    row = await conn.fetchrow("SELECT at, event_id, data FROM audit_log WHERE action = 'jobs.requeued'")
    assert dict(row) == {"at": now, "event_id": None, "data": {"count": 2}}


async def test_record_rolls_back_with_the_change_it_records(conn: asyncpg.Connection) -> None:
    transaction = conn.transaction()
    await transaction.start()
    await audit.record(conn, "series.created", actor="user:per@example.no", event_id=None, data={"series": "intro"})
    await transaction.rollback()

    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'series.created'") == 0
