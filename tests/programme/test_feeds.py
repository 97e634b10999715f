"""Calendar feeds: the public programme and an attendee's own agenda, read by three parsers."""

from __future__ import annotations

from typing import Any

from tests.conftest import Client, MakeEvent, auth
from tests.programme.helpers import add_session, attendee, session_body
from tests.programme.parsers import parse_everywhere

LONG_TITLE = "Brukermedvirkning på tvers: pårørende, ansatte og forskere møtes i Årstadveien – æøå ÆØÅ"


async def public_programme(client: Client, token: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    plenary = await add_session(client, token, **session_body(LONG_TITLE, "09:00", "09:45", kind="plenary"))
    parallel = await add_session(client, token, **session_body("Spor A", "10:00", "11:00", room="Rom 2"))
    cancelled = await add_session(client, token, **session_body("Avlyst økt", "13:00", "14:00"))
    await client.post(f"/api/v1/sessions/{cancelled['id']}/cancel", headers=auth(token))
    return plenary, parallel, cancelled


async def test_public_feed_parses_alike_everywhere_with_oslo_times_and_cancelled_kept(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    event = await make_event(slug="kk")
    plenary, parallel, cancelled = await public_programme(client, organiser_token)

    response = await client.get("/events/kk/calendar.ics")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = parse_everywhere(response.content)
    assert calendar["method"] is None
    assert [(e["uid"], e["sequence"], e["status"], e["start"], e["end"]) for e in calendar["events"]] == [
        (f"event-{event['id']}@testserver.local", 0, "CONFIRMED", "2027-06-10T07:00:00Z", "2027-06-10T14:00:00Z"),
        (f"session-{plenary['id']}@testserver.local", 0, "CONFIRMED", "2027-06-10T07:00:00Z", "2027-06-10T07:45:00Z"),
        (f"session-{parallel['id']}@testserver.local", 0, "CONFIRMED", "2027-06-10T08:00:00Z", "2027-06-10T09:00:00Z"),
        (f"session-{cancelled['id']}@testserver.local", 1, "CANCELLED", "2027-06-10T11:00:00Z", "2027-06-10T12:00:00Z"),
    ]
    assert calendar["events"][1]["summary"] == LONG_TITLE
    assert calendar["events"][2]["location"] == "Rom 2, Alrek helseklynge"


async def test_public_feed_text_follows_rfc5545_and_rfc7986(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    await public_programme(client, organiser_token)

    text = (await client.get("/events/kk/calendar.ics")).content

    lines = text.split(b"\r\n")
    assert b"\n" not in text.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    unfolded = text.replace(b"\r\n ", b"").decode()
    for expected in (
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "DTSTART;TZID=Europe/Oslo:20270610T090000",
    ):
        assert expected in unfolded
    assert "RDATE" not in unfolded
    assert "METHOD" not in unfolded


async def test_feed_etag_answers_304_until_the_programme_changes(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    session = await add_session(client, organiser_token, **session_body("Spor A", "10:00", "11:00"))
    first = await client.get("/events/kk/calendar.ics")

    unchanged = await client.get("/events/kk/calendar.ics", headers={"If-None-Match": first.headers["etag"]})
    await client.patch(f"/api/v1/sessions/{session['id']}", json={"room": "Rom 9"}, headers=auth(organiser_token))
    changed = await client.get("/events/kk/calendar.ics", headers={"If-None-Match": first.headers["etag"]})

    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert changed.status_code == 200
    assert changed.headers["etag"] != first.headers["etag"]


async def test_personal_feed_holds_event_plenaries_and_chosen_sessions_in_attendee_language(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    _plenary, parallel, _cancelled = await public_programme(client, organiser_token)
    await add_session(client, organiser_token, **session_body("Ikke valgt", "12:00", "12:30"))
    created = (
        await client.post("/api/v1/events/kk/registrations", json=attendee(1, language="en", sessions=[parallel["id"]]))
    ).json()
    agenda_url = (
        await client.get("/api/v1/registrations/self", headers=auth(created["manage_url"].rsplit("/", 1)[1]))
    ).json()["agenda_url"]

    response = await client.get(agenda_url.removeprefix("http://testserver.local"))

    calendar = parse_everywhere(response.content)
    assert [e["summary"] for e in calendar["events"]] == [
        "The Knowledge Municipality Conference 2027",
        LONG_TITLE,
        "Spor A",
    ]
    assert {e["uid"].split("@")[1] for e in calendar["events"]} == {"testserver.local"}
    assert len({e["uid"] for e in calendar["events"]}) == 3


async def test_forged_or_unknown_feed_addresses_are_404_problems(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    created = (await client.post("/api/v1/events/kk/registrations", json=attendee(1))).json()
    agenda = (
        await client.get("/api/v1/registrations/self", headers=auth(created["manage_url"].rsplit("/", 1)[1]))
    ).json()["agenda_url"]
    code = agenda.rsplit("/", 1)[1].removesuffix(".ics")
    forged = code[:-4] + ("AAAA" if not code.endswith("AAAA") else "BBBB")
    manage_code = created["manage_url"].rsplit("/", 1)[1]

    answers = [
        await client.get(f"/agenda/{forged}.ics"),
        await client.get(f"/agenda/{manage_code}.ics"),  # a manage code is not an agenda code
        await client.get("/events/no-such-event/calendar.ics"),
    ]

    assert [(a.status_code, a.headers["content-type"], a.json()["code"]) for a in answers] == [
        (404, "application/problem+json", "registration_not_found"),
        (404, "application/problem+json", "registration_not_found"),
        (404, "application/problem+json", "event_not_found"),
    ]
