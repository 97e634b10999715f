"""At a workshop, the door shows the group a person is placed in (online, in the name search and offline)."""

from __future__ import annotations

from tests.checkin.conftest import NewDoor, code_of
from tests.conftest import Client, MakeEvent, auth

PATIENT = {"nb": "Pasient", "nn": "Pasient", "en": "Patient"}


async def test_door_answer_and_search_name_the_workshop_group(
    client: Client, make_event: MakeEvent, new_door: NewDoor, organiser_token: str
) -> None:
    await make_event(slug="kk", kind="workshop", capacity=10)
    created = await client.post(
        "/api/v1/events/kk/groups",
        json={"key": "patient", "name": PATIENT, "capacity": 5},
        headers=auth(organiser_token),
    )
    kari = (
        await client.post(
            "/api/v1/events/kk/registrations",
            json={
                "name": "Kari Nordmann",
                "email": "kari@example.no",
                "accept_privacy": True,
                "organisation": "Bergen kommune",
                "perspectives": ["patient"],
            },
        )
    ).json()
    assigned = await client.post("/api/v1/events/kk/groups/assign", headers=auth(organiser_token))
    _, door = await new_door()

    scanned = await client.post("/api/v1/checkins", json={"code": code_of(kari), "nonce": "g1"}, headers=auth(door))
    found = await client.get("/api/v1/door/search", params={"q": "kari"}, headers=auth(door))

    assert (created.status_code, assigned.status_code) == (201, 200)
    assert scanned.json()["attendee"] == {"name": "Kari Nordmann", "organisation": "Bergen kommune", "group": PATIENT}
    assert [hit["attendee"]["group"] for hit in found.json()] == [PATIENT]
