"""Job workers around faults: killed mid-batch, stopped with jobs running, an SMTP relay that is away for a
while, dead jobs put back by the command."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import asyncpg

from integrations.mail import SmtpMailer
from service.jobcontext import JobContext
from service.jobs import RETRY_SCHEDULE, Worker, enqueue
from service.settings import PROJECT_ROOT, Settings
from service.worker import handlers
from tests.conftest import Clock
from tests.foundation.test_jobs import start_worker as start_worker_process
from tests.smtp import SmtpServer


def start_worker(database_url: str, smtp_url: str, **settings: str) -> subprocess.Popen[bytes]:
    return start_worker_process(database_url, smtp_url, **{"JOB_LEASE_SECONDS": "3", **settings})


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.kill()
        process.wait(timeout=10)


async def queue_mails(conn: asyncpg.Connection, count: int) -> list[int]:
    async with conn.transaction():
        queued = [
            await enqueue(
                conn,
                "mail.send",
                {"to": f"p{n}@example.no", "subject": f"Mail {n}", "text": "Hei", "message_id": f"<m{n}@moteplass>"},
            )
            for n in range(count)
        ]
    assert None not in queued  # no dedupe key: every job is new
    return [job_id for job_id in queued if job_id is not None]


async def wait_until(predicate: Callable[[], Awaitable[bool]], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_worker_killed_mid_batch_its_jobs_run_again_within_seconds(
    database_url: str, conn: asyncpg.Connection
) -> None:
    smtp = SmtpServer()
    smtp.sink.delay_each = 1.5  # each mail takes a while, so a batch is inside DATA when the worker dies
    smtp.start()
    await queue_mails(conn, 40)
    first = start_worker(database_url, smtp.url, WORKER_CONCURRENCY="10")
    second = None
    try:
        # The first batch of ten is accepted and the second is inside DATA: kill the worker now.
        in_data = lambda: _async(len(smtp.sink.messages) == 10 and smtp.sink.data_started == 20)  # noqa: E731
        assert await wait_until(in_data, 60), (len(smtp.sink.messages), smtp.sink.data_started)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
        orphaned = await conn.fetchval("SELECT count(*) FROM jobs WHERE done_at IS NULL AND locked_until IS NOT NULL")
        second = start_worker(database_url, smtp.url, WORKER_CONCURRENCY="10")

        async def taken_over() -> bool:
            taken: int = await conn.fetchval("SELECT count(*) FROM jobs WHERE attempts = 2")
            return taken >= 10

        assert await wait_until(taken_over, 20), "the killed worker's jobs were not taken over"
        taken_over_in = time.monotonic() - killed_at

        async def all_done() -> bool:
            left: int = await conn.fetchval("SELECT count(*) FROM jobs WHERE done_at IS NULL")
            return left == 0

        assert await wait_until(all_done, 60), "the second worker did not finish the queue"
    finally:
        stop(first)
        stop(second)
        smtp.stop()

    ids = [m.message["Message-ID"] for m in smtp.sink.messages]
    duplicates = len(ids) - len(set(ids))
    print(f"\nworker kill: {orphaned} jobs in flight, {duplicates} sent twice, taken over {taken_over_in:.1f} s after")
    assert orphaned == 10
    assert taken_over_in < 3 + 2  # the lease (JOB_LEASE_SECONDS=3) and a poll, not a minute
    assert set(ids) == {f"<m{n}@moteplass>" for n in range(40)}
    assert duplicates == 0  # the mails in DATA were never accepted; each accepted one was marked done at once
    assert await conn.fetchval("SELECT count(*) FROM jobs WHERE dead_at IS NOT NULL") == 0


async def _async(value: bool) -> bool:
    return value


async def test_worker_stopped_gives_back_unfinished_jobs_at_once(database_url: str, conn: asyncpg.Connection) -> None:
    smtp = SmtpServer()
    smtp.sink.delay_each = 30  # a relay that hangs: the jobs cannot finish within the grace period
    smtp.start()
    await queue_mails(conn, 3)
    worker = start_worker(database_url, smtp.url, WORKER_STOP_GRACE="1", JOB_LEASE_SECONDS="60")
    try:

        async def claimed() -> bool:
            locked: int = await conn.fetchval("SELECT count(*) FROM jobs WHERE locked_by IS NOT NULL")
            return locked == 3

        assert await wait_until(claimed, 30)
        await asyncio.sleep(0.5)  # the mails are inside DATA now
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        await asyncio.to_thread(worker.wait, 20)
        stopped_in = time.monotonic() - started
    finally:
        stop(worker)
        smtp.stop()

    rows = await conn.fetch("SELECT locked_by, locked_until, attempts, done_at FROM jobs ORDER BY id")
    assert stopped_in < 5
    assert [tuple(r) for r in rows] == [(None, None, 0, None)] * 3  # back in the queue, the attempt not counted


async def test_smtp_down_for_a_while_then_back_delivers_all_within_seconds_none_dead(
    pool: asyncpg.Pool, conn: asyncpg.Connection, settings: Settings, clock: Clock
) -> None:
    smtp = SmtpServer()  # not started yet: the relay is down
    mailer = SmtpMailer(smtp.url, settings.mail_from)
    context = JobContext(pool=pool, settings=settings, mailer=mailer, clock=clock)
    # FAULTS_SMTP_OUTAGE=600 runs the real schedule through a ten-minute outage (the figure in the issue's
    # table); the suite runs a short schedule through a short one.
    outage = float(os.environ.get("FAULTS_SMTP_OUTAGE", "4"))
    schedule = RETRY_SCHEDULE if outage >= 60 else (0.2, 0.5, 1.0)
    worker = Worker(pool, handlers(), context, lease_seconds=5, poll_seconds=0.05, retry_schedule=schedule)
    await queue_mails(conn, 20)
    stopping = asyncio.Event()
    running = asyncio.ensure_future(worker.run(stopping))
    try:
        await asyncio.sleep(outage)  # rounds of retries while the relay is away
        failed_tries = await conn.fetchval("SELECT sum(attempts) FROM jobs")
        smtp.start()
        back = time.monotonic()

        async def delivered() -> bool:
            return len(smtp.sink.messages) >= 20

        assert await wait_until(delivered, 10 if outage < 60 else 40)
        drained_in = time.monotonic() - back
    finally:
        stopping.set()
        await running
        await mailer.close()
        smtp.stop()

    ids = sorted(m.message["Message-ID"] for m in smtp.sink.messages)
    print(f"\nSMTP away {outage:g} s: {failed_tries} failed tries, drained {drained_in:.2f} s after it came back")
    assert ids == sorted(f"<m{n}@moteplass>" for n in range(20))
    assert failed_tries >= 20 * 3
    assert drained_in < (2.5 if outage < 60 else worker.probe_seconds + 5)  # woken, not each at its own time
    assert await conn.fetchval("SELECT count(*) FROM jobs WHERE dead_at IS NOT NULL") == 0


async def test_dead_jobs_requeued_by_the_command_are_delivered(
    database_url: str, conn: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings, clock: Clock, smtp: SmtpServer
) -> None:
    [job_id] = await queue_mails(conn, 1)
    await conn.execute("UPDATE jobs SET dead_at = now(), attempts = 9, last_error = 'relay gone' WHERE id = $1", job_id)

    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "jobs", "requeue", "--dead", "--kind", "mail.send"],
        env={**os.environ, "DATABASE_URL": database_url},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    async with SmtpMailer(smtp.url, settings.mail_from) as mailer:
        context = JobContext(pool=pool, settings=settings, mailer=mailer, clock=clock)
        claimed = await Worker(pool, handlers(), context).run_once()

    assert (result.returncode, result.stdout.strip()) == (0, "requeued 1 dead jobs of kind mail.send")
    assert claimed == 1
    row = await conn.fetchrow("SELECT dead_at, done_at IS NOT NULL AS done, attempts FROM jobs WHERE id = $1", job_id)
    assert (row["dead_at"], row["done"], row["attempts"]) == (None, True, 1)
    assert [m.message["Message-ID"] for m in smtp.sink.messages] == ["<m0@moteplass>"]
