"""The service behind a real PgBouncer in transaction mode (the compose `pgbouncer` profile).

In transaction mode consecutive transactions of one client connection run on whichever server connection is free,
so a named prepared statement that asyncpg cached on one server connection is missing on the next:
DB_STATEMENT_CACHE_SIZE=0 makes asyncpg use unnamed statements only. Two server connections
(default_pool_size=2) serve all client connections.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import asyncpg
import msgspec
import pytest

from service import db
from service.settings import Settings
from tests.conftest import Client, MakeEvent

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def pgbouncer(database_url: str) -> Iterator[str]:
    """A PgBouncer in transaction mode with two server connections in front of the test's database; its URL."""
    parts = urlsplit(database_url)
    user = parts.username or "postgres"
    # A TCP server, or the embedded one's Unix socket directory (host=DIR in the query)
    host = parts.hostname or parse_qs(parts.query)["host"][0]
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    directory.chmod(0o755)  # readable by the user PgBouncer runs as
    (directory / "users.txt").write_text(f'"{user}" "{parts.password or ""}"\n')
    (directory / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={host} port={parts.port or 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = {"plain" if parts.password else "trust"}
auth_file = {directory / "users.txt"}
pool_mode = transaction
default_pool_size = 2
max_client_conn = 100
ignore_startup_parameters = extra_float_digits,statement_timeout,lock_timeout
"""
    )
    for path in directory.iterdir():
        path.chmod(0o644)
    command = [PGBOUNCER, "-q", str(directory / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses root: run as nobody, or as who may open the embedded server's socket
        owner = pwd.getpwuid(Path(host).stat().st_uid).pw_name if host.startswith("/") else "nobody"
        command[1:1] = ["-u", owner]
    process = subprocess.Popen(command)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, "pgbouncer exited"
                assert time.monotonic() < deadline, "pgbouncer did not listen"
                time.sleep(0.05)
        netloc = f"{parts.netloc.rsplit('@', 1)[0]}@127.0.0.1:{port}" if "@" in parts.netloc else f"127.0.0.1:{port}"
        yield urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(directory)


@pytest.fixture
def settings(settings: Settings, pgbouncer: str) -> Settings:
    """The app of these tests connects through PgBouncer, with the setting the pgbouncer profile documents."""
    return msgspec.structs.replace(settings, database_url=pgbouncer, db_statement_cache_size=0)


async def test_registrations_through_pgbouncer_transaction_mode_succeed_without_statement_cache(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", capacity=3)

    responses = await asyncio.gather(
        *(client.post("/api/v1/events/kk/registrations", json=person(n)) for n in range(20))
    )
    listed = await client.get("/api/v1/events/kk")

    assert (
        sorted((r.status_code, r.json()["status"]) for r in responses)
        == [(201, "confirmed")] * 3 + [(201, "waitlisted")] * 17
    )
    assert listed.status_code == 200
    assert await conn.fetchval("SELECT count(*) FROM registrations") == 20


async def test_pool_through_pgbouncer_transaction_mode_with_statement_cache_fails(pgbouncer: str) -> None:
    pool = await db.create_pool(pgbouncer, size=2, statement_cache_size=100)
    try:
        async with pool.acquire() as first, pool.acquire() as second:
            async with second.transaction():  # second holds one server connection...
                await second.fetchval("SELECT 1")
                await first.fetchval(QUERY, "kk")  # ...so first prepares and caches QUERY on the other
            with pytest.raises(asyncpg.InvalidSQLStatementNameError):
                await first.fetchval(QUERY, "kk")  # now on the server connection second used last
    finally:
        await pool.close()


QUERY = "SELECT count(*) FROM events WHERE slug = $1"


def person(n: int) -> dict[str, object]:
    return {"name": f"Deltakar {n}", "email": f"p{n}@example.no", "accept_privacy": True}
