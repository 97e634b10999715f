"""Reset links and invitations: mailed through the job queue, used once, expiring, opening a session."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any

import asyncpg
import httpx

from service.accounts.domain import add_user
from tests.conftest import Client, Clock, MakeEvent, RunJobs, auth
from tests.console.conftest import HTML, PASSWORD, add_console_user, csrf_of, form_token, sign_in
from tests.smtp import SmtpServer, body_of

LINK = re.compile(r"http://testserver\.local(/console/password/[0-9a-f]{32}\.[A-Za-z0-9_=-]+)")
NEW_PASSWORD = "ny lang passordfrase 2027"


def link_in(message: EmailMessage) -> str:
    found = LINK.search(body_of(message, "plain"))
    assert found, "the mail has no password link"
    return found.group(1)


async def ask_for_reset(client: Client, email: str) -> httpx.Response:
    token = await form_token(client, "/console/password/forgot")
    return await client.post("/console/password/forgot", data={"email": email, "csrf_token": token}, headers=HTML)


async def set_password(client: Client, path: str, password: str, again: str | None = None) -> httpx.Response:
    token = await form_token(client, path)
    data = {"password": password, "password_again": password if again is None else again, "csrf_token": token}
    return await client.post(path, data=data, headers=HTML, follow_redirects=False)


async def test_reset_link_arrives_by_mail_and_sets_a_new_password(
    client: Client, organiser: Any, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    asked = await ask_for_reset(client, "KARI@bergen.kommune.no")
    await run_jobs()
    [mail] = smtp.sink.to(organiser.email)
    path = link_in(mail)

    done = await set_password(client, path, NEW_PASSWORD)
    dashboard = await client.get("/console", headers=HTML)
    client.cookies.clear()
    old = await sign_in(client, organiser.email, PASSWORD)
    new = await sign_in(client, organiser.email, NEW_PASSWORD)

    assert "we have sent a link" in asked.text or "har vi sendt en lenke" in asked.text
    assert mail["Subject"] == "Velg nytt passord for Møteplass"
    assert (done.status_code, done.headers["location"]) == (303, "/console")
    assert dashboard.status_code == 200
    assert (old.status_code, new.status_code) == (401, 303)


async def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(
    client: Client, conn: asyncpg.Connection, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    asked = await ask_for_reset(client, "ukjent@example.no")
    await run_jobs()

    assert asked.status_code == 200
    assert "har vi sendt en lenke" in asked.text
    assert smtp.sink.messages == []
    assert await conn.fetchval("SELECT count(*) FROM jobs") == 0


async def test_asking_again_and_again_sends_one_mail(
    client: Client, organiser: Any, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    for _ in range(4):
        await ask_for_reset(client, organiser.email)
    await run_jobs()

    assert len(smtp.sink.to(organiser.email)) == 1


async def test_a_link_works_once(client: Client, organiser: Any, run_jobs: RunJobs, smtp: SmtpServer) -> None:
    await ask_for_reset(client, organiser.email)
    await run_jobs()
    path = link_in(smtp.sink.to(organiser.email)[0])
    await set_password(client, path, NEW_PASSWORD)

    again = await client.get(path, headers=HTML)

    assert again.status_code == 404
    assert "Lenken er feil, brukt eller utløpt" in again.text


async def test_a_link_expires_after_an_hour(
    client: Client, organiser: Any, run_jobs: RunJobs, smtp: SmtpServer, clock: Clock
) -> None:
    await ask_for_reset(client, organiser.email)
    await run_jobs()
    path = link_in(smtp.sink.to(organiser.email)[0])
    clock.advance(hours=1, seconds=1)

    response = await client.get(path, headers=HTML)

    assert response.status_code == 404


async def test_a_forged_link_is_not_found(client: Client, organiser: Any, run_jobs: RunJobs, smtp: SmtpServer) -> None:
    await ask_for_reset(client, organiser.email)
    await run_jobs()
    path = link_in(smtp.sink.to(organiser.email)[0])

    response = await client.get(path[:-3] + "AAA", headers=HTML)

    assert response.status_code == 404


async def test_short_or_differing_passwords_show_the_form_again(
    client: Client, organiser: Any, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await ask_for_reset(client, organiser.email)
    await run_jobs()
    path = link_in(smtp.sink.to(organiser.email)[0])

    short = await set_password(client, path + "?lang=en", "kort")
    differ = await set_password(client, path + "?lang=nn", NEW_PASSWORD, "noko anna heilt")
    client.cookies.clear()
    still = await sign_in(client, organiser.email, PASSWORD)

    assert (short.status_code, differ.status_code) == (422, 422)
    assert "Use at least 10 characters." in short.text
    assert "Dei to passorda er ikkje like." in differ.text
    assert still.status_code == 303


async def test_admin_invites_a_juror_who_sets_a_password_and_signs_in(
    client: Client, conn: asyncpg.Connection, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await add_console_user(conn, "admin@bergen.kommune.no", "admin")
    await sign_in(client, "admin@bergen.kommune.no")
    token = await form_token(client, "/console/users")

    invited = await client.post(
        "/console/users",
        data={"email": "Jury@UiB.no", "name": "Jon Jury", "role": "jury", "language": "nn", "csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    await run_jobs()
    [mail] = smtp.sink.to("jury@uib.no")
    client.cookies.clear()
    done = await set_password(client, link_in(mail), NEW_PASSWORD)
    home = await client.get("/console", headers=HTML)
    events = await client.get("/console/events", headers=HTML)

    assert (invited.status_code, invited.headers["location"]) == (303, "/console/users?notice=invited")
    assert mail["Subject"] == "Du er invitert til Møteplass-konsollen"
    assert done.status_code == 303
    assert "Jurysakene dine blir viste her" in home.text or "Jurysakene dine vises her" in home.text
    assert events.status_code == 403


async def test_inviting_someone_who_has_a_password_is_refused(
    client: Client, conn: asyncpg.Connection, organiser: Any
) -> None:
    await add_console_user(conn, "admin@bergen.kommune.no", "admin")
    await sign_in(client, "admin@bergen.kommune.no")
    token = await form_token(client, "/console/users")

    response = await client.post(
        "/console/users",
        data={"email": organiser.email, "role": "organiser", "csrf_token": token},
        headers=HTML,
    )

    assert response.status_code == 422
    assert "Denne personen har allerede en konto." in response.text


async def test_inviting_a_bad_address_shows_the_field_error(client: Client, conn: asyncpg.Connection) -> None:
    await add_console_user(conn, "admin@bergen.kommune.no", "admin")
    await sign_in(client, "admin@bergen.kommune.no")
    token = await form_token(client, "/console/users?lang=en")

    response = await client.post(
        "/console/users?lang=en", data={"email": "not-an-address", "role": "jury", "csrf_token": token}, headers=HTML
    )

    assert response.status_code == 422
    assert 'id="email-error">Write a whole e-mail address, like kari@bergen.kommune.no.</p>' in response.text
    assert await conn.fetchval("SELECT count(*) FROM users WHERE email = 'not-an-address'") == 0


async def test_an_organiser_cannot_invite(signed_in: Client, conn: asyncpg.Connection) -> None:
    token = csrf_of((await signed_in.get("/console", headers=HTML)).text)

    response = await signed_in.post(
        "/console/users", data={"email": "x@example.no", "role": "admin", "csrf_token": token}, headers=HTML
    )

    assert response.status_code == 403
    assert await conn.fetchval("SELECT count(*) FROM users WHERE email = 'x@example.no'") == 0


async def test_an_existing_api_user_is_invited_to_the_console_and_keeps_the_token(
    client: Client, conn: asyncpg.Connection, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    api_user = await add_user(conn, email="per@bergen.kommune.no", role="organiser")
    await add_console_user(conn, "admin@bergen.kommune.no", "admin")
    await sign_in(client, "admin@bergen.kommune.no")
    token = await form_token(client, "/console/users")

    await client.post(
        "/console/users", data={"email": api_user.email, "role": "organiser", "csrf_token": token}, headers=HTML
    )
    await run_jobs()
    client.cookies.clear()
    await set_password(client, link_in(smtp.sink.to(api_user.email)[0]), NEW_PASSWORD)
    by_token = await client.get("/api/v1/events?limit=1", headers=auth(api_user.token))
    client.cookies.clear()
    signed_in = await sign_in(client, api_user.email, NEW_PASSWORD)

    assert signed_in.status_code == 303
    assert by_token.status_code == 200


async def test_an_invited_organiser_works_on_the_events_chosen_for_them(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    created = await make_event(slug="kk")
    await make_event(slug="other")
    await add_console_user(conn, "admin@bergen.kommune.no", "admin")
    await sign_in(client, "admin@bergen.kommune.no")
    token = await form_token(client, "/console/users")
    await client.post(
        "/console/users",
        data={"email": "ny@bergen.kommune.no", "role": "organiser", "events": [created["id"]], "csrf_token": token},
        headers=HTML,
    )
    await run_jobs()
    client.cookies.clear()
    await set_password(client, link_in(smtp.sink.to("ny@bergen.kommune.no")[0]), NEW_PASSWORD)

    mine = await client.get("/console/events/kk", headers=HTML)
    theirs = await client.get("/console/events/other", headers=HTML)

    assert (mine.status_code, theirs.status_code) == (200, 403)
