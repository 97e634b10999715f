"""Online scans that arrive together go to the database as one statement.

A check-in statement costs PostgreSQL far more to start and commit than to judge one scan: in a profile, the
executor's start, the plan's locks and the commit were over half of it. With 32 doors scanning at once, a statement
for 8 scans cost 0.18 ms of database CPU a scan, against 0.72 ms for a statement a scan. So each web process sends
one statement at a time, and the scans that arrive while it runs go together in the next one — no timer: a lone
scan goes at once, and batches grow only with the queue.

Which scan of a ticket is first is still decided by the database (queries.checkin_sql), within a statement and
between statements of different processes. A scan that breaks a constraint spoils its whole statement, so the scans
of a failed statement are judged again one by one, and only the spoiler gets the error.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import asyncpg

from .. import db
from . import queries
from .queries import Scan, ScanAnswer

LIMIT = 64  # scans per statement at most: a queue of 32 doors fits in one


@dataclass(slots=True)
class _Waiting:
    scan: Scan
    answer: asyncio.Future[ScanAnswer]


class ScanBatcher:
    """The online scans of one process (made in the application's lifespan, with its pool)."""

    def __init__(self, pool: asyncpg.Pool, *, guess_limit: int, limit: int = LIMIT) -> None:
        self.pool = pool
        self.guess_limit = guess_limit
        self.limit = limit
        self._waiting: list[_Waiting] = []
        self._sender: asyncio.Task[None] | None = None

    async def judge(self, scan: Scan) -> ScanAnswer:
        """The answer row of an online scan (see queries.checkin_sql), judged with the scans waiting beside it."""
        waiting = _Waiting(scan, asyncio.get_running_loop().create_future())
        self._waiting.append(waiting)
        if self._sender is None:
            self._sender = asyncio.create_task(self._send())
        return await waiting.answer

    async def judge_offline(self, scan: Scan) -> ScanAnswer:
        """The answer row of a scan decided offline: a statement of its own (the earliest scan takes the admission)."""
        async with self.pool.acquire() as conn:
            rows = await queries.check_in(conn, [scan], offline=True, guess_limit=self.guess_limit)
        return rows[0]

    async def _send(self) -> None:
        batch: list[_Waiting] = []
        try:
            while self._waiting:
                batch = self._next_batch()
                await self._judge(batch)
        except BaseException:
            for waiting in [*batch, *self._waiting]:
                waiting.answer.cancel()
            self._waiting.clear()
            raise
        finally:
            self._sender = None

    def _next_batch(self) -> list[_Waiting]:
        """The longest-waiting scans, at most `limit`, one per door and nonce (a repeat waits for the next batch,
        where it finds the first and replays its answer)."""
        batch: list[_Waiting] = []
        later: list[_Waiting] = []
        keys: set[tuple[bytes, str]] = set()
        for waiting in self._waiting:
            key = (waiting.scan.token_hash, waiting.scan.nonce)
            if len(batch) < self.limit and key not in keys:
                keys.add(key)
                batch.append(waiting)
            else:
                later.append(waiting)
        self._waiting = later
        return batch

    async def _judge(self, batch: list[_Waiting]) -> None:
        try:
            async with db.borrowed(self.pool) as conn:
                rows = await queries.check_in(
                    conn, [w.scan for w in batch], offline=False, guess_limit=self.guess_limit
                )
        except Exception as error:
            if len(batch) == 1:
                _settle(batch[0], error=error)
            else:
                for waiting in batch:
                    await self._judge([waiting])
            return
        for waiting, row in zip(batch, rows, strict=True):
            _settle(waiting, row=row)


def _settle(waiting: _Waiting, *, row: ScanAnswer | None = None, error: Exception | None = None) -> None:
    """Give a scan its answer, unless its request has gone (cancelled while it waited)."""
    with contextlib.suppress(asyncio.InvalidStateError):
        if error is not None:
            waiting.answer.set_exception(error)
        elif row is not None:
            waiting.answer.set_result(row)
