"""Organisers create, list and revoke doors; a pairing link works once; door tokens are scoped and expire."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import asyncpg

from tests.checkin.conftest import NewDoor, Register, code_of
from tests.conftest import Client, Clock, MakeEvent, auth
from tests.integrations.test_qr import rasterise, zxing


async def test_create_door_gives_a_pairing_link_and_lists_it_unpaired(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")

    created = await client.post("/api/v1/events/kk/doors", json={"name": "Hovudinngang"}, headers=auth(organiser_token))
    listed = await client.get("/api/v1/events/kk/doors", headers=auth(organiser_token))

    door = created.json()
    assert created.status_code == 201
    assert door["pairing_url"].startswith("http://testserver.local/door#pair=D1")
    assert {k: v for k, v in door.items() if k not in ("id", "pairing_url")} == {
        "name": "Hovudinngang",
        "state": "unpaired",
        "created_at": "2027-03-01T09:00:00Z",
        "paired_at": None,
        "revoked_at": None,
        "expires_at": "2027-06-11T02:00:00Z",
        "scans": 0,
        "admitted": 0,
    }
    assert listed.json() == [door]


async def test_pairing_link_works_once_and_hides_itself(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    door = (
        await client.post("/api/v1/events/kk/doors", json={"name": "Sideinngang"}, headers=auth(organiser_token))
    ).json()
    code = door["pairing_url"].split("#pair=")[1]

    first = await client.post("/api/v1/doors/pair", json={"code": code})
    second = await client.post("/api/v1/doors/pair", json={"code": code})
    listed = (await client.get("/api/v1/events/kk/doors", headers=auth(organiser_token))).json()

    paired = first.json()
    assert first.status_code == 200
    assert paired["token"].startswith("mp_")
    assert (paired["door"], paired["event"]["slug"], paired["expires_at"]) == (
        {"id": door["id"], "name": "Sideinngang"},
        "kk",
        "2027-06-11T02:00:00Z",
    )
    assert (second.status_code, second.json()["code"]) == (404, "pairing_invalid")
    assert [(d["state"], d["pairing_url"], d["paired_at"]) for d in listed] == [
        ("paired", None, "2027-03-01T09:00:00Z")
    ]


async def test_forged_pairing_code_is_refused(client: Client, make_event: MakeEvent, organiser_token: str) -> None:
    await make_event(slug="kk")
    door = (
        await client.post("/api/v1/events/kk/doors", json={"name": "Hovudinngang"}, headers=auth(organiser_token))
    ).json()
    code = door["pairing_url"].split("#pair=")[1]
    forged = code[:-2] + ("AA" if code[-2:] != "AA" else "BA")

    response = await client.post("/api/v1/doors/pair", json={"code": forged})

    assert (response.status_code, response.json()["code"]) == (404, "pairing_invalid")


async def test_door_name_is_unique_among_active_doors_of_an_event(
    client: Client, make_event: MakeEvent, organiser_token: str, new_door: NewDoor
) -> None:
    await make_event(slug="kk")
    door, _ = await new_door(name="Hovudinngang")

    taken = await client.post("/api/v1/events/kk/doors", json={"name": "hovudinngang"}, headers=auth(organiser_token))
    await client.post(f"/api/v1/doors/{door['id']}/revoke", headers=auth(organiser_token))
    again = await client.post("/api/v1/events/kk/doors", json={"name": "Hovudinngang"}, headers=auth(organiser_token))

    assert (taken.status_code, taken.json()["code"], taken.json()["errors"][0]["field"]) == (
        409,
        "door_name_taken",
        "name",
    )
    assert again.status_code == 201


async def test_revoked_door_token_gets_401_at_once_and_revoking_again_keeps_the_first_time(
    client: Client, make_event: MakeEvent, organiser_token: str, new_door: NewDoor, clock: Clock
) -> None:
    await make_event(slug="kk")
    door, token = await new_door()
    before = await client.get("/api/v1/door", headers=auth(token))

    revoked = await client.post(f"/api/v1/doors/{door['id']}/revoke", headers=auth(organiser_token))
    clock.advance(minutes=5)
    again = await client.post(f"/api/v1/doors/{door['id']}/revoke", headers=auth(organiser_token))
    after = await client.post("/api/v1/checkins", json={"code": "T1X", "nonce": "n1"}, headers=auth(token))

    assert before.status_code == 200
    assert (revoked.json()["state"], revoked.json()["revoked_at"]) == ("revoked", "2027-03-01T09:00:00Z")
    assert again.json()["revoked_at"] == "2027-03-01T09:00:00Z"
    assert (after.status_code, after.json()["code"]) == (401, "invalid_token")


async def test_door_token_expires_twelve_hours_after_the_event(
    client: Client, make_event: MakeEvent, new_door: NewDoor, clock: Clock
) -> None:
    await make_event(slug="kk")
    _, token = await new_door()

    clock.now = datetime.fromisoformat("2027-06-11T01:59:00+00:00")
    late = await client.get("/api/v1/door", headers=auth(token))
    clock.advance(minutes=1)
    expired = await client.get("/api/v1/door", headers=auth(token))

    assert late.status_code == 200
    assert (expired.status_code, expired.json()["code"]) == (401, "token_expired")


async def test_door_routes_refuse_no_token_bad_token_and_people(
    client: Client, make_event: MakeEvent, organiser_token: str, admin_token: str
) -> None:
    await make_event(slug="kk")
    routes = [
        ("POST", "/api/v1/checkins", {"code": "T1X", "nonce": "n1"}),
        ("GET", "/api/v1/door", None),
        ("GET", "/api/v1/door/search?q=kari", None),
        ("GET", "/api/v1/door/offline", None),
        ("POST", "/api/v1/door/walk-ins", {"nonce": "w1", "name": "Ola"}),
    ]
    callers = {"none": {}, "bad": auth("mp_nope"), "organiser": auth(organiser_token), "admin": auth(admin_token)}

    answers = {
        (who, path): (r.status_code, r.json()["code"])
        for method, path, body in routes
        for who, headers in callers.items()
        for r in [await client.request(method, path, json=body, headers=headers)]
    }

    assert set(answers.values()) == {(401, "unauthorized"), (401, "invalid_token"), (403, "door_only")}
    assert {k: v for k, v in answers.items() if k[0] in ("organiser", "admin")} == {
        (who, path): (403, "door_only") for who in ("organiser", "admin") for _, path, _ in routes
    }


async def test_no_organiser_route_lists_attendees_to_a_door(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register
) -> None:
    await make_event(slug="kk")
    registration = await register("Kari Nordmann", "kari@example.no")
    _, token = await new_door()

    answers = [
        (await client.get(path, headers=auth(token))).status_code
        for path in (
            "/api/v1/events/kk/registrations",
            "/api/v1/events/kk/registrations?format=csv",
            f"/api/v1/registrations/{registration['id']}",
            "/api/v1/events/kk/doors",
        )
    ]

    assert answers == [403, 403, 403, 403]


async def test_door_of_one_event_cannot_check_in_another_events_ticket(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register
) -> None:
    await make_event(slug="kk")
    await make_event(slug="alrek-intro", kind="workshop")
    other = await register("Ola Nordmann", "ola@example.no", slug="alrek-intro")
    _, token = await new_door(slug="kk")

    answer = await client.post("/api/v1/checkins", json={"code": code_of(other), "nonce": "n1"}, headers=auth(token))

    assert answer.status_code == 200
    assert {k: v for k, v in answer.json().items() if k not in ("scan_id",)} == {
        "result": "wrong_event",
        "scanned_at": "2027-03-01T09:00:00Z",
        "attendee": None,
        "admission": None,
    }


async def test_pairing_qr_reads_back_as_the_link_while_unpaired_and_409_after(
    client: Client, make_event: MakeEvent, organiser_token: str, tmp_path: Path
) -> None:
    await make_event(slug="kk")
    door = (
        await client.post("/api/v1/events/kk/doors", json={"name": "Hovudinngang"}, headers=auth(organiser_token))
    ).json()

    svg = await client.get(f"/api/v1/doors/{door['id']}/pairing.svg", headers=auth(organiser_token))
    await client.post("/api/v1/doors/pair", json={"code": door["pairing_url"].split("#pair=")[1]})
    after = await client.get(f"/api/v1/doors/{door['id']}/pairing.svg", headers=auth(organiser_token))

    assert (svg.status_code, svg.headers["content-type"]) == (200, "image/svg+xml")
    assert [text for text, _, _ in zxing(rasterise(svg.text, tmp_path, width=600))] == [door["pairing_url"]]
    assert (after.status_code, after.json()["code"]) == (409, "door_not_pairable")


async def test_the_ticket_url_holds_the_code_the_tests_scan(make_event: MakeEvent, register: Register) -> None:
    await make_event(slug="kk")

    kari = await register("Kari Nordmann", "kari@example.no")

    assert kari["ticket_url"] == f"http://testserver.local/t/{code_of(kari)}"


async def test_doors_are_audited_and_their_accounts_go_with_their_event(
    client: Client, make_event: MakeEvent, organiser_token: str, new_door: NewDoor, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    door, _ = await new_door()
    await client.post(f"/api/v1/doors/{door['id']}/revoke", headers=auth(organiser_token))
    await client.post(f"/api/v1/doors/{door['id']}/revoke", headers=auth(organiser_token))
    actions = await conn.fetch("SELECT actor, action FROM audit_log WHERE action LIKE 'door.%' ORDER BY id")

    await conn.execute("DELETE FROM events WHERE slug = 'kk'")
    accounts = await conn.fetchval("SELECT count(*) FROM users WHERE role = 'door'")

    assert [tuple(a) for a in actions] == [
        ("user:kari@bergen.kommune.no", "door.created"),
        (f"door:{door['id']}", "door.paired"),
        ("user:kari@bergen.kommune.no", "door.revoked"),
    ]
    assert accounts == 0
