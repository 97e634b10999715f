"""The PostgreSQL-backed job queue (a transactional outbox) and its worker.

Workers poll (every JOB_POLL_SECONDS, 0.25 s by default) and also wake on NOTIFY `moteplass_jobs` for
callers that want immediate delivery (`enqueue(..., notify=True)`). Registrations do not notify: a
NOTIFY serialises committing transactions on a global queue lock and cost a quarter of the throughput.

A job row is inserted in the same transaction as the change that causes it, so a committed change always
gets its side effect and a rolled-back one never does. Workers in any number of processes claim ready jobs
with `FOR UPDATE SKIP LOCKED` and a lease: a worker that dies mid-job leaves a job whose lease runs out and
another worker takes it. Failures are retried with exponential backoff and jitter; after `max_attempts`
the job is dead (visible with `moteplass jobs`). Delivery is at least once, so handlers make their effect
idempotent with a dedupe key per effect.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import traceback
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

log = logging.getLogger(__name__)

CHANNEL = "moteplass_jobs"

ENQUEUE = """
INSERT INTO jobs (kind, payload, dedupe_key, run_after, max_attempts)
VALUES ($1, $2, $3, coalesce($4, now()), $5)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id
"""
# The same, waking the workers in the same statement (one round trip): only when a job was added.
ENQUEUE_AND_NOTIFY = f"WITH job AS ({ENQUEUE}) SELECT id, pg_notify('{CHANNEL}', '') FROM job"

CLAIM = """
UPDATE jobs
   SET locked_until = now() + make_interval(secs => $2), locked_by = $3, attempts = attempts + 1
 WHERE id IN (
        SELECT id FROM jobs
         WHERE done_at IS NULL AND dead_at IS NULL AND run_after <= now()
           AND (locked_until IS NULL OR locked_until < now())
         ORDER BY run_after, id
         FOR UPDATE SKIP LOCKED
         LIMIT $1)
RETURNING id, kind, payload, attempts, max_attempts
"""

COMPLETE = """
UPDATE jobs SET done_at = now(), locked_until = NULL, last_error = NULL, result = $3
 WHERE id = $1 AND locked_by = $2
"""

POSTPONE = """
UPDATE jobs
   SET locked_until = NULL, attempts = attempts - 1, last_error = $3, run_after = now() + make_interval(secs => $4)
 WHERE id = $1 AND locked_by = $2
"""

FAIL = """
UPDATE jobs
   SET locked_until = NULL,
       last_error = $3,
       dead_at = CASE WHEN attempts >= max_attempts THEN now() END,
       run_after = now() + make_interval(secs => $4)
 WHERE id = $1 AND locked_by = $2
RETURNING dead_at IS NOT NULL AS dead
"""

# Personal data of events that ended more than the retention period ago goes (registrations cascade to
# their history and ticket images); the events themselves stay, with their counts gone.
ERASE_PAST_ATTENDEES = """
DELETE FROM registrations r USING events e
 WHERE r.event_id = e.id AND e.ends_at < now() - make_interval(days => $1)
"""

PRUNE = """
WITH old_jobs AS (
    DELETE FROM jobs WHERE done_at < now() - interval '7 days' RETURNING 1
), old_keys AS (
    DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours' RETURNING 1
), old_windows AS (
    DELETE FROM rate_limit_counts WHERE window_ends_at < now() RETURNING 1
)
SELECT (SELECT count(*) FROM old_jobs) AS jobs, (SELECT count(*) FROM old_keys) AS keys,
       (SELECT count(*) FROM old_windows) AS rate_windows
"""

DEFAULT_MAX_ATTEMPTS = 8


async def enqueue(
    conn: asyncpg.Connection,
    kind: str,
    payload: Mapping[str, Any] | None = None,
    *,
    dedupe_key: str | None = None,
    run_after: datetime | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    notify: bool = False,
) -> int | None:
    """Add a job in the caller's transaction; None when a job with this dedupe_key already exists."""
    statement = ENQUEUE_AND_NOTIFY if notify else ENQUEUE
    result: int | None = await conn.fetchval(statement, kind, dict(payload or {}), dedupe_key, run_after, max_attempts)
    return result


def backoff_seconds(attempt: int, *, cap: float = 3600.0) -> float:
    """2^attempt seconds (capped), with ±50 % jitter so failing jobs do not retry in lockstep."""
    base: float = min(2.0**attempt, cap)
    return base * random.uniform(0.5, 1.5)


