"""Every protected route refuses no token, a bad token, a wrong role and another event's organiser."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import asyncpg
import pytest
from httpx import Response

from service.accounts.domain import add_user
from service.app import create_app
from service.settings import Settings
from tests.conftest import Client, MakeEvent, auth, event_body
from tests.nominations.conftest import call_body, nomination_body

PUBLIC = {
    ("GET", "/api/v1/events"),
    ("GET", "/api/v1/events/{slug:str}"),
    ("GET", "/api/v1/events/{slug:str}/questions"),
    ("POST", "/api/v1/events/{slug:str}/registrations"),
    ("GET", "/api/v1/registrations/self"),
    ("PATCH", "/api/v1/registrations/self"),
    ("DELETE", "/api/v1/registrations/self"),
    ("GET", "/api/v1/registrations/self/export"),
    ("POST", "/api/v1/registrations/self/new-link"),
    ("GET", "/api/v1/events/{slug:str}/sessions"),
    ("GET", "/api/v1/prizes/{slug:str}"),
    ("POST", "/api/v1/prizes/{slug:str}/nominations"),
    ("GET", "/api/v1/nominations/self"),
    ("DELETE", "/api/v1/nominations/self"),
    ("GET", "/api/v1/events/{slug:str}/groups"),
    ("GET", "/api/v1/series/{series_slug:str}"),
    ("POST", "/api/v1/series/{series_slug:str}/registrations"),
    ("DELETE", "/api/v1/registrations/self/series"),
    ("GET", "/api/v1/registrations/self/perspectives"),
    ("PUT", "/api/v1/registrations/self/perspectives"),
    ("POST", "/api/v1/doors/pair"),
}
# Routes for paired doors only (their token, their event): tests/checkin/test_doors.py checks them.
DOOR = {
    ("POST", "/api/v1/checkins"),
    ("GET", "/api/v1/door"),
    ("GET", "/api/v1/door/search"),
    ("GET", "/api/v1/door/offline"),
    ("POST", "/api/v1/door/walk-ins"),
}
SESSION = {
    "kind": "parallel",
    "title": {"nb": "Velferdsteknologi"},
    "starts_at": "2027-06-10T10:00:00+02:00",
    "ends_at": "2027-06-10T11:00:00+02:00",
}
# method, path template, concrete path, body — the organiser of event "kk" may call each.
# (method, route path) of a route, and the tokens (by role) and ids of the world fixture
Key = tuple[str, str]
World = tuple[dict[str, str], dict[str, Any]]

# Routes for after the event (certificates): the world's event is in June, so the organiser gets past the access
# check to the event's state.
AFTER_THE_EVENT: set[Key] = {
    ("GET", "/api/v1/events/{slug:str}/certificates.pdf"),
    ("POST", "/api/v1/events/{slug:str}/certificates/mail"),
}
PROTECTED: dict[Key, tuple[str, Any]] = {
    ("POST", "/api/v1/events"): ("/api/v1/events", event_body(slug="new-event")),
    ("PATCH", "/api/v1/events/{slug:str}"): ("/api/v1/events/kk", {"venue": "Alrek"}),
    ("GET", "/api/v1/events/{slug:str}/registrations"): ("/api/v1/events/kk/registrations", None),
    ("GET", "/api/v1/events/{slug:str}/badges.pdf"): ("/api/v1/events/kk/badges.pdf", None),
    ("GET", "/api/v1/events/{slug:str}/certificates.pdf"): ("/api/v1/events/kk/certificates.pdf", None),
    ("POST", "/api/v1/events/{slug:str}/certificates/mail"): ("/api/v1/events/kk/certificates/mail", None),
    ("POST", "/api/v1/events/{slug:str}/copy"): (
        "/api/v1/events/kk/copy",
        {"slug": "kk-2028", "starts_at": "2028-06-08T09:00:00+02:00"},
    ),
    ("GET", "/api/v1/events/{slug:str}/reminders"): ("/api/v1/events/kk/reminders", None),
    ("PUT", "/api/v1/events/{slug:str}/reminders"): ("/api/v1/events/kk/reminders", []),
    ("GET", "/api/v1/events/{slug:str}/survey"): ("/api/v1/events/kk/survey", None),
    ("PUT", "/api/v1/events/{slug:str}/survey"): (
        "/api/v1/events/kk/survey",
        {"questions": [{"kind": "rating", "text": {"nb": "Hvor nyttig var dagen?"}}]},
    ),
    ("POST", "/api/v1/events/{slug:str}/questions"): (
        "/api/v1/events/kk/questions",
        {"kind": "text", "label": {"nb": "Spørsmål"}},
    ),
    ("DELETE", "/api/v1/events/{slug:str}/questions/{question_id:uuid}"): (
        "/api/v1/events/kk/questions/{question}",
        None,
    ),
    ("GET", "/api/v1/registrations/{registration_id:uuid}"): ("/api/v1/registrations/{registration}", None),
    ("POST", "/api/v1/registrations/{registration_id:uuid}/cancel"): (
        "/api/v1/registrations/{registration}/cancel",
        None,
    ),
    ("POST", "/api/v1/registrations/{registration_id:uuid}/confirm"): (
        "/api/v1/registrations/{waitlisted}/confirm",
        None,
    ),
    ("POST", "/api/v1/events/{slug:str}/people"): ("/api/v1/events/kk/people", {"name": "Per", "over_capacity": True}),
    ("PATCH", "/api/v1/events/{slug:str}/people/{registration_id:uuid}"): (
        "/api/v1/events/kk/people/{registration}",
        {"note": "Ringte inn"},
    ),
    ("POST", "/api/v1/events/{slug:str}/people/{registration_id:uuid}/resend-ticket"): (
        "/api/v1/events/kk/people/{registration}/resend-ticket",
        None,
    ),
    ("POST", "/api/v1/events/{slug:str}/people/{registration_id:uuid}/new-links"): (
        "/api/v1/events/kk/people/{registration}/new-links",
        None,
    ),
    ("POST", "/api/v1/events/{slug:str}/people/{registration_id:uuid}/move"): (
        "/api/v1/events/kk/people/{registration}/move",
        {"event": "kk-september"},
    ),
    ("DELETE", "/api/v1/events/{slug:str}/people/{registration_id:uuid}"): (
        "/api/v1/events/kk/people/{registration}",
        None,
    ),
    ("POST", "/api/v1/events/{slug:str}/sessions"): ("/api/v1/events/kk/sessions", SESSION),
    ("PATCH", "/api/v1/sessions/{session_id:uuid}"): ("/api/v1/sessions/{session}", {"room": "Auditoriet"}),
    ("POST", "/api/v1/sessions/{session_id:uuid}/cancel"): ("/api/v1/sessions/{session}/cancel", None),
    ("POST", "/api/v1/prizes"): ("/api/v1/prizes", {"slug": "ny-pris", "name": {"nb": "Ny pris"}}),
    ("POST", "/api/v1/prizes/{slug:str}/calls"): ("/api/v1/prizes/prisen/calls", call_body(year=2028, jury=[])),
    ("GET", "/api/v1/calls/{call_id:uuid}"): ("/api/v1/calls/{call}", None),
    ("PUT", "/api/v1/calls/{call_id:uuid}/jury"): ("/api/v1/calls/{call}/jury", {"emails": []}),
    ("GET", "/api/v1/calls/{call_id:uuid}/nominations"): ("/api/v1/calls/{call}/nominations", None),
    ("POST", "/api/v1/calls/{call_id:uuid}/lock"): ("/api/v1/calls/{call}/lock", None),
    ("GET", "/api/v1/calls/{call_id:uuid}/results"): ("/api/v1/calls/{call}/results", None),
    ("GET", "/api/v1/calls/{call_id:uuid}/scores"): ("/api/v1/calls/{call}/scores", None),
    ("POST", "/api/v1/calls/{call_id:uuid}/publish"): ("/api/v1/calls/{decided_call}/publish", None),
    ("GET", "/api/v1/nominations/{nomination_id:uuid}"): ("/api/v1/nominations/{nomination}", None),
    ("GET", "/api/v1/nominations/{nomination_id:uuid}/scores"): ("/api/v1/nominations/{nomination}/scores", None),
    ("POST", "/api/v1/nominations/{nomination_id:uuid}/decision"): (
        "/api/v1/nominations/{nomination}/decision",
        {"status": "shortlisted"},
    ),
    ("POST", "/api/v1/events/{slug:str}/groups"): (
        "/api/v1/events/kk/groups",
        {"key": "student", "name": {"nb": "Student"}, "capacity": 3},
    ),
    ("PATCH", "/api/v1/events/{slug:str}/groups/{key:str}"): ("/api/v1/events/kk/groups/patient", {"capacity": 4}),
    ("DELETE", "/api/v1/events/{slug:str}/groups/{key:str}"): ("/api/v1/events/kk/groups/spare", None),
    ("POST", "/api/v1/events/{slug:str}/groups/assign"): ("/api/v1/events/kk/groups/assign", None),
    ("POST", "/api/v1/events/{slug:str}/groups/publish"): ("/api/v1/events/kk/groups/publish", None),
    ("GET", "/api/v1/events/{slug:str}/groups/lists"): ("/api/v1/events/kk/groups/lists", None),
    ("PATCH", "/api/v1/events/{slug:str}/groups/placements/{registration_id:uuid}"): (
        "/api/v1/events/kk/groups/placements/{registration}",
        {"locked": True},
    ),
    ("POST", "/api/v1/events/{slug:str}/doors"): ("/api/v1/events/kk/doors", {"name": "Sideinngang"}),
    ("GET", "/api/v1/events/{slug:str}/doors"): ("/api/v1/events/kk/doors", None),
    ("POST", "/api/v1/doors/{door_id:uuid}/revoke"): ("/api/v1/doors/{door}/revoke", None),
    ("GET", "/api/v1/doors/{door_id:uuid}/pairing.svg"): ("/api/v1/doors/{door}/pairing.svg", None),
    ("PUT", "/api/v1/events/{slug:str}/slack-channel"): (
        "/api/v1/events/kk/slack-channel",
        {"channel_id": "C0123ABCD"},
    ),
    ("DELETE", "/api/v1/events/{slug:str}/slack-channel"): ("/api/v1/events/kk/slack-channel", None),
    ("PUT", "/api/v1/series/{series_slug:str}/organisers"): (
        "/api/v1/series/kk-serie/organisers",
        {"emails": ["kari@bergen.kommune.no"]},
    ),
}
# What a stranger (an organiser of other events) is told: scopes are per event, and per series for series.
STRANGER_CODES = {("PUT", "/api/v1/series/{series_slug:str}/organisers"): "not_series_organiser"}
# Routes only a juror of the call may use (the organiser of "kk" runs the prize but does not score).
JURY = {
    ("PUT", "/api/v1/nominations/{nomination_id:uuid}/scores"): ("/api/v1/nominations/{nomination}/scores", "sheet"),
    ("POST", "/api/v1/nominations/{nomination_id:uuid}/conflict"): ("/api/v1/nominations/{nomination}/conflict", {}),
}
# Routes for administrators only (one person across every event): tests/privacy/test_people.py checks what they do.
ADMIN: dict[Key, tuple[str, Any]] = {
    ("GET", "/api/v1/people"): ("/api/v1/people?email=a@example.no", None),
    ("POST", "/api/v1/people/erase"): ("/api/v1/people/erase", {"email": "nobody@example.no", "confirm": True}),
}
# Routes that anyone signed in may call, but that only act within the caller's own scope.
CREATE = {("POST", "/api/v1/events"), ("POST", "/api/v1/prizes")}


def api_routes() -> Iterator[tuple[str, str]]:
    app = create_app(Settings(database_url="postgresql://unused/unused"))
    for route in app.routes:
        if route.path.startswith("/api/"):
            for method in getattr(route, "methods", ()):
                if method not in ("OPTIONS", "HEAD"):
                    yield method, route.path


def test_every_api_route_is_classified_public_or_protected() -> None:
    assert set(api_routes()) == PUBLIC | DOOR | set(PROTECTED) | set(JURY) | set(ADMIN)


@pytest.fixture
async def world(client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str) -> World:
    await make_event(slug="kk", capacity=1, kind="workshop", series="kk-serie")
    await make_event(slug="kk-september", capacity=5, kind="workshop", series="kk-serie")
    await make_event(slug="other")
    for key in ("patient", "spare"):
        group = {"key": key, "name": {"nb": key.title()}, "capacity": 5}
        await client.post("/api/v1/events/kk/groups", headers=auth(organiser_token), json=group)
    question = (
        await client.post(
            "/api/v1/events/kk/questions",
            headers=auth(organiser_token),
            json={"kind": "text", "label": {"nb": "Slett meg"}},
        )
    ).json()
    confirmed = (
        await client.post(
            "/api/v1/events/kk/registrations",
            json={"name": "A", "email": "a@example.no", "accept_privacy": True, "perspectives": ["patient"]},
        )
    ).json()
    waitlisted = (
        await client.post(
            "/api/v1/events/kk/registrations", json={"name": "B", "email": "b@example.no", "accept_privacy": True}
        )
    ).json()
    prize_ids = await _prize_world(client, conn, organiser_token)
    await client.post("/api/v1/events/kk/groups/assign", headers=auth(organiser_token))
    tokens = {
        "juror": (await add_user(conn, email="juror@example.no", role="jury")).token,
        "door": (await add_user(conn, email="door@example.no", role="door")).token,
        "jury": (await add_user(conn, email="jury@example.no", role="jury")).token,
        "stranger": (await add_user(conn, email="per@example.no", role="organiser")).token,
        "admin": (await add_user(conn, email="boss@example.no", role="admin")).token,
        "organiser": organiser_token,
    }
    session = (await client.post("/api/v1/events/kk/sessions", headers=auth(organiser_token), json=SESSION)).json()
    door = (
        await client.post("/api/v1/events/kk/doors", headers=auth(organiser_token), json={"name": "Hovudinngang"})
    ).json()
    ids = {
        "question": question["id"],
        "registration": confirmed["id"],
        "waitlisted": waitlisted["id"],
        "session": session["id"],
        "door": door["id"],
        **prize_ids,
    }
    await client.put(
        f"/api/v1/calls/{ids['call']}/jury", json={"emails": ["juror@example.no"]}, headers=auth(organiser_token)
    )
    return tokens, ids


async def _prize_world(client: Client, conn: asyncpg.Connection, organiser_token: str) -> dict[str, Any]:
    """Two prizes of "kk": one with an open call and a nomination, one decided (locked, with a winner)."""
    headers = auth(organiser_token)
    ids: dict[str, Any] = {}
    for slug, key in (("prisen", "call"), ("avgjort", "decided_call")):
        await client.post("/api/v1/prizes", json={"slug": slug, "name": {"nb": slug}}, headers=headers)
        call = (await client.post(f"/api/v1/prizes/{slug}/calls", json=call_body(jury=[]), headers=headers)).json()
        nomination = (await client.post(f"/api/v1/prizes/{slug}/nominations", json=nomination_body())).json()
        ids[key], ids[key.replace("call", "nomination")] = call["id"], nomination["id"]
        ids[f"{key}_criteria"] = [c["id"] for c in call["criteria"]]
    await client.post(f"/api/v1/calls/{ids['decided_call']}/lock", headers=headers)
    await client.post(
        f"/api/v1/nominations/{ids['decided_nomination']}/decision", json={"status": "winner"}, headers=headers
    )
    return ids


async def ask_each(
    client: Client, tokens: dict[str, str], method: str, path: str, body: Any, callers: Iterable[str]
) -> dict[str, Response]:
    """Each caller's answer: "none" sends no token, "bad" a made-up one, the others the world's tokens."""
    headers = {"none": {}, "bad": auth("mp_not-a-real-token"), **{k: auth(v) for k, v in tokens.items()}}
    return {who: await client.request(method, path, json=body, headers=headers[who]) for who in callers}


def concrete(key: Key, ids: dict[str, Any]) -> tuple[str, Any]:
    path, body = PROTECTED[key] if key in PROTECTED else JURY[key]
    if body == "sheet":
        body = {"scores": [{"criterion_id": c, "score": 3} for c in ids["call_criteria"]]}
    return path.format(**ids), body


@pytest.mark.parametrize("key", sorted(PROTECTED))
async def test_protected_route_refuses_missing_and_bad_tokens_and_wrong_roles(
    client: Client, world: World, key: Key
) -> None:
    tokens, ids = world
    method, _ = key
    path, body = concrete(key, ids)
    if key in CREATE:
        expectations = {"none": 401, "bad": 401, "door": 403, "jury": 403}
    else:
        expectations = {"none": 401, "bad": 401, "door": 403, "jury": 403, "stranger": 403}

    answers = await ask_each(client, tokens, method, path, body, expectations)

    assert {who: r.status_code for who, r in answers.items()} == expectations
    assert {r.headers["content-type"] for r in answers.values()} == {"application/problem+json"}
    codes = {who: r.json()["code"] for who, r in answers.items()}
    assert codes["none"] == "unauthorized"
    assert codes["bad"] == "invalid_token"
    if "stranger" in codes:
        assert codes["stranger"] == STRANGER_CODES.get(key, "not_in_scope")


@pytest.mark.parametrize("who", ["organiser", "admin"])
@pytest.mark.parametrize("key", sorted(PROTECTED))
async def test_protected_route_lets_the_events_organiser_and_admins_in(
    client: Client, world: World, key: Key, who: str
) -> None:
    tokens, ids = world
    method, _ = key
    path, body = concrete(key, ids)
    if who == "admin" and key[1].endswith("{registration_id:uuid}/cancel"):
        path = path  # admin cancels the same registration: fine, the organiser variant runs separately

    response = await client.request(method, path, json=body, headers=auth(tokens[who]))

    if key in AFTER_THE_EVENT:  # let in, and told the world's event has not ended yet
        assert (response.status_code, response.json()["code"]) == (409, "event_not_ended")
    else:
        assert response.status_code in (200, 201, 202, 204), response.text


@pytest.mark.parametrize("key", sorted(ADMIN))
async def test_admin_route_lets_only_administrators_in(client: Client, world: World, key: Key) -> None:
    tokens, _ = world
    method, _ = key
    path, body = ADMIN[key]
    expectations = {
        "none": 401,
        "bad": 401,
        "door": 403,
        "jury": 403,
        "stranger": 403,
        "organiser": 403,
        "admin": 200,
    }

    answers = await ask_each(client, tokens, method, path, body, expectations)

    assert {who: r.status_code for who, r in answers.items()} == expectations
    refused = {r.headers["content-type"] for r in answers.values() if r.status_code >= 400}
    assert refused == {"application/problem+json"}


@pytest.mark.parametrize("key", sorted(JURY))
async def test_jury_route_lets_only_the_calls_jurors_in(client: Client, world: World, key: Key) -> None:
    tokens, ids = world
    method, _ = key
    path, body = concrete(key, ids)
    expectations = {
        "none": 401,
        "bad": 401,
        "door": 403,
        "jury": 403,
        "stranger": 403,
        "organiser": 403,
        "admin": 403,
        "juror": 200 if method == "PUT" else 204,
    }

    answers = await ask_each(client, tokens, method, path, body, expectations)

    assert {who: r.status_code for who, r in answers.items()} == expectations
    codes = {who: r.json()["code"] for who, r in answers.items() if r.status_code >= 400}
    assert codes == {
        "none": "unauthorized",
        "bad": "invalid_token",
        "door": "forbidden",
        "jury": "not_on_jury",
        "stranger": "not_in_scope",
        "organiser": "jury_only",
        "admin": "jury_only",
    }
