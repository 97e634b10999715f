"""Walk-ins at the door: registered and admitted in one step, only where the event allows it, never beyond
capacity; a repeated nonce is one walk-in."""

from __future__ import annotations

from typing import Any

import asyncpg

from service.console import attendance
from tests.checkin.conftest import NewDoor
from tests.conftest import Client, MakeEvent, RunJobs, auth
from tests.smtp import SmtpServer


async def walk_in(client: Client, token: str, path: str = "/api/v1/door/walk-ins", **body: Any) -> Any:
    payload = {"nonce": "w-1", "name": "Ola Walk-in", "organisation": "Askøy kommune", **body}
    return await client.post(path, json=payload, headers=auth(token))


async def stored(conn: asyncpg.Connection) -> tuple[int, int, int]:
    row = await conn.fetchrow(
        """SELECT (SELECT count(*) FROM registrations) AS registrations, (SELECT count(*) FROM checkin_scans) AS scans,
                  (SELECT count(*) FROM checkin_admissions) AS admissions"""
    )
    return row["registrations"], row["scans"], row["admissions"]


async def test_walk_in_registers_and_admits_in_one_step(
    client: Client,
    conn: asyncpg.Connection,
    make_event: MakeEvent,
    new_door: NewDoor,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    organiser_token: str,
) -> None:
    await make_event(slug="kk", capacity=2, allow_walk_ins=True)
    _, token = await new_door()

    response = await walk_in(client, token)
    await run_jobs()

    assert response.status_code == 201, response.text
    answer = response.json()
    assert (answer["result"], answer["attendee"], answer["admission"]["door"]) == (
        "admitted",
        {"name": "Ola Walk-in", "organisation": "Askøy kommune"},
        "Hovudinngang",
    )
    row = await conn.fetchrow("SELECT status, source, email FROM registrations")
    assert tuple(row) == ("confirmed", "door", None)
    assert await conn.fetchval("SELECT via FROM checkin_scans") == "walk_in"
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'registration.added'") == 1
    assert smtp.sink.mails == []
    status = (await client.get("/api/v1/door", headers=auth(token))).json()
    assert (status["counts"], status["event"]["allow_walk_ins"]) == ({"checked_in": 1, "expected": 1}, True)
    event_id = await conn.fetchval("SELECT id FROM events WHERE slug = 'kk'")
    assert (await attendance.totals(conn, event_id)).walk_ins == 1
    export = await client.get("/api/v1/events/kk/registrations?format=csv", headers=auth(organiser_token))
    header, line = export.text.splitlines()[:2]
    assert dict(zip(header.split(","), line.split(","), strict=True))["source"] == "door"


async def test_walk_in_repeated_nonce_is_one_walk_in(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, new_door: NewDoor
) -> None:
    await make_event(slug="kk", capacity=2, allow_walk_ins=True)
    _, token = await new_door()

    first = await walk_in(client, token)
    again = await walk_in(client, token)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["scan_id"] == first.json()["scan_id"]
    assert await stored(conn) == (1, 1, 1)


async def test_walk_in_on_full_event_is_409_in_the_doors_language_and_writes_nothing(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, new_door: NewDoor
) -> None:
    await make_event(slug="kk", capacity=1, allow_walk_ins=True)
    _, token = await new_door()
    await walk_in(client, token, nonce="w-0", name="Første")
    before = await stored(conn)

    response = await walk_in(client, token, path="/api/v1/door/walk-ins?lang=nn")

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert (response.json()["code"], response.json()["title"]) == ("event_full", "Ingen plassar er ledige")
    assert await stored(conn) == before


async def test_walk_in_where_the_event_does_not_allow_it_is_403(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, new_door: NewDoor
) -> None:
    await make_event(slug="kk", capacity=5)
    _, token = await new_door()

    response = await walk_in(client, token)

    assert (response.status_code, response.json()["code"]) == (403, "walk_ins_not_allowed")
    assert await stored(conn) == (0, 0, 0)


async def test_walk_in_bad_input_is_422_and_writes_nothing(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, new_door: NewDoor, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=5, allow_walk_ins=True)
    _, token = await new_door()

    answers = [
        await walk_in(client, token, name=""),
        await walk_in(client, token, email="nope"),
        await walk_in(client, token, nonce="has space"),
        await walk_in(client, token, extra=True),
        await walk_in(client, organiser_token),
    ]

    assert [r.status_code for r in answers] == [422, 422, 422, 422, 403]
    assert await stored(conn) == (0, 0, 0)


async def test_allow_walk_ins_is_off_by_default_and_set_through_the_events_api(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    created = await make_event(slug="kk")

    changed = await client.patch("/api/v1/events/kk", json={"allow_walk_ins": True}, headers=auth(organiser_token))

    assert (created["allow_walk_ins"], changed.json()["allow_walk_ins"]) == (False, True)
