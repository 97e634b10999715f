"""The registration API end to end: real app, real database, real SMTP, real worker code."""

from __future__ import annotations

import csv
import io
from typing import Any

import asyncpg
import pytest

from service.registrations import listing
from tests.conftest import Client, Clock, MakeEvent, RunJobs, auth
from tests.smtp import SmtpServer, body_of, is_invite

KARI = {
    "name": "Kari Nordmann",
    "email": "kari@example.no",
    "accept_privacy": True,
    "language": "nn",
    "organisation": "Bergen kommune",
    "role": "municipal_employee",
}


def person(n: int, **extra: Any) -> dict[str, Any]:
    return {"name": f"Deltakar {n}", "email": f"p{n}@example.no", "accept_privacy": True, **extra}


async def count(conn: asyncpg.Connection, table: str) -> int:
    counted: int = await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 - the tests' own table names
    return counted


async def snapshot(conn: asyncpg.Connection) -> tuple[list[asyncpg.Record], list[asyncpg.Record], int]:
    return (
        await conn.fetch("SELECT * FROM registrations ORDER BY id"),
        await conn.fetch("SELECT * FROM event_seats ORDER BY id"),
        await count(conn, "jobs"),
    )


async def test_register_confirms_while_seats_are_free(client: Client, make_event: MakeEvent) -> None:
    await make_event(slug="kk", capacity=1)

    response = await client.post("/api/v1/events/kk/registrations", json=KARI)

    body = response.json()
    assert response.status_code == 201
    assert (body["status"], body["waitlist_position"]) == ("confirmed", None)
    assert body["ticket_url"].startswith("http://testserver.local/t/T1")
    assert body["manage_url"].startswith("http://testserver.local/r/M1")


async def test_register_waitlists_when_full_with_position(client: Client, make_event: MakeEvent) -> None:
    await make_event(slug="kk", capacity=1)
    await client.post("/api/v1/events/kk/registrations", json=person(1))

    second = await client.post("/api/v1/events/kk/registrations", json=person(2))
    third = await client.post("/api/v1/events/kk/registrations", json=person(3))

    assert [(r.json()["status"], r.json()["waitlist_position"], r.json()["ticket_url"]) for r in (second, third)] == [
        ("waitlisted", 1, None),
        ("waitlisted", 2, None),
    ]


