"""Next year's copy of an event, through the API and the console, against a real database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec
import pytest

from service.accounts.domain import add_user
from service.console.copy_pages import suggested_values
from service.events.schemas import Event
from tests.conftest import Client, MakeEvent, auth, event_body
from tests.console.conftest import HTML, csrf_of
from tests.programme.helpers import add_session, session_body

NEXT_START = "2028-06-08T09:00:00+02:00"  # 52 weeks after the test event's 2027-06-10 09:00
OFFSET = datetime.fromisoformat(NEXT_START) - datetime.fromisoformat("2027-06-10T09:00:00+02:00")
SURVEY: list[dict[str, Any]] = [
    {"kind": "rating", "text": {"nb": "Hvor nyttig var dagen?", "nn": "Kor nyttig var dagen?"}},
    {"kind": "choice", "text": {"nb": "Kommer du igjen?"}, "choices": [{"nb": "Ja"}, {"nb": "Nei"}]},
]
COUNTED = ("events", "sessions", "event_questions", "workshop_groups", "event_reminders", "audit_log", "event_seats")


@pytest.fixture
async def source(client: Client, make_event: MakeEvent, organiser_token: str, conn: asyncpg.Connection) -> None:
    """Event "kk" with a programme of four sessions (one cancelled), a question, reminders 14 and 2 days before,
    a door, a registration and a Slack channel."""
    headers = auth(organiser_token)
    await make_event(slug="kk", capacity=50)
    speakers = [{"name": "Åse Ødegård", "organisation": "Universitetet i Bergen"}]
    await add_session(client, organiser_token, **session_body("Opning", "09:00", "09:30", kind="plenary"))
    await add_session(
        client,
        organiser_token,
        **session_body("Velferdsteknologi", "10:00", "11:15", capacity=40, speakers=speakers, room="Auditoriet"),
    )
    await add_session(client, organiser_token, **session_body("Lunsj", "11:30", "12:15", kind="break"))
    dropped = await add_session(client, organiser_token, **session_body("Avlyst", "13:00", "14:00"))
    await client.post(f"/api/v1/sessions/{dropped['id']}/cancel", headers=headers)
    question = {"kind": "choice", "label": {"nb": "Lunsj?", "en": "Lunch?"}, "choices": [{"nb": "Ja"}, {"nb": "Nei"}]}
    assert (await client.post("/api/v1/events/kk/questions", json=question, headers=headers)).status_code == 201
    reminders = [{"before": "P14D"}, {"before": "P2D"}]
    assert (await client.put("/api/v1/events/kk/reminders", json=reminders, headers=headers)).status_code == 200
    assert (await client.post("/api/v1/events/kk/doors", json={"name": "Hovudinngang"}, headers=headers)).is_success
    person = {"name": "Kari Nordmann", "email": "kari@example.no", "accept_privacy": True}
    assert (await client.post("/api/v1/events/kk/registrations", json=person)).status_code == 201
    await conn.execute(
        "INSERT INTO event_slack_channels (event_id, channel_id, set_by) SELECT id, 'C0123ABCD', 'test' FROM events"
    )


async def programme_of(conn: asyncpg.Connection, slug: str) -> list[tuple[Any, ...]]:
    """Each scheduled session as (kind, title, room, speakers, capacity, offset from the event's start, length)."""
    rows = await conn.fetch(
        "SELECT s.kind, s.title, s.room, s.speakers, s.capacity, s.starts_at - e.starts_at AS after_start,"
        " s.ends_at - s.starts_at AS length FROM sessions s JOIN events e ON e.id = s.event_id"
        " WHERE e.slug = $1 AND s.status = 'scheduled' ORDER BY s.starts_at",
        slug,
    )
    return [tuple(row.values()) for row in rows]


async def counts(conn: asyncpg.Connection) -> dict[str, int]:
    return {table: await conn.fetchval(f"SELECT count(*) FROM {table}") for table in COUNTED}  # noqa: S608 - fixed table names


async def copy(client: Client, token: str, body: Any, **headers: str) -> Any:
    return await client.post("/api/v1/events/kk/copy", json=body, headers={**auth(token), **headers})


async def test_copy_makes_a_draft_with_the_programme_moved_by_the_same_offset(
    client: Client, source: None, organiser_token: str, conn: asyncpg.Connection
) -> None:
    response = await copy(client, organiser_token, {"slug": "kk-2028", "starts_at": NEXT_START})

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["event"]["slug"], body["event"]["status"], body["event"]["starts_at"]) == (
        "kk-2028",
        "draft",
        "2028-06-08T07:00:00Z",
    )
    assert body["copied"] == {"sessions": 3, "questions": 1, "groups": 0, "reminders": 2, "survey_questions": 0}
    assert await programme_of(conn, "kk-2028") == await programme_of(conn, "kk")
    times = await conn.fetchrow(
        "SELECT c.ends_at - s.ends_at AS ends, c.registration_opens_at - s.registration_opens_at AS opens,"
        " c.capacity, c.title = s.title AS same_title FROM events c, events s"
        " WHERE c.slug = 'kk-2028' AND s.slug = 'kk'"
    )
    assert dict(times) == {"ends": OFFSET, "opens": OFFSET, "capacity": 50, "same_title": True}


