"""Name search at the door: 3+ characters, at most five, this event only, limited per minute, check-in by pick."""

from __future__ import annotations

from tests.checkin.conftest import NewDoor, Register, code_of
from tests.conftest import Client, Clock, MakeEvent, auth


async def test_search_finds_word_starts_in_this_event_only(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register
) -> None:
    await make_event(slug="kk")
    await make_event(slug="alrek-intro", kind="workshop")
    await register("Kari Nordmann", "kari@example.no")
    await register("Karin Dale", "karin@example.no", organisation="Haukeland")
    await register("Ole Karlsen", "ole@example.no")
    await register("Makari Strand", "makari@example.no")
    await register("Kari Annen", "kari@example.no", slug="alrek-intro")
    _, token = await new_door()

    hits = (await client.get("/api/v1/door/search?q=KAR", headers=auth(token))).json()

    assert [(h["attendee"], h["admission"]) for h in hits] == [
        ({"name": "Kari Nordmann", "organisation": "Bergen kommune"}, None),
        ({"name": "Karin Dale", "organisation": "Haukeland"}, None),
        ({"name": "Ole Karlsen", "organisation": "Bergen kommune"}, None),
    ]


async def test_search_gives_at_most_five_and_needs_three_characters(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register
) -> None:
    await make_event(slug="kk")
    for n in range(12):
        await register(f"Hansen {n:02d}", f"h{n}@example.no")
    _, token = await new_door()

    hits = (await client.get("/api/v1/door/search?q=han", headers=auth(token))).json()
    short = await client.get("/api/v1/door/search?q=ha", headers=auth(token))
    spaces = await client.get("/api/v1/door/search?q=%20h%20", headers=auth(token))
    wildcard = (await client.get("/api/v1/door/search?q=%25%25%25", headers=auth(token))).json()

    assert [h["attendee"]["name"] for h in hits] == [f"Hansen {n:02d}" for n in range(5)]
    assert (short.status_code, spaces.status_code, spaces.json()["code"]) == (422, 422, "search_too_short")
    assert wildcard == []


async def test_check_in_from_a_search_hit(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register
) -> None:
    await make_event(slug="kk")
    kari = await register("Kari Nordmann", "kari@example.no")
    _, token = await new_door()
    hit = (await client.get("/api/v1/door/search?q=nordm", headers=auth(token))).json()[0]

    picked = await client.post(
        "/api/v1/checkins", json={"registration_id": hit["registration_id"], "nonce": "s1"}, headers=auth(token)
    )
    scanned = await client.post("/api/v1/checkins", json={"code": code_of(kari), "nonce": "s2"}, headers=auth(token))
    again = (await client.get("/api/v1/door/search?q=kari", headers=auth(token))).json()

    assert (picked.json()["result"], scanned.json()["result"]) == ("admitted", "already_checked_in")
    assert again[0]["admission"] == {"at": "2027-03-01T09:00:00Z", "door": "Hovudinngang"}


async def test_a_pick_of_another_events_registration_is_wrong_event(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register
) -> None:
    await make_event(slug="kk")
    await make_event(slug="alrek-intro", kind="workshop")
    other = await register("Ola Nordmann", "ola@example.no", slug="alrek-intro")
    _, token = await new_door()

    answer = await client.post(
        "/api/v1/checkins", json={"registration_id": other["id"], "nonce": "p"}, headers=auth(token)
    )

    assert (answer.json()["result"], answer.json()["attendee"]) == ("wrong_event", None)


async def test_searching_is_limited_per_door_per_minute(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register, clock: Clock
) -> None:
    await make_event(slug="kk")
    await register("Kari Nordmann", "kari@example.no")
    _, token = await new_door()

    statuses = [
        (await client.get(f"/api/v1/door/search?q=a{n:02d}", headers=auth(token))).status_code for n in range(31)
    ]
    clock.advance(minutes=1)
    later = await client.get("/api/v1/door/search?q=kari", headers=auth(token))

    assert statuses == [200] * 30 + [429]
    assert [h["attendee"]["name"] for h in later.json()] == ["Kari Nordmann"]
