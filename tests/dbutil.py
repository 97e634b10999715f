"""Test databases: a template built once from migrations/, a fresh clone per test."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from service import db
from service.migrate import MIGRATIONS_DIR, migrate
from service.settings import PROJECT_ROOT


def admin_url() -> str:
    """The server tests run against: TEST_DATABASE_URL or DATABASE_URL, else the embedded PostgreSQL."""
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url
    return db.embedded_database_url(Path(os.environ.get("DATA_DIR", PROJECT_ROOT / ".data")) / "test")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


async def build_template(server_url: str, name: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    conn = await db.connect(with_database(server_url, name))
    try:
        await migrate(conn)
    finally:
        await conn.close()


async def clone(server_url: str, template: str, name: str) -> str:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await conn.close()
    return with_database(server_url, name)


async def drop(server_url: str, name: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