async def test_copy_takes_questions_and_reminders_but_not_doors_registrations_or_slack(
    client: Client, source: None, organiser_token: str, conn: asyncpg.Connection
) -> None:
    await copy(client, organiser_token, {"slug": "kk-2028", "starts_at": NEXT_START})

    questions = await client.get("/api/v1/events/kk-2028/questions")
    reminders = await client.get("/api/v1/events/kk-2028/reminders", headers=auth(organiser_token))
    copy_id = await conn.fetchval("SELECT id FROM events WHERE slug = 'kk-2028'")

    assert questions.status_code == 404  # a draft is not public
    asked = await conn.fetch("SELECT kind, label, choices FROM event_questions WHERE event_id = $1", copy_id)
    assert [tuple(q.values()) for q in asked] == [
        ("choice", {"nb": "Lunsj?", "en": "Lunch?"}, [{"nb": "Ja"}, {"nb": "Nei"}])
    ]
    assert [(r["before"], r["due_at"]) for r in reminders.json()] == [
        ("P14D", "2028-05-25T07:00:00Z"),
        ("P2D", "2028-06-06T07:00:00Z"),
    ]
    assert await conn.fetchval("SELECT count(*) FROM doors WHERE event_id = $1", copy_id) == 0
    assert await conn.fetchval("SELECT count(*) FROM registrations WHERE event_id = $1", copy_id) == 0
    assert await conn.fetchval("SELECT count(*) FROM event_slack_channels WHERE event_id = $1", copy_id) == 0
    assert await conn.fetchval("SELECT count(*) FROM event_seats WHERE event_id = $1", copy_id) == 50
    entry = await conn.fetchrow("SELECT action, data FROM audit_log WHERE event_id = $1", copy_id)
    assert dict(entry) == {
        "action": "event.copied",
        "data": {
            "from": "kk",
            "slug": "kk-2028",
            "starts_at": "2028-06-08T09:00:00+02:00",
            "sessions": 3,
            "questions": 1,
            "groups": 0,
            "reminders": 2,
            "survey_questions": 0,
        },
    }


async def test_copy_takes_the_survey_questions_into_a_survey_of_its_own(
    client: Client, source: None, organiser_token: str, conn: asyncpg.Connection
) -> None:
    headers = auth(organiser_token)
    asked = await client.put(
        "/api/v1/events/kk/survey", json={"questions": SURVEY, "send_after": "P1D"}, headers=headers
    )
    assert asked.status_code == 200, asked.text

    response = await copy(client, organiser_token, {"slug": "kk-2028", "starts_at": NEXT_START})

    assert response.json()["copied"]["survey_questions"] == 2
    original = (await client.get("/api/v1/events/kk/survey", headers=headers)).json()
    survey = (await client.get("/api/v1/events/kk-2028/survey", headers=headers)).json()
    assert survey["id"] != original["id"]
    assert [(q["kind"], q["text"], q["choices"]) for q in survey["questions"]] == [
        (q["kind"], q["text"], q.get("choices", [])) for q in SURVEY
    ]
    assert survey["send_after"] == "P1D"
    assert [(e["slug"], e["sends_at"], e["sent"]) for e in survey["events"]] == [("kk-2028", "2028-06-09T14:00:00Z", 0)]
    queued = await conn.fetchval(
        "SELECT count(*) FROM jobs WHERE kind = 'event.survey' AND payload ->> 'survey_id' = $1", survey["id"]
    )
    assert queued == 1


