"""The database goes away under a registration load: every answer is 201 or 503 with Retry-After, every 201 is
stored, nothing is oversold, /readyz says so meanwhile, and the service recovers without a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import httpx

from service import db
from tests.faults.conftest import (
    Outcome,
    PrivatePostgres,
    open_event,
    prepared_database,
    registration_load,
    start_server,
    stop_server,
    until,
)


async def readyz(url: str) -> int:
    async with httpx.AsyncClient(timeout=10) as client:
        return (await client.get(f"{url}/readyz")).status_code


async def stored_ids(database_url: str, slug: str) -> tuple[set[str], int, int]:
    conn = await db.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT r.id::text, r.status FROM registrations r JOIN events e ON e.id = r.event_id WHERE e.slug = $1",
            slug,
        )
        capacity = await conn.fetchval("SELECT capacity FROM events WHERE slug = $1", slug)
    finally:
        await conn.close()
    return {r["id"] for r in rows}, sum(r["status"] == "confirmed" for r in rows), capacity


def summary(outcomes: list[Outcome]) -> dict[int | None, int]:
    counts: dict[int | None, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts


async def _outage_under_load(private_pg: PrivatePostgres, tmp_path: Path, mode: str) -> None:
    database_url, token = await prepared_database(private_pg)
    app = start_server(database_url, tmp_path)
    outcomes: list[Outcome] = []
    finished = asyncio.Event()
    try:
        await open_event(app, token, capacity=150)
        load = asyncio.ensure_future(
            registration_load(app.url, "fault-2027", clients=8, seconds=90, outcomes=outcomes, stop=finished)
        )

        def created() -> int:
            return sum(o.status == 201 for o in outcomes)

        assert await until(lambda: created() >= 10, 30), summary(outcomes)
        await asyncio.to_thread(private_pg.stop, mode)
        before_restart = len(outcomes)
        await asyncio.sleep(1.0)
        during = await readyz(app.url)
        await asyncio.sleep(1.0)
        await asyncio.to_thread(private_pg.start)
        restarted = created()
        assert await until(lambda: created() >= restarted + 10, 30), summary(outcomes)  # recovered, no restart
        finished.set()
        await load
        log = app.log_text()
    finally:
        finished.set()
        stop_server(app)

    ids, confirmed, capacity = await stored_ids(database_url, "fault-2027")
    statuses = summary(outcomes)
    answered_201 = {o.registration_id for o in outcomes if o.status == 201}
    assert set(statuses) <= {201, 503}, statuses
    assert 503 in summary(outcomes[before_restart:]), statuses
    assert all(o.retry_after == "5" for o in outcomes if o.status == 503)
    assert answered_201 <= ids  # every 201 is stored
    assert confirmed <= capacity
    assert during == 503
    assert '"unhandled error"' not in log


async def test_database_stopped_under_load_answers_503_and_recovers(
    private_pg: PrivatePostgres, tmp_path: Path
) -> None:
    await _outage_under_load(private_pg, tmp_path, "fast")


async def test_database_crashed_under_load_answers_503_and_recovers(
    private_pg: PrivatePostgres, tmp_path: Path
) -> None:
    await _outage_under_load(private_pg, tmp_path, "immediate")


async def test_paused_database_answers_503_within_the_request_budget(
    private_pg: PrivatePostgres, tmp_path: Path
) -> None:
    database_url, token = await prepared_database(private_pg)
    app = start_server(database_url, tmp_path, REQUEST_TIMEOUT="3")
    try:
        await open_event(app, token)
        warm = await registration_load(app.url, "fault-2027", clients=4, seconds=1)
        private_pg.pause()
        try:
            paused = await registration_load(app.url, "fault-2027", clients=4, seconds=4)
        finally:
            private_pg.resume()
        after = await registration_load(app.url, "fault-2027", clients=2, seconds=2)
    finally:
        stop_server(app)

    assert 201 in summary(warm)
    assert set(summary(paused)) == {503}, summary(paused)
    assert max(o.seconds for o in paused) < 3 + 1.0  # the budget, plus the answer's own way back
    assert 201 in summary(after)


async def test_a_pooled_connection_lost_between_statements_counts_as_unavailable(database_url: str) -> None:
    """The server ends a pooled connection that a request holds between two statements: asyncpg gives it back to
    the pool at once and the request's next statement raises InterfaceError ("released back to the pool"). That
    is the database going away (503), while an InterfaceError of our own misuse stays a 500."""
    pool = await db.create_pool(database_url, size=2)
    try:
        async with pool.acquire() as held:
            pid = await held.fetchval("SELECT pg_backend_pid()")
            async with pool.acquire() as other:
                await other.execute("SELECT pg_terminate_backend($1)", pid)
            # asyncpg notices the closed socket on its next read of the loop; the proxy is then detached.
            assert await until(lambda: getattr(held, "_con", None) is None, 5)
            try:
                await held.fetchval("SELECT 1")
            except Exception as error:
                lost = error
            else:
                raise AssertionError("a terminated connection answered")
        assert isinstance(lost, asyncpg.InterfaceError)
        assert "released back to the pool" in str(lost)
        assert db.is_unavailable(lost)
        assert not db.is_unavailable(
            asyncpg.InterfaceError("cannot perform operation: another operation is in progress")
        )
    finally:
        await pool.close()