async def test_register_mails_confirmation_with_ticket_in_attendee_language(
    client: Client, make_event: MakeEvent, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk", capacity=10)
    created = (await client.post("/api/v1/events/kk/registrations", json=KARI)).json()

    await run_jobs()

    [mail] = smtp.sink.to("kari@example.no")
    html = body_of(mail, "html")
    text = body_of(mail, "plain")
    inline = [part for part in mail.walk() if part.get_content_type() == "image/png"]
    assert mail["Subject"] == "Du er påmeld: Kunnskapskommunekonferansen 2027"
    assert mail["Content-Language"] == "nn"
    assert created["ticket_url"] in text
    assert created["manage_url"] in text
    assert "cid:ticket-" in html
    assert [part["Content-ID"][:8] for part in inline] == ["<ticket-"]


async def test_register_same_email_twice_is_409_and_resends_link(
    client: Client, make_event: MakeEvent, run_jobs: RunJobs, smtp: SmtpServer, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", capacity=10)
    await client.post("/api/v1/events/kk/registrations", json=KARI)
    await run_jobs()
    smtp.sink.messages.clear()

    again = await client.post("/api/v1/events/kk/registrations", json={**KARI, "email": "KARI@example.no"})
    await run_jobs()

    problem = again.json()
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert (problem["code"], problem["errors"][0]["field"]) == ("already_registered", "email")
    assert "Bergen kommune" not in again.text
    assert await count(conn, "registrations") == 1
    assert [m["Subject"] for m in smtp.sink.to("kari@example.no")] == [
        "Påmeldinga di til Kunnskapskommunekonferansen 2027"
    ]


async def test_register_before_window_opens_is_409_with_opening_time(
    client: Client, make_event: MakeEvent, clock: Clock, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", registration_opens_at="2027-04-01T09:00:00+02:00")

    response = await client.post("/api/v1/events/kk/registrations", json=KARI)

    assert response.status_code == 409
    assert response.json()["code"] == "registration_not_open"
    assert response.json()["extra"] == {"opens_at": "2027-04-01T07:00:00+00:00"}
    assert await count(conn, "registrations") == 0


async def test_register_after_window_closes_is_409(
    client: Client, make_event: MakeEvent, clock: Clock, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    clock.advance(days=95)

    response = await client.post("/api/v1/events/kk/registrations", json=KARI)

    assert (response.status_code, response.json()["code"]) == (409, "registration_closed")


async def test_register_unknown_or_draft_event_is_404(client: Client, make_event: MakeEvent) -> None:
    await make_event(slug="draft", status="draft")

    unknown = await client.post("/api/v1/events/nope/registrations", json=KARI)
    draft = await client.post("/api/v1/events/draft/registrations", json=KARI)

    assert [(r.status_code, r.json()["code"]) for r in (unknown, draft)] == [
        (404, "event_not_found"),
        (404, "event_not_found"),
    ]


async def test_register_cancelled_event_is_409(client: Client, make_event: MakeEvent, organiser_token: str) -> None:
    await make_event(slug="kk")
    await client.patch("/api/v1/events/kk", json={"status": "cancelled"}, headers=auth(organiser_token))

    response = await client.post("/api/v1/events/kk/registrations", json=KARI)

    assert (response.status_code, response.json()["code"]) == (409, "event_cancelled")


async def test_register_bad_fields_are_422_naming_each_field_and_store_nothing(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    before = await snapshot(conn)
    cases = {
        "email": {**KARI, "email": "not-an-address"},
        "name": {**KARI, "name": "x" * 201},
        "organisation": {**KARI, "organisation": "Bergen\u0000kommune"},
        "accept_privacy": {**KARI, "accept_privacy": False},
        "role": {**KARI, "role": "boss"},
        "language": {**KARI, "language": "sv"},
        "favourite_colour": {**KARI, "favourite_colour": "blue"},
        "dietary": {**KARI, "dietary": 12},
    }

    results = {field: await client.post("/api/v1/events/kk/registrations", json=body) for field, body in cases.items()}
    # A relay without SMTPUTF8 cannot deliver to a non-ASCII address: refused here rather than a mail lost later.
    non_ascii = await client.post("/api/v1/events/kk/registrations", json={**KARI, "email": "åse@example.no"})

    assert {f: (r.status_code, r.json()["errors"][0]["field"]) for f, r in results.items()} == {
        f: (422, f) for f in cases
    }
    assert (non_ascii.status_code, non_ascii.json()["errors"][0]["field"]) == (422, "email")
    assert await snapshot(conn) == before


async def test_register_malformed_json_is_400_and_oversized_body_is_413(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")

    malformed = await client.post(
        "/api/v1/events/kk/registrations", content=b"{not json", headers={"content-type": "application/json"}
    )
    oversized = await client.post("/api/v1/events/kk/registrations", json={**KARI, "dietary": "x" * 2_000_000})

    assert (malformed.status_code, malformed.json()["code"]) == (400, "malformed_request")
    assert (oversized.status_code, oversized.json()["code"]) == (413, "body_too_large")
    assert await count(conn, "registrations") == 0


async def test_idempotency_key_replays_first_answer_and_refuses_other_body(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    key = {"Idempotency-Key": "a1b2c3"}

    first = await client.post("/api/v1/events/kk/registrations", json=KARI, headers=key)
    replay = await client.post("/api/v1/events/kk/registrations", json=KARI, headers=key)
    other = await client.post("/api/v1/events/kk/registrations", json=person(9), headers=key)

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json()
    assert replay.headers["idempotent-replayed"] == "true"
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert await count(conn, "registrations") == 1


async def test_self_service_view_change_export_and_cancel(client: Client, make_event: MakeEvent) -> None:
    await make_event(slug="kk", capacity=1)
    manage = (await client.post("/api/v1/events/kk/registrations", json=KARI)).json()["manage_url"]
    secret = manage.rsplit("/", 1)[1]
    headers = auth(secret)

    viewed = await client.get("/api/v1/registrations/self", headers=headers)
    changed = await client.patch("/api/v1/registrations/self", json={"dietary": "Vegetar"}, headers=headers)
    exported = await client.get(f"/api/v1/registrations/self/export?secret={secret}")
    cancelled = await client.delete("/api/v1/registrations/self", headers=headers)
    again = await client.delete("/api/v1/registrations/self", headers=headers)

    assert (viewed.json()["status"], viewed.json()["event"]["slug"]) == ("confirmed", "kk")
    assert changed.json()["dietary"] == "Vegetar"
    assert [h["action"] for h in exported.json()["history"]] == ["registration.confirmed", "registration.changed"]
    assert exported.json()["registration"]["email"] == "kari@example.no"
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert (again.status_code, again.json()["code"]) == (409, "already_cancelled")


async def test_self_service_tampered_or_unknown_secret_is_404(client: Client, make_event: MakeEvent) -> None:
    await make_event(slug="kk")
    manage = (await client.post("/api/v1/events/kk/registrations", json=KARI)).json()["manage_url"]
    secret = manage.rsplit("/", 1)[1]
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")

    responses = [
        await client.get("/api/v1/registrations/self", headers=auth(s))
        for s in (tampered, "M1NOTACODE", "", secret.replace("M1", "T1"))
    ]

    assert [(r.status_code, r.json()["code"]) for r in responses] == [(404, "registration_not_found")] * 4


async def test_self_cancel_promotes_first_waitlisted_and_mails_them(
    client: Client, make_event: MakeEvent, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk", capacity=1)
    first = (await client.post("/api/v1/events/kk/registrations", json=person(1))).json()
    await client.post("/api/v1/events/kk/registrations", json=person(2))
    await client.post("/api/v1/events/kk/registrations", json=person(3))
    await run_jobs()
    smtp.sink.messages.clear()

    await client.delete("/api/v1/registrations/self", headers=auth(first["manage_url"].rsplit("/", 1)[1]))
    await run_jobs()

    subjects = sorted((m.rcpt_tos[0], m.message["Subject"]) for m in smtp.sink.messages if not is_invite(m))
    assert subjects == [
        ("p1@example.no", "Påmeldingen er avmeldt: Kunnskapskommunekonferansen 2027"),
        ("p2@example.no", "Du har fått plass: Kunnskapskommunekonferansen 2027"),
    ]


async def test_self_erase_deletes_personal_data_and_passes_seat_on(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", capacity=1)
    first = (await client.post("/api/v1/events/kk/registrations", json=KARI)).json()
    await client.post("/api/v1/events/kk/registrations", json=person(2))

    erased = await client.delete(
        "/api/v1/registrations/self?erase=true", headers=auth(first["manage_url"].rsplit("/", 1)[1])
    )

    rows = await conn.fetch("SELECT email, status FROM registrations")
    assert erased.status_code == 204
    assert [(r["email"], r["status"]) for r in rows] == [("p2@example.no", "confirmed")]
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM registration_history h WHERE NOT EXISTS "
            "(SELECT 1 FROM registrations r WHERE r.id = h.registration_id)"
        )
        == 0
    )


async def test_organiser_lists_filters_and_counts(client: Client, make_event: MakeEvent, organiser_token: str) -> None:
    await make_event(slug="kk", capacity=2)
    for n in range(4):
        await client.post("/api/v1/events/kk/registrations", json=person(n, organisation="UiB" if n % 2 else "HVL"))

    waitlisted = await client.get("/api/v1/events/kk/registrations?status=waitlisted", headers=auth(organiser_token))
    searched = await client.get("/api/v1/events/kk/registrations?q=uib", headers=auth(organiser_token))

    assert [(i["email"], i["waitlist_position"]) for i in waitlisted.json()["items"]] == [
        ("p2@example.no", 1),
        ("p3@example.no", 2),
    ]
    assert waitlisted.json()["counts"] == {"confirmed": 2, "waitlisted": 2, "cancelled": 0}
    assert [i["email"] for i in searched.json()["items"]] == ["p1@example.no", "p3@example.no"]


async def pages_of(client: Client, token: str, query: str) -> list[dict[str, Any]]:
    """Every page of the list, following `next` from the first."""
    pages = [(await client.get(f"/api/v1/events/kk/registrations?{query}", headers=auth(token))).json()]
    while pages[-1]["next"]:
        after = pages[-1]["next"]
        pages.append(
            (await client.get(f"/api/v1/events/kk/registrations?{query}&after={after}", headers=auth(token))).json()
        )
    return pages


async def test_organiser_pages_by_cursor_in_each_order_with_waitlist_positions(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=2)
    names = ["Åse", "bjørn", "Carl", "Dina", "Erik", "Frøydis", "Gro"]
    for n, name in enumerate(names):
        await client.post("/api/v1/events/kk/registrations", json={**person(n), "name": name})

    created = await pages_of(client, organiser_token, "limit=3")
    newest = await pages_of(client, organiser_token, "limit=3&sort=-created")
    by_name = await pages_of(client, organiser_token, "limit=2&sort=name")
    waiting = await pages_of(client, organiser_token, "limit=2&status=waitlisted")

    rows = [(i["name"], i["waitlist_position"]) for page in created for i in page["items"]]
    assert rows == [("Åse", None), ("bjørn", None), ("Carl", 1), ("Dina", 2), ("Erik", 3), ("Frøydis", 4), ("Gro", 5)]
    assert [len(page["items"]) for page in created] == [3, 3, 1]
    assert [page["total"] for page in created] == [7, 7, 7]
    assert [i["name"] for page in newest for i in page["items"]] == names[::-1]
    assert [i["name"] for page in by_name for i in page["items"]] == sorted(names, key=str.lower)
    assert [(i["name"], i["waitlist_position"]) for page in waiting for i in page["items"]] == rows[2:]


@pytest.mark.parametrize("after", ["garbled", "WzEsMl0", "WyJhIl0"])  # not base64 JSON; [1, 2]; ["a"]
async def test_organiser_list_refuses_a_cursor_it_did_not_give(
    client: Client, make_event: MakeEvent, organiser_token: str, after: str
) -> None:
    await make_event(slug="kk")

    response = await client.get(f"/api/v1/events/kk/registrations?after={after}", headers=auth(organiser_token))

    assert (response.status_code, response.headers["content-type"]) == (422, "application/problem+json")
    assert (response.json()["code"], response.json()["errors"][0]["field"]) == ("invalid_cursor", "after")


async def test_organiser_csv_has_bom_keeps_aeoeaa_and_escapes_formulas(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    await client.post(
        "/api/v1/events/kk/registrations", json={**KARI, "name": "Åse Ødegård Ærø", "organisation": '=HYPERLINK("x")'}
    )

    response = await client.get("/api/v1/events/kk/registrations?format=csv", headers=auth(organiser_token))

    assert (response.headers["content-type"], response.content[:3]) == ("text/csv; charset=utf-8", b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert (rows[0]["name"], rows[0]["organisation"]) == ("Åse Ødegård Ærø", '\'=HYPERLINK("x")')


async def test_organiser_cancel_and_confirm_by_hand(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=1)
    first = (await client.post("/api/v1/events/kk/registrations", json=person(1))).json()
    second = (await client.post("/api/v1/events/kk/registrations", json=person(2))).json()
    third = (await client.post("/api/v1/events/kk/registrations", json=person(3))).json()

    cancel = await client.post(f"/api/v1/registrations/{first['id']}/cancel", headers=auth(organiser_token))
    promoted = await client.get(f"/api/v1/registrations/{second['id']}", headers=auth(organiser_token))
    grown = await client.patch("/api/v1/events/kk", json={"capacity": 2}, headers=auth(organiser_token))
    moved = await client.get(f"/api/v1/registrations/{third['id']}", headers=auth(organiser_token))

    assert cancel.json()["status"] == "cancelled"
    assert promoted.json()["status"] == "confirmed"
    assert (grown.json()["confirmed"], moved.json()["status"]) == (2, "confirmed")


async def test_organiser_confirms_a_waitlisted_person_ahead_of_the_list_by_adding_a_seat(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=1)
    for n in range(3):
        await client.post("/api/v1/events/kk/registrations", json=person(n))
    listed = await client.get("/api/v1/events/kk/registrations?status=waitlisted", headers=auth(organiser_token))
    last = listed.json()["items"][-1]

    confirmed = await client.post(f"/api/v1/registrations/{last['id']}/confirm", headers=auth(organiser_token))
    again = await client.post(f"/api/v1/registrations/{last['id']}/confirm", headers=auth(organiser_token))
    event = (await client.get("/api/v1/events/kk")).json()

    assert confirmed.json()["status"] == "confirmed"
    assert (again.status_code, again.json()["code"]) == (409, "not_waitlisted")
    assert (event["capacity"], event["confirmed"], event["waitlisted"]) == (2, 2, 1)


async def test_custom_questions_are_checked_and_answered(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    choice = (
        await client.post(
            "/api/v1/events/kk/questions",
            headers=auth(organiser_token),
            json={
                "kind": "choice",
                "label": {"nb": "Hvilken parallell?"},
                "required": True,
                "choices": [{"nb": "Eldrehelse"}, {"nb": "Barn og unge"}],
            },
        )
    ).json()

    missing = await client.post("/api/v1/events/kk/registrations", json=KARI)
    wrong = await client.post("/api/v1/events/kk/registrations", json={**KARI, "answers": {choice["id"]: "Golf"}})
    right = await client.post(
        "/api/v1/events/kk/registrations", json={**KARI, "answers": {choice["id"]: "Barn og unge"}}
    )

    assert [(r.status_code, r.json()["errors"][0]["field"]) for r in (missing, wrong)] == [
        (422, f"answers.{choice['id']}"),
        (422, f"answers.{choice['id']}"),
    ]
    assert right.status_code == 201


async def test_question_deleted_through_the_api_is_gone_and_a_second_delete_is_404(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    question = (
        await client.post(
            "/api/v1/events/kk/questions",
            headers=auth(organiser_token),
            json={"kind": "text", "label": {"nb": "Allergier?"}, "required": False, "choices": []},
        )
    ).json()
    url = f"/api/v1/events/kk/questions/{question['id']}"

    first = await client.delete(url, headers=auth(organiser_token))
    second = await client.delete(url, headers=auth(organiser_token))
    left = (await client.get("/api/v1/events/kk/questions", headers=auth(organiser_token))).json()

    assert (first.status_code, second.status_code, second.json()["code"], left) == (204, 404, "not_found", [])


async def test_waitlist_position_of_a_new_registrant_skips_those_who_left(
    client: Client, make_event: MakeEvent
) -> None:
    await make_event(slug="kk", capacity=1)
    await client.post("/api/v1/events/kk/registrations", json=person(0))
    waiting = [(await client.post("/api/v1/events/kk/registrations", json=person(n))).json() for n in (1, 2, 3)]
    await client.delete("/api/v1/registrations/self", headers=auth(waiting[0]["manage_url"].rsplit("/", 1)[1]))
    await client.delete(
        "/api/v1/registrations/self?erase=true", headers=auth(waiting[1]["manage_url"].rsplit("/", 1)[1])
    )

    newcomer = (await client.post("/api/v1/events/kk/registrations", json=person(4))).json()
    third = await client.get("/api/v1/registrations/self", headers=auth(waiting[2]["manage_url"].rsplit("/", 1)[1]))

    assert [w["waitlist_position"] for w in waiting] == [1, 2, 3]
    assert (third.json()["waitlist_position"], newcomer["waitlist_position"]) == (1, 2)


async def test_organiser_csv_is_streamed_in_batches_each_row_once_in_order_and_audited(
    client: Client,
    make_event: MakeEvent,
    organiser_token: str,
    monkeypatch: pytest.MonkeyPatch,
    conn: asyncpg.Connection,
) -> None:
    await make_event(slug="kk", capacity=2)
    names = ["Åse", "bjørn", "Carl", "Dina", "Erik"]
    for n, name in enumerate(names):
        await client.post("/api/v1/events/kk/registrations", json={**person(n), "name": name})
    monkeypatch.setattr(listing, "EXPORT_BATCH", 2)  # three batches: 2 + 2 + 1

    response = await client.get(
        "/api/v1/events/kk/registrations?format=csv&sort=-created", headers=auth(organiser_token)
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "content-length" not in response.headers  # streamed, not one body
    assert response.headers["content-disposition"] == 'attachment; filename="kk-registrations.csv"'
    assert response.content.count("\ufeff".encode()) == 1
    assert rows[0] == [
        "status",
        "waitlist_position",
        "name",
        "email",
        "organisation",
        "role",
        "dietary",
        "accessibility",
        "language",
        "registered_at",
        "checked_in_at",
        "checked_in_door",
        "source",
    ]
    assert [row[:3] for row in rows[1:]] == [
        ["waitlisted", "3", "Erik"],
        ["waitlisted", "2", "Dina"],
        ["waitlisted", "1", "Carl"],
        ["confirmed", "", "bjørn"],
        ["confirmed", "", "Åse"],
    ]
    audited = await conn.fetchval("SELECT data FROM audit_log WHERE action = 'registrations.exported'")
    assert audited == {"filter": {"sort": "-created"}, "rows": 5, "format": "csv"}
