"""Choosing sessions: overlap refused, exact session capacity under concurrency, the session waiting list."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import asyncpg

from service import db
from service.programme.domain import choose_sessions
from service.programme.schemas import Choice
from tests.conftest import T0, Client, MakeEvent, auth
from tests.programme.helpers import add_session, attendee, manage_headers, session_body


async def programme(client: Client, token: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    a = await add_session(client, token, **session_body("Spor A", "10:00", "11:00", capacity=1))
    b = await add_session(client, token, **session_body("Spor B", "10:00", "11:00", room="Rom 2"))
    c = await add_session(client, token, **session_body("Ettermiddag", "13:00", "14:00"))
    return a, b, c


async def test_register_with_sessions_confirms_choices(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    a, _b, c = await programme(client, organiser_token)

    response = await client.post("/api/v1/events/kk/registrations", json=attendee(1, sessions=[a["id"], c["id"]]))

    assert response.status_code == 201
    assert response.json()["sessions"] == [
        {"session_id": a["id"], "status": "confirmed", "waitlist_position": None},
        {"session_id": c["id"], "status": "confirmed", "waitlist_position": None},
    ]


async def test_overlapping_choice_is_refused_and_nobody_is_registered(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    a, b, _c = await programme(client, organiser_token)

    response = await client.post("/api/v1/events/kk/registrations", json=attendee(1, sessions=[a["id"], b["id"]]))
    listed = await client.get("/api/v1/events/kk/registrations", headers=auth(organiser_token))

    assert response.status_code == 422
    assert (response.json()["code"], set(response.json()["extra"]["sessions"])) == (
        "sessions_overlap",
        {a["id"], b["id"]},
    )
    assert listed.json()["total"] == 0


async def test_plenary_or_unknown_session_cannot_be_chosen(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    plenary = await add_session(client, organiser_token, **session_body("Åpning", "09:00", "09:30", kind="plenary"))
    await make_event(slug="other")
    elsewhere = await add_session(client, organiser_token, slug="other", **session_body("Annet", "10:00", "11:00"))

    plenary_answer = await client.post("/api/v1/events/kk/registrations", json=attendee(1, sessions=[plenary["id"]]))
    elsewhere_answer = await client.post(
        "/api/v1/events/kk/registrations", json=attendee(2, sessions=[elsewhere["id"]])
    )

    assert (plenary_answer.status_code, plenary_answer.json()["code"]) == (422, "session_not_choosable")
    assert (elsewhere_answer.status_code, elsewhere_answer.json()["code"]) == (422, "unknown_session")


async def test_full_session_waitlists_and_a_dropped_place_promotes_the_next(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    a, b, _c = await programme(client, organiser_token)
    first = (await client.post("/api/v1/events/kk/registrations", json=attendee(1, sessions=[a["id"]]))).json()
    second = (await client.post("/api/v1/events/kk/registrations", json=attendee(2, sessions=[a["id"]]))).json()

    moved = await client.patch(
        "/api/v1/registrations/self", json={"sessions": [b["id"]]}, headers=manage_headers(first)
    )
    second_now = (await client.get("/api/v1/registrations/self", headers=manage_headers(second))).json()

    assert second["sessions"] == [{"session_id": a["id"], "status": "waitlisted", "waitlist_position": 1}]
    assert moved.json()["sessions"] == [{"session_id": b["id"], "status": "confirmed", "waitlist_position": None}]
    assert second_now["sessions"] == [{"session_id": a["id"], "status": "confirmed", "waitlist_position": None}]


async def test_cancelling_registration_frees_its_session_place(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    a, _b, _c = await programme(client, organiser_token)
    first = (await client.post("/api/v1/events/kk/registrations", json=attendee(1, sessions=[a["id"]]))).json()
    second = (await client.post("/api/v1/events/kk/registrations", json=attendee(2, sessions=[a["id"]]))).json()

    await client.delete("/api/v1/registrations/self", headers=manage_headers(first))
    second_now = (await client.get("/api/v1/registrations/self", headers=manage_headers(second))).json()
    session = (await client.get("/api/v1/events/kk/sessions")).json()[0]

    assert second_now["sessions"] == [{"session_id": a["id"], "status": "confirmed", "waitlist_position": None}]
    assert (session["chosen"], session["waitlisted"], session["remaining"]) == (1, 0, 0)


async def test_raising_session_capacity_promotes_from_its_waiting_list(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    a, _b, _c = await programme(client, organiser_token)
    for n in range(3):
        await client.post("/api/v1/events/kk/registrations", json=attendee(n, sessions=[a["id"]]))

    changed = await client.patch(f"/api/v1/sessions/{a['id']}", json={"capacity": 2}, headers=auth(organiser_token))

    assert (changed.json()["chosen"], changed.json()["waitlisted"], changed.json()["remaining"]) == (2, 1, 0)


async def test_choosing_the_same_set_again_changes_nothing(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    a, _b, c = await programme(client, organiser_token)
    first = (await client.post("/api/v1/events/kk/registrations", json=attendee(1, sessions=[a["id"], c["id"]]))).json()
    history_before = await conn.fetchval("SELECT count(*) FROM registration_history")

    again = await client.patch(
        "/api/v1/registrations/self", json={"sessions": [c["id"], a["id"]]}, headers=manage_headers(first)
    )

    assert [s["status"] for s in again.json()["sessions"]] == ["confirmed", "confirmed"]
    assert await conn.fetchval("SELECT count(*) FROM registration_history") == history_before


async def test_fifty_concurrent_choices_for_ten_places_confirm_exactly_ten(
    client: Client, make_event: MakeEvent, organiser_token: str, database_url: str
) -> None:
    """Real concurrency: fifty connections choosing one session with ten places at the same instant."""
    await make_event(slug="kk", capacity=100)
    session = await add_session(client, organiser_token, **session_body("Populær", "10:00", "11:00", capacity=10))
    registered = [(await client.post("/api/v1/events/kk/registrations", json=attendee(n))).json() for n in range(50)]
    pool = await db.create_pool(database_url, size=50)

    async def choose(registration_id: str) -> list[Choice]:
        async with pool.acquire() as conn:
            return await choose_sessions(conn, UUID(registration_id), [UUID(session["id"])], actor="test", now=T0)

    try:
        results = await asyncio.gather(*(choose(r["id"]) for r in registered))
    finally:
        await pool.close()
    listed = (await client.get("/api/v1/events/kk/sessions")).json()

    statuses = [choices[0].status for choices in results]
    assert (statuses.count("confirmed"), statuses.count("waitlisted")) == (10, 40)
    assert (listed[0]["chosen"], listed[0]["waitlisted"], listed[0]["remaining"]) == (10, 40, 0)
