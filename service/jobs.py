"""The PostgreSQL-backed job queue (a transactional outbox) and its worker.

Workers poll (every JOB_POLL_SECONDS, 0.25 s by default) and also wake on NOTIFY `moteplass_jobs` for
callers that want immediate delivery (`enqueue(..., notify=True)`). Registrations do not notify: a
NOTIFY serialises committing transactions on a global queue lock and cost a quarter of the throughput.

A job row is inserted in the same transaction as the change that causes it, so a committed change always
gets its side effect and a rolled-back one never does. Workers in any number of processes claim ready jobs
with `FOR UPDATE SKIP LOCKED` and a lease: a worker that dies mid-job leaves a job whose lease runs out and
another worker takes it; while a job runs, its worker renews the lease every third of it (a heartbeat), so
leases can be short and a killed worker's jobs are taken over within seconds. Failures are retried on a capped
schedule (10 s, 30 s, 1 min, 2 min, 5 min, then every 10 min, with jitter) until the job is older than
`max_age` (24 hours by default: a relay that is down for hours loses no mail) or has used `max_attempts`
(set only by jobs that must give up sooner, e.g. a Slack command); then it is dead, visible with `moteplass
jobs` and in the console, and `moteplass jobs requeue --dead` tries it again. When a job of a kind that has
been failing succeeds (the relay is back), the waiting jobs of that kind are made ready at once, so the queue
drains in seconds instead of at each job's own retry time. Delivery is at least once, so handlers make their
effect idempotent with a dedupe key per effect (and mails keep their Message-ID across retries).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import socket
import traceback
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

log = logging.getLogger(__name__)

CHANNEL = "moteplass_jobs"

ENQUEUE = """
INSERT INTO jobs (kind, payload, dedupe_key, run_after, max_attempts, priority)
VALUES ($1, $2, $3, coalesce($4, now()), $5, $6)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id
"""
# The same, waking the workers in the same statement (one round trip): only when a job was added.
ENQUEUE_AND_NOTIFY = f"WITH job AS ({ENQUEUE}) SELECT id, pg_notify('{CHANNEL}', '') FROM job"  # noqa: S608 - composed from this module's SQL constants

# The ready jobs are picked once, in a materialised CTE: as `WHERE id IN (SELECT … LIMIT $1)` the planner may run
# the subquery again for every row of a nested loop, and with SKIP LOCKED each run skips the rows this statement
# has just updated and picks the next ones, so one claim took thousands of jobs (seen right after a fan-out of
# 20,000 rows, before the table's statistics caught up).
CLAIM = """
WITH picked AS MATERIALIZED (
    SELECT id FROM jobs
     WHERE done_at IS NULL AND dead_at IS NULL AND run_after <= now()
       AND (locked_until IS NULL OR locked_until < now())
     ORDER BY priority, run_after, id
     FOR UPDATE SKIP LOCKED
     LIMIT $1)
UPDATE jobs
   SET locked_until = now() + make_interval(secs => $2), locked_by = $3, attempts = attempts + 1
  FROM picked
 WHERE jobs.id = picked.id
RETURNING jobs.id, kind, payload, attempts, max_attempts, extract(epoch FROM now() - created_at)::float8 AS age
"""

# The lease of every job this worker still runs, renewed (the heartbeat).
RENEW = """
UPDATE jobs SET locked_until = now() + make_interval(secs => $2)
 WHERE locked_by = $1 AND id = ANY($3::bigint[]) AND done_at IS NULL AND dead_at IS NULL
"""

# Jobs a stopping worker did not finish go back to the queue at once (the attempt does not count).
RELEASE = """
UPDATE jobs SET locked_until = NULL, locked_by = NULL, attempts = greatest(attempts - 1, 0)
 WHERE locked_by = $1 AND id = ANY($2::bigint[]) AND done_at IS NULL AND dead_at IS NULL
"""

# A job of a failing kind succeeded: the others of that kind waiting for their next try are ready now.
WAKE_KIND = """
UPDATE jobs SET run_after = now()
 WHERE kind = $1 AND done_at IS NULL AND dead_at IS NULL AND attempts > 0 AND run_after > now()
   AND (locked_until IS NULL OR locked_until < now())
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
       dead_at = CASE WHEN $5 THEN now() END,
       run_after = now() + make_interval(secs => $4)
 WHERE id = $1 AND locked_by = $2
