"""Doors in the console: create one and see its pairing QR code and link, the list with live counts,
revoke; a taken or empty name shows the form again and creates nothing."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.checkin.conftest import code_of
from tests.conftest import Client, Clock, MakeEvent, auth
from tests.console.conftest import HTML, PostForm
from tests.web.html import Page

DOORS = "/console/events/kk/doors"


@pytest.fixture
async def kk(make_event: MakeEvent) -> dict[str, Any]:
    return await make_event(slug="kk")


async def stored_doors(conn: Any) -> list[tuple[str, bool, bool]]:
    rows = await conn.fetch("SELECT name, paired_at IS NOT NULL, revoked_at IS NOT NULL FROM doors ORDER BY name")
    return [tuple(row) for row in rows]


async def test_create_a_door_and_see_its_pairing_qr_code_and_link(
    signed_in: Client, post_form: PostForm, kk: dict[str, Any], conn: asyncpg.Connection
) -> None:
    response = await post_form(DOORS, DOORS, {"name": "Hovudinngang"})
    door_id = await conn.fetchval("SELECT id FROM doors")
    page = Page((await signed_in.get(response.headers["location"], headers=HTML)).text)
    qr = await signed_in.get(f"/api/v1/doors/{door_id}/pairing.svg")

    assert (response.status_code, response.headers["location"]) == (303, f"{DOORS}/{door_id}")
    assert await stored_doors(conn) == [("Hovudinngang", False, False)]
    assert page.one("h1").text == "Koble til døren Hovudinngang"
    assert page.one("img.pairing-qr").attrs["src"] == f"/api/v1/doors/{door_id}/pairing.svg"
    assert page.one("#pairing-link").attrs["href"].startswith("http://testserver.local/door#pair=")
    assert (qr.status_code, qr.headers["content-type"]) == (200, "image/svg+xml")


async def test_doors_are_listed_with_live_counts(
    signed_in: Client, client: Client, kk: dict[str, Any], organiser_token: str, clock: Clock
) -> None:
    created = await client.post("/api/v1/events/kk/doors", json={"name": "Hovudinngang"}, headers=auth(organiser_token))
    clock.advance(seconds=1)
    await client.post("/api/v1/events/kk/doors", json={"name": "Sideinngang"}, headers=auth(organiser_token))
    paired = await client.post("/api/v1/doors/pair", json={"code": created.json()["pairing_url"].split("#pair=")[1]})
    people = []
    for n in (1, 2, 3):
        answer = await client.post(
            "/api/v1/events/kk/registrations",
            json={"name": f"Deltaker {n}", "email": f"p{n}@example.no", "accept_privacy": True},
        )
        people.append(answer.json())
    door = auth(paired.json()["token"])
    await client.post("/api/v1/checkins", json={"code": code_of(people[0]), "nonce": "n1"}, headers=door)

    page = Page((await signed_in.get(DOORS, headers=HTML)).text)
    live = Page((await signed_in.get(f"{DOORS}/counts", headers=HTML)).text)

    assert page.one("#door-counts").text == "Sjekket inn: 1 av 3"
    assert page.one("#doors-live").attrs["data-refresh-seconds"] == "10"
    assert page.texts("th.door-name") == ["Hovudinngang", "Sideinngang"]
    assert live.texts("td") == [
        "Koblet til mandag 1. mars 2027 kl. 10:00",
        "1",
        "1",
        "Trekk tilbake: Hovudinngang",
        "Ikke koblet til ennå",
        "0",
        "0",
        "Koble til: Sideinngang Trekk tilbake: Sideinngang",
    ]
    assert live.one("#door-counts").text == "Sjekket inn: 1 av 3"


async def test_revoke_a_door(
    signed_in: Client, post_form: PostForm, kk: dict[str, Any], conn: asyncpg.Connection
) -> None:
    created = await post_form(DOORS, DOORS, {"name": "Hovudinngang"})
    door_id = created.headers["location"].rsplit("/", 1)[1]

    response = await post_form(DOORS, f"{DOORS}/{door_id}/revoke", {})
    page = Page((await signed_in.get(f"{DOORS}/{door_id}", headers=HTML)).text)

    assert (response.status_code, response.headers["location"]) == (303, f"{DOORS}?notice=revoked")
    assert await stored_doors(conn) == [("Hovudinngang", False, True)]
    assert page.all("img") == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Fyll ut dette."),
        ("x" * 81, "Dette er for langt."),
        ("Hovudinngang", "Arrangementet har allerede en dør med dette navnet."),
    ],
)
async def test_bad_names_show_the_form_again_and_create_nothing(
    signed_in: Client, post_form: PostForm, kk: dict[str, Any], conn: asyncpg.Connection, name: str, message: str
) -> None:
    await post_form(DOORS, DOORS, {"name": "Hovudinngang"})

    response = await post_form(DOORS, DOORS, {"name": name})

    page = Page(response.text)
    assert response.status_code == 422
    assert page.one("#name").attrs["aria-invalid"] == "true"
    assert page.one("#name-error").text == message
    assert await stored_doors(conn) == [("Hovudinngang", False, False)]


async def test_a_door_of_another_event_is_not_found(
    signed_in: Client, client: Client, kk: dict[str, Any], make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="annet")
    other = await client.post("/api/v1/events/annet/doors", json={"name": "Dør"}, headers=auth(organiser_token))

    response = await signed_in.get(f"{DOORS}/{other.json()['id']}", headers=HTML)

    assert response.status_code == 404
