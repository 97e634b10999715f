"""Migrations: applied in order, each once, under a lock, with checksums; the schema matches the code's SQL."""

from __future__ import annotations

import asyncio
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

import service.accounts.queries as accounts
import service.events.queries as events
import service.idempotency as idempotency
import service.jobs as jobs
import service.registrations.queries as registrations
from service import db
from service.migrate import MIGRATIONS_DIR, MigrationError, load_migrations, migrate
from tests import dbutil

ALL = [m.name for m in load_migrations()]


@pytest.fixture
async def empty_url(server_url: str) -> AsyncIterator[str]:
    name = f"mp_e_{uuid.uuid4().hex[:12]}"
    conn = await db.connect(server_url)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    yield dbutil.with_database(server_url, name)
    await dbutil.drop(server_url, name)


async def test_migrate_applies_every_file_in_order_then_nothing(empty_url: str) -> None:
    conn = await db.connect(empty_url)
    try:
        first = await migrate(conn)
        second = await migrate(conn)
        recorded = [r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations ORDER BY version")]
    finally:
        await conn.close()

    assert (first, second, recorded) == (ALL, [], ALL)


async def test_migrate_refuses_a_changed_applied_file(empty_url: str, tmp_path: Path) -> None:
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy)
    conn = await db.connect(empty_url)
    try:
        await migrate(conn, copy)
        target = sorted(copy.glob("*.sql"))[0]
        target.write_text(target.read_text() + "\n-- edited after it was applied\n")

        with pytest.raises(MigrationError, match="was changed after it was applied"):
            await migrate(conn, copy)
    finally:
        await conn.close()


async def test_two_concurrent_migrations_serialise_and_apply_each_file_once(empty_url: str) -> None:
    conns = [await db.connect(empty_url) for _ in range(2)]
    try:
        results = await asyncio.gather(*(migrate(c) for c in conns))
        counts = await conns[0].fetch("SELECT version, count(*) AS n FROM schema_migrations GROUP BY version")
    finally:
        for c in conns:
            await c.close()

    assert sorted(results, key=len) == [[], ALL]
    assert {r["n"] for r in counts} == {1}


async def test_fresh_database_matches_the_template_used_by_tests(
    empty_url: str, server_url: str, template_db: str
) -> None:
    async def columns(url: str) -> list[tuple[Any, ...]]:
        conn = await db.connect(url)
        try:
            return [
                tuple(r)
                for r in await conn.fetch(
                    """SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
                    WHERE table_schema = 'public' ORDER BY table_name, column_name"""
                )
            ]
        finally:
            await conn.close()

    conn = await db.connect(empty_url)
    await migrate(conn)
    await conn.close()

    assert await columns(empty_url) == await columns(dbutil.with_database(server_url, template_db))


def sql_constants() -> Iterator[tuple[str, str]]:
    for module in (accounts, events, registrations, jobs, idempotency):
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, str) and re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)", value):
                yield f"{module.__name__}.{name}", value


async def test_every_sql_constant_prepares_against_the_migrated_schema(conn: asyncpg.Connection) -> None:
    problems = {}
    checked = 0
    for name, sql in sql_constants():
        try:
            statement = await conn.prepare(sql)  # PostgreSQL plans it: every table, column and type must exist
        except Exception as error:
            problems[name] = str(error)
            continue
        numbers = {int(n) for n in re.findall(r"\$(\d+)", sql)}
        if len(statement.get_parameters()) != max(numbers, default=0):
            problems[name] = "parameter count differs"
        checked += 1

    assert problems == {}
    assert checked > 40
