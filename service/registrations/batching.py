"""Registrations that arrive together go to the database as one rate-limit count and one registration statement.

Starting and committing a statement costs PostgreSQL more than inserting one registration, and each statement is a
round trip the web process waits for. So, as with door scans (service/checkin/batching.py), each web process sends
one batch at a time, and the requests that arrive while it runs go together in the next one — no timer: a lone
registration goes at once, and batches grow only with the queue. The batch is counted against the rate limits in
one statement (ratelimit.check_many, as if its requests came one after the other) and those within the limits are
registered in one (queries.REGISTER_BY_SLUG with an element per request).

Seats stay safe between batches and processes as between single statements: each statement takes its seats with
FOR UPDATE SKIP LOCKED and the unique index on (event, address) refuses a second registration. A batch holds at
most one request per event and address; a repeat waits for the next batch, where the database finds the first.
A registration that breaks a constraint spoils its whole statement (nothing of it is stored), so the requests of
a failed statement are sent again one by one, and only the spoiler gets the error.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import asyncpg

from .. import db, ratelimit
from ..errors import RateLimited
from ..settings import Settings
from . import queries
from .queries import Registered

LIMIT = 64  # registrations per statement at most


@dataclass(frozen=True, slots=True)
class Pending:
    """A registration to make: the event's slug, the values of queries.register_by_slug, and who asks."""

    slug: str
    values: dict[str, Any]
    caller: ratelimit.Caller

    @property
    def key(self) -> tuple[str, str]:
        return self.slug, str(self.values["email"]).lower()


class Made(NamedTuple):
    """A registration made: what the statement answered, and the time it was made at."""

    row: Registered
    at: datetime


# What a registration got: made, refused by the rate limits, or None (not registered: the address is registered
# already, or the event is not open to it; the checked path says which).
Outcome = Made | RateLimited | None


@dataclass(slots=True)
class _Waiting:
    pending: Pending
    answer: asyncio.Future[Outcome]


class RegistrationBatcher:
    """The lane's registrations of one process (made in the application's lifespan, with its pool). `clock`
    gives the time of each batch (the application's, so tests can set it)."""

    def __init__(
        self, pool: asyncpg.Pool, settings: Settings, clock: Callable[[], datetime], *, limit: int = LIMIT
    ) -> None:
        self.pool = pool
        self.settings = settings
        self.clock = clock
        self.limit = limit
        self._waiting: list[_Waiting] = []
        self._sender: asyncio.Task[None] | None = None

    async def register(self, pending: Pending) -> Outcome:
        """Count and make one registration with those waiting beside it."""
        waiting = _Waiting(pending, asyncio.get_running_loop().create_future())
        self._waiting.append(waiting)
        if self._sender is None:
            self._sender = asyncio.create_task(self._send())
        return await waiting.answer

    async def _send(self) -> None:
        batch: list[_Waiting] = []
        try:
            while self._waiting:
                batch = self._next_batch()
                await self._register(batch, self.clock())
        except BaseException:
            for waiting in [*batch, *self._waiting]:
                waiting.answer.cancel()
            self._waiting.clear()
            raise
        finally:
            self._sender = None

    def _next_batch(self) -> list[_Waiting]:
        """The longest-waiting requests, at most `limit`, one per event and address."""
        batch: list[_Waiting] = []
        later: list[_Waiting] = []
        keys: set[tuple[str, str]] = set()
        for waiting in self._waiting:
            key = waiting.pending.key
            if len(batch) < self.limit and key not in keys:
                keys.add(key)
                batch.append(waiting)
            else:
                later.append(waiting)
        self._waiting = later
        return batch

    async def _register(self, batch: list[_Waiting], now: datetime) -> None:
        admitted: list[_Waiting] = []
        try:
            async with db.borrowed(self.pool) as conn:
                refusals = await ratelimit.check_many(conn, self.settings, [w.pending.caller for w in batch], now=now)
                for waiting, refused in zip(batch, refusals, strict=True):
                    if refused is None:
                        admitted.append(waiting)
                    else:
                        _settle(waiting, outcome=refused)
                await self._make(conn, admitted, now)
        except Exception as error:  # the pool or the count failed: nothing of the batch is stored
            for waiting in batch:
                _settle(waiting, error=error)
            self._give_up_if_unavailable(error)

    def _give_up_if_unavailable(self, error: Exception) -> None:
        """When the database could not answer, the requests that queued meanwhile have waited as long as the
        batch did: they get the same answer now (503) rather than wait the whole time again."""
        if db.is_unavailable(error):
            queued, self._waiting = self._waiting, []
            for waiting in queued:
                _settle(waiting, error=error)

    async def _make(self, conn: asyncpg.Connection, batch: list[_Waiting], now: datetime) -> None:
        """Register `batch` (counted already) in one statement; after a failure, each in a statement of its own."""
        if not batch:
            return
        requests = [(w.pending.slug, w.pending.values) for w in batch]
        try:
            rows = await queries.register_many(conn, queries.REGISTER_BY_SLUG, requests, now)
        except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            if len(batch) == 1 or db.is_unavailable(error) or conn.is_closed():
                for waiting in batch:
                    _settle(waiting, error=error)
                self._give_up_if_unavailable(error)
                return
            for waiting in batch:
                await self._make(conn, [waiting], now)
            return
        for waiting, row in zip(batch, rows, strict=True):
            _settle(waiting, outcome=None if row is None else Made(row, now))


def _settle(waiting: _Waiting, *, outcome: Outcome = None, error: Exception | None = None) -> None:
    """Give a request its outcome, unless it has gone (cancelled while it waited)."""
    with contextlib.suppress(asyncio.InvalidStateError):
        if error is not None:
            waiting.answer.set_exception(error)
        else:
            waiting.answer.set_result(outcome)
