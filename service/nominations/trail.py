"""A prize's audit trail: every decision its organisers and jury take, and every list downloaded, written
through the one audit insert (service/audit.py) with the prize and the call in the entry, so the prize's
console page finds them (by `prize_id`) whether or not the call is awarded at an event. Entries name
nominations by id and number, never by the nominee's or nominator's name: the retention purge removes those
from the nominations, and the audit log must not keep a copy."""

from __future__ import annotations

from typing import Any

import asyncpg

from .. import audit
from .schemas import Call, Prize


async def record_call(conn: asyncpg.Connection, action: str, *, call: Call, actor: str, **data: Any) -> None:
    """One entry about a call (its jury, scores, decisions, downloads), in the caller's transaction."""
    await audit.record(
        conn,
        action,
        actor=actor,
        event_id=call.event_id,
        data={"prize_id": str(call.prize_id), "call_id": str(call.id), "year": call.year, **data},
    )


async def record_prize(conn: asyncpg.Connection, action: str, *, prize: Prize, actor: str, **data: Any) -> None:
    """One entry about a prize as a whole (created, its organisers)."""
    await audit.record(conn, action, actor=actor, event_id=None, data={"prize_id": str(prize.id), **data})
