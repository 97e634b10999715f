"""The retention purge: personal data goes on time, and every run says in the audit log what went."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import asyncpg

from . import queries

ACTOR = "system:retention"
ACTION = "privacy.purged"


async def purge(conn: asyncpg.Connection, *, now: datetime, default_days: int) -> dict[str, int]:
    """Remove what is kept no longer (see the statements in queries.py) in one transaction and write one
    audit entry with the counts; returns the counts. Idempotent: a second run finds nothing more."""
    async with conn.transaction():
        counts = {
            "registrations": queries.count_of(await conn.execute(queries.PURGE_REGISTRATIONS, now, default_days)),
            "nominations": queries.count_of(await conn.execute(queries.PURGE_NOMINATIONS, now, default_days)),
            "winners_kept_as_history": queries.count_of(await conn.execute(queries.STRIP_WINNERS, now, default_days)),
            "sign_in_failures": queries.count_of(await conn.execute(queries.PURGE_SIGN_IN_FAILURES, now)),
            "expired_sessions": queries.count_of(await conn.execute(queries.PURGE_SESSIONS, now)),
            "password_links": queries.count_of(await conn.execute(queries.PURGE_PASSWORD_LINKS, now)),
            "finished_jobs": queries.count_of(await conn.execute(queries.PURGE_DONE_JOBS, now))
            + queries.count_of(await conn.execute(queries.PURGE_DEAD_JOBS, now)),
            "job_payloads_scrubbed": queries.count_of(await conn.execute(queries.SCRUB_DONE_PAYLOADS)),
            "idempotency_records": queries.count_of(await conn.execute(queries.PURGE_IDEMPOTENCY_KEYS, now)),
        }
        counts["winner_scores"] = int(await conn.fetchval(queries.STRIP_WINNER_SCORES, now))
        await queries.audit(
            conn, at=now, actor=ACTOR, action=ACTION, data={"default_retention_days": default_days, **counts}
        )
    return counts


def purger(
    default_days: int, clock: Callable[[], datetime]
) -> Callable[[asyncpg.Connection], Awaitable[dict[str, int]]]:
    """The purge as the worker runs it: with the RETENTION_DAYS setting and the worker's clock."""

    async def run(conn: asyncpg.Connection) -> dict[str, int]:
        return await purge(conn, now=clock(), default_days=default_days)

    return run
