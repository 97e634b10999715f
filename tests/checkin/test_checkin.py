"""POST /api/v1/checkins: every answer, nonces, the scan log, offline uploads and the guessing limit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg

from tests.checkin.conftest import NewDoor, Register, code_of
from tests.conftest import T0, Client, Clock, MakeEvent, auth


def without_id(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "scan_id"}


KARI = {"name": "Kari Nordmann", "organisation": "Bergen kommune"}


async def test_first_scan_admits_and_the_next_says_when_and_where(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register, clock: Clock
) -> None:
    await make_event(slug="kk")
    kari = await register("Kari Nordmann", "kari@example.no")
    _, main = await new_door(name="Hovudinngang")
    _, side = await new_door(name="Sideinngang")

    first = await client.post("/api/v1/checkins", json={"code": code_of(kari), "nonce": "a1"}, headers=auth(main))
    clock.advance(minutes=3)
    again = await client.post("/api/v1/checkins", json={"code": code_of(kari), "nonce": "b1"}, headers=auth(side))

    assert without_id(first.json()) == {
        "result": "admitted",
        "scanned_at": "2027-03-01T09:00:00Z",
        "attendee": KARI,
        "admission": {"at": "2027-03-01T09:00:00Z", "door": "Hovudinngang"},
    }
    assert without_id(again.json()) == {
        "result": "already_checked_in",
        "scanned_at": "2027-03-01T09:03:00Z",
        "attendee": KARI,
        "admission": {"at": "2027-03-01T09:00:00Z", "door": "Hovudinngang"},
    }


async def test_cancelled_waitlisted_forged_and_garbage_codes_are_refused(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=1)
    kari = await register("Kari Nordmann", "kari@example.no")
    ola = await register("Ola Nordmann", "ola@example.no")
    await client.post(f"/api/v1/registrations/{kari['id']}/cancel", headers=auth(organiser_token))
    waiting = await register("Per Hansen", "per@example.no")
    _, token = await new_door()
    forged = code_of(ola)[:-4] + ("AAAA" if not code_of(ola).endswith("AAAA") else "BAAA")
    codes = {
        "cancelled": code_of(kari),
        "waitlisted": code_of(waiting),
        "forged": forged,
        "garbage": "hello world",
        "manage link": "M1" + code_of(ola)[2:],
    }

    answers = {
        name: without_id(
            (await client.post("/api/v1/checkins", json={"code": code, "nonce": f"n{i}"}, headers=auth(token))).json()
        )
        for i, (name, code) in enumerate(codes.items())
    }

    refused = {"scanned_at": "2027-03-01T09:00:00Z", "admission": None}
    assert answers == {
        "cancelled": {"result": "cancelled", "attendee": KARI, **refused},
        "waitlisted": {
            "result": "waitlisted",
            "attendee": {"name": "Per Hansen", "organisation": "Bergen kommune"},
            **refused,
        },
        "forged": {"result": "invalid", "attendee": None, **refused},
        "garbage": {"result": "invalid", "attendee": None, **refused},
        "manage link": {"result": "invalid", "attendee": None, **refused},
    }


async def test_a_repeated_nonce_answers_what_the_first_got_and_logs_one_scan(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register, conn: asyncpg.Connection, clock: Clock
) -> None:
    await make_event(slug="kk")
    kari = await register("Kari Nordmann", "kari@example.no")
    _, token = await new_door()
    body = {"code": code_of(kari), "nonce": "retry-1"}

    first = await client.post("/api/v1/checkins", json=body, headers=auth(token))
    clock.advance(seconds=10)
    retried = await client.post("/api/v1/checkins", json=body, headers=auth(token))

    assert retried.json() == first.json()
    assert first.json()["result"] == "admitted"
    assert await conn.fetchval("SELECT count(*) FROM checkin_scans") == 1


async def test_every_scan_is_logged_with_door_time_and_answer(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    kari = await register("Kari Nordmann", "kari@example.no")
    door, token = await new_door()

    for nonce, code in (("1", code_of(kari)), ("2", code_of(kari)), ("3", "T1NOPE")):
        await client.post("/api/v1/checkins", json={"code": code, "nonce": nonce}, headers=auth(token))
    rows = await conn.fetch(
        "SELECT door_id::text, nonce, result, scanned_at, received_at, offline, registration_id::text"
        " FROM checkin_scans ORDER BY id"
    )

    assert [tuple(r) for r in rows] == [
        (door["id"], "1", "admitted", T0, T0, False, kari["id"]),
        (door["id"], "2", "already_checked_in", T0, T0, False, kari["id"]),
        (door["id"], "3", "invalid", T0, T0, False, None),
    ]


async def test_offline_upload_with_an_earlier_time_takes_the_admission_and_flags_the_later_one(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register, clock: Clock
) -> None:
    await make_event(slug="kk")
    kari = await register("Kari Nordmann", "kari@example.no")
    _, online_door = await new_door(name="Hovudinngang")
    _, offline_door = await new_door(name="Sideinngang")
    clock.advance(minutes=10)
    online = await client.post(
        "/api/v1/checkins", json={"code": code_of(kari), "nonce": "on-1"}, headers=auth(online_door)
    )

    uploaded = await client.post(
        "/api/v1/checkins",
        json={
            "code": code_of(kari),
            "nonce": "off-1",
            "offline": True,
            "scanned_at": (T0 + timedelta(minutes=4)).isoformat(),
        },
        headers=auth(offline_door),
    )
    online_recent = (await client.get("/api/v1/door", headers=auth(online_door))).json()["recent"]

    earlier = {"at": "2027-03-01T09:04:00Z", "door": "Sideinngang"}
    assert online.json()["result"] == "admitted"
    assert without_id(uploaded.json()) == {
        "result": "admitted",
        "scanned_at": "2027-03-01T09:04:00Z",
        "attendee": KARI,
        "admission": earlier,
    }
    assert [(s["result"], s["duplicate"], s["admission"]) for s in online_recent] == [("admitted", True, earlier)]


async def test_offline_upload_after_the_admission_is_a_flagged_duplicate(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register
) -> None:
    await make_event(slug="kk")
    kari = await register("Kari Nordmann", "kari@example.no")
    _, first_door = await new_door(name="Hovudinngang")
    _, offline_door = await new_door(name="Sideinngang")
    await client.post("/api/v1/checkins", json={"code": code_of(kari), "nonce": "a"}, headers=auth(first_door))

    uploaded = await client.post(
        "/api/v1/checkins",
        json={"code": code_of(kari), "nonce": "b", "offline": True, "scanned_at": "2027-03-01T10:00:00+01:00"},
        headers=auth(offline_door),
    )
    recent = (await client.get("/api/v1/door", headers=auth(offline_door))).json()["recent"]

    assert uploaded.json()["result"] == "already_checked_in"
    assert [(s["result"], s["offline"], s["duplicate"]) for s in recent] == [("already_checked_in", True, True)]


async def test_scan_times_from_the_future_are_taken_as_now(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register
) -> None:
    await make_event(slug="kk")
    kari = await register("Kari Nordmann", "kari@example.no")
    _, token = await new_door()

    answer = await client.post(
        "/api/v1/checkins",
        json={"code": code_of(kari), "nonce": "x", "offline": True, "scanned_at": "2030-01-01T00:00:00Z"},
        headers=auth(token),
    )

    assert answer.json()["scanned_at"] == "2027-03-01T09:00:00Z"


async def test_guessing_codes_is_limited_per_door_per_minute(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register, clock: Clock
) -> None:
    await make_event(slug="kk")
    kari = await register("Kari Nordmann", "kari@example.no")
    _, guesser = await new_door(name="Hovudinngang")
    _, other = await new_door(name="Sideinngang")

    guesses = [
        (await client.post("/api/v1/checkins", json={"code": f"T1GUESS{n}", "nonce": f"g{n}"}, headers=auth(guesser)))
        for n in range(31)
    ]
    real_while_limited = await client.post(
        "/api/v1/checkins", json={"code": code_of(kari), "nonce": "real"}, headers=auth(guesser)
    )
    other_door = await client.post("/api/v1/checkins", json={"code": "T1NOPE", "nonce": "o"}, headers=auth(other))
    clock.advance(minutes=1)
    next_minute = await client.post(
        "/api/v1/checkins", json={"code": code_of(kari), "nonce": "real"}, headers=auth(guesser)
    )

    assert [g.json().get("result") for g in guesses[:30]] == ["invalid"] * 30
    assert (guesses[30].status_code, guesses[30].json()["code"], guesses[30].headers["retry-after"]) == (
        429,
        "too_many_guesses",
        "60",
    )
    assert real_while_limited.status_code == 429
    assert other_door.json()["result"] == "invalid"
    assert next_minute.json()["result"] == "admitted"


async def test_bad_bodies_are_422_and_change_nothing(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    kari = await register("Kari Nordmann", "kari@example.no")
    _, token = await new_door()
    bodies = [
        {"nonce": "n"},
        {"code": code_of(kari), "registration_id": kari["id"], "nonce": "n"},
        {"code": code_of(kari)},
        {"code": code_of(kari), "nonce": ""},
        {"code": code_of(kari), "nonce": "n" * 65},
        {"code": "x" * 201, "nonce": "n"},
        {"code": code_of(kari), "nonce": "n", "scanned_at": "2027-03-01T09:00:00"},
        {"code": code_of(kari), "nonce": "n", "extra": 1},
    ]

    statuses = [(await client.post("/api/v1/checkins", json=body, headers=auth(token))).status_code for body in bodies]

    assert statuses == [422] * len(bodies)
    assert await conn.fetchval("SELECT count(*) FROM checkin_scans") == 0


async def test_door_status_counts_checked_in_and_expected_and_lists_the_last_ten(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register, clock: Clock
) -> None:
    await make_event(slug="kk")
    people = [await register(f"Deltakar {n:02d}", f"d{n}@example.no") for n in range(12)]
    _, token = await new_door()
    for n, person in enumerate(people[:11]):
        clock.advance(seconds=1)
        await client.post("/api/v1/checkins", json={"code": code_of(person), "nonce": f"n{n}"}, headers=auth(token))

    status = (await client.get("/api/v1/door", headers=auth(token))).json()

    assert (status["door"]["name"], status["event"]["slug"]) == ("Hovudinngang", "kk")
    assert status["counts"] == {"checked_in": 11, "expected": 12}
    assert [s["attendee"]["name"] for s in status["recent"]] == [f"Deltakar {n:02d}" for n in range(10, 0, -1)]


async def test_a_genuine_ticket_of_a_deleted_registration_is_not_registered(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    kari = await register("Kari Nordmann", "kari@example.no")
    _, token = await new_door()
    await conn.execute("DELETE FROM registrations WHERE id = $1::uuid", kari["id"])

    answer = await client.post("/api/v1/checkins", json={"code": code_of(kari), "nonce": "1"}, headers=auth(token))

    assert without_id(answer.json()) == {
        "result": "not_registered",
        "scanned_at": "2027-03-01T09:00:00Z",
        "attendee": None,
        "admission": None,
    }
