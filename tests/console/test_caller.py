"""The Caller dependency: bearer tokens exactly as before, the console cookie besides, CSRF on changes."""

from __future__ import annotations

import asyncpg

from tests.conftest import Client, MakeEvent, auth, event_body
from tests.console.conftest import HTML, csrf_of


async def test_session_cookie_reads_the_api_like_a_token(signed_in: Client, make_event: MakeEvent) -> None:
    await make_event(slug="kk")

    response = await signed_in.get("/api/v1/events/kk/registrations")

    assert (response.status_code, response.json()["total"]) == (200, 0)


async def test_cookie_without_csrf_header_cannot_change_anything(signed_in: Client, conn: asyncpg.Connection) -> None:
    response = await signed_in.post("/api/v1/events", json=event_body(slug="forged"))

    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert await conn.fetchval("SELECT count(*) FROM events") == 0


async def test_cookie_with_a_wrong_csrf_header_cannot_change_anything(
    signed_in: Client, conn: asyncpg.Connection
) -> None:
    response = await signed_in.post(
        "/api/v1/events", json=event_body(slug="forged"), headers={"X-CSRF-Token": "not-the-token"}
    )

    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert await conn.fetchval("SELECT count(*) FROM events") == 0


async def test_cookie_with_the_pages_csrf_token_changes_through_the_api(signed_in: Client) -> None:
    token = csrf_of((await signed_in.get("/console", headers=HTML)).text)

    response = await signed_in.post(
        "/api/v1/events", json=event_body(slug="via-cookie"), headers={"X-CSRF-Token": token}
    )

    assert (response.status_code, response.json()["slug"]) == (201, "via-cookie")


async def test_a_bearer_token_wins_over_the_cookie_and_needs_no_csrf(signed_in: Client, admin_token: str) -> None:
    response = await signed_in.post("/api/v1/events", json=event_body(slug="by-token"), headers=auth(admin_token))

    assert response.status_code == 201


async def test_a_bad_bearer_token_is_refused_even_with_a_good_cookie(signed_in: Client) -> None:
    response = await signed_in.get("/api/v1/events/kk/registrations", headers=auth("mp_wrong"))

    assert (response.status_code, response.json()["code"]) == (401, "invalid_token")


async def test_an_ended_session_cookie_is_401_on_the_api(client: Client) -> None:
    client.cookies.set("mp_session", "not-a-session")

    response = await client.get("/api/v1/events/kk/registrations")

    assert (response.status_code, response.json()["code"]) == (401, "session_expired")


async def test_the_cookie_keeps_the_users_scope(
    signed_in: Client, conn: asyncpg.Connection, admin_token: str, client: Client
) -> None:
    created = await client.post("/api/v1/events", json=event_body(slug="not-mine"), headers=auth(admin_token))

    response = await signed_in.get("/api/v1/events/not-mine/registrations")

    assert created.status_code == 201
    assert (response.status_code, response.json()["code"]) == (403, "not_in_scope")
