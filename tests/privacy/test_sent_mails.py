"""The mails sent to an attendee outlive the week-long purge of finished jobs: the attendee's export and the
console's person page still list each with its subject and time (sent_mails, written with the job's completion)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg

from service.privacy import retention
from tests.conftest import T0, Client, MakeEvent, RunJobs, auth
from tests.console.conftest import HTML, organiser, organiser_token, sign_in
from tests.privacy.conftest import register

__all__ = ["organiser", "organiser_token"]

SUBJECT = "Du er påmeld: Kunnskapskommunekonferansen 2027"


async def purge_a_week_later(conn: asyncpg.Connection) -> dict[str, int]:
    return await retention.purge(conn, now=T0 + timedelta(days=8), default_days=180)


async def test_sent_mail_stays_in_the_export_after_the_jobs_are_purged(
    client: Client, make_event: MakeEvent, run_jobs: RunJobs, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    registered = await register(client, "kk", email="kari@example.no")
    await run_jobs()
    counts = await purge_a_week_later(conn)
    code = registered["manage_url"].rsplit("/", 1)[-1]

    record = (await client.get("/api/v1/registrations/self/export", headers=auth(code))).json()["record"]

    assert counts["finished_jobs"] >= 1
    assert (
        await conn.fetchval("SELECT count(*) FROM jobs WHERE payload ->> 'registration_id' = $1", registered["id"]) == 0
    )
    assert [(m["kind"], m["subject"], m["state"]) for m in record["mails"]] == [
        ("registration.confirmed", SUBJECT, "sent")
    ]
    rows = await conn.fetch("SELECT kind, subject FROM sent_mails WHERE registration_id = $1", UUID(registered["id"]))
    assert [tuple(row) for row in rows] == [("registration.confirmed", SUBJECT)]


async def test_person_page_lists_sent_mails_after_the_jobs_are_purged(
    client: Client, organiser: Any, make_event: MakeEvent, run_jobs: RunJobs, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    registered = await register(client, "kk", email="kari@example.no")
    await run_jobs()
    await purge_a_week_later(conn)  # expired console sessions go too: sign in afterwards
    signed_in = client
    assert (await sign_in(client, organiser.email)).status_code == 303

    page = await signed_in.get(f"/console/registrations/{registered['id']}?lang=nn", headers=HTML)

    mails = page.text.split("E-postar", 1)[1] if "E-postar" in page.text else page.text
    assert f"<li>{SUBJECT}: sendt " in mails
    assert "Ingen e-post er send til personen." not in page.text


async def test_mail_not_sent_leaves_no_row(client: Client, make_event: MakeEvent, conn: asyncpg.Connection) -> None:
    await make_event(slug="kk")
    registered = await register(client, "kk", email="kari@example.no")

    waiting = await conn.fetchval("SELECT count(*) FROM sent_mails WHERE registration_id = $1", UUID(registered["id"]))

    assert waiting == 0
