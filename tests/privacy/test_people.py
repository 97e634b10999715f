"""One person across every event, for administrators: look-up (the export), erasure, and who may do it."""

from __future__ import annotations

from typing import Any

import asyncpg

from service.accounts.domain import add_user
from service.privacy import retention
from tests.conftest import T0, Client, MakeEvent, RunJobs, auth
from tests.privacy.conftest import PERSON, insert_call, insert_nomination, register

ADDRESS = PERSON.lower()


async def three_events(make_event: Any, client: Any) -> list[dict[str, Any]]:
    """The person registered at three events, and someone else at one of them."""
    for slug in ("juni", "september", "konferansen"):
        await make_event(slug=slug)
    registered = [await register(client, slug) for slug in ("juni", "september", "konferansen")]
    await register(client, "juni", email="ola@example.no")
    return registered


async def rows_naming(conn: asyncpg.Connection, address: str) -> dict[str, int]:
    """Every table with a row whose text holds the address (case-insensitive)."""
    tables = [
        r["table_name"]
        for r in await conn.fetch(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
    ]
    found = {}
    for table in sorted(tables):
        n = await conn.fetchval(f'SELECT count(*) FROM "{table}" t WHERE strpos(lower(t::text), $1) > 0', address)  # noqa: S608
        if n:
            found[table] = int(n)
    return found


async def test_people_search_finds_the_person_across_events_for_an_admin(
    conn: asyncpg.Connection, client: Client, make_event: MakeEvent, admin_token: str
) -> None:
    await three_events(make_event, client)
    call = await insert_call(conn, "prisen", T0)
    await insert_nomination(conn, call, nominator=PERSON)
    await conn.execute("INSERT INTO console_sign_in_failures (email, at) VALUES ($1, now())", ADDRESS)

    response = await client.get("/api/v1/people", params={"email": PERSON}, headers=auth(admin_token))

    assert response.status_code == 200, response.text
    found = response.json()
    assert sorted(r["event"]["slug"] for r in found["registrations"]) == ["juni", "konferansen", "september"]
    assert {r["email"] for r in found["registrations"]} == {PERSON}
    assert [(n["as"], n["nominator_email"]) for n in found["nominations"]] == [("nominator", PERSON)]
    assert (found["console_account"], found["sign_in_failures"]) == (None, 1)
    assert "manage_url" not in response.text
    assert "/r/" not in response.text


async def test_people_search_is_audited_without_the_address(
    conn: asyncpg.Connection, client: Client, make_event: MakeEvent, admin_token: str
) -> None:
    await three_events(make_event, client)

    await client.get("/api/v1/people", params={"email": PERSON, "download": "true"}, headers=auth(admin_token))

    entry = await conn.fetchrow("SELECT actor, action, data FROM audit_log WHERE action LIKE 'privacy.%'")
    assert (entry["actor"], entry["action"]) == ("user:admin@bergen.kommune.no", "privacy.person_exported")
    assert {k: v for k, v in entry["data"].items() if k != "subject"} == {
        "registrations": 3,
        "nominations": 0,
        "console_account": 0,
        "sign_in_failures": 0,
    }
    assert len(entry["data"]["subject"]) == 32
    assert ADDRESS not in str(entry["data"])


async def test_people_search_by_an_organiser_who_is_not_admin_is_forbidden(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await three_events(make_event, client)

    response = await client.get("/api/v1/people", params={"email": PERSON}, headers=auth(organiser_token))
    erase = await client.post(
        "/api/v1/people/erase", json={"email": PERSON, "confirm": True}, headers=auth(organiser_token)
    )

    assert (response.status_code, response.json()["type"].rsplit(":", 1)[-1]) == (403, "forbidden")
    assert erase.status_code == 403
    assert "Kari" not in response.text


async def test_people_search_without_sign_in_is_refused(client: Client) -> None:
    response = await client.get("/api/v1/people", params={"email": PERSON})

    assert response.status_code == 401


async def test_people_search_with_a_bad_address_is_422(client: Client, admin_token: str) -> None:
    response = await client.get("/api/v1/people", params={"email": "not an address"}, headers=auth(admin_token))

    assert (response.status_code, response.json()["type"].rsplit(":", 1)[-1]) == (422, "invalid_email")


async def test_erase_without_confirmation_changes_nothing(
    conn: asyncpg.Connection, client: Client, make_event: MakeEvent, admin_token: str
) -> None:
    await three_events(make_event, client)

    unconfirmed = await client.post(
        "/api/v1/people/erase", json={"email": PERSON, "confirm": False}, headers=auth(admin_token)
    )
    unknown = await client.post(
        "/api/v1/people/erase", json={"email": PERSON, "confirm": True, "also": 1}, headers=auth(admin_token)
    )

    assert (unconfirmed.status_code, unconfirmed.json()["type"].rsplit(":", 1)[-1]) == (422, "confirmation_required")
    assert unknown.status_code in (400, 422)
    assert await conn.fetchval("SELECT count(*) FROM registrations WHERE email_norm = $1", ADDRESS) == 3


async def test_erase_removes_the_person_from_every_table(
    conn: asyncpg.Connection, client: Client, make_event: MakeEvent, admin_token: str, run_jobs: RunJobs
) -> None:
    await three_events(make_event, client)
    await run_jobs()  # the confirmation mails went out (jobs whose results name the address)
    call = await insert_call(conn, "prisen", T0)
    await insert_nomination(conn, call, nominator=PERSON)
    await insert_nomination(conn, call, status="winner", nominee=PERSON, nominator="beate@bergen.kommune.no")
    await conn.execute("INSERT INTO console_sign_in_failures (email, at) VALUES ($1, now())", ADDRESS)
    before = await rows_naming(conn, ADDRESS)

    response = await client.post(
        "/api/v1/people/erase", json={"email": PERSON, "confirm": True}, headers=auth(admin_token)
    )

    assert response.status_code == 200, response.text
    erasure = response.json()
    assert erasure["removed"] == {
        "registrations": 3,
        "nominations": 1,
        "winner_nominations_stripped": 1,
        "sign_in_failures": 1,
        "jobs": 6,
        "idempotency_records": 0,
    }
    assert erasure["remains"] == ["anonymous_counts", "prize_history", "queued_mails"]
    assert before == {"console_sign_in_failures": 1, "jobs": 3, "nominations": 2, "registrations": 3}
    # What remains with the address: the calendar CANCELs the erasure queued, until they are sent and purged.
    assert await rows_naming(conn, ADDRESS) == {"jobs": 3}
    await run_jobs()
    await retention.purge(conn, now=T0, default_days=180)
    assert await rows_naming(conn, ADDRESS) == {}
    assert await conn.fetchval("SELECT count(*) FROM registrations") == 1  # Ola's
    winner = await conn.fetchrow("SELECT nominee_name, nominee_email, status FROM nominations")
    assert dict(winner) == {"nominee_name": "GAMUT", "nominee_email": "", "status": "winner"}
    audit = await conn.fetchrow("SELECT actor, data FROM audit_log WHERE action = 'privacy.person_erased'")
    assert audit["actor"] == "user:admin@bergen.kommune.no"
    assert audit["data"]["registrations"] == 3
    assert ADDRESS not in str(audit["data"])


async def test_erase_says_a_console_account_remains(conn: asyncpg.Connection, client: Client, admin_token: str) -> None:
    await add_user(conn, email=ADDRESS, role="organiser")

    response = await client.post(
        "/api/v1/people/erase", json={"email": PERSON, "confirm": True}, headers=auth(admin_token)
    )

    assert response.json()["remains"] == ["console_account"]
    assert await conn.fetchval("SELECT count(*) FROM users WHERE email = $1", ADDRESS) == 1
