"""Every console page refuses an anonymous visitor (to the sign-in page), a juror, a door device and an
organiser of another event; the organiser of the event gets in. POSTs without the CSRF token are refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from service.accounts.domain import add_user
from service.app import create_app
from service.settings import Settings
from tests.conftest import Client, MakeEvent, auth
from tests.console.conftest import HTML, add_console_user, csrf_of, sign_in
from tests.nominations.conftest import call_body, nomination_body
from tests.programme.helpers import add_session, session_body

OPEN = {
    ("GET", "/console/sign-in"),
    ("POST", "/console/sign-in"),
    ("GET", "/console/password/forgot"),
    ("POST", "/console/password/forgot"),
    ("GET", "/console/password/{code:str}"),
    ("POST", "/console/password/{code:str}"),
}
# Route -> concrete path for event "kk" (organised by Kari), and a form body.
GUARDED = {
    ("GET", "/console"): ("/console", None),
    ("GET", "/console/dashboard/table"): ("/console/dashboard/table", None),
    ("GET", "/console/events"): ("/console/events", None),
    ("GET", "/console/new-event"): ("/console/new-event", None),
    ("POST", "/console/new-event"): ("/console/new-event", {"slug": "x"}),
    ("GET", "/console/events/{slug:str}"): ("/console/events/kk", None),
    ("POST", "/console/events/{slug:str}"): ("/console/events/kk", {"title_nb": "Ny"}),
    ("POST", "/console/events/{slug:str}/state"): ("/console/events/kk/state", {"action": "close"}),
    ("GET", "/console/events/{slug:str}/cancel"): ("/console/events/kk/cancel", None),
    ("GET", "/console/events/{slug:str}/calendar-progress"): (
        "/console/events/kk/calendar-progress?calendar=event&revision=0",
        None,
    ),
    ("GET", "/console/events/{slug:str}/copy"): ("/console/events/kk/copy", None),
    ("POST", "/console/events/{slug:str}/copy"): ("/console/events/kk/copy", {"slug": ""}),
    ("POST", "/console/events/{slug:str}/cancel"): ("/console/events/kk/cancel", {}),
    ("GET", "/console/events/{slug:str}/questions"): ("/console/events/kk/questions", None),
    ("POST", "/console/events/{slug:str}/questions"): ("/console/events/kk/questions", {"label_nb": "Hvorfor?"}),
    ("POST", "/console/events/{slug:str}/questions/{question_id:uuid}/delete"): (
        "/console/events/kk/questions/{question}/delete",
        {},
    ),
    ("GET", "/console/events/{slug:str}/registrations"): ("/console/events/kk/registrations", None),
    ("GET", "/console/events/{slug:str}/registrations.csv"): ("/console/events/kk/registrations.csv", None),
    ("GET", "/console/events/{slug:str}/registrations.xlsx"): ("/console/events/kk/registrations.xlsx", None),
    ("GET", "/console/events/{slug:str}/audit"): ("/console/events/kk/audit", None),
    ("GET", "/console/registrations/{registration_id:uuid}"): ("/console/registrations/{registration}", None),
    ("POST", "/console/registrations/{registration_id:uuid}/cancel"): (
        "/console/registrations/{registration}/cancel",
        {},
    ),
    ("POST", "/console/registrations/{registration_id:uuid}/confirm"): (
        "/console/registrations/{waitlisted}/confirm",
        {},
    ),
    ("GET", "/console/events/{slug:str}/programme"): ("/console/events/kk/programme", None),
    ("GET", "/console/events/{slug:str}/programme/new"): ("/console/events/kk/programme/new", None),
    ("POST", "/console/events/{slug:str}/programme/new"): ("/console/events/kk/programme/new", {"title_nb": ""}),
    ("GET", "/console/events/{slug:str}/programme/{session_id:uuid}"): ("/console/events/kk/programme/{session}", None),
    ("POST", "/console/events/{slug:str}/programme/{session_id:uuid}"): (
        "/console/events/kk/programme/{session}",
        {"title_nb": ""},
    ),
    ("GET", "/console/events/{slug:str}/programme/{session_id:uuid}/calendar-progress"): (
        "/console/events/kk/programme/{session}/calendar-progress?revision=0",
        None,
    ),
    ("GET", "/console/events/{slug:str}/programme/{session_id:uuid}/cancel"): (
        "/console/events/kk/programme/{session}/cancel",
        None,
    ),
    ("POST", "/console/events/{slug:str}/programme/{session_id:uuid}/cancel"): (
        "/console/events/kk/programme/{session}/cancel",
        {},
    ),
    ("GET", "/console/events/{slug:str}/doors"): ("/console/events/kk/doors", None),
    ("GET", "/console/events/{slug:str}/doors/counts"): ("/console/events/kk/doors/counts", None),
    ("POST", "/console/events/{slug:str}/doors"): ("/console/events/kk/doors", {"name": ""}),
    ("GET", "/console/events/{slug:str}/doors/{door_id:uuid}"): ("/console/events/kk/doors/{door}", None),
    ("POST", "/console/events/{slug:str}/doors/{door_id:uuid}/revoke"): (
        "/console/events/kk/doors/{door}/revoke",
        {},
    ),
    ("GET", "/console/events/{slug:str}/announcements"): ("/console/events/kk/announcements", None),
    ("POST", "/console/events/{slug:str}/announcements"): ("/console/events/kk/announcements", {"subject_nb": ""}),
    ("GET", "/console/events/{slug:str}/announcements/slack-channel"): (
        "/console/events/kk/announcements/slack-channel",
        None,
    ),
    ("POST", "/console/events/{slug:str}/announcements/slack-channel"): (
        "/console/events/kk/announcements/slack-channel",
        {"channel_id": ""},
    ),
    ("POST", "/console/events/{slug:str}/announcements/slack-channel/remove"): (
        "/console/events/kk/announcements/slack-channel/remove",
        {},
    ),
    ("GET", "/console/events/{slug:str}/announcements/{announcement_id:uuid}"): (
        "/console/events/kk/announcements/{announcement}",
        None,
    ),
    ("GET", "/console/events/{slug:str}/announcements/{announcement_id:uuid}/progress"): (
        "/console/events/kk/announcements/{announcement}/progress",
        None,
    ),
    ("POST", "/console/events/{slug:str}/announcements/{announcement_id:uuid}/send"): (
        "/console/events/kk/announcements/{announcement}/send",
        {},
    ),
    ("POST", "/console/events/{slug:str}/announcements/{announcement_id:uuid}/cancel"): (
        "/console/events/kk/announcements/{announcement}/cancel",
        {},
    ),
    ("GET", "/console/events/{slug:str}/groups"): ("/console/events/kk/groups", None),
    ("POST", "/console/events/{slug:str}/groups"): ("/console/events/kk/groups", {"key": ""}),
    ("GET", "/console/events/{slug:str}/groups/edit/{key:str}"): ("/console/events/kk/groups/edit/patient", None),
    ("POST", "/console/events/{slug:str}/groups/edit/{key:str}"): (
        "/console/events/kk/groups/edit/patient",
        {"name_nb": ""},
    ),
    ("POST", "/console/events/{slug:str}/groups/assign"): ("/console/events/kk/groups/assign", {}),
    ("POST", "/console/events/{slug:str}/groups/publish"): ("/console/events/kk/groups/publish", {}),
    ("POST", "/console/events/{slug:str}/groups/move/{registration_id:uuid}"): (
        "/console/events/kk/groups/move/{registration}",
        {"group": "patient"},
    ),
    ("GET", "/console/prizes"): ("/console/prizes", None),
    ("POST", "/console/prizes"): ("/console/prizes", {"slug": ""}),
    ("GET", "/console/prizes/{slug:str}"): ("/console/prizes/forskningsprisen", None),
    ("GET", "/console/prizes/{slug:str}/audit"): ("/console/prizes/forskningsprisen/audit", None),
    ("POST", "/console/prizes/{slug:str}/calls"): ("/console/prizes/forskningsprisen/calls", {"year": ""}),
    ("GET", "/console/calls/{call_id:uuid}"): ("/console/calls/{call}", None),
    ("POST", "/console/calls/{call_id:uuid}/jury"): ("/console/calls/{call}/jury", {"jury": ""}),
    ("POST", "/console/calls/{call_id:uuid}/lock"): ("/console/calls/{call}/lock", {}),
    ("POST", "/console/calls/{call_id:uuid}/publish"): ("/console/calls/{call}/publish", {}),
    ("POST", "/console/calls/{call_id:uuid}/decision/{nomination_id:uuid}"): (
        "/console/calls/{call}/decision/{nomination}",
        {"status": "shortlisted"},
    ),
    ("POST", "/console/sign-out"): ("/console/sign-out", {}),
    ("GET", "/console/users"): ("/console/users", None),
    ("POST", "/console/users"): ("/console/users", {"email": "ny@example.no", "role": "jury"}),
    ("GET", "/console/users/{user_id:uuid}/disable"): ("/console/users/{user}/disable", None),
    ("POST", "/console/users/{user_id:uuid}/disable"): ("/console/users/{user}/disable", {}),
    ("POST", "/console/registrations/{registration_id:uuid}/new-link"): (
        "/console/registrations/{registration}/new-link",
        {},
    ),
    ("GET", "/console/jobs"): ("/console/jobs", None),
    ("POST", "/console/jobs/requeue"): ("/console/jobs/requeue", {}),
    ("GET", "/console/events/{slug:str}/reminders"): ("/console/events/kk/reminders", None),
    ("POST", "/console/events/{slug:str}/reminders"): ("/console/events/kk/reminders", {"amount": ""}),
    ("POST", "/console/events/{slug:str}/reminders/off"): ("/console/events/kk/reminders/off", {}),
    ("GET", "/console/events/{slug:str}/reminders/preview"): ("/console/events/kk/reminders/preview", None),
    ("GET", "/console/events/{slug:str}/attendance"): ("/console/events/kk/attendance", None),
    ("POST", "/console/events/{slug:str}/certificates/mail"): ("/console/events/kk/certificates/mail", {}),
    ("GET", "/console/events/{slug:str}/report"): ("/console/events/kk/report", None),
    ("GET", "/console/events/{slug:str}/report.csv"): ("/console/events/kk/report.csv", None),
    ("GET", "/console/events/{slug:str}/survey"): ("/console/events/kk/survey", None),
    ("POST", "/console/events/{slug:str}/survey/questions"): (
        "/console/events/kk/survey/questions",
        {"label_nb": "Hvor nyttig var dagen?", "question_kind": "rating"},
    ),
    ("POST", "/console/events/{slug:str}/survey/questions/{position:int}/delete"): (
        "/console/events/kk/survey/questions/0/delete",
        {},
    ),
    ("POST", "/console/events/{slug:str}/survey/settings"): ("/console/events/kk/survey/settings", {"hours": "2"}),
    ("GET", "/console/events/{slug:str}/survey/results"): ("/console/events/kk/survey/results", None),
    ("GET", "/console/events/{slug:str}/survey/answers.csv"): ("/console/events/kk/survey/answers.csv", None),
    ("GET", "/console/events/{slug:str}/people/new"): ("/console/events/kk/people/new", None),
    ("POST", "/console/events/{slug:str}/people"): (
        "/console/events/kk/people",
        {"name": "Per", "when_full": "waitlist"},
    ),
    ("POST", "/console/registrations/{registration_id:uuid}/edit"): (
        "/console/registrations/{registration}/edit",
        {"name": "Ny", "language": "nb"},
    ),
    ("POST", "/console/registrations/{registration_id:uuid}/sessions"): (
        "/console/registrations/{registration}/sessions",
        {},
    ),
    ("POST", "/console/registrations/{registration_id:uuid}/resend"): (
        "/console/registrations/{registration}/resend",
        {},
    ),
    ("POST", "/console/registrations/{registration_id:uuid}/move"): (
        "/console/registrations/{registration}/move",
        {"event": "kk"},
    ),
    ("GET", "/console/registrations/{registration_id:uuid}/erase"): (
        "/console/registrations/{registration}/erase",
        None,
    ),
    ("POST", "/console/registrations/{registration_id:uuid}/erase"): (
        "/console/registrations/{registration}/erase",
        {"confirm": "yes"},
    ),
    ("GET", "/console/people"): ("/console/people", None),
    ("POST", "/console/people"): ("/console/people", {"email": "kari@example.no"}),
    ("POST", "/console/people/export"): ("/console/people/export", {"email": "kari@example.no"}),
    ("POST", "/console/people/erase"): ("/console/people/erase", {"email": "kari@example.no"}),
    ("GET", "/console/privacy-notice"): ("/console/privacy-notice", None),
    ("POST", "/console/privacy-notice"): ("/console/privacy-notice", {"edit": "nn"}),
}
GLOBAL = {
    ("GET", "/console"),
    ("POST", "/console/sign-out"),
    ("GET", "/console/events"),
    ("GET", "/console/new-event"),
    ("POST", "/console/new-event"),
    ("GET", "/console/dashboard/table"),
    ("GET", "/console/prizes"),
    ("POST", "/console/prizes"),
}
ADMIN_ONLY = {
    ("GET", "/console/users"),
    ("POST", "/console/users"),
    ("GET", "/console/users/{user_id:uuid}/disable"),
    ("POST", "/console/users/{user_id:uuid}/disable"),
    ("GET", "/console/jobs"),
    ("POST", "/console/jobs/requeue"),
    ("GET", "/console/people"),
    ("POST", "/console/people"),
    ("POST", "/console/people/export"),
    ("POST", "/console/people/erase"),
    ("GET", "/console/privacy-notice"),
    ("POST", "/console/privacy-notice"),
}
# The domains' console pages: each checked against every kind of visitor in one test (one database each), to
# keep the suite's time in bounds.
# (method, route path) of a page, and the ids and door token of the world fixture
Key = tuple[str, str]
World = tuple[dict[str, Any], str]
DOMAIN_PARTS = (
    "/programme",
    "/doors",
    "/announcements",
    "/groups",
    "/console/prizes",
    "/console/calls",
    "/console/events/{slug:str}/people",
    "{registration_id:uuid}/edit",
    "{registration_id:uuid}/resend",
    "{registration_id:uuid}/move",
    "{registration_id:uuid}/erase",
)
DOMAIN = {key for key in GUARDED if any(part in key[1] for part in DOMAIN_PARTS)}
CORE = set(GUARDED) - DOMAIN


def console_routes() -> Iterator[tuple[str, str]]:
    app = create_app(Settings(database_url="postgresql://unused/unused"))
    for route in app.routes:
        if route.path == "/console" or route.path.startswith("/console/"):
            for method in getattr(route, "methods", ()):
                if method not in ("OPTIONS", "HEAD"):
                    yield method, route.path


def test_every_console_route_is_classified() -> None:
    assert set(console_routes()) == OPEN | set(GUARDED)


@pytest.fixture
async def world(client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str) -> World:
    await make_event(slug="kk", capacity=1, kind="workshop")
    group = {"key": "patient", "name": {"nb": "Pasient"}, "capacity": 5}
    await client.post("/api/v1/events/kk/groups", json=group, headers=auth(organiser_token))
    session = await add_session(client, organiser_token, **session_body("Læring", "10:00", "11:00"))
    door = await client.post("/api/v1/events/kk/doors", json={"name": "Hovudinngang"}, headers=auth(organiser_token))
    prize = {"slug": "forskningsprisen", "name": {"nb": "Forskningsprisen"}}
    await client.post("/api/v1/prizes", json=prize, headers=auth(organiser_token))
    call = await client.post(
        "/api/v1/prizes/forskningsprisen/calls", json=call_body(jury=[], event=None), headers=auth(organiser_token)
    )
    nomination = await client.post("/api/v1/prizes/forskningsprisen/nominations", json=nomination_body())
    question = (
        await conn.fetchrow(
            "INSERT INTO event_questions (event_id, position, kind, label) "
            "SELECT id, 1, 'text', '{\"nb\": \"Slett meg\"}' FROM events WHERE slug = 'kk' RETURNING id"
        )
    )["id"]
    people = []
    for name in ("a", "b"):
        answer = await client.post(
            "/api/v1/events/kk/registrations",
            json={"name": name, "email": f"{name}@example.no", "accept_privacy": True},
        )
        people.append(answer.json()["id"])
    await add_console_user(conn, "jury@example.no", "jury")
    per = await add_console_user(conn, "per@example.no", "organiser")
    door_token = (await add_user(conn, email="door@example.no", role="door")).token
    ids = {
        "user": per.user_id,
        "question": question,
        "registration": people[0],
        "waitlisted": people[1],
        "session": session["id"],
        "door": door.json()["id"],
        "call": call.json()["id"],
        "nomination": nomination.json()["id"],
        "announcement": await conn.fetchval(
            "INSERT INTO announcements (event_id, audience, subject, body, actor)"
            " SELECT id, 'confirmed', '{\"nb\": \"Hei\"}', '{\"nb\": \"Tekst\"}', 'test' FROM events"
            " WHERE slug = 'kk' RETURNING id"
        ),
    }
    return ids, door_token


async def visit(
    client: Client, method: str, path: str, body: dict[str, str] | None, *, headers: dict[str, str] | None = None
) -> httpx.Response:
    """A request as the browser sends it: a form with the CSRF token of the console's front page."""
    if method == "GET":
        return await client.get(path, headers={**HTML, **(headers or {})}, follow_redirects=False)
    front = await client.get("/console", headers=HTML, follow_redirects=False)
    token = csrf_of(front.text) if front.status_code == 200 else ""
    assert body is not None, "every console form has a body"
    return await client.post(
        path, data={**body, "csrf_token": token}, headers={**HTML, **(headers or {})}, follow_redirects=False
    )