"""

# While a kind keeps failing, one of its waiting jobs is tried early now and then (a probe): when the relay is back,
# its success wakes the rest (WAKE_KIND) instead of everyone waiting out a retry step of up to ten minutes.
PROBE = """
UPDATE jobs SET run_after = now()
 WHERE id = (SELECT id FROM jobs
              WHERE kind = $1 AND done_at IS NULL AND dead_at IS NULL AND attempts > 0 AND run_after > now()
              ORDER BY run_after, id LIMIT 1)
"""

# Dead jobs (or those of one kind) back in the queue: a fresh window of retries from now.
REQUEUE_DEAD = """
UPDATE jobs SET dead_at = NULL, attempts = 0, run_after = now(), locked_until = NULL, created_at = now()
 WHERE dead_at IS NOT NULL AND done_at IS NULL AND ($1::text IS NULL OR kind = $1) AND ($2::bigint IS NULL OR id = $2)
RETURNING id
"""
# Waiting jobs (between retries) made ready now.
REQUEUE_WAITING = """
UPDATE jobs SET run_after = now()
 WHERE dead_at IS NULL AND done_at IS NULL AND run_after > now() AND ($1::text IS NULL OR kind = $1)
   AND (locked_until IS NULL OR locked_until < now())
RETURNING id
"""

# The queue at a glance, per kind: due now (or running), scheduled for later, waiting for a retry, dead; and how long
# the most overdue due job has waited (a growing figure means the workers do not keep up or are stuck).
STATUS_BY_KIND = """
SELECT kind,
       count(*) FILTER (WHERE dead_at IS NULL AND run_after <= now()) AS ready,
       count(*) FILTER (WHERE dead_at IS NULL AND attempts = 0 AND run_after > now()) AS scheduled,
       count(*) FILTER (WHERE dead_at IS NULL AND attempts > 0 AND run_after > now()) AS retrying,
       count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead,
       extract(epoch FROM now() - min(run_after) FILTER (WHERE dead_at IS NULL AND run_after <= now()))::float8
           AS waited_seconds
  FROM jobs WHERE done_at IS NULL
 GROUP BY kind ORDER BY kind
"""
DEAD_JOBS = """
SELECT id, kind, attempts, last_error, created_at, dead_at
  FROM jobs WHERE dead_at IS NOT NULL AND done_at IS NULL
 ORDER BY dead_at DESC, id DESC LIMIT $1
"""

# Rate-limit windows that ended (keyed hashes, no personal data; the retention purge handles that).
PRUNE_RATE_WINDOWS = "DELETE FROM rate_limit_counts WHERE window_ends_at < now()"

# No count limit for ordinary jobs: their age (Worker.max_age) decides when they are dead.
DEFAULT_MAX_ATTEMPTS = 10_000
# Workers take ready jobs by priority (lower first), then first in, first out. A job one person waits for (their
# confirmation, a Slack command's answer, an announcement's report) has the default; a fan-out to many people
# queues its jobs BULK, so a confirmation sent while 20,000 announcement mails wait goes out in seconds, not
# after the last of them.
INTERACTIVE = 0
BULK = 1
RETRY_SCHEDULE = (10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


async def enqueue(
    conn: asyncpg.Connection,
    kind: str,
    payload: Mapping[str, Any] | None = None,
    *,
    dedupe_key: str | None = None,
    run_after: datetime | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    notify: bool = False,
    priority: int = INTERACTIVE,
) -> int | None:
    """Add a job in the caller's transaction; None when a job with this dedupe_key already exists."""
    statement = ENQUEUE_AND_NOTIFY if notify else ENQUEUE
    result: int | None = await conn.fetchval(
        statement, kind, dict(payload or {}), dedupe_key, run_after, max_attempts, priority
    )
    return result


# Many jobs of one kind in one statement (a fan-out of thousands stays one round trip), each with its dedupe key.
ENQUEUE_MANY = """
INSERT INTO jobs (kind, payload, dedupe_key, max_attempts, priority)
SELECT $1, item.payload::jsonb, item.dedupe_key, $4, $5
  FROM unnest($2::text[], $3::text[]) AS item (payload, dedupe_key)
ON CONFLICT (dedupe_key) DO NOTHING
"""


