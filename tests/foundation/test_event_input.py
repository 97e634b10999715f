"""Bad input to the events API: a clear problem+json 4xx naming the field, and nothing stored changes."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.conftest import Client, MakeEvent, auth, event_body


async def snapshot(conn: asyncpg.Connection) -> list[list[dict[str, Any]]]:
    return [
        [dict(r) for r in await conn.fetch(f"SELECT * FROM {table} ORDER BY 1")]  # noqa: S608 - table names from a fixed tuple
        for table in ("events", "event_seats", "audit_log", "user_event_scopes")
    ]


# case -> (the change to a good body, the answer's status, the field it names)
CREATE_CASES: dict[str, tuple[dict[str, Any], int, str]] = {
    "unknown field": ({"colour": "blue"}, 422, "colour"),
    "wrong type": ({"capacity": "many"}, 422, "capacity"),
    "negative capacity": ({"capacity": -1}, 422, "capacity"),
    "too long title": ({"title": {"nb": "x" * 201}}, 422, "title.nb"),
    "no bokmål title": ({"title": {"en": "Only English"}}, 422, "title.nb"),
    "control character": ({"venue": "Alrek\u0007"}, 422, "venue"),
    "bad slug": ({"slug": "KK Konferansen!"}, 422, "slug"),
    "naive datetime": ({"starts_at": "2027-06-10T09:00:00"}, 422, "starts_at"),
    "not a date": ({"ends_at": "tomorrow"}, 422, "ends_at"),
    "end before start": ({"ends_at": "2027-06-10T08:00:00+02:00"}, 422, "ends_at"),
    "window backwards": ({"registration_closes_at": "2027-01-01T00:00:00+01:00"}, 422, "registration_closes_at"),
    "unknown kind": ({"kind": "party"}, 422, "kind"),
    "missing title": ({"title": None}, 422, "title"),
}


@pytest.mark.parametrize("case", sorted(CREATE_CASES))
async def test_create_event_with_bad_field_is_422_naming_it_and_stores_nothing(
    client: Client, conn: asyncpg.Connection, organiser_token: str, case: str
) -> None:
    change, status, field = CREATE_CASES[case]
    body = {k: v for k, v in event_body(**change).items() if v is not None}
    before = await snapshot(conn)

    response = await client.post("/api/v1/events", json=body, headers=auth(organiser_token))

    problem = response.json()
    assert (response.status_code, response.headers["content-type"]) == (status, "application/problem+json")
    assert field in [e["field"] for e in problem["errors"]]
    assert problem["type"] == f"urn:moteplass:problem:{problem['code']}"
    assert await snapshot(conn) == before


async def test_problem_title_follows_the_request_language(client: Client, organiser_token: str) -> None:
    bodies = {
        lang: (
            await client.post(
                "/api/v1/events",
                json=event_body(capacity=-1),
                headers={**auth(organiser_token), "Accept-Language": lang},
            )
        ).json()
        for lang in ("nb", "nn", "en")
    }

    assert {lang: b["title"] for lang, b in bodies.items()} == {
        "nb": "Forespørselen har ugyldige felt",
        "nn": "Førespurnaden har ugyldige felt",
        "en": "The request has invalid fields",
    }


async def test_duplicate_slug_is_409_and_malformed_json_400_and_huge_body_413(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    before = await snapshot(conn)

    duplicate = await client.post("/api/v1/events", json=event_body(slug="kk"), headers=auth(organiser_token))
    malformed = await client.post(
        "/api/v1/events", content=b'{"slug": ', headers={**auth(organiser_token), "content-type": "application/json"}
    )
    huge = await client.post("/api/v1/events", json=event_body(venue="x" * 2_000_000), headers=auth(organiser_token))
    missing = await client.patch("/api/v1/events/nope", json={"venue": "x"}, headers=auth(organiser_token))

    assert [(r.status_code, r.json()["code"]) for r in (duplicate, malformed, huge, missing)] == [
        (409, "slug_taken"),
        (400, "malformed_request"),
        (413, "body_too_large"),
        (404, "event_not_found"),
    ]
    assert duplicate.json()["errors"][0]["field"] == "slug"
    assert await snapshot(conn) == before


async def test_capacity_below_confirmed_is_409_and_seats_stay(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=3)
    for n in range(2):
        await client.post(
            "/api/v1/events/kk/registrations",
            json={"name": f"P {n}", "email": f"p{n}@example.no", "accept_privacy": True},
        )
    before = await snapshot(conn)

    response = await client.patch("/api/v1/events/kk", json={"capacity": 1}, headers=auth(organiser_token))
    lowered = await client.patch("/api/v1/events/kk", json={"capacity": 2}, headers=auth(organiser_token))

    assert (response.status_code, response.json()["code"], response.json()["extra"]) == (
        409,
        "capacity_below_confirmed",
        {"confirmed": 2},
    )
    assert before[1] == (await snapshot(conn))[1] or lowered.status_code == 200
    assert (lowered.json()["capacity"], lowered.json()["remaining"]) == (2, 0)
    assert await conn.fetchval("SELECT count(*) FROM event_seats") == 2


async def test_cancelled_event_cannot_be_reopened(client: Client, make_event: MakeEvent, organiser_token: str) -> None:
    await make_event(slug="kk")
    await client.patch("/api/v1/events/kk", json={"status": "cancelled"}, headers=auth(organiser_token))

    response = await client.patch("/api/v1/events/kk", json={"status": "published"}, headers=auth(organiser_token))

    assert (response.status_code, response.json()["code"]) == (409, "event_cancelled")


async def test_event_time_out_of_range_is_422_naming_the_field(client: Client, organiser_token: str) -> None:
    body = event_body(slug="ancient", starts_at="0001-01-01T00:00:00+14:00", ends_at="0001-01-02T00:00:00+14:00")

    response = await client.post("/api/v1/events", json=body, headers=auth(organiser_token))

    assert response.status_code == 422
    assert (response.json()["code"], response.json()["errors"][0]["field"]) == ("invalid_time", "starts_at")
