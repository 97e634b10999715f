"""Secret links: no request line in the logs holds a code, and a new link revokes the old ones everywhere
(manage page, API, ticket page and image, agenda feed), whoever asks: the holder, someone who knows only the
address (and learns nothing), or an organiser in the console."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from service.accounts.domain import issue_token
from service.logs import JsonFormatter, request_place
from service.registrations.renew import renew_links_by_email
from tests.conftest import Client, Clock, MakeEvent, RunJobs, auth, event_body
from tests.console.conftest import HTML, add_console_user, form_token, sign_in
from tests.smtp import SmtpServer, body_of

KARI = {"name": "Kari Nordmann", "email": "kari@example.no", "accept_privacy": True, "language": "nn"}
LINK = re.compile(r"http://testserver\.local(/(?:r|t)/[A-Z0-9]+)")


def code_of(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".ics")


def short_hash(code: str) -> str:
    return "sha256:" + hashlib.sha256(code.encode()).hexdigest()[:8]


async def register(client: Any, email: str = "kari@example.no") -> dict[str, Any]:
    response = await client.post("/api/v1/events/kk/registrations", json={**KARI, "email": email})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = (
        await client.get("/api/v1/registrations/self", headers=auth(code_of(response.json()["manage_url"])))
    ).json()
    return body


def links_in(mail: Any) -> dict[str, str]:
    """{'/r': manage path, '/t': ticket path} from a mail's text."""
    text = body_of(mail, "plain")
    return {path[:2]: path for path in LINK.findall(text)}


async def answers(client: Any, manage: str, ticket: str, agenda: str) -> list[int]:
    """Status codes of the manage page, the API, the ticket page, its image and the agenda feed."""
    return [
        (await client.get(f"/r/{manage}", headers=HTML)).status_code,
        (await client.get("/api/v1/registrations/self", headers=auth(manage))).status_code,
        (await client.get(f"/t/{ticket}", headers=HTML)).status_code,
        (await client.get(f"/t/{ticket}.png")).status_code,
        (await client.get(f"/agenda/{agenda}.ics")).status_code,
    ]


@pytest.fixture
async def kk(client: Any, make_event: MakeEvent) -> dict[str, Any]:
    return await make_event(slug="kk", capacity=10)


