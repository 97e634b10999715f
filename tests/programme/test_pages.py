"""The public programme page: one day's timetable, or a heading per day when the event spans several."""

from __future__ import annotations

from tests.conftest import Client, MakeEvent
from tests.programme.helpers import add_session, session_body
from tests.web.html import Page

HTML = {"accept": "text/html"}


async def test_programme_of_one_day_has_a_time_heading_per_block(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    await add_session(client, organiser_token, **session_body("Opning", "09:00", "09:30", kind="plenary"))
    await add_session(client, organiser_token, **session_body("Velferdsteknologi", "10:00", "11:00"))

    page = Page((await client.get("/events/kk/programme?lang=nn", headers=HTML)).text)

    assert page.texts("h2.programme-time") == ["09:00", "10:00"]
    assert page.all("h2.programme-date") == []


async def test_programme_over_two_days_has_a_heading_per_day(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk", ends_at="2027-06-11T16:00:00+02:00")
    await add_session(client, organiser_token, **session_body("Opning", "09:00", "09:30", kind="plenary"))
    await add_session(
        client,
        organiser_token,
        **session_body(
            "Dag to", "08:00", "09:00", starts_at="2027-06-11T08:00:00+02:00", ends_at="2027-06-11T09:00:00+02:00"
        ),
    )

    page = Page((await client.get("/events/kk/programme?lang=nn", headers=HTML)).text)

    assert page.texts("h2.programme-date") == ["torsdag 10. juni 2027", "fredag 11. juni 2027"]
    assert page.texts("h3.programme-time") == ["09:00", "08:00"]
    assert [ol.attrs["aria-label"] for ol in page.all("ol.programme")] == [
        "Programmet for torsdag 10. juni 2027, i tidsrekkjefølgje",
        "Programmet for fredag 11. juni 2027, i tidsrekkjefølgje",
    ]
