"""Attaching a date to another organiser's series must fail: series are owned, and only their organisers (and
admins) may add dates, through the API and the console. Existing series get owners from the migration."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from service import db
from service.accounts.domain import add_user
from service.migrate import MIGRATIONS_DIR, migrate
from tests import dbutil
from tests.conftest import T0, Client, MakeEvent, auth, event_body
from tests.console.conftest import HTML, add_console_user, form_token, sign_in
from tests.console.test_events import NEW_EVENT
from tests.web.html import Page

SERIES = "alrek-intro-2027"


def workshop(slug: str, **overrides: Any) -> dict[str, Any]:
    return event_body(slug=slug, kind="workshop", series=SERIES, **overrides)


@pytest.fixture
async def series(make_event: MakeEvent) -> str:
    """Kari's series with one published date."""
    await make_event(**workshop("intro-juni"))
    return SERIES


@pytest.fixture
async def stranger_token(conn: asyncpg.Connection) -> str:
    return (await add_user(conn, email="per@example.no", role="organiser")).token


async def stored(conn: asyncpg.Connection) -> dict[str, object]:
    return {
        "events": [r["slug"] for r in await conn.fetch("SELECT slug FROM events ORDER BY slug")],
        "in_series": [r["slug"] for r in await conn.fetch("SELECT slug FROM events WHERE series = $1", SERIES)],
        "series": [r["slug"] for r in await conn.fetch("SELECT slug FROM series ORDER BY slug")],
    }


async def test_rogue_series_date_is_refused_and_nothing_is_stored(
    client: Client, conn: asyncpg.Connection, series: str, stranger_token: str
) -> None:
    before = await stored(conn)

    response = await client.post("/api/v1/events", json=workshop("rogue-date"), headers=auth(stranger_token))
    dates = await client.get(f"/api/v1/series/{SERIES}")

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert (response.json()["code"], response.json()["title"]) == (
        "not_series_organiser",
        "Du er ikke arrangør av denne serien",
    )
    assert await stored(conn) == before
    assert [d["slug"] for d in dates.json()["dates"]] == ["intro-juni"]
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE actor = 'user:per@example.no'") == 0


async def test_moving_an_own_event_into_another_organisers_series_is_refused(
    client: Client, conn: asyncpg.Connection, series: str, stranger_token: str
) -> None:
    created = await client.post(
        "/api/v1/events", json=event_body(slug="per-workshop", kind="workshop"), headers=auth(stranger_token)
    )

    moved = await client.patch(
        "/api/v1/events/per-workshop", json={"series": SERIES, "venue": "Alrek"}, headers=auth(stranger_token)
    )

    assert created.status_code == 201
    assert (moved.status_code, moved.json()["code"]) == (403, "not_series_organiser")
    row = await conn.fetchrow("SELECT series, venue FROM events WHERE slug = 'per-workshop'")
    assert dict(row) == {"series": None, "venue": "Alrek helseklynge"}


async def test_a_new_series_name_creates_a_series_owned_by_its_organiser(
    client: Client, conn: asyncpg.Connection, stranger_token: str
) -> None:
    created = await client.post(
        "/api/v1/events",
        json=event_body(slug="per-1", kind="workshop", series="per-serie"),
        headers=auth(stranger_token),
    )
    second = await client.post(
        "/api/v1/events",
        json=event_body(slug="per-2", kind="workshop", series="per-serie"),
        headers=auth(stranger_token),
    )

    owners = await conn.fetch(
        "SELECT s.slug, u.email FROM series s JOIN user_series_scopes x ON x.series_id = s.id "
        "JOIN users u ON u.id = x.user_id"
    )
    assert (created.status_code, second.status_code) == (201, 201)
    assert [tuple(r) for r in owners] == [("per-serie", "per@example.no")]


async def test_series_organisers_named_by_an_organiser_may_add_dates(
    client: Client, conn: asyncpg.Connection, series: str, organiser_token: str, stranger_token: str
) -> None:
    named = await client.put(
        f"/api/v1/series/{SERIES}/organisers",
        json={"emails": ["kari@bergen.kommune.no", "Per@Example.no"]},
        headers=auth(organiser_token),
    )

    added = await client.post("/api/v1/events", json=workshop("intro-september"), headers=auth(stranger_token))

    assert named.json() == {"series": SERIES, "organisers": ["kari@bergen.kommune.no", "per@example.no"]}
    assert added.status_code == 201
    assert (await stored(conn))["in_series"] == ["intro-juni", "intro-september"]


async def test_series_organisers_cannot_be_named_by_a_stranger_or_be_other_than_organisers(
    client: Client, conn: asyncpg.Connection, series: str, organiser_token: str, stranger_token: str
) -> None:
    await add_user(conn, email="juror@example.no", role="jury")

    by_stranger = await client.put(
        f"/api/v1/series/{SERIES}/organisers", json={"emails": ["per@example.no"]}, headers=auth(stranger_token)
    )
    juror = await client.put(
        f"/api/v1/series/{SERIES}/organisers",
        json={"emails": ["kari@bergen.kommune.no", "juror@example.no"]},
        headers=auth(organiser_token),
    )
    unknown = await client.put(
        "/api/v1/series/nope/organisers", json={"emails": ["per@example.no"]}, headers=auth(organiser_token)
    )

    assert (by_stranger.status_code, by_stranger.json()["code"]) == (403, "not_series_organiser")
    assert (juror.status_code, juror.json()["code"], juror.json()["errors"][0]["field"]) == (
        422,
        "not_an_organiser",
        "emails[1]",
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "series_not_found")
    owners = await conn.fetch("SELECT u.email FROM user_series_scopes x JOIN users u ON u.id = x.user_id")
    assert [r["email"] for r in owners] == ["kari@bergen.kommune.no"]


