"""Taking over someone's workshop registrations by knowing their e-mail address, step by step, must fail.

The attacker signs up for the series with the victim's address, opens the manage link they are given, and
looks for the victim's manage link (page and API) or a way to cancel the victim's dates. Registrations are
tied by the sign-up that made them, never by the address: the attacker reaches only their own, and the
victim is mailed their own links.
"""

from __future__ import annotations

import re

import asyncpg
import pytest

from tests.conftest import Client, RunJobs, auth
from tests.smtp import SmtpServer, body_of
from tests.workshops.conftest import intro, make_workshop, person  # noqa: F401 - the INTRO series fixtures

pytestmark = pytest.mark.usefixtures("intro")

VICTIM = "victim@example.no"
MANAGE_CODE = re.compile(r"/r/(M1[A-Za-z0-9_\-]+)")


def code_of(url: str) -> str:
    return url.split("/r/", 1)[1].split("?")[0]


def manage_codes(text: str) -> set[str]:
    return set(MANAGE_CODE.findall(text))


async def victim_signs_up(client: Client, events: list[str]) -> dict[str, str]:
    """The victim's own sign-up: their manage code per date."""
    body = person(VICTIM, perspectives=["patient"], events=events, dietary="Glutenfri", accessibility="Rullestol")
    response = await client.post("/api/v1/series/intro/registrations", json=body)
    assert response.status_code == 201, response.text
    return {r["event"]: code_of(r["manage_url"]) for r in response.json()["registrations"]}


async def statuses(conn: asyncpg.Connection) -> list[tuple[str, str, str]]:
    rows = await conn.fetch(
        "SELECT e.slug, r.name, r.status FROM registrations r JOIN events e ON e.id = r.event_id "
        "ORDER BY e.slug, r.name"
    )
    return [tuple(r) for r in rows]


async def test_series_takeover_through_the_api_reaches_only_the_attackers_own_registration(
    client: Client, conn: asyncpg.Connection, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    victim = await victim_signs_up(client, ["intro-juni"])
    await run_jobs()
    smtp.sink.messages.clear()

    signup = await client.post(
        "/api/v1/series/intro/registrations",
        json=person(VICTIM, name="Mallory", perspectives=["patient"]),
    )
    mine = code_of(signup.json()["registrations"][0]["manage_url"])
    own = await client.get("/api/v1/registrations/self", headers=auth(mine))
    page = await client.get(f"/r/{mine}?lang=en")
    cancelled = await client.delete("/api/v1/registrations/self/series", headers=auth(mine))
    await run_jobs()

    assert signup.status_code == 201
    assert [(r["event"], r["status"]) for r in signup.json()["registrations"]] == [("intro-september", "confirmed")]
    assert signup.json()["already_registered"] == ["intro-juni"]
    assert manage_codes(signup.text) == {mine}
    seen = own.json()
    assert (seen["name"], seen["event"]["slug"], seen["dietary"]) == ("Mallory", "intro-september", "")
    assert manage_codes(own.text) == {mine}
    assert manage_codes(page.text) == {mine}
    assert "Glutenfri" not in page.text + own.text
    assert "Your dates in this series" not in page.text
    assert cancelled.json() == {"cancelled": ["intro-september"]}
    assert await statuses(conn) == [("intro-juni", "Victim", "confirmed"), ("intro-september", "Mallory", "cancelled")]
    link_mails = [m for m in smtp.sink.to(VICTIM) if m["Subject"].startswith("Påmeldingen din til")]
    assert len(link_mails) == 1
    assert manage_codes(body_of(link_mails[0], "plain")) == {victim["intro-juni"]}


async def test_series_takeover_of_every_date_is_refused_and_mails_the_victim_their_links(
    client: Client, conn: asyncpg.Connection, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    victim = await victim_signs_up(client, ["intro-juni", "intro-september"])
    await run_jobs()
    smtp.sink.messages.clear()

    again = await client.post("/api/v1/series/intro/registrations", json=person(VICTIM, perspectives=["patient"]))
    await run_jobs()

    assert (again.status_code, again.json()["code"]) == (409, "already_registered")
    assert manage_codes(again.text) == set()
    mailed = {code for mail in smtp.sink.to(VICTIM) for code in manage_codes(body_of(mail, "plain"))}
    assert mailed == set(victim.values())
    assert {r for mail in smtp.sink.mails for r in mail.rcpt_tos} == {VICTIM}


async def test_series_takeover_through_the_pages_shows_no_other_link_and_cancels_only_the_attackers_date(
    client: Client, conn: asyncpg.Connection
) -> None:
    victim = await victim_signs_up(client, ["intro-juni"])
    form = {
        "name": "Mallory",
        "email": VICTIM,
        "accept_privacy": "yes",
        "date_intro-juni": "yes",
        "date_intro-september": "yes",
        "rank_1": "patient",
    }

    signed_up = await client.post("/series/intro/register?lang=en", data=form, follow_redirects=False)
    mine = code_of(signed_up.headers["location"])
    page = await client.get(f"/r/{mine}?lang=en")
    cancel = await client.post(f"/r/{mine}/cancel-series", follow_redirects=False)

    assert signed_up.status_code == 303
    assert manage_codes(page.text) == {mine}
    assert victim["intro-juni"] not in page.text
    assert "Glutenfri" not in page.text
    assert cancel.status_code == 303
    assert await statuses(conn) == [("intro-juni", "Victim", "confirmed"), ("intro-september", "Mallory", "cancelled")]


async def test_manage_page_of_a_sign_up_lists_its_dates_without_their_links(
    client: Client, conn: asyncpg.Connection
) -> None:
    own = await victim_signs_up(client, ["intro-juni", "intro-september"])

    page = await client.get(f"/r/{own['intro-juni']}?lang=en")

    assert "Your dates in this series" in page.text
    assert page.text.count("Confirmed") >= 2
    assert manage_codes(page.text) == {own["intro-juni"]}


async def test_cancel_series_cancels_the_sign_up_but_not_a_later_one_of_the_same_address(
    client: Client, conn: asyncpg.Connection
) -> None:
    first = await victim_signs_up(client, ["intro-juni"])
    second = await victim_signs_up(client, ["intro-september"])

    cancelled = await client.delete("/api/v1/registrations/self/series", headers=auth(first["intro-juni"]))

    assert cancelled.json() == {"cancelled": ["intro-juni"]}
    assert await statuses(conn) == [("intro-juni", "Victim", "cancelled"), ("intro-september", "Victim", "confirmed")]
    still = await client.get("/api/v1/registrations/self", headers=auth(second["intro-september"]))
    assert still.json()["status"] == "confirmed"
