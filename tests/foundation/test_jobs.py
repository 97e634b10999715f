"""The job queue against the real database, and real worker processes killed mid-job."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from service import db
from service.jobs import BULK, CLAIM, Handler, Job, PermanentError, Worker, enqueue, enqueue_many
from service.privacy import retention
from service.settings import PROJECT_ROOT
from tests.conftest import SECRET, Client, MakeEvent
from tests.smtp import SmtpServer

NO_HANDLER = "service.jobs.PermanentError: no handler for job kind 'no.such.kind'"


def recording(calls: list[int], *, fail_times: int = 0, permanent: bool = False) -> Handler:
    async def handler(context: Any, job: Job) -> dict[str, Any]:
        calls.append(job.id)
        if permanent:
            raise PermanentError("cannot ever work")
        if len(calls) <= fail_times:
            raise RuntimeError(f"failure {len(calls)}")
        return {"ok": True}

    return handler


async def job_row(conn: asyncpg.Connection, job_id: int | None) -> dict[str, Any]:
    return dict(await conn.fetchrow("SELECT * FROM jobs WHERE id = $1", job_id))


async def test_job_in_rolled_back_transaction_never_runs(conn: asyncpg.Connection, pool: asyncpg.Pool) -> None:
    calls: list[int] = []
    worker = Worker(pool, {"test.record": recording(calls)}, context=None)

    transaction = conn.transaction()
    await transaction.start()
    await enqueue(conn, "test.record", {"n": 1})
    await transaction.rollback()
    claimed = await worker.run_once()

    assert (claimed, calls) == (0, [])
    assert await conn.fetchval("SELECT count(*) FROM jobs") == 0


async def test_committed_job_runs_exactly_once_with_two_workers_racing(
    conn: asyncpg.Connection, pool: asyncpg.Pool
) -> None:
    calls: list[int] = []
    handlers = {"test.record": recording(calls)}
    async with conn.transaction():
        ids = [await enqueue(conn, "test.record", {"n": n}) for n in range(30)]
    workers = [Worker(pool, handlers, context=None, batch_size=4) for _ in range(2)]

    async def drain(worker: Worker) -> None:
        while await worker.run_once():
            pass

    await asyncio.gather(*(drain(w) for w in workers))

    assert None not in ids  # no dedupe key: every job is new
    assert sorted(calls) == sorted(job_id for job_id in ids if job_id is not None)
    assert await conn.fetchval("SELECT count(*) FROM jobs WHERE done_at IS NOT NULL AND attempts = 1") == 30


async def test_claim_takes_at_most_a_batch_when_the_planner_rescans_the_pick(conn: asyncpg.Connection) -> None:
    ids = [await enqueue(conn, "test.record", {"n": n}) for n in range(60)]
    # The plan the planner chose right after a fan-out of 20,000 jobs (statistics not caught up): a nested loop
    # that runs the pick again for every row; SKIP LOCKED then skips the rows just updated and picks more.
    async with conn.transaction():
        for setting in ("enable_hashagg", "enable_sort", "enable_hashjoin", "enable_mergejoin", "enable_material"):
            await conn.execute(f"SET LOCAL {setting} = off")

        claimed = await conn.fetch(CLAIM, 10, 60.0, "worker-a")

    locked = await conn.fetchval("SELECT count(*) FROM jobs WHERE locked_by = 'worker-a'")
    assert (sorted(row["id"] for row in claimed), locked) == (ids[:10], 10)


async def test_a_job_one_person_waits_for_goes_before_a_fan_out_queued_earlier(
    conn: asyncpg.Connection, pool: asyncpg.Pool
) -> None:
    calls: list[int] = []
    worker = Worker(pool, {"test.record": recording(calls)}, context=None, batch_size=3)
    await enqueue_many(conn, "test.record", [({"n": n}, f"bulk:{n}") for n in range(7)])
    bulk = [row["id"] for row in await conn.fetch("SELECT id FROM jobs ORDER BY id")]
    waited_for = await enqueue(conn, "test.record", {"n": "confirmation"})
    later_bulk = await enqueue(conn, "test.record", {"n": "late"}, priority=BULK)

    batches = []
    while await worker.run_once():
        batches.append(sorted(calls))
        calls.clear()

    # Its own batch first; then the fan-out in the order it was queued, the late bulk job last.
    assert batches == [sorted([waited_for, *bulk[:2]]), bulk[2:5], sorted([*bulk[5:], later_bulk])]


async def test_failing_job_backs_off_records_error_and_goes_dead(conn: asyncpg.Connection, pool: asyncpg.Pool) -> None:
    calls: list[int] = []
    worker = Worker(pool, {"test.record": recording(calls, fail_times=99)}, context=None)
    job_id = await enqueue(conn, "test.record", {}, max_attempts=3)

    await worker.run_once()
    first = await job_row(conn, job_id)
    delay = first["run_after"] - await conn.fetchval("SELECT now()")
    for _attempt in (2, 3):
        await conn.execute("UPDATE jobs SET run_after = now() WHERE id = $1", job_id)
        await worker.run_once()
    dead = await job_row(conn, job_id)

    assert (first["attempts"], first["last_error"], first["dead_at"]) == (1, "RuntimeError: failure 1", None)
    assert timedelta(seconds=7.9) < delay < timedelta(seconds=12.1)  # the schedule's first step, 10 s ± 20 %
    assert (dead["attempts"], dead["last_error"], dead["done_at"]) == (3, "RuntimeError: failure 3", None)
    assert dead["dead_at"] is not None
    assert len(calls) == 3


async def test_permanent_error_goes_dead_at_once(conn: asyncpg.Connection, pool: asyncpg.Pool) -> None:
    calls: list[int] = []
    worker = Worker(pool, {"test.record": recording(calls, permanent=True)}, context=None)
    job_id = await enqueue(conn, "test.record", {})

    await worker.run_once()

    row = await job_row(conn, job_id)
    assert (row["attempts"], row["dead_at"] is not None, row["last_error"]) == (
        1,
        True,
        "service.jobs.PermanentError: cannot ever work",
    )


async def test_unknown_kind_is_dead_not_lost(conn: asyncpg.Connection, pool: asyncpg.Pool) -> None:
    job_id = await enqueue(conn, "no.such.kind", {})

    await Worker(pool, {}, context=None).run_once()

    row = await job_row(conn, job_id)
    assert (row["dead_at"] is not None, row["last_error"]) == (
        True,
        NO_HANDLER,
    )


async def test_dedupe_key_makes_second_enqueue_a_no_op(conn: asyncpg.Connection) -> None:
    first = await enqueue(conn, "test.record", {"n": 1}, dedupe_key="mail:kari:confirmed")
    second = await enqueue(conn, "test.record", {"n": 2}, dedupe_key="mail:kari:confirmed")

    assert first is not None
    assert second is None
    assert await conn.fetchval("SELECT count(*) FROM jobs") == 1


def start_worker(database_url: str, smtp_url: str, **settings: str) -> subprocess.Popen[bytes]:
    """`moteplass worker` as its own process against `database_url`; `settings` add or override environment."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMTP_URL": smtp_url,
        "SECRET_KEY": SECRET,
        "BASE_URL": "http://testserver.local",
        "JOB_LEASE_SECONDS": "2",
        "JOB_POLL_SECONDS": "0.1",
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
async def test_worker_killed_mid_job_leaves_it_for_another_worker_which_completes_it_once(
    database_url: str, conn: asyncpg.Connection
) -> None:
    smtp = SmtpServer()
    smtp.sink.delay_first = 30  # the first delivery hangs inside DATA until the worker is killed
    smtp.start()
    job_id = await enqueue(conn, "mail.send", {"to": "kari@example.no", "subject": "Velkommen", "text": "Hei"})
    first = start_worker(database_url, smtp.url)
    second = None
    try:
        deadline = time.monotonic() + 20
        while not smtp.sink._stalled and time.monotonic() < deadline:  # noqa: ASYNC110 - another thread
            await asyncio.sleep(0.05)
        assert smtp.sink._stalled, "the first worker never reached the SMTP server"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        smtp.sink.delay_first = 0

        second = start_worker(database_url, smtp.url)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            row = await job_row(conn, job_id)
            if row["done_at"] is not None:
                break
            await asyncio.sleep(0.1)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
        smtp.stop()

    row = await job_row(conn, job_id)
    assert row["done_at"] is not None
    assert row["attempts"] == 2
    assert [m.rcpt_tos for m in smtp.sink.messages] == [["kari@example.no"]]
    assert smtp.sink.messages[0].message["Subject"] == "Velkommen"


