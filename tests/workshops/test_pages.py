"""Workshop pages against the real app: the series form, its errors, the manage page and ticket with the group."""

from __future__ import annotations

import asyncpg

from tests.conftest import Client, RunJobs, auth
from tests.web.html import Page

FORM = {
    "name": "Kari Nordmann",
    "email": "kari@example.no",
    "accept_privacy": "yes",
    "role": "student",
    "language": "nn",
    "date_intro-juni": "yes",
    "date_intro-september": "yes",
    "rank_1": "next-of-kin",
    "rank_2": "patient",
}


async def test_series_form_lists_dates_and_perspectives(client: Client, intro: tuple[str, str]) -> None:
    response = await client.get("/series/intro/register?lang=en")

    assert response.status_code == 200
    assert "Register for the workshop series" in response.text
    assert 'id="date_intro-september"' in response.text
    assert '<option value="next-of-kin" >Next of kin</option>' in response.text


async def test_sign_up_form_gives_each_perspective_its_description(client: Client, intro: tuple[str, str]) -> None:
    response = await client.get("/workshops/intro-juni/register?lang=nn")

    items = [li.text for li in Page(response.text).all("li") if ": Se det" in li.text]
    assert items == [
        "Pasient: Se det fra pasientens side.",
        "Pårørande: Se det som pårørende.",
        "Tilsett: Se det som ansatt.",
    ]


async def test_registration_form_of_a_workshop_leads_to_the_workshop_form(
    client: Client, intro: tuple[str, str]
) -> None:
    response = await client.get("/events/intro-juni/register?lang=nn", follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (303, "/workshops/intro-juni/register?lang=nn")


async def test_series_form_without_a_first_choice_says_so_and_stores_nothing(
    client: Client, conn: asyncpg.Connection, intro: tuple[str, str]
) -> None:
    response = await client.post("/series/intro/register?lang=en", data={**FORM, "rank_1": "", "rank_2": ""})

    assert response.status_code == 422
    assert "Perspectives: Choose at least your first choice of perspective." in response.text
    assert await conn.fetchval("SELECT count(*) FROM registrations") == 0


async def test_series_form_without_dates_says_so(
    client: Client, conn: asyncpg.Connection, intro: tuple[str, str]
) -> None:
    form = {k: v for k, v in FORM.items() if not k.startswith("date_")}

    response = await client.post("/series/intro/register?lang=en", data=form)

    assert response.status_code == 422
    assert "Dates: Choose at least one date." in response.text


async def test_series_form_registers_both_dates_and_manage_page_shows_them(
    client: Client, conn: asyncpg.Connection, intro: tuple[str, str], organiser_token: str, run_jobs: RunJobs
) -> None:
    response = await client.post("/series/intro/register?lang=nn", data=FORM, follow_redirects=False)
    manage = response.headers["location"]
    await client.post("/api/v1/events/intro-juni/groups/assign", headers=auth(organiser_token))
    await client.post("/api/v1/events/intro-juni/groups/publish", headers=auth(organiser_token))

    page = await client.get(manage.replace("?welcome=1", "") + "?lang=nn")

    assert response.status_code == 303
    assert "Gruppa di" in page.text
    assert "Pårørande" in page.text
    assert "Datoane dine i denne serien" in page.text
    assert page.text.count("Stadfesta") >= 2
    statuses = await conn.fetch("SELECT status FROM registrations ORDER BY queue_seq")
    assert [r["status"] for r in statuses] == ["confirmed", "confirmed"]


async def test_ticket_shows_the_published_group(client: Client, intro: tuple[str, str], organiser_token: str) -> None:
    created = await client.post(
        "/api/v1/events/intro-juni/registrations",
        json={"name": "Kari", "email": "kari@example.no", "accept_privacy": True, "perspectives": ["patient"]},
    )
    ticket = created.json()["ticket_url"].replace("http://testserver.local", "")
    before = await client.get(ticket + "?lang=en")
    await client.post("/api/v1/events/intro-juni/groups/assign", headers=auth(organiser_token))
    await client.post("/api/v1/events/intro-juni/groups/publish", headers=auth(organiser_token))

    after = await client.get(ticket + "?lang=en")

    assert "ticket-group" not in before.text
    assert 'Group: <strong lang="en">Patient</strong>' in after.text


async def test_cancel_series_from_the_manage_page(
    client: Client, conn: asyncpg.Connection, intro: tuple[str, str]
) -> None:
    response = await client.post("/series/intro/register", data=FORM, follow_redirects=False)
    code = response.headers["location"].split("/r/", 1)[1].split("?")[0]

    cancelled = await client.post(f"/r/{code}/cancel-series", follow_redirects=False)

    assert (cancelled.status_code, cancelled.headers["location"]) == (303, f"/r/{code}?notice=cancelled")
    statuses = await conn.fetch("SELECT status FROM registrations ORDER BY queue_seq")
    assert [r["status"] for r in statuses] == ["cancelled", "cancelled"]