@pytest.mark.parametrize("key", sorted(CORE))
async def test_anonymous_visitors_are_sent_to_sign_in(client: Client, world: World, key: Key) -> None:
    ids, _ = world
    path, body = GUARDED[key]

    response = await visit(client, key[0], path.format(**ids), body)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/sign-in?next=")


@pytest.mark.parametrize("key", sorted(CORE - {("POST", "/console/sign-out"), ("GET", "/console")}))
async def test_jurors_are_refused(client: Client, world: World, key: Key) -> None:
    ids, _ = world
    path, body = GUARDED[key]
    await sign_in(client, "jury@example.no")

    response = await visit(client, key[0], path.format(**ids), body)

    assert response.status_code == 403
    assert "Du har ikke lov til å gjøre dette" in response.text or "Du har ikke tilgang til dette" in response.text


@pytest.mark.parametrize("key", sorted(CORE - {("POST", "/console/sign-out")}))
async def test_door_devices_are_refused(client: Client, world: World, key: Key) -> None:
    ids, door = world
    path, body = GUARDED[key]

    response = await visit(client, key[0], path.format(**ids), body, headers=auth(door))

    assert response.status_code == 403


@pytest.mark.parametrize("key", sorted(CORE - GLOBAL - ADMIN_ONLY))
async def test_organisers_of_other_events_are_refused(client: Client, world: World, key: Key) -> None:
    ids, _ = world
    path, body = GUARDED[key]
    await sign_in(client, "per@example.no")

    response = await visit(client, key[0], path.format(**ids), body)

    assert response.status_code == 403


