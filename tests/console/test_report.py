"""The event report: counts, by role and organisation, sessions' attendance, the charts beside their tables, and the
CSV (audited as an export), against a real database and app."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import asyncpg
import httpx

from tests.conftest import Client, MakeEvent, auth
from tests.console.conftest import HTML
from tests.console.test_attendance import check_in, door_token
from tests.programme.helpers import add_session, session_body

# name, e-mail, organisation, role; capacity 3: the first three get seats, the last two the waiting list.
PEOPLE = [
    ("Åse Ødegård", "ase@example.no", "Bergen kommune", "researcher"),
    ("Bjørn Berg", "bjorn@example.no", "bergen kommune ", "student"),
    ("Cecilie Dahl", "cecilie@example.no", "Universitetet i Bergen", "researcher"),
    ("Dag Æsøy", "dag@example.no", "Universitetet i Bergen", "other"),
    ("Eirin Lie", "eirin@example.no", "", "researcher"),
]


async def held(client: Client, make_event: MakeEvent, organiser_token: str) -> dict[str, str]:
    """Åse cancels (Dag gets her seat, Eirin stays waiting); Bjørn and Dag are checked in, Cecilie does not come.
    Morning session: Åse, Bjørn and Cecilie chose it; afternoon: Bjørn."""
    await make_event(slug="kk", capacity=3)
    morning = await add_session(client, organiser_token, **session_body("Tillit i tenestene", "10:00", "11:00"))
    afternoon = await add_session(client, organiser_token, **session_body("Velferdsteknologi", "13:00", "14:00"))
    choices = {
        "Åse Ødegård": [morning["id"]],
        "Bjørn Berg": [morning["id"], afternoon["id"]],
        "Cecilie Dahl": [morning["id"]],
    }
    created = {}
    for name, email, organisation, role in PEOPLE:
        body = {"name": name, "email": email, "organisation": organisation, "role": role, "accept_privacy": True}
        response = await client.post(
            "/api/v1/events/kk/registrations", json={**body, "sessions": choices.get(name, [])}
        )
        assert response.status_code == 201, response.text
        created[name] = response.json()
    secret = created["Åse Ødegård"]["manage_url"].rsplit("/", 1)[1]
    assert (await client.delete("/api/v1/registrations/self", headers=auth(secret))).status_code == 200
    door = await door_token(client, organiser_token, "Hovudinngang")
    await check_in(client, door, created["Bjørn Berg"]["id"], "n1")
    await check_in(client, door, created["Dag Æsøy"]["id"], "n2")
    return {name: c["id"] for name, c in created.items()}


def table(page: httpx.Response, caption: str) -> list[list[str]]:
    """The rows of the table with this caption, each as its cells' texts."""
    found = re.search(rf"<caption[^>]*>{re.escape(caption)}</caption>(.*?)</table>", page.text, re.S)
    assert found, caption
    body = found.group(1).split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


async def test_report_counts_roles_organisations_and_sessions(
    signed_in: Client, client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await held(client, make_event, organiser_token)

    page = await signed_in.get("/console/events/kk/report?lang=en", headers=HTML)

    assert page.status_code == 200, page.text
    assert table(page, "Registrations and attendance") == [
        ["Registered (cancelled included)", "5"],
        ["Confirmed", "3"],
        ["Reached the waiting list", "2"],
        ["Checked in", "2"],
        ["Did not come (confirmed, not checked in)", "1"],
        ["Answered the evaluation survey", "Not sent"],
    ]
    assert table(page, "Registrations and attendance by role") == [
        ["Researcher", "3", "1", "1", "0", "1"],
        ["Other", "1", "1", "1", "1", "0"],
        ["Student", "1", "1", "0", "1", "0"],
    ]
    assert table(page, "Registrations and attendance by organisation") == [
        ["Bergen kommune", "2", "1", "0", "1", "0"],
        ["Universitetet i Bergen", "2", "2", "1", "1", "1"],
        ["No organisation given", "1", "0", "1", "0", "0"],
    ]
    assert table(page, "Attendance by session") == [
        ["10:00–11:00 Tillit i tenestene", "2", "1"],
        ["13:00–14:00 Velferdsteknologi", "1", "1"],
    ]
    assert page.text.count('role="img"') == 5  # four bar charts and the check-ins over time
    assert 'aria-labelledby="roles-chart-title roles-chart-desc"' in page.text


async def test_report_csv_is_audited_and_holds_the_same_numbers(
    signed_in: Client, client: Client, make_event: MakeEvent, organiser_token: str, conn: asyncpg.Connection
) -> None:
    await held(client, make_event, organiser_token)

    response = await signed_in.get("/console/events/kk/report.csv?lang=nn")

    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == 'attachment; filename="kk-report.csv"'
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[:3] == [
        ["Del", "Namn", "Påmeld", "Stadfesta", "Kom på ventelista", "Sjekka inn", "Kom ikkje"],
        ["I tal", "Alle", "5", "3", "2", "2", "1"],
        ["Rolle", "Forskar", "3", "1", "1", "0", "1"],
    ]
    assert lines[-3:] == [
        ["Sesjon", "10:00–11:00 Tillit i tenestene", "2", "", "", "1", ""],
        ["Sesjon", "13:00–14:00 Velferdsteknologi", "1", "", "", "1", ""],
        ["Evalueringsundersøking", "Sendt / svart", "0", "", "", "0", ""],
    ]
    entry = await conn.fetchrow("SELECT data FROM audit_log WHERE action = 'registrations.exported'")
    assert entry is not None
    assert entry["data"] == {"filter": {}, "rows": len(lines) - 1, "format": "report.csv"}


async def test_event_page_links_the_report(signed_in: Client, make_event: MakeEvent) -> None:
    await make_event(slug="kk")

    page = await signed_in.get("/console/events/kk?lang=en", headers=HTML)

    assert 'href="/console/events/kk/report">Event report: registrations, attendance and sessions</a>' in page.text
    assert "Certificates of attendance can be downloaded and e-mailed when the event has ended." in page.text


async def test_report_of_an_unknown_event_is_not_found(signed_in: Client, make_event: Any) -> None:
    page = await signed_in.get("/console/events/finst-ikkje/report", headers=HTML)
    csv_file = await signed_in.get("/console/events/finst-ikkje/report.csv")

    assert (page.status_code, csv_file.status_code) == (404, 404)
