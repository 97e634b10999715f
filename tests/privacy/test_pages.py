"""The privacy notice and accessibility statement, the footer links to them, the console's person page,
and the audit entry an organiser's export leaves."""

from __future__ import annotations

import json
import re
from typing import Any

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.conftest import Client, Clock, MakeEvent, auth
from tests.console.conftest import HTML, add_console_user, form_token, sign_in
from tests.privacy.conftest import PERSON, register

ADDRESS = PERSON.lower()


@pytest.mark.parametrize(
    ("language", "heading"),
    [("nb", "Personvernerklæring"), ("nn", "Personvernerklæring"), ("en", "Privacy notice")],
)
async def test_privacy_notice_names_retention_and_rights_in_each_language(
    client: Client, language: str, heading: str
) -> None:
    response = await client.get(f"/personvern?lang={language}")

    assert response.status_code == 200
    assert f'<h1 class="ds-heading" data-size="lg">{heading}</h1>' in response.text
    assert "180" in response.text
    assert "datatilsynet.no" in response.text


@pytest.mark.parametrize(
    ("language", "gaps"), [("nb", "Kjente mangler"), ("nn", "Kjende manglar"), ("en", "Known gaps")]
)
async def test_accessibility_statement_lists_known_gaps_in_each_language(
    client: Client, language: str, gaps: str
) -> None:
    response = await client.get(f"/tilgjengelighetserklaering?lang={language}")
    nynorsk_path = await client.get(f"/tilgjengelegheit?lang={language}", follow_redirects=False)

    assert response.status_code == 200
    assert gaps in response.text
    assert "uutilsynet.no" in response.text
    assert (nynorsk_path.status_code, nynorsk_path.headers["location"]) == (
        301,
        f"/tilgjengelighetserklaering?lang={language}",
    )


async def test_the_pages_show_the_organisation_details_from_the_settings(settings: Settings, clock: Clock) -> None:
    configured = msgspec.structs.replace(
        settings,
        organisation_name="Bergen kommune",
        privacy_contact="personvern@example.no",
        accessibility_contact="uu@example.no",
        accessibility_reviewed="2027-01-15",
    )
    async with AsyncTestClient(app=create_app(configured, clock=clock), base_url="http://testserver.local") as own:
        notice = (await own.get("/personvern?lang=en")).text
        statement = (await own.get("/tilgjengelighetserklaering?lang=en")).text

    assert "The controller is Bergen kommune." in notice
    assert 'href="mailto:personvern@example.no"' in notice
    assert 'href="mailto:uu@example.no"' in statement
    assert "last reviewed on 2027-01-15" in statement


@pytest.mark.parametrize("path", ["/", "/personvern", "/console/sign-in", "/door"])
async def test_every_page_footer_links_both_pages(client: Client, path: str) -> None:
    response = await client.get(f"{path}?lang=nn", headers=HTML)

    footer = response.text[response.text.index("<footer") :]
    assert re.findall(r'href="(/[a-z]+)\?lang=nn"', footer) == ["/personvern", "/tilgjengelighetserklaering"]


async def test_console_people_page_is_for_admins_only(conn: asyncpg.Connection, client: Client) -> None:
    await add_console_user(conn, "kari@bergen.kommune.no", "organiser")
    await sign_in(client, "kari@bergen.kommune.no")

    response = await client.get("/console/people", headers=HTML)

    assert response.status_code == 403
    assert "Find a person" not in response.text


async def test_console_people_search_export_and_erase(
    conn: asyncpg.Connection, client: Client, make_event: MakeEvent
) -> None:
    await make_event(slug="juni")
    await register(client, "juni")
    await add_console_user(conn, "admin@bergen.kommune.no", "admin")
    await sign_in(client, "admin@bergen.kommune.no")

    token = await form_token(client, "/console/people?lang=en")
    found = await client.post("/console/people", data={"email": PERSON, "csrf_token": token}, headers=HTML)
    exported = await client.post("/console/people/export", data={"email": PERSON, "csrf_token": token}, headers=HTML)
    unconfirmed = await client.post("/console/people/erase", data={"email": PERSON, "csrf_token": token}, headers=HTML)
    erased = await client.post(
        "/console/people/erase", data={"email": PERSON, "confirm": "yes", "csrf_token": token}, headers=HTML
    )

    assert found.status_code == 200
    assert "Kari Nordmann" in found.text
    assert "/r/" not in found.text  # no link that opens the registration
    assert [r["name"] for r in json.loads(exported.content)["registrations"]] == ["Kari Nordmann"]
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm." in unconfirmed.text
    assert erased.status_code == 200
    assert "Erased: " + ADDRESS in erased.text
    assert await conn.fetchval("SELECT count(*) FROM registrations") == 0
    actions = [
        r["action"] for r in await conn.fetch("SELECT action FROM audit_log WHERE action LIKE 'privacy.%' ORDER BY id")
    ]
    assert actions == [
        "privacy.person_viewed",
        "privacy.person_exported",
        "privacy.person_viewed",
        "privacy.person_erased",
    ]


async def test_console_people_search_with_a_bad_address_is_422(conn: asyncpg.Connection, client: Client) -> None:
    await add_console_user(conn, "admin@bergen.kommune.no", "admin")
    await sign_in(client, "admin@bergen.kommune.no")
    token = await form_token(client, "/console/people?lang=en")

    response = await client.post("/console/people", data={"email": "kari", "csrf_token": token}, headers=HTML)

    assert response.status_code == 422
    assert "Enter one e-mail address." in response.text
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action LIKE 'privacy.%'") == 0


async def test_organiser_exports_are_audited_with_filter_and_rows(
    conn: asyncpg.Connection, client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="juni")
    await register(client, "juni")
    await register(client, "juni", email="ola@example.no")

    api = await client.get(
        "/api/v1/events/juni/registrations", params={"format": "csv", "q": "ola"}, headers=auth(organiser_token)
    )

    entries = await conn.fetch("SELECT actor, action, data FROM audit_log WHERE action = 'registrations.exported'")
    assert api.status_code == 200
    assert [(e["actor"], e["data"]) for e in entries] == [
        ("user:kari@bergen.kommune.no", {"filter": {"q": "ola", "sort": "created"}, "rows": 1, "format": "csv"})
    ]


async def test_console_exports_are_audited_with_filter_and_rows(
    conn: asyncpg.Connection, client: Client, make_event: MakeEvent
) -> None:
    organiser: Any = await add_console_user(conn, "per@bergen.kommune.no", "admin")
    await make_event(slug="juni")
    await register(client, "juni")
    await sign_in(client, organiser.email)

    await client.get("/console/events/juni/registrations.csv?status=confirmed", headers=HTML)
    await client.get("/console/events/juni/registrations.xlsx", headers=HTML)

    entries = await conn.fetch("SELECT actor, data FROM audit_log WHERE action = 'registrations.exported' ORDER BY id")
    assert [
        (e["actor"], e["data"]["format"], e["data"]["rows"], e["data"]["filter"].get("status")) for e in entries
    ] == [
        ("user:per@bergen.kommune.no", "csv", 1, "confirmed"),
        ("user:per@bergen.kommune.no", "xlsx", 1, None),
    ]