async def enqueue_many(
    conn: asyncpg.Connection,
    kind: str,
    items: Sequence[tuple[Mapping[str, Any], str]],
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    priority: int = BULK,
) -> int:
    """Add jobs (payload, dedupe_key) in the caller's transaction, BULK unless told otherwise; how many were new."""
    if not items:
        return 0
    payloads = [json.dumps(dict(payload)) for payload, _ in items]
    keys = [key for _, key in items]
    status = await conn.execute(ENQUEUE_MANY, kind, payloads, keys, max_attempts, priority)
    return int(status.split()[-1])


def retry_delay(attempt: int, schedule: tuple[float, ...] = RETRY_SCHEDULE) -> float:
    """Seconds to wait after the `attempt`-th failed try: the schedule's step (its last repeated), with ±20 %
    jitter so jobs that failed together do not retry in lockstep."""
    base = schedule[min(max(attempt, 1), len(schedule)) - 1]
    return base * random.uniform(0.8, 1.2)


async def requeue(conn: asyncpg.Connection, *, kind: str | None = None, dead: bool, job_id: int | None = None) -> int:
    """Dead jobs (dead=True) back in the queue with a fresh retry window, or waiting jobs made ready now;
    how many. Idempotent."""
    if dead:
        rows = await conn.fetch(REQUEUE_DEAD, kind, job_id)
    else:
        rows = await conn.fetch(REQUEUE_WAITING, kind)
    if rows:
        await conn.execute(f"NOTIFY {CHANNEL}")
    return len(rows)


@dataclass(frozen=True)
class KindStatus:
    kind: str
    ready: int
    scheduled: int
    retrying: int
    dead: int
    waited_seconds: float | None


@dataclass(frozen=True)
class DeadJob:
    id: int
    kind: str
    attempts: int
    last_error: str | None
    created_at: datetime
    dead_at: datetime


async def status_by_kind(conn: asyncpg.Connection) -> list[KindStatus]:
    return [KindStatus(**dict(row)) for row in await conn.fetch(STATUS_BY_KIND)]


async def dead_jobs(conn: asyncpg.Connection, *, limit: int = 100) -> list[DeadJob]:
    return [DeadJob(**dict(row)) for row in await conn.fetch(DEAD_JOBS, limit)]


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
    final: bool = False  # if this try fails, the job is dead (handlers record a final failure then)


Handler = Callable[[Any, Job], Awaitable[Mapping[str, Any] | None]]