async def test_an_admin_may_add_a_date_to_any_series(
    client: Client, conn: asyncpg.Connection, series: str, admin_token: str
) -> None:
    response = await client.post("/api/v1/events", json=workshop("intro-september"), headers=auth(admin_token))

    assert response.status_code == 201
    assert (await stored(conn))["in_series"] == ["intro-juni", "intro-september"]


async def test_console_refuses_a_date_in_another_organisers_series_and_stores_nothing(
    client: Client, conn: asyncpg.Connection, series: str
) -> None:
    await add_console_user(conn, "per@example.no", "organiser")
    assert (await sign_in(client, "per@example.no")).status_code == 303
    before = await stored(conn)
    form = {**NEW_EVENT, "slug": "rogue-date", "kind": "workshop", "series": SERIES}

    response = await client.post(
        "/console/new-event",
        data={**form, "csrf_token": await form_token(client, "/console/new-event")},
        headers=HTML,
        follow_redirects=False,
    )

    page = Page(response.text)
    assert response.status_code == 403
    assert page.one("#series").attrs["aria-invalid"] == "true"
    assert page.one("#series-error").text == (
        "Bare arrangørene av denne serien kan legge til datoer i den. Velg et annet navn, eller be en av dem om å "
        "legge deg til."
    )
    assert await stored(conn) == before


async def test_console_lets_the_series_organiser_add_a_date(
    client: Client, conn: asyncpg.Connection, series: str, organiser_token: str
) -> None:
    await add_console_user(conn, "per@example.no", "organiser")
    await client.put(
        f"/api/v1/series/{SERIES}/organisers",
        json={"emails": ["kari@bergen.kommune.no", "per@example.no"]},
        headers=auth(organiser_token),
    )
    await sign_in(client, "per@example.no")
    form = {**NEW_EVENT, "slug": "intro-september", "kind": "workshop", "series": SERIES}

    response = await client.post(
        "/console/new-event",
        data={**form, "csrf_token": await form_token(client, "/console/new-event")},
        headers=HTML,
        follow_redirects=False,
    )

    assert (response.status_code, response.headers["location"]) == (
        303,
        "/console/events/intro-september?notice=created",
    )
    assert (await stored(conn))["in_series"] == ["intro-juni", "intro-september"]


@pytest.fixture
async def before_011(server_url: str, tmp_path: Path) -> AsyncIterator[asyncpg.Connection]:
    """A database migrated up to 010, before series were owned."""
    name = f"mp_s_{uuid.uuid4().hex[:12]}"
    conn = await db.connect(server_url)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    old = tmp_path / "migrations"
    old.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if int(path.name[:3]) < 11:
            shutil.copy(path, old / path.name)
    url = dbutil.with_database(server_url, name)
    conn = await db.connect(url)
    await migrate(conn, old)
    yield conn
    await conn.close()
    await dbutil.drop(server_url, name)


async def test_migration_gives_existing_series_to_the_organisers_of_their_dates_and_ties_sign_ups(
    before_011: asyncpg.Connection,
) -> None:
    conn = before_011
    users = {}
    for email, role in (
        ("kari@example.no", "organiser"),
        ("per@example.no", "organiser"),
        ("boss@example.no", "admin"),
    ):
        users[email] = await conn.fetchval("INSERT INTO users (email, role) VALUES ($1, $2) RETURNING id", email, role)
    events = {}
    for slug, series in (("juni", SERIES), ("september", SERIES), ("oktober", SERIES), ("other", None)):
        events[slug] = await conn.fetchval(
            "INSERT INTO events (slug, kind, title, starts_at, ends_at, capacity, series, created_by) "
            "VALUES ($1, 'workshop', '{\"nb\": \"W\"}', '2027-06-01T09:00Z', '2027-06-01T15:00Z', 10, $2, $3) "
            "RETURNING id",
            slug,
            series,
            users["kari@example.no"],
        )
    for email, slug in (("kari@example.no", "september"), ("per@example.no", "other"), ("boss@example.no", "juni")):
        await conn.execute("INSERT INTO user_event_scopes VALUES ($1, $2)", users[email], events[slug])
    registrations = {}
    for key, slug, email, at in (
        ("a-juni", "juni", "a@example.no", T0),
        ("a-september", "september", "a@example.no", T0),
        ("b-oktober", "oktober", "a@EXAMPLE.no", T0 + timedelta(days=1)),
        ("c-other", "other", "a@example.no", T0),
    ):
        registrations[key] = await conn.fetchval(
            "INSERT INTO registrations (event_id, status, name, email, email_norm, privacy_accepted_at, created_at) "
            "VALUES ($1, 'confirmed', 'A', $2, lower($2), $3, $3) RETURNING id",
            events[slug],
            email,
            at,
        )

    await migrate(conn)

    series_rows = await conn.fetch(
        "SELECT s.slug, u.email AS created_by FROM series s LEFT JOIN users u ON u.id = s.created_by"
    )
    owners = await conn.fetch("SELECT u.email FROM user_series_scopes x JOIN users u ON u.id = x.user_id")
    signups = {
        key: await conn.fetchval("SELECT signup_id FROM registrations WHERE id = $1", rid)
        for key, rid in registrations.items()
    }
    assert [tuple(r) for r in series_rows] == [(SERIES, "kari@example.no")]
    assert [r["email"] for r in owners] == ["kari@example.no"]
    assert signups["a-juni"] is not None
    assert signups["a-juni"] == signups["a-september"]
    assert signups["b-oktober"] not in (None, signups["a-juni"])
    assert signups["c-other"] is None
