"""The dashboard's check-ins on the day (in the table that refreshes itself) and the open prize calls with
their number of nominations."""

from __future__ import annotations

from tests.checkin.conftest import code_of
from tests.conftest import Client, MakeEvent, auth
from tests.console.conftest import HTML
from tests.nominations.conftest import (
    PrizeWorld,
    world,  # noqa: F401 - the prize world fixture
)
from tests.web.html import Page

TODAY = {
    "starts_at": "2027-03-01T09:00:00+01:00",
    "ends_at": "2027-03-01T16:00:00+01:00",
    "registration_closes_at": "2027-03-01T15:00:00+01:00",
}


async def test_check_ins_of_todays_events(
    signed_in: Client, make_event: MakeEvent, client: Client, organiser_token: str
) -> None:
    await make_event(slug="i-dag", title={"nb": "Fagdag i dag"}, **TODAY)
    await make_event(slug="kk")
    door = await client.post("/api/v1/events/i-dag/doors", json={"name": "Dør"}, headers=auth(organiser_token))
    paired = await client.post("/api/v1/doors/pair", json={"code": door.json()["pairing_url"].split("#pair=")[1]})
    people = [
        (
            await client.post(
                "/api/v1/events/i-dag/registrations",
                json={"name": f"Deltaker {n}", "email": f"p{n}@example.no", "accept_privacy": True},
            )
        ).json()
        for n in (1, 2)
    ]
    token = auth(paired.json()["token"])
    await client.post("/api/v1/checkins", json={"code": code_of(people[0]), "nonce": "n1"}, headers=token)

    page = Page((await signed_in.get("/console", headers=HTML)).text)
    table = Page((await signed_in.get("/console/dashboard/table", headers=HTML)).text)

    assert page.texts("td.checked-in") == ["1 / 2", "–"]
    assert table.texts("td.checked-in") == ["1 / 2", "–"]


async def test_open_prize_calls_with_their_nominations(signed_in: Client, world: PrizeWorld) -> None:
    await world.nominate()
    await world.nominate(nominee_name="Polyfon", nominee_email="polyfon@hvl.no")

    page = Page((await signed_in.get("/console", headers=HTML)).text)

    assert [li.text for li in page.all("li") if "nominasjon" in li.text] == [
        "Forsknings- og innovasjonsprisen 2027: 2 nominasjoner, åpen til torsdag 1. april 2027 kl. 12:00",
        "Studentprisen 2027: 0 nominasjoner, åpen til torsdag 1. april 2027 kl. 12:00",
    ]


async def test_no_open_calls(signed_in: Client) -> None:
    page = Page((await signed_in.get("/console", headers=HTML)).text)

    assert "Ingen prisutlysninger er åpne for nominasjoner." in page.one("main").text
