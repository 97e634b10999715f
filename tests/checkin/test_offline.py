"""The offline data: a door finds and reads an entry only with the ticket's code in hand."""

from __future__ import annotations

import base64
import json
from typing import Any

from service.checkin import offline
from tests.checkin.conftest import NewDoor, Register, code_of
from tests.conftest import Client, MakeEvent, auth


def read_entry(data: dict[str, Any], code: str) -> dict[str, Any] | None:
    """What the door page's offline.js does: look the code's hash up, then unseal the entry with the code."""
    entries = dict(data["entries"])
    sealed = entries.get(base64.b64encode(offline.lookup(code)).decode())
    if sealed is None:
        return None
    plain = offline.unseal(code, base64.b64decode(data["salt"]), base64.b64decode(sealed))
    entry: dict[str, Any] = json.loads(plain)
    return entry


def test_seal_round_trips_and_depends_on_code_and_salt() -> None:
    plain = json.dumps({"n": "Kari Nordmann", "o": "Bergen kommune – helseetaten", "s": "confirmed"}).encode()
    code = "T1" + "A" * 52

    sealed = offline.seal(code, b"salt-1", plain)

    assert offline.unseal(code, b"salt-1", sealed) == plain
    assert offline.unseal("T1" + "B" * 52, b"salt-1", sealed) != plain
    assert offline.seal(code, b"salt-2", plain) != sealed
    assert b"Kari" not in sealed


async def test_offline_data_opens_each_ticket_with_its_own_code_only(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=2)
    kari = await register("Kari Nordmann", "kari@example.no")
    ola = await register("Ola Nordmann", "ola@example.no", organisation="")
    per = await register("Per Hansen", "per@example.no")
    await client.post(f"/api/v1/registrations/{ola['id']}/cancel", headers=auth(organiser_token))
    _, token = await new_door()
    await client.post("/api/v1/checkins", json={"code": code_of(kari), "nonce": "1"}, headers=auth(token))

    response = await client.get("/api/v1/door/offline", headers=auth(token))
    data = response.json()

    assert (response.status_code, response.headers["cache-control"], len(data["entries"])) == (200, "no-store", 3)
    assert read_entry(data, code_of(kari)) == {
        "n": "Kari Nordmann",
        "o": "Bergen kommune",
        "s": "confirmed",
        "a": "2027-03-01T09:00:00Z",
        "d": "Hovudinngang",
    }
    assert read_entry(data, code_of(ola)) == {"n": "Ola Nordmann", "s": "cancelled"}
    assert (read_entry(data, code_of(per)) or {}).get("s") == "confirmed"  # promoted from the waiting list
    assert read_entry(data, "T1" + "A" * 52) is None
    assert "Nordmann" not in response.text


async def test_offline_data_leaves_other_events_out(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register
) -> None:
    await make_event(slug="kk")
    await make_event(slug="alrek-intro", kind="workshop")
    other = await register("Ola Nordmann", "ola@example.no", slug="alrek-intro")
    _, token = await new_door(slug="kk")

    data = (await client.get("/api/v1/door/offline", headers=auth(token))).json()

    assert (data["entries"], read_entry(data, code_of(other))) == ([], None)