@pytest.mark.parametrize("key", sorted(CORE - ADMIN_ONLY))
async def test_the_events_organiser_gets_in(signed_in: Client, world: World, key: Key) -> None:
    ids, _ = world
    path, body = GUARDED[key]

    response = await visit(signed_in, key[0], path.format(**ids), body)

    if key == ("POST", "/console/events/{slug:str}/certificates/mail"):  # let in; the world's event is in June
        assert response.status_code == 409, response.text
        return
    assert response.status_code in (200, 303, 422), response.text
    if response.status_code == 303:
        assert not response.headers["location"].startswith("/console/sign-in?next=")


@pytest.mark.parametrize("key", sorted(k for k in CORE if k[0] == "POST" and k not in ADMIN_ONLY))
async def test_a_form_without_the_csrf_token_is_refused(
    signed_in: Client, world: World, conn: asyncpg.Connection, key: Key
) -> None:
    ids, _ = world
    path, body = GUARDED[key]
    before = await conn.fetchval("SELECT count(*) FROM audit_log") + await conn.fetchval(
        "SELECT count(*) FROM registration_history"
    )

    response = await signed_in.post(path.format(**ids), data=body, headers=HTML, follow_redirects=False)

    assert response.status_code == 403
    assert "Skjemaet var utdatert" in response.text
    assert (
        await conn.fetchval("SELECT count(*) FROM audit_log")
        + await conn.fetchval("SELECT count(*) FROM registration_history")
        == before
    )


