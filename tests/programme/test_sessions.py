"""The programme API: sessions in and out, changes, cancelling, and bad input that changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Client, MakeEvent, auth
from tests.programme.helpers import add_session, session_body


async def test_create_session_answers_it_and_lists_it_publicly(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    speaker = {
        "name": "Kari Nordmann",
        "organisation": "Universitetet i Bergen",
        "bio": "Forsker på velferdsteknologi.",
    }

    created = await add_session(
        client,
        organiser_token,
        **session_body("Velferdsteknologi i praksis", "10:00", "11:00", capacity=30, track="A", speakers=[speaker]),
    )
    listed = (await client.get("/api/v1/events/kk/sessions")).json()

    assert listed == [created]
    assert {k: created[k] for k in ("kind", "title", "room", "track", "capacity", "remaining", "chosen", "status")} == {
        "kind": "parallel",
        "title": {"nb": "Velferdsteknologi i praksis"},
        "room": "Rom 1",
        "track": "A",
        "capacity": 30,
        "remaining": 30,
        "chosen": 0,
        "status": "scheduled",
    }
    assert (created["starts_at"], created["speakers"], created["choosable"]) == (
        "2027-06-10T08:00:00Z",
        [speaker],
        True,
    )


async def test_sessions_are_listed_in_time_order(client: Client, make_event: MakeEvent, organiser_token: str) -> None:
    await make_event(slug="kk")
    for title, start, end in (("C", "13:00", "14:00"), ("A", "09:00", "10:00"), ("B", "10:15", "11:00")):
        await add_session(client, organiser_token, **session_body(title, start, end))

    listed = (await client.get("/api/v1/events/kk/sessions")).json()

    assert [s["title"]["nb"] for s in listed] == ["A", "B", "C"]


async def test_patch_session_changes_only_given_fields(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    created = await add_session(client, organiser_token, **session_body("Plenum", "09:00", "10:00", kind="plenary"))

    response = await client.patch(
        f"/api/v1/sessions/{created['id']}", json={"room": "Auditoriet"}, headers=auth(organiser_token)
    )

    assert response.status_code == 200
    assert response.json() == {**created, "room": "Auditoriet"}


async def test_cancel_session_keeps_it_listed_as_cancelled_and_refuses_twice(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    created = await add_session(client, organiser_token, **session_body("Parallell", "10:00", "11:00"))

    first = await client.post(f"/api/v1/sessions/{created['id']}/cancel", headers=auth(organiser_token))
    second = await client.post(f"/api/v1/sessions/{created['id']}/cancel", headers=auth(organiser_token))
    listed = (await client.get("/api/v1/events/kk/sessions")).json()

    assert (first.status_code, first.json()["status"], first.json()["choosable"]) == (200, "cancelled", False)
    assert (second.status_code, second.json()["code"]) == (409, "session_cancelled")
    assert [s["status"] for s in listed] == ["cancelled"]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (session_body("Baklengs", "11:00", "10:00"), 422, "invalid_time", "ends_at"),
        (
            session_body("Dagen før", "10:00", "11:00", starts_at="2027-06-09T10:00:00+02:00"),
            422,
            "session_outside_event",
            "starts_at",
        ),
        (
            session_body("Dagen etter", "22:00", "23:00", ends_at="2027-06-11T01:00:00+02:00"),
            422,
            "session_outside_event",
            "ends_at",
        ),
        (session_body("Rom med linjeskift", "10:00", "11:00", room="Rom\n1"), 422, "validation_failed", "room"),
        (session_body("Rom med semikolon", "10:00", "11:00", room="Rom; 1"), 422, "validation_failed", "room"),
        (session_body("Alt for langt rom", "10:00", "11:00", room="R" * 81), 422, "validation_failed", "room"),
        (session_body("Ukjent type", "10:00", "11:00", kind="keynote"), 422, "validation_failed", "kind"),
        (
            session_body("Uten tidssone", "10:00", "11:00", starts_at="2027-06-10T10:00:00"),
            422,
            "validation_failed",
            "starts_at",
        ),
        ({**session_body("Ukjent felt", "10:00", "11:00"), "colour": "red"}, 422, "validation_failed", "colour"),
        (session_body("Negativ kapasitet", "10:00", "11:00", capacity=-1), 422, "validation_failed", "capacity"),
    ],
)
async def test_bad_session_input_is_refused_and_nothing_is_stored(
    client: Client,
    make_event: MakeEvent,
    organiser_token: str,
    body: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    await make_event(slug="kk")

    response = await client.post("/api/v1/events/kk/sessions", json=body, headers=auth(organiser_token))

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code
    assert field in {problem.get("field"), *(e["field"] for e in problem.get("errors", []))}
    assert (await client.get("/api/v1/events/kk/sessions")).json() == []


async def test_bad_patch_leaves_session_unchanged(client: Client, make_event: MakeEvent, organiser_token: str) -> None:
    await make_event(slug="kk")
    created = await add_session(client, organiser_token, **session_body("Parallell", "10:00", "11:00"))

    response = await client.patch(
        f"/api/v1/sessions/{created['id']}",
        json={"room": "Nytt rom", "ends_at": "2027-06-10T09:00:00+02:00"},
        headers=auth(organiser_token),
    )

    assert (response.status_code, response.json()["code"]) == (422, "invalid_time")
    assert (await client.get("/api/v1/events/kk/sessions")).json() == [created]


async def test_unknown_session_is_404_problem(client: Client, organiser_token: str) -> None:
    response = await client.patch(
        "/api/v1/sessions/00000000-0000-4000-8000-000000000000", json={"room": "X"}, headers=auth(organiser_token)
    )

    assert (response.status_code, response.json()["code"]) == (404, "session_not_found")


async def test_capacity_cannot_go_below_those_with_a_place(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    created = await add_session(client, organiser_token, **session_body("Liten", "10:00", "11:00", capacity=5))
    for n in range(3):
        registered = await client.post(
            "/api/v1/events/kk/registrations",
            json={"name": f"P{n}", "email": f"p{n}@example.no", "accept_privacy": True, "sessions": [created["id"]]},
        )
        assert registered.status_code == 201

    response = await client.patch(
        f"/api/v1/sessions/{created['id']}", json={"capacity": 2}, headers=auth(organiser_token)
    )

    assert (response.status_code, response.json()["code"], response.json()["extra"]) == (
        409,
        "capacity_below_chosen",
        {"confirmed": 3},
    )
