"""The audiences that join announcements from other domains: checked in at the door, one session's
attendees; and the stats lines for check-ins and nearly full sessions."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from service.announcements.domain import count_recipients
from service.slack.stats import event_stats
from tests.checkin.conftest import code_of
from tests.conftest import T0, Client, MakeEvent, auth
from tests.programme.helpers import add_session, attendee, session_body


async def test_checked_in_and_session_audiences_count_the_right_people(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str
) -> None:
    event = await make_event(slug="kk", capacity=10)
    plenary = await add_session(client, organiser_token, **session_body("Åpning", "09:00", "09:30", kind="plenary"))
    parallel = await add_session(client, organiser_token, **session_body("Spor A", "10:00", "11:00", capacity=1))
    first = (await client.post("/api/v1/events/kk/registrations", json=attendee(1, sessions=[parallel["id"]]))).json()
    await client.post("/api/v1/events/kk/registrations", json=attendee(2, sessions=[parallel["id"]]))  # waits
    await client.post("/api/v1/events/kk/registrations", json=attendee(3))
    door = (
        await client.post("/api/v1/events/kk/doors", json={"name": "Inngang"}, headers=auth(organiser_token))
    ).json()
    token = (await client.post("/api/v1/doors/pair", json={"code": door["pairing_url"].split("#pair=")[1]})).json()
    scanned = await client.post(
        "/api/v1/checkins", json={"code": code_of(first), "nonce": "n-1"}, headers=auth(token["token"])
    )
    event_id = UUID(event["id"])

    counts = {
        "confirmed": await count_recipients(conn, event_id, "confirmed"),
        "checked_in": await count_recipients(conn, event_id, "checked_in"),
        "plenary": await count_recipients(conn, event_id, "session", plenary["id"]),
        "parallel": await count_recipients(conn, event_id, "session", parallel["id"]),
    }

    assert scanned.json()["result"] == "admitted"
    assert counts == {"confirmed": 3, "checked_in": 1, "plenary": 3, "parallel": 1}


async def test_stats_name_checked_in_and_nearly_full_sessions(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str
) -> None:
    event = await make_event(slug="kk", capacity=10)
    full = await add_session(client, organiser_token, **session_body("Nesten full", "10:00", "11:00", capacity=2))
    await add_session(client, organiser_token, **session_body("God plass", "12:00", "13:00", capacity=50))
    for n in range(2):
        await client.post("/api/v1/events/kk/registrations", json=attendee(n, sessions=[full["id"]]))

    lines = await event_stats(conn, UUID(event["id"]), "nb", T0)

    assert lines[-2:] == [("Sjekket inn", "0"), ("Sesjoner som er nesten fulle", "Nesten full (2/2)")]
