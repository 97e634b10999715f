"""`moteplass user password`: the first admin's console password, read from standard input."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import asyncpg

from service.accounts.domain import add_user
from tests.conftest import Client
from tests.console.conftest import sign_in

NEW_PASSWORD = "første admin passord"


def run_cli(database_url: str, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], input=stdin, capture_output=True, text=True, env=env, check=False
    )


async def test_cli_sets_a_password_the_console_accepts(
    client: Client, conn: asyncpg.Connection, database_url: str
) -> None:
    await add_user(conn, email="admin@bergen.kommune.no", role="admin")

    result = await asyncio.to_thread(
        run_cli, database_url, "user", "password", "--email", "admin@bergen.kommune.no", stdin=NEW_PASSWORD + "\n"
    )
    answer = await sign_in(client, "admin@bergen.kommune.no", NEW_PASSWORD)

    assert (result.returncode, result.stdout) == (0, "admin@bergen.kommune.no can sign in to the console at /console\n")
    assert answer.status_code == 303


async def test_cli_refuses_a_short_password_and_an_unknown_user(conn: asyncpg.Connection, database_url: str) -> None:
    await add_user(conn, email="admin@bergen.kommune.no", role="admin")

    short = await asyncio.to_thread(
        run_cli, database_url, "user", "password", "--email", "admin@bergen.kommune.no", stdin="kort\n"
    )
    unknown = await asyncio.to_thread(
        run_cli, database_url, "user", "password", "--email", "ingen@example.no", stdin=NEW_PASSWORD + "\n"
    )

    assert (short.returncode, short.stderr) == (2, "error: use at least 10 characters\n")
    assert (unknown.returncode, unknown.stderr) == (2, "error: no console user 'ingen@example.no'\n")