_ = db


async def test_prune_erases_attendees_of_events_past_retention_and_old_keys(
    conn: asyncpg.Connection, pool: asyncpg.Pool, client: Client, make_event: MakeEvent
) -> None:
    await make_event(
        slug="old",
        starts_at="2020-06-10T09:00:00+02:00",
        ends_at="2020-06-10T16:00:00+02:00",
        registration_opens_at=None,
        registration_closes_at=None,
    )
    await make_event(slug="new")
    await conn.execute(
        """INSERT INTO registrations (event_id, status, name, email, email_norm, privacy_accepted_at)
           SELECT id, 'confirmed', 'Kari', 'kari@example.no', 'kari@example.no', now() FROM events"""
    )
    await conn.execute(
        """INSERT INTO idempotency_keys (principal, key, request_hash, status_code, body, created_at)
           VALUES ('p', 'old', '\\x00', 201, '\\x00', now() - interval '25 hours'),
                  ('p', 'new', '\\x00', 201, '\\x00', now())"""
    )

    await Worker(pool, {}, context=None, purge=retention.purger(180, lambda: datetime.now(UTC))).prune()

    kept = await conn.fetch("SELECT e.slug FROM registrations r JOIN events e ON e.id = r.event_id")
    assert [r["slug"] for r in kept] == ["new"]
    assert [r["key"] for r in await conn.fetch("SELECT key FROM idempotency_keys")] == ["new"]
    assert await conn.fetchval("SELECT count(*) FROM events") == 2
