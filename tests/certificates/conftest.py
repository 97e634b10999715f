"""An ended conference with a programme: four people registered (each in their own language), three checked in at
the door, one not; the clock set to the evening after the event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import Client, Clock, MakeEvent, auth
from tests.console.conftest import organiser, organiser_token, signed_in
from tests.console.test_attendance import check_in, door_token
from tests.programme.helpers import add_session, session_body

__all__ = ["organiser", "organiser_token", "signed_in"]

AFTER = datetime(2027, 6, 10, 17, 0, tzinfo=UTC)  # 19:00 in Oslo, three hours after the end
# name, e-mail, language; the first three are checked in.
PEOPLE = [
    ("Åse Ødegård", "ase@example.no", "nb"),
    ("Bjørn Bæra", "bjorn@example.no", "nn"),
    ("Kari Smith", "kari@example.no", "en"),
    ("Dag Hjemme", "dag@example.no", "nb"),
]


@pytest.fixture
async def ended(client: Client, make_event: MakeEvent, organiser_token: str, clock: Clock) -> dict[str, Any]:
    """{"people": name -> the registration as created, "sessions": the two sessions}: Åse chose both sessions,
    Bjørn one; the clock after the event."""
    await make_event(slug="kk", capacity=10, organiser_name="Kunnskapskommunen Helse Omsorg Vest")
    morning = await add_session(
        client,
        organiser_token,
        **session_body("Tillit i tenestene", "10:00", "11:00"),
    )
    afternoon = await add_session(
        client, organiser_token, **session_body("Velferdsteknologi i praksis", "13:00", "14:30")
    )
    people: dict[str, dict[str, Any]] = {}
    for index, (name, email, language) in enumerate(PEOPLE):
        sessions = [morning["id"], afternoon["id"]][: max(0, 2 - index)]
        body = {"name": name, "email": email, "language": language, "accept_privacy": True, "sessions": sessions}
        response = await client.post("/api/v1/events/kk/registrations", json=body)
        assert response.status_code == 201, response.text
        people[name] = response.json()
    door = await door_token(client, organiser_token, "Hovudinngang")
    for index, (name, _, _) in enumerate(PEOPLE[:3]):
        await check_in(client, door, people[name]["id"], f"n{index}")
    clock.now = AFTER
    return {"people": people, "sessions": [morning, afternoon]}


def manage_code(created: dict[str, Any]) -> str:
    url: str = created["manage_url"]
    return url.rsplit("/", 1)[1]


def headers(token: str) -> dict[str, str]:
    return auth(token)
