"""Bearer tokens expire, and a deactivated user is locked out everywhere: their tokens answer 401, their console
session ends, the sign-in form refuses them, and their Slack commands are refused."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.accounts.domain import add_user
from service.app import create_app
from service.console.users import disable_user
from service.errors import NotFound
from service.settings import Settings
from tests.conftest import T0, Client, Clock, auth
from tests.console.conftest import HTML, add_console_user, form_token, sign_in
from tests.console.test_cli import run_cli


async def test_expired_token_is_401(client: Client, conn: asyncpg.Connection, clock: Clock) -> None:
    token = (
        await add_user(conn, email="ola@bergen.kommune.no", role="organiser", expires_at=T0 + timedelta(days=30))
    ).token

    before = await client.get("/api/v1/events/kk/registrations", headers=auth(token))
    clock.advance(days=30)
    after = await client.get("/api/v1/events/kk/registrations", headers=auth(token))

    assert (before.status_code, before.json()["code"]) == (404, "event_not_found")
    assert (after.status_code, after.headers["content-type"]) == (401, "application/problem+json")
    assert (after.json()["code"], after.json()["title"]) == ("token_expired", "Tilgangsnøkkelen er utløpt")


async def test_token_lasts_a_year_unless_told_otherwise(conn: asyncpg.Connection) -> None:
    await add_user(conn, email="ola@bergen.kommune.no", role="organiser")

    lifetime = await conn.fetchval("SELECT expires_at - created_at FROM api_tokens")

    assert lifetime == timedelta(days=365)


async def test_cli_adds_a_user_with_a_30_day_token_and_refuses_a_bad_expiry(
    conn: asyncpg.Connection, database_url: str
) -> None:
    added = await asyncio.to_thread(
        run_cli,
        database_url,
        "user",
        "add",
        "--email",
        "ola@bergen.kommune.no",
        "--role",
        "jury",
        "--expires",
        "30d",
        stdin="",
    )
    refused = await asyncio.to_thread(
        run_cli,
        database_url,
        "user",
        "add",
        "--email",
        "per@bergen.kommune.no",
        "--role",
        "jury",
        "--expires",
        "soon",
        stdin="",
    )
    hours = await conn.fetchval("SELECT round(extract(epoch FROM expires_at - created_at) / 3600) FROM api_tokens")

    assert (added.returncode, hours) == (0, 30 * 24)
    assert (refused.returncode, refused.stderr) == (
        2,
        "error: give a number of days (30d) or a date (2027-12-31) within five years\n",
    )
    assert await conn.fetchval("SELECT count(*) FROM users") == 1


async def test_disabled_users_token_is_401_and_cli_disable_is_idempotent(
    client: Client, conn: asyncpg.Connection, database_url: str
) -> None:
    token = (await add_user(conn, email="ola@bergen.kommune.no", role="organiser")).token

    first = await asyncio.to_thread(
        run_cli, database_url, "user", "disable", "--email", "Ola@bergen.kommune.no", stdin=""
    )
    again = await asyncio.to_thread(
        run_cli, database_url, "user", "disable", "--email", "ola@bergen.kommune.no", stdin=""
    )
    answer = await client.get("/api/v1/events/kk/registrations", headers=auth(token))
    audit = await conn.fetch("SELECT actor, action, data FROM audit_log")

    assert (first.returncode, first.stdout) == (0, "Ola@bergen.kommune.no is deactivated\n")
    assert (again.returncode, again.stdout) == (0, "ola@bergen.kommune.no is deactivated (it was already)\n")
    assert (answer.status_code, answer.json()["code"]) == (401, "invalid_token")
    assert [tuple(r) for r in audit] == [
        ("cli", "user.disabled", {"email": "ola@bergen.kommune.no", "role": "organiser"})
    ]


async def test_admin_deactivates_a_user_whose_session_ends_and_who_cannot_sign_in(
    client: Client, conn: asyncpg.Connection, settings: Settings, clock: Clock
) -> None:
    await add_console_user(conn, "admin@bergen.kommune.no", "admin")
    victim = await add_console_user(conn, "kari@bergen.kommune.no", "organiser")
    async with AsyncTestClient(app=create_app(settings, clock=clock), base_url="http://testserver.local") as kari:
        assert (await sign_in(kari, "kari@bergen.kommune.no")).status_code == 303
        assert (await kari.get("/console", headers=HTML)).status_code == 200
        assert (await sign_in(client, "admin@bergen.kommune.no")).status_code == 303

        confirm = await client.get(f"/console/users/{victim.user_id}/disable", headers=HTML)
        done = await client.post(
            f"/console/users/{victim.user_id}/disable",
            data={"csrf_token": await form_token(client, f"/console/users/{victim.user_id}/disable")},
            headers=HTML,
            follow_redirects=False,
        )
        after = await kari.get("/console", headers=HTML, follow_redirects=False)
        again = await sign_in(kari, "kari@bergen.kommune.no")

    assert (confirm.status_code, "Deaktivere kari@bergen.kommune.no?" in confirm.text) == (200, True)
    assert (done.status_code, done.headers["location"]) == (303, "/console/users?notice=disabled")
    assert (after.status_code, after.headers["location"]) == (303, "/console/sign-in?next=%2Fconsole")
    assert again.status_code == 401
    assert await conn.fetchval("SELECT count(*) FROM console_sessions WHERE user_id = $1", victim.user_id) == 0
    assert await conn.fetchval("SELECT actor FROM audit_log WHERE action = 'user.disabled'") == (
        "user:admin@bergen.kommune.no"
    )


async def test_a_post_without_the_csrf_token_deactivates_no_one(client: Client, conn: asyncpg.Connection) -> None:
    await add_console_user(conn, "admin@bergen.kommune.no", "admin")
    victim = await add_console_user(conn, "kari@bergen.kommune.no", "organiser")
    await sign_in(client, "admin@bergen.kommune.no")

    forged = await client.post(f"/console/users/{victim.user_id}/disable", data={}, headers=HTML)

    assert forged.status_code == 403
    assert await conn.fetchval("SELECT disabled_at FROM users WHERE id = $1", victim.user_id) is None


async def test_disable_of_an_unknown_user_is_not_found(conn: asyncpg.Connection, clock: Clock) -> None:
    with pytest.raises(NotFound) as raised:
        await disable_user(conn, "ingen@example.no", actor="cli", now=clock())

    assert raised.value.code == "user_not_found"
