"""Attendance: the check-in filter and columns of the registrations table, both exports and the API, and the
attendance page with its chart and table."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import asyncpg
from openpyxl import load_workbook

from tests.checkin.conftest import code_of
from tests.conftest import Client, MakeEvent, auth
from tests.console.conftest import add_console_user, sign_in
from tests.console.test_registrations import names, register_people


async def door_token(client: Client, organiser_token: str, name: str) -> str:
    created = await client.post("/api/v1/events/kk/doors", json={"name": name}, headers=auth(organiser_token))
    pairing = created.json()["pairing_url"].split("#pair=")[1]
    token: str = (await client.post("/api/v1/doors/pair", json={"code": pairing})).json()["token"]
    return token


async def check_in(client: Client, token: str, registration_id: str, nonce: str) -> None:
    answer = await client.post(
        "/api/v1/checkins", json={"code": code_of({"id": registration_id}), "nonce": nonce}, headers=auth(token)
    )
    assert answer.json()["result"] == "admitted", answer.text


async def two_came(client: Client, make_event: MakeEvent, organiser_token: Any, clock: Any) -> list[str]:
    """Åse at the main door at 10:00 Oslo time, Bjørn at the side door 12 minutes later; the other two did not."""
    await make_event(slug="kk", capacity=10)
    ids = await register_people(client)
    main = await door_token(client, organiser_token, "Hovudinngang")
    side = await door_token(client, organiser_token, "Sideinngang")
    await check_in(client, main, ids[0], "n1")
    clock.advance(minutes=12)
    await check_in(client, side, ids[1], "n2")
    return ids


async def test_registrations_table_filters_checked_in_and_shows_time_and_door(
    signed_in: Any, make_event: MakeEvent, client: Client, organiser_token: Any, clock: Any
) -> None:
    await two_came(client, make_event, organiser_token, clock)

    came = await signed_in.get("/console/events/kk/registrations?checked_in=yes&lang=en")
    stayed = await signed_in.get("/console/events/kk/registrations?checked_in=no&lang=en")

    assert names(came) == ["Åse Ødegård", "Bjørn Berg"]
    assert names(stayed) == ["Cecilie Dahl", "Dag Æsøy"]
    assert "Monday 1 March 2027, 10:00, Hovudinngang" in came.text
    assert "10:12, Sideinngang" in came.text
    assert '<option value="yes" selected>' in came.text
    assert "checked_in=yes" in came.text.split("registrations.csv", 1)[1][:80]


async def test_exports_have_check_in_time_and_door_and_follow_the_filter(
    signed_in: Any, make_event: MakeEvent, client: Client, organiser_token: Any, clock: Any
) -> None:
    await two_came(client, make_event, organiser_token, clock)

    csv_answer = await signed_in.get("/console/events/kk/registrations.csv?lang=en")
    xlsx_answer = await signed_in.get("/console/events/kk/registrations.xlsx?checked_in=no")

    lines = list(csv.reader(io.StringIO(csv_answer.content.decode("utf-8-sig"))))
    assert [[line[2], *line[10:12]] for line in lines] == [
        ["Name", "Checked in", "Door"],
        ["Åse Ødegård", "Monday 1 March 2027, 10:00", "Hovudinngang"],
        ["Bjørn Berg", "Monday 1 March 2027, 10:12", "Sideinngang"],
        ["Cecilie Dahl", "", ""],
        ["Dag Æsøy", "", ""],
    ]
    sheet = load_workbook(io.BytesIO(xlsx_answer.content)).active
    assert [[row[2].value, row[10].value, row[11].value] for row in sheet.iter_rows()] == [
        ["Navn", "Sjekket inn", "Dør"],
        ["Cecilie Dahl", None, None],
        ["Dag Æsøy", None, None],
    ]


async def test_api_lists_checked_in_at_and_filters_by_it(
    client: Client, make_event: MakeEvent, organiser_token: Any, clock: Any
) -> None:
    ids = await two_came(client, make_event, organiser_token, clock)
    path = "/api/v1/events/kk/registrations"

    came = await client.get(f"{path}?checked_in=true", headers=auth(organiser_token))
    stayed = await client.get(f"{path}?checked_in=false", headers=auth(organiser_token))
    everyone = await client.get(f"{path}?format=csv", headers=auth(organiser_token))
    bad = await client.get(f"{path}?checked_in=maybe", headers=auth(organiser_token))

    assert [(r["id"], r["checked_in_at"], r["checked_in_door"]) for r in came.json()["items"]] == [
        (ids[0], "2027-03-01T09:00:00Z", "Hovudinngang"),
        (ids[1], "2027-03-01T09:12:00Z", "Sideinngang"),
    ]
    assert [(r["id"], r["checked_in_at"]) for r in stayed.json()["items"]] == [(ids[2], None), (ids[3], None)]
    lines = list(csv.reader(io.StringIO(everyone.content.decode("utf-8-sig"))))
    assert [line[10:12] for line in lines] == [
        ["checked_in_at", "checked_in_door"],
        ["2027-03-01T09:00:00+00:00", "Hovudinngang"],
        ["2027-03-01T09:12:00+00:00", "Sideinngang"],
        ["", ""],
        ["", ""],
    ]
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")


async def test_attendance_page_counts_roles_organisations_no_shows_and_draws_the_chart(
    signed_in: Any, make_event: MakeEvent, client: Client, organiser_token: Any, clock: Any
) -> None:
    await two_came(client, make_event, organiser_token, clock)

    page = await signed_in.get("/console/events/kk/attendance?lang=en")

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
    assert page.status_code == 200
    assert (
        "Confirmed 4 Checked in 2 Did not come (confirmed, not checked in) 2 Walk-ins (registered at the door) 0"
        in text
    )
    assert "Researcher 1 1" in text
    assert "Student 1 0" in text
    assert "No role given 1 0" in text
    assert "Bergen kommune 1 1" in text
    assert "Høgskulen på Vestlandet 1 0" in text
    # 10:00, 10:10 in Oslo: one check-in each, drawn as two bars of the same height, and the same in the table.
    assert "From Check-ins 10:00 1 10:10 1" in text
    bars = re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"', page.text)
    assert len(bars) == 2
    assert bars[0] == bars[1]
    assert float(bars[0][1]) > 100
    assert "2 check-ins from 10:00 to 10:10" in text


async def test_attendance_page_needs_the_events_organiser(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    await add_console_user(conn, "other@bergen.kommune.no", "organiser")
    await sign_in(client, "other@bergen.kommune.no")

    page = await client.get("/console/events/kk/attendance", headers={"accept": "text/html"})

    assert page.status_code == 403
    assert "Hovudinngang" not in page.text


async def test_event_page_shows_the_check_in_chart_once_someone_came(
    signed_in: Any, make_event: MakeEvent, client: Client, organiser_token: Any, clock: Any
) -> None:
    await make_event(slug="other")
    await two_came(client, make_event, organiser_token, clock)

    came = await signed_in.get("/console/events/kk?lang=en")
    nobody = await signed_in.get("/console/events/other?lang=en")

    assert len(re.findall(r'<rect x="', came.text)) == 2
    assert 'href="/console/events/kk/attendance"' in came.text
    assert "checkins-chart-title" not in nobody.text