async def test_copy_takes_a_workshops_groups_and_perspectives(
    client: Client, make_event: MakeEvent, organiser_token: str, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", capacity=10, kind="workshop")
    group = {
        "key": "patient",
        "name": {"nb": "Pasient", "nn": "Pasient", "en": "Patient"},
        "perspective": {"nb": "Pasientens blikk"},
        "capacity": 5,
    }
    await client.post("/api/v1/events/kk/groups", json=group, headers=auth(organiser_token))

    response = await copy(client, organiser_token, {"slug": "kk-2028", "starts_at": NEXT_START})

    assert response.json()["copied"]["groups"] == 1
    groups = (await client.get("/api/v1/events/kk-2028/groups")).status_code
    copied = await conn.fetch(
        "SELECT g.key, g.name, g.perspective, g.capacity FROM workshop_groups g JOIN events e ON e.id = g.event_id"
        " WHERE e.slug = 'kk-2028'"
    )
    assert [tuple(g.values()) for g in copied] == [
        ("patient", group["name"], group["perspective"], 5),
    ]
    assert groups == 404  # a draft's groups are not public either


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"slug": "kk", "starts_at": NEXT_START}, 409, "slug_taken"),
        ({"slug": "Ikke gyldig", "starts_at": NEXT_START}, 422, "validation_failed"),
        ({"slug": "kk-2028"}, 422, "validation_failed"),
        ({"slug": "kk-2028", "starts_at": "2028-06-08T09:00:00"}, 422, "validation_failed"),
        ({"slug": "kk-2028", "starts_at": "neste juni"}, 422, "validation_failed"),
        ({"slug": "kk-2028", "starts_at": "2101-06-08T09:00:00+02:00"}, 422, "invalid_time"),
        ({"slug": "kk-2028", "starts_at": NEXT_START, "doors": True}, 422, "validation_failed"),
    ],
)
async def test_copy_refuses_bad_input_and_changes_nothing(
    client: Client,
    source: None,
    organiser_token: str,
    conn: asyncpg.Connection,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    before = await counts(conn)

    response = await copy(client, organiser_token, body)

    assert (response.status_code, response.headers["content-type"]) == (status, "application/problem+json")
    assert response.json()["code"] == code
    assert await counts(conn) == before


async def test_copy_with_the_same_idempotency_key_copies_once(
    client: Client, source: None, organiser_token: str, conn: asyncpg.Connection
) -> None:
    body = {"slug": "kk-2028", "starts_at": NEXT_START}

    first = await copy(client, organiser_token, body, **{"Idempotency-Key": "copy-kk-2028"})
    again = await copy(client, organiser_token, body, **{"Idempotency-Key": "copy-kk-2028"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await conn.fetchval("SELECT count(*) FROM events WHERE slug = 'kk-2028'") == 1


@pytest.mark.parametrize("role", ["door", "jury", "organiser"])
async def test_copy_refuses_others_with_a_problem(
    client: Client, source: None, conn: asyncpg.Connection, role: str
) -> None:
    """Anonymous 401; a door device, a juror and the organiser of another event 403; nothing copied."""
    token = (await add_user(conn, email=f"{role}@example.no", role=role)).token
    body = {"slug": "kk-2028", "starts_at": NEXT_START}

    anonymous = await client.post("/api/v1/events/kk/copy", json=body)
    refused = await copy(client, token, body)

    assert (anonymous.status_code, anonymous.headers["content-type"]) == (401, "application/problem+json")
    assert (refused.status_code, refused.headers["content-type"]) == (403, "application/problem+json")
    assert await conn.fetchval("SELECT count(*) FROM events WHERE slug = 'kk-2028'") == 0


async def test_console_copy_form_suggests_next_year_and_makes_the_copy(
    signed_in: Client, source: None, conn: asyncpg.Connection
) -> None:
    event_page = await signed_in.get("/console/events/kk", headers=HTML)
    form = await signed_in.get("/console/events/kk/copy", headers=HTML)

    answer = await signed_in.post(
        "/console/events/kk/copy",
        data={"slug": "kk-2028", "starts_at": "2028-06-08T09:00", "csrf_token": csrf_of(form.text)},
        headers=HTML,
        follow_redirects=False,
    )

    assert 'href="/console/events/kk/copy"' in event_page.text
    assert 'value="kk-kopi"' in form.text  # "kk" has no year to move on
    assert 'value="2028-06-08T09:00"' in form.text  # 52 weeks later: the same weekday
    assert (answer.status_code, answer.headers["location"]) == (303, "/console/events/kk-2028?notice=copied")
    copied = await signed_in.get(answer.headers["location"], headers=HTML)
    assert "Dette er kopien, som utkast." in copied.text
    assert await programme_of(conn, "kk-2028") == await programme_of(conn, "kk")


async def test_console_copy_form_shows_each_refusal_by_its_field_and_changes_nothing(
    signed_in: Client, source: None, conn: asyncpg.Connection
) -> None:
    form = await signed_in.get("/console/events/kk/copy", headers=HTML)
    token = csrf_of(form.text)
    before = await counts(conn)

    no_time = await signed_in.post(
        "/console/events/kk/copy", data={"slug": "kk-2028", "starts_at": "i juni", "csrf_token": token}, headers=HTML
    )
    taken = await signed_in.post(
        "/console/events/kk/copy",
        data={"slug": "kk", "starts_at": "2028-06-08T09:00", "csrf_token": token},
        headers=HTML,
    )

    assert no_time.status_code == 422
    assert "Skriv dato og klokkeslett, for eksempel 10.06.2027 09:00." in no_time.text
    assert taken.status_code == 422
    assert "Et annet arrangement har allerede denne adressen." in taken.text
    assert await counts(conn) == before


def test_suggested_values_move_the_year_in_the_address_on() -> None:
    event = msgspec.convert(
        {
            **event_body(),
            "id": "9b0c58a4-5f55-4c07-9d4b-9f1a1d2b6c01",
            "description": {},
            "registration_paused": False,
            "series": None,
            "organiser_name": "",
            "address": "",
            "status": "published",
        },
        Event,
        strict=False,
    )

    assert suggested_values(event) == {"slug": "kk-konferansen-2028", "starts_at": "2028-06-08T09:00"}