@dataclass
class Worker:
    """Claims and runs jobs. `context` is handed to every handler (pool, settings, mailer, ...).

    `batch_size` jobs run at once; the pool should have a connection for each plus the listener's, so a
    finished job is marked done at once instead of waiting for a connection (the window in which a killed
    worker's finished mail would be sent again)."""

    pool: asyncpg.Pool
    handlers: Mapping[str, Handler]
    context: Any
    lease_seconds: float = 60
    poll_seconds: float = 1.0
    batch_size: int = 20
    # The retention purge (service/privacy/retention.py), run with the hourly prune; the worker process
    # passes it in (this module sits below the domains and imports none of them).
    purge: Callable[[asyncpg.Connection], Awaitable[Mapping[str, int]]] | None = None
    max_age: float = 86_400.0
    retry_schedule: tuple[float, ...] = RETRY_SCHEDULE
    stop_grace_seconds: float = 10.0
    probe_seconds: float = 15.0
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{random.getrandbits(24):06x}")
    _failing_kinds: set[str] = field(default_factory=set)
    _running: set[int] = field(default_factory=set)

    def _is_final(self, attempts: int, max_attempts: int, age: float) -> bool:
        """A failure of this try makes the job dead: it used its attempts, or its next try would fall after
        `max_age`."""
        return attempts >= max_attempts or age + self.retry_schedule[min(attempts, len(self.retry_schedule)) - 1] > (
            self.max_age
        )

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Claim one batch of ready jobs and run them; returns how many were claimed. When `stop` is set while
        they run, they get `stop_grace_seconds` to finish and the rest are released to other workers."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(CLAIM, self.batch_size, self.lease_seconds, self.name)
        jobs = [
            Job(
                r["id"],
                r["kind"],
                r["payload"],
                r["attempts"],
                r["max_attempts"],
                final=self._is_final(r["attempts"], r["max_attempts"], r["age"]),
            )
            for r in rows
        ]
        if not jobs:
            return 0
        self._running.update(job.id for job in jobs)
        heartbeat = asyncio.ensure_future(self._heartbeat())
        runs = [asyncio.create_task(self._run(job)) for job in jobs]
        try:
            await self._wait(runs, stop)
        finally:
            heartbeat.cancel()
            unfinished = [job.id for job, run in zip(jobs, runs, strict=True) if not run.done()]
            for run in runs:
                run.cancel()
            if unfinished:
                # A cancelled send may still try to close its connection politely; don't wait on it for long.
                await asyncio.wait(runs, timeout=1.0)
                async with self.pool.acquire() as conn:
                    await conn.execute(RELEASE, self.name, unfinished)
                log.info("released unfinished jobs", extra={"jobs": unfinished})
            self._running.difference_update(job.id for job in jobs)
        return len(jobs)

    async def _wait(self, runs: list[asyncio.Task[None]], stop: asyncio.Event | None) -> None:
        if stop is None:
            await asyncio.gather(*runs)
            return
        stopping: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
        try:
            pending: set[asyncio.Future[Any]] = set(runs)
            while pending and not stop.is_set():
                _, pending = await asyncio.wait({*pending, stopping}, return_when=asyncio.FIRST_COMPLETED)
                pending.discard(stopping)
            if pending:
                await asyncio.wait(pending, timeout=self.stop_grace_seconds)
        finally:
            stopping.cancel()

    async def _heartbeat(self) -> None:
        """Renew the leases of the running jobs every third of a lease, so only a dead worker's run out."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                async with self.pool.acquire() as conn:
                    await conn.execute(RENEW, self.name, self.lease_seconds, list(self._running))
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                log.warning("could not renew job leases: %s", exc)

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
            dead = permanent or job.final
            detail = "".join(traceback.format_exception_only(exc)).strip()[:2000]
            delay = retry_delay(job.attempts, self.retry_schedule)
            async with self.pool.acquire() as conn:
                await conn.execute(FAIL, job.id, self.name, detail, delay, dead)
            if not permanent:
                self._failing_kinds.add(job.kind)
            level = logging.ERROR if dead else logging.WARNING
            log.log(level, "job failed", extra={"job_id": job.id, "kind": job.kind, "dead": dead, "error": detail})
            return
        async with self.pool.acquire() as conn:
            await conn.execute(COMPLETE, job.id, self.name, dict(result) if result else None)
            if job.kind in self._failing_kinds or job.attempts > 1:
                self._failing_kinds.discard(job.kind)
                woken = await conn.execute(WAKE_KIND, job.kind)
                if woken != "UPDATE 0":
                    log.info("waiting jobs woken", extra={"kind": job.kind, "result": woken})

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set: wake on NOTIFY at commit, poll as a fallback, prune old rows hourly."""
        wake = asyncio.Event()
        listener = await self.pool.acquire()

        def on_notify(*_: object) -> None:
            wake.set()

        await listener.add_listener(CHANNEL, on_notify)
        last_prune = float("-inf")  # prune once at start, then hourly
        loop = asyncio.get_running_loop()
        last_probe = loop.time()
        try:
            while not stop.is_set():
                try:
                    claimed = await self.run_once(stop)
                except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                    log.warning("worker could not claim jobs: %s", exc)
                    claimed = 0
                    await asyncio.sleep(self.poll_seconds)
                if loop.time() - last_prune > 3600:
                    try:
                        await self.prune()
                        last_prune = loop.time()
                    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                        log.warning("worker could not prune: %s", exc)
                if self._failing_kinds and loop.time() - last_probe > self.probe_seconds:
                    last_probe = loop.time()
                    await self._probe()
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
            try:
                await listener.remove_listener(CHANNEL, on_notify)
                await listener.execute("UNLISTEN *")  # pooled connections are not reset on release
            finally:
                await self.pool.release(listener)

    async def _probe(self) -> None:
        """Try one waiting job of each failing kind now (see PROBE)."""
        try:
            async with self.pool.acquire() as conn:
                for kind in sorted(self._failing_kinds):
                    await conn.execute(PROBE, kind)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("worker could not probe failing jobs: %s", exc)

    async def prune(self) -> None:
        """Hourly: rate-limit windows that ended, then the retention purge (finished jobs, idempotency keys,
        sign-in failures, sessions, attendees and nominations after the retention period; audited)."""
        async with self.pool.acquire() as conn:
            await conn.execute(PRUNE_RATE_WINDOWS)
            counts = await self.purge(conn) if self.purge is not None else {}
        if any(counts.values()):
            log.info("retention purge", extra={"result": dict(counts)})