class PermanentError(Exception):
    """A handler raises this when retrying cannot help; the job goes dead at once."""


class RetryLater(Exception):
    """A handler raises this when it was asked to wait (a rate limit): the job runs again after `seconds`,
    and the attempt does not count towards going dead."""

    def __init__(self, seconds: float, reason: str = "") -> None:
        super().__init__(f"retry in {seconds:.1f} s" + (f": {reason}" if reason else ""))
        self.seconds = max(float(seconds), 0.0)


@dataclass
class Job:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


Handler = Callable[[Any, Job], Awaitable[Mapping[str, Any] | None]]


@dataclass
class Worker:
    """Claims and runs jobs. `context` is handed to every handler (pool, settings, mailer, ...)."""

    pool: asyncpg.Pool
    handlers: Mapping[str, Handler]
    context: Any
    lease_seconds: int = 60
    poll_seconds: float = 1.0
    batch_size: int = 20
    retention_days: int = 180
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{random.getrandbits(24):06x}")

    async def run_once(self) -> int:
        """Claim one batch of ready jobs and run them; returns how many were claimed."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(CLAIM, self.batch_size, self.lease_seconds, self.name)
        jobs = [Job(r["id"], r["kind"], r["payload"], r["attempts"], r["max_attempts"]) for r in rows]
        await asyncio.gather(*(self._run(job) for job in jobs))
        return len(jobs)

    async def _run(self, job: Job) -> None:
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise PermanentError(f"no handler for job kind {job.kind!r}")
            result = await handler(self.context, job)
        except RetryLater as exc:
            async with self.pool.acquire() as conn:
                await conn.execute(POSTPONE, job.id, self.name, str(exc), exc.seconds)
            log.info("job postponed", extra={"job_id": job.id, "kind": job.kind, "seconds": exc.seconds})
            return
        except Exception as exc:
            permanent = isinstance(exc, PermanentError)
            detail = "".join(traceback.format_exception_only(exc)).strip()[:2000]
            async with self.pool.acquire() as conn:
                if permanent:
                    await conn.execute("UPDATE jobs SET max_attempts = attempts WHERE id = $1", job.id)
                dead = await conn.fetchval(FAIL, job.id, self.name, detail, backoff_seconds(job.attempts))
            level = logging.ERROR if dead else logging.WARNING
            log.log(level, "job failed", extra={"job_id": job.id, "kind": job.kind, "dead": dead, "error": detail})
            return
        async with self.pool.acquire() as conn:
            await conn.execute(COMPLETE, job.id, self.name, dict(result) if result else None)

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set: wake on NOTIFY at commit, poll as a fallback, prune old rows hourly."""
        wake = asyncio.Event()
        listener = await self.pool.acquire()

        def on_notify(*_: object) -> None:
            wake.set()

        await listener.add_listener(CHANNEL, on_notify)
        last_prune = float("-inf")  # prune once at start, then hourly
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                try:
                    claimed = await self.run_once()
                except (OSError, asyncpg.PostgresError) as exc:
                    log.warning("worker could not claim jobs: %s", exc)
                    claimed = 0
                    await asyncio.sleep(self.poll_seconds)
                if loop.time() - last_prune > 3600:
                    await self.prune()
                    last_prune = loop.time()
                if claimed:
                    continue
                wake.clear()
                stop_wait = asyncio.ensure_future(stop.wait())
                wake_wait = asyncio.ensure_future(wake.wait())
                await asyncio.wait(
                    {stop_wait, wake_wait}, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED
                )
                for task in (stop_wait, wake_wait):
                    task.cancel()
        finally:
            await listener.remove_listener(CHANNEL, on_notify)
            await listener.execute("UNLISTEN *")  # pooled connections are not reset on release
            await self.pool.release(listener)

    async def prune(self) -> None:
        """Drop finished jobs after a week, idempotency keys after a day, rate-limit windows once they ended,
        attendees after the retention period."""
        async with self.pool.acquire() as conn:
            await conn.fetchrow(PRUNE)
            erased = await conn.execute(ERASE_PAST_ATTENDEES, self.retention_days)
        if erased != "DELETE 0":
            log.info("erased personal data of past events", extra={"result": erased})