@pytest.mark.parametrize("key", sorted(DOMAIN))
async def test_a_domain_page_is_only_for_its_organiser(
    client: Client, world: World, conn: asyncpg.Connection, organiser: Any, key: Key
) -> None:
    """Anonymous -> sign-in; door, juror, organiser of other events (or prizes) -> 403; a POST without its
    CSRF token -> 403 with nothing changed; the organiser gets in."""
    ids, door = world
    path, body = GUARDED[key]
    path = path.format(**ids)

    anonymous = await visit(client, key[0], path, body)
    by_door = await visit(client, key[0], path, body, headers=auth(door))
    answers = {}
    for email in ("jury@example.no", "per@example.no", organiser.email):
        client.cookies.clear()
        await sign_in(client, email)
        answers[email] = await visit(client, key[0], path, body)
    if key[0] == "POST":
        before = await conn.fetchval("SELECT count(*) FROM audit_log")
        forged = await client.post(path, data=body, headers=HTML, follow_redirects=False)
        assert (forged.status_code, await conn.fetchval("SELECT count(*) FROM audit_log")) == (403, before)
        assert "Skjemaet var utdatert" in forged.text

    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/console/sign-in?next=")
    assert by_door.status_code == 403
    assert answers["jury@example.no"].status_code == 403
    assert answers["per@example.no"].status_code in ((200, 422) if key in GLOBAL else (403,))
    assert answers[organiser.email].status_code in (200, 303, 422), answers[organiser.email].text