async def test_request_log_of_each_secret_path_holds_no_code(
    client: Client, kk: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    me = await register(client)
    manage, ticket, agenda = code_of(me["manage_url"]), code_of(me["ticket_url"]), code_of(me["agenda_url"])
    nomination = "N1" + "x" * 43
    password = "0" * 32 + ".c2VjcmV0LXRhZy1vZi1hLWxpbms"
    caplog.set_level(logging.INFO, logger="moteplass.http")
    caplog.clear()  # only these requests' lines: registering is logged too when INFO was on already

    await client.get(f"/r/{manage}", headers=HTML)
    await client.get(f"/t/{ticket}.png")
    await client.get(f"/agenda/{agenda}.ics")
    await client.get(f"/nominations/{nomination}", headers=HTML)
    await client.get(f"/console/password/{password}", headers=HTML)
    await client.post(f"/r/{manage}/cancel", headers=HTML, follow_redirects=False)

    lines = [JsonFormatter().format(r) for r in caplog.records if r.getMessage() == "request"]
    logged = [json.loads(line) for line in lines]
    assert [(e["method"], e["path"], e["status"], e["code_hash"]) for e in logged] == [
        ("GET", "/r/{code}", 200, short_hash(manage)),
        ("GET", "/t/{code}", 200, short_hash(ticket)),
        ("GET", "/agenda/{code}", 200, short_hash(agenda)),
        ("GET", "/nominations/{secret}", 404, short_hash(nomination)),
        ("GET", "/console/password/{code}", 404, short_hash(password)),
        ("POST", "/r/{code}/cancel", 303, short_hash(manage)),
    ]
    assert [code for code in (manage, ticket, agenda, nomination, password) if any(code in x for x in lines)] == []


def test_request_place_blots_out_a_code_in_a_path_no_route_took() -> None:
    scope = {"path": "/r/M1ABCDEFGHIJKLMNOPQRSTUVWXYZ234567/nothing", "method": "GET"}

    assert request_place(scope) == {"route": "/r/{redacted}/nothing", "path": "/r/{redacted}/nothing"}


async def test_new_link_by_email_mails_new_links_and_old_links_answer_404(
    client: Client, kk: dict[str, Any], run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    me = await register(client)
    old = (code_of(me["manage_url"]), code_of(me["ticket_url"]), code_of(me["agenda_url"]))
    await run_jobs()
    smtp.sink.messages.clear()

    asked = await client.post("/api/v1/registrations/self/new-link", json={"event": "kk", "email": "KARI@example.no"})
    await run_jobs()

    [mail] = smtp.sink.to("kari@example.no")
    new = links_in(mail)
    renewed = (await client.get("/api/v1/registrations/self", headers=auth(code_of(new["/r"])))).json()
    assert (asked.status_code, asked.json()) == (202, {"status": "requested"})
    assert mail["Subject"] == "Nye lenkjer til påmeldinga di: Kunnskapskommunekonferansen 2027"
    assert [p.get_content_type() for p in mail.walk() if p.get_content_type() == "image/png"] == ["image/png"]
    assert (renewed["manage_url"], renewed["ticket_url"]) == (
        f"http://testserver.local{new['/r']}",
        f"http://testserver.local{new['/t']}",
    )
    assert await answers(client, *old) == [404] * 5
    assert await answers(client, code_of(new["/r"]), code_of(new["/t"]), code_of(renewed["agenda_url"])) == [200] * 5


async def test_new_link_for_an_unknown_address_answers_the_same_and_mails_nothing(
    client: Client, kk: dict[str, Any], run_jobs: RunJobs, smtp: SmtpServer, conn: asyncpg.Connection
) -> None:
    me = await register(client)
    await run_jobs()
    smtp.sink.messages.clear()
    jobs_before = await conn.fetchval("SELECT count(*) FROM jobs")

    unknown = await client.post("/api/v1/registrations/self/new-link", json={"event": "kk", "email": "ola@example.no"})
    await run_jobs()

    known = await client.post("/api/v1/registrations/self/new-link", json={"event": "kk", "email": "kari@example.no"})
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json()) == (202, {"status": "requested"})
    assert {k: v for k, v in unknown.headers.items() if k != "x-request-id"} == {
        k: v for k, v in known.headers.items() if k != "x-request-id"
    }
    assert smtp.sink.messages == []
    assert await conn.fetchval("SELECT count(*) FROM jobs") == jobs_before + 1  # Kari's mail only
    assert (await client.get("/api/v1/registrations/self", headers=auth(code_of(me["manage_url"])))).status_code == 404


async def test_new_link_asked_again_by_address_soon_after_changes_nothing(
    client: Client, kk: dict[str, Any], run_jobs: RunJobs, smtp: SmtpServer, clock: Clock
) -> None:
    await register(client)
    await run_jobs()
    smtp.sink.messages.clear()
    body = {"event": "kk", "email": "kari@example.no"}
    await client.post("/api/v1/registrations/self/new-link", json=body)
    await run_jobs()
    [first] = smtp.sink.to("kari@example.no")

    clock.advance(minutes=9)
    again = await client.post("/api/v1/registrations/self/new-link", json=body)
    await run_jobs()

    assert (again.status_code, len(smtp.sink.to("kari@example.no"))) == (202, 1)
    assert (await client.get(links_in(first)["/r"], headers=HTML)).status_code == 200
    clock.advance(minutes=1)
    await client.post("/api/v1/registrations/self/new-link", json=body)
    await run_jobs()
    assert (len(smtp.sink.to("kari@example.no")), (await client.get(links_in(first)["/r"])).status_code) == (2, 404)


async def test_new_link_with_the_manage_code_revokes_it_and_mails_the_new_one_only(
    client: Client, kk: dict[str, Any], run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    me = await register(client)
    await run_jobs()
    smtp.sink.messages.clear()

    asked = await client.post("/api/v1/registrations/self/new-link", headers=auth(code_of(me["manage_url"])))
    await run_jobs()

    [mail] = smtp.sink.to("kari@example.no")
    assert (asked.status_code, asked.json()) == (202, {"status": "requested"})
    assert code_of(links_in(mail)["/r"]) not in asked.text
    assert (await client.get("/api/v1/registrations/self", headers=auth(code_of(me["manage_url"])))).status_code == 404
    assert (await client.get(links_in(mail)["/r"], headers=HTML)).status_code == 200


async def test_new_link_with_a_forged_code_or_without_anything_is_refused(client: Client, kk: dict[str, Any]) -> None:
    forged = await client.post("/api/v1/registrations/self/new-link", headers=auth("M1" + "A" * 52))
    empty = await client.post("/api/v1/registrations/self/new-link")
    bad = await client.post("/api/v1/registrations/self/new-link", json={"event": "kk", "email": "not an address"})
    nowhere = await client.post("/api/v1/registrations/self/new-link", json={"event": "nope", "email": "a@example.no"})

    assert [(r.status_code, r.json()["code"]) for r in (forged, empty, bad, nowhere)] == [
        (404, "registration_not_found"),
        (422, "validation_failed"),
        (422, "validation_failed"),
        (404, "event_not_found"),
    ]


@pytest.mark.parametrize(
    ("language", "heading", "sent"),
    [
        ("nb", "Nye lenker til påmeldingen din", "Hvis adressen er påmeldt dette arrangementet"),
        ("nn", "Nye lenkjer til påmeldinga di", "Dersom adressa er påmeld dette arrangementet"),
        ("en", "New links to your registration", "If the address is registered for this event"),
    ],
)
async def test_new_link_page_says_the_same_for_any_address(
    client: Client, kk: dict[str, Any], run_jobs: RunJobs, smtp: SmtpServer, language: str, heading: str, sent: str
) -> None:
    await register(client)
    await run_jobs()
    smtp.sink.messages.clear()

    form = await client.get(f"/events/kk/new-link?lang={language}", headers=HTML)
    known = await client.post(f"/events/kk/new-link?lang={language}", data={"email": "kari@example.no"}, headers=HTML)
    unknown = await client.post(f"/events/kk/new-link?lang={language}", data={"email": "ola@example.no"}, headers=HTML)
    wrong = await client.post(f"/events/kk/new-link?lang={language}", data={"email": "kari"}, headers=HTML)
    await run_jobs()

    assert (form.status_code, heading in form.text) == (200, True)
    assert (known.status_code, unknown.status_code, wrong.status_code) == (200, 200, 422)
    assert known.text.replace("kari@example.no", "") == unknown.text.replace("ola@example.no", "")
    assert (sent in known.text, sent in wrong.text) == (True, False)
    assert [m.rcpt_tos for m in smtp.sink.messages] == [["kari@example.no"]]


async def test_ticket_and_manage_pages_and_mails_link_to_the_new_link_page(
    client: Client, kk: dict[str, Any], run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    me = await register(client)
    await run_jobs()

    ticket = await client.get(f"/t/{code_of(me['ticket_url'])}?lang=en", headers=HTML)
    manage = await client.get(f"/r/{code_of(me['manage_url'])}?lang=en", headers=HTML)

    [mail] = smtp.sink.to("kari@example.no")
    assert 'href="/events/kk/new-link?lang=en"' in ticket.text
    assert 'href="/events/kk/new-link?lang=en"' in manage.text
    assert "http://testserver.local/events/kk/new-link" in body_of(mail, "plain")
    assert 'href="http://testserver.local/events/kk/new-link?lang=nn"' in body_of(mail, "html")


@pytest.fixture
async def console_organiser(conn: Any) -> Any:
    return await add_console_user(conn, "kari@bergen.kommune.no", "organiser", name="Kari Organiser")


async def test_console_new_link_revokes_old_links_mails_new_ones_and_is_audited(
    client: Client, conn: asyncpg.Connection, console_organiser: Any, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    token = await issue_token(conn, console_organiser.user_id)
    created = await client.post("/api/v1/events", json=event_body(slug="kk"), headers=auth(token))
    assert created.status_code == 201, created.text
    me = await register(client)
    await run_jobs()
    smtp.sink.messages.clear()
    assert (await sign_in(client, console_organiser.email)).status_code == 303
    page = f"/console/registrations/{me['id']}"

    csrf = await form_token(client, page)
    made = await client.post(f"{page}/new-link", data={"csrf_token": csrf}, headers=HTML, follow_redirects=False)
    await run_jobs()

    [mail] = smtp.sink.to("kari@example.no")
    history = await conn.fetch(
        "SELECT actor, action FROM registration_history WHERE registration_id = $1 ORDER BY id", me["id"]
    )
    after = await client.get(f"{made.headers['location']}&lang=en", headers=HTML)
    audit = await client.get("/console/events/kk/audit?lang=en", headers=HTML)
    assert (made.status_code, made.headers["location"]) == (303, f"{page}?notice=new_links")
    assert [tuple(r) for r in history][-1] == ("user:kari@bergen.kommune.no", "registration.links_renewed")
    assert "New links are on their way to the person&#39;s e-mail address." in after.text
    assert "New links made and e-mailed; the old ones stopped working" in audit.text
    assert (await client.get(f"/r/{code_of(me['manage_url'])}", headers=HTML)).status_code == 404
    assert (await client.get(links_in(mail)["/r"], headers=HTML)).status_code == 200


async def test_console_new_link_without_csrf_token_changes_nothing(
    client: Client, conn: asyncpg.Connection, console_organiser: Any, run_jobs: RunJobs
) -> None:
    token = await issue_token(conn, console_organiser.user_id)
    await client.post("/api/v1/events", json=event_body(slug="kk"), headers=auth(token))
    me = await register(client)
    await sign_in(client, console_organiser.email)

    refused = await client.post(f"/console/registrations/{me['id']}/new-link", headers=HTML, follow_redirects=False)

    assert refused.status_code == 403
    assert (await client.get(f"/r/{code_of(me['manage_url'])}", headers=HTML)).status_code == 200


async def test_door_refuses_the_old_ticket_after_a_new_link_and_scan_lines_hold_no_code(
    client: Client,
    kk: dict[str, Any],
    organiser_token: str,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    door = await client.post("/api/v1/events/kk/doors", json={"name": "Hovudinngang"}, headers=auth(organiser_token))
    pairing = door.json()["pairing_url"].split("#pair=")[1]
    door_token = (await client.post("/api/v1/doors/pair", json={"code": pairing})).json()["token"]
    me = await register(client)
    await client.post("/api/v1/registrations/self/new-link", headers=auth(code_of(me["manage_url"])))
    await run_jobs()
    new_ticket = code_of(links_in(smtp.sink.to("kari@example.no")[-1])["/t"])
    caplog.set_level(logging.INFO, logger="moteplass.http")
    caplog.clear()  # only the two scans' lines: the set-up's requests are logged too when INFO was on already

    old = await client.post(
        "/api/v1/checkins", json={"code": code_of(me["ticket_url"]), "nonce": "scan-1"}, headers=auth(door_token)
    )
    new = await client.post("/api/v1/checkins", json={"code": new_ticket, "nonce": "scan-2"}, headers=auth(door_token))

    lines = [JsonFormatter().format(r) for r in caplog.records if r.getMessage() == "request"]
    assert (old.json()["result"], new.json()["result"]) == ("invalid", "admitted")
    assert [(e["route"], e["path"], e["status"]) for e in map(json.loads, lines)] == [
        ("/api/v1/checkins", "/api/v1/checkins", 200)
    ] * 2
    assert [line for line in lines if new_ticket in line or code_of(me["ticket_url"]) in line] == []


async def test_new_link_asked_twice_at_once_by_address_renews_once(
    client: Client,
    kk: dict[str, Any],
    pool: asyncpg.Pool,
    conn: asyncpg.Connection,
    clock: Clock,
    run_jobs: RunJobs,
    smtp: SmtpServer,
) -> None:
    me = await register(client)
    await run_jobs()
    smtp.sink.messages.clear()

    async def ask() -> None:
        async with pool.acquire() as connection:
            await renew_links_by_email(connection, UUID(kk["id"]), email="kari@example.no", now=clock())

    await asyncio.gather(ask(), ask(), ask())
    await run_jobs()

    version = await conn.fetchval("SELECT link_version FROM registrations WHERE id = $1", UUID(me["id"]))
    assert (version, len(smtp.sink.to("kari@example.no"))) == (2, 1)
