"""People by hand through the API: add (capacity, over-capacity confirm, waiting list), edit, re-send, new links,
move within a series, erase; bad input changes nothing; every action is in the audit log."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.conftest import Client, MakeEvent, RunJobs, auth
from tests.smtp import SmtpServer


async def add(client: Client, token: str, slug: str = "kk", **body: Any) -> Any:
    return await client.post(
        f"/api/v1/events/{slug}/people", json={"name": "Kari Nordmann", **body}, headers=auth(token)
    )


async def audit_actions(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    rows = await conn.fetch(
        "SELECT action, data->>'registration_id' AS id FROM audit_log WHERE action LIKE 'registration.%' ORDER BY id"
    )
    return [(row["action"], row["id"]) for row in rows]


async def counts(conn: asyncpg.Connection) -> tuple[int, int, int]:
    row = await conn.fetchrow(
        """SELECT (SELECT count(*) FROM registrations) AS registrations, (SELECT count(*) FROM jobs) AS jobs,
                  (SELECT capacity FROM events WHERE slug = 'kk') AS capacity"""
    )
    return row["registrations"], row["jobs"], row["capacity"]


async def test_add_person_without_email_confirms_and_queues_no_mail(
    client: Client,
    conn: asyncpg.Connection,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    smtp: SmtpServer,
) -> None:
    await make_event(slug="kk", capacity=2)

    response = await add(client, organiser_token, organisation="Bergen kommune", note="Taler kl. 10", source="public")
    await run_jobs()

    assert response.status_code == 201, response.text
    person = response.json()
    assert (person["status"], person["email"], person["source"], person["note"]) == (
        "confirmed",
        None,
        "public",
        "Taler kl. 10",
    )
    assert smtp.sink.mails == []
    assert await audit_actions(conn) == [("registration.added", person["id"])]


async def test_add_person_with_email_sends_the_ticket(
    client: Client, make_event: MakeEvent, organiser_token: str, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk", capacity=2)

    response = await add(client, organiser_token, email="vip@example.no", language="en")
    await run_jobs()

    assert response.status_code == 201
    assert [m["subject"] for m in smtp.sink.to("vip@example.no")] == [
        "You are registered: The Knowledge Municipality Conference 2027"
    ]


async def test_add_person_to_full_event_is_409_and_writes_nothing(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=1)
    await add(client, organiser_token, name="Første")
    before = await counts(conn)

    response = await add(client, organiser_token, email="b@example.no")

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "event_full"
    assert "over_capacity" in problem["detail"]
    assert "waitlist" in problem["detail"]
    assert await counts(conn) == before


async def test_add_person_over_capacity_when_confirmed_grows_capacity(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=1)
    await add(client, organiser_token, name="Første")

    response = await add(client, organiser_token, over_capacity=True)

    assert (response.status_code, response.json()["status"]) == (201, "confirmed")
    assert await conn.fetchval("SELECT capacity FROM events WHERE slug = 'kk'") == 2
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM event_seats s JOIN events e ON e.id = s.event_id"
            " WHERE e.slug = 'kk' AND s.registration_id IS NOT NULL"
        )
        == 2
    )


async def test_add_person_to_waiting_list_when_asked(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=0)

    response = await add(client, organiser_token, waitlist=True)

    assert (response.status_code, response.json()["status"], response.json()["waitlist_position"]) == (
        201,
        "waitlisted",
        1,
    )


async def test_add_person_bad_input_is_422_and_writes_nothing(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=5)
    before = await counts(conn)

    answers = [
        await add(client, organiser_token, email="not-an-address"),
        await add(client, organiser_token, source="slack"),
        await add(client, organiser_token, note="x" * 2001),
        await add(client, organiser_token, unknown=1),
        await client.post("/api/v1/events/kk/people", json={"email": "a@example.no"}, headers=auth(organiser_token)),
        await add(client, organiser_token, sessions=["00000000-0000-0000-0000-000000000000"]),
    ]

    assert [r.status_code for r in answers] == [422] * 6
    assert {r.headers["content-type"] for r in answers} == {"application/problem+json"}
    assert await counts(conn) == before


async def test_add_person_same_email_twice_is_409(client: Client, make_event: MakeEvent, organiser_token: str) -> None:
    await make_event(slug="kk", capacity=5)
    await add(client, organiser_token, email="kari@example.no")

    response = await add(client, organiser_token, email="KARI@example.no")

    assert (response.status_code, response.json()["code"]) == (409, "already_registered")


async def test_add_person_honours_idempotency_key(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=5)
    headers = {**auth(organiser_token), "Idempotency-Key": "add-kari-1"}

    first = await client.post("/api/v1/events/kk/people", json={"name": "Kari"}, headers=headers)
    second = await client.post("/api/v1/events/kk/people", json={"name": "Kari"}, headers=headers)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert await conn.fetchval("SELECT count(*) FROM registrations") == 1


async def test_edit_person_changes_fields_and_email_and_is_audited(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=5)
    person = (await add(client, organiser_token)).json()

    response = await client.patch(
        f"/api/v1/events/kk/people/{person['id']}",
        json={"email": "Kari@Example.no", "note": "VIP", "organisation": "UiB", "dietary": "vegetar"},
        headers=auth(organiser_token),
    )

    assert response.status_code == 200, response.text
    edited = response.json()
    assert (edited["email"], edited["note"], edited["organisation"], edited["dietary"]) == (
        "Kari@Example.no",
        "VIP",
        "UiB",
        "vegetar",
    )
    assert await conn.fetchval("SELECT email_norm FROM registrations") == "kari@example.no"
    assert await audit_actions(conn) == [("registration.added", person["id"]), ("registration.edited", person["id"])]


async def test_edit_person_bad_input_changes_nothing(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=5)
    person = (await add(client, organiser_token, organisation="UiB")).json()
    await add(client, organiser_token, name="Per", email="per@example.no")

    bad_role = await client.patch(
        f"/api/v1/events/kk/people/{person['id']}", json={"role": "king", "name": "X"}, headers=auth(organiser_token)
    )
    taken = await client.patch(
        f"/api/v1/events/kk/people/{person['id']}",
        json={"email": "per@example.no", "name": "X"},
        headers=auth(organiser_token),
    )

    assert (bad_role.status_code, taken.status_code, taken.json()["code"]) == (422, 409, "already_registered")
    assert await conn.fetchval("SELECT name FROM registrations WHERE id = $1", person["id"]) == "Kari Nordmann"


async def test_resend_ticket_queues_the_mail_again_and_409_without_email(
    client: Client,
    conn: asyncpg.Connection,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    smtp: SmtpServer,
) -> None:
    await make_event(slug="kk", capacity=5)
    with_mail = (await add(client, organiser_token, email="kari@example.no")).json()
    without = (await add(client, organiser_token, name="Per")).json()
    await run_jobs()

    resent = await client.post(
        f"/api/v1/events/kk/people/{with_mail['id']}/resend-ticket", headers=auth(organiser_token)
    )
    refused = await client.post(
        f"/api/v1/events/kk/people/{without['id']}/resend-ticket", headers=auth(organiser_token)
    )
    await run_jobs()

    assert (resent.status_code, resent.json()) == (202, {"status": "queued"})
    assert (refused.status_code, refused.json()["code"]) == (409, "no_email")
    assert len(smtp.sink.to("kari@example.no")) == 2
    assert ("registration.ticket_resent", with_mail["id"]) in await audit_actions(conn)


async def test_new_links_revoke_the_old_ticket(
    client: Client,
    conn: asyncpg.Connection,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    smtp: SmtpServer,
) -> None:
    await make_event(slug="kk", capacity=5)
    person = (await add(client, organiser_token, email="kari@example.no")).json()

    response = await client.post(f"/api/v1/events/kk/people/{person['id']}/new-links", headers=auth(organiser_token))
    await run_jobs()

    assert response.status_code == 200
    assert await conn.fetchval("SELECT link_version FROM registrations") == 2
    assert len(smtp.sink.to("kari@example.no")) == 2  # the ticket, then the new links
    assert ("registration.links_renewed", person["id"]) in await audit_actions(conn)


async def test_move_person_within_series_respects_capacity(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=2, kind="workshop", series="intro")
    await make_event(slug="kk-sept", capacity=1, kind="workshop", series="intro")
    await make_event(slug="other", capacity=5)
    person = (await add(client, organiser_token, email="kari@example.no")).json()
    await add(client, organiser_token, slug="kk-sept", name="Per")
    path = f"/api/v1/events/kk/people/{person['id']}/move"

    elsewhere = await client.post(path, json={"event": "other"}, headers=auth(organiser_token))
    full = await client.post(path, json={"event": "kk-sept"}, headers=auth(organiser_token))
    moved = await client.post(path, json={"event": "kk-sept", "over_capacity": True}, headers=auth(organiser_token))

    assert (elsewhere.status_code, elsewhere.json()["code"]) == (422, "not_same_series")
    assert (full.status_code, full.json()["code"]) == (409, "event_full")
    assert (moved.status_code, moved.json()["status"]) == (200, "confirmed")
    rows = await conn.fetch(
        "SELECT e.slug, e.capacity, count(r.id) FILTER (WHERE r.status = 'confirmed') AS confirmed FROM events e "
        "LEFT JOIN registrations r ON r.event_id = e.id GROUP BY e.slug, e.capacity ORDER BY e.slug"
    )
    assert [tuple(r) for r in rows] == [("kk", 2, 0), ("kk-sept", 2, 2), ("other", 5, 0)]
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'registration.moved'") == 2


async def test_erase_person_removes_the_registration_and_is_audited(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str, run_jobs: RunJobs
) -> None:
    await make_event(slug="kk", capacity=1)
    person = (await add(client, organiser_token, email="kari@example.no", note="Ringte")).json()
    waiting = (await add(client, organiser_token, name="Per", waitlist=True)).json()
    await run_jobs()

    response = await client.delete(f"/api/v1/events/kk/people/{person['id']}", headers=auth(organiser_token))

    assert response.status_code == 204
    assert await conn.fetchval("SELECT count(*) FROM registrations WHERE id = $1", person["id"]) == 0
    assert await conn.fetchval("SELECT status FROM registrations WHERE id = $1", waiting["id"]) == "confirmed"
    assert await conn.fetchval("SELECT count(*) FROM jobs WHERE payload->>'registration_id' = $1", person["id"]) == 0
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'registration.erased'") == 1


async def test_person_of_another_event_is_404(client: Client, make_event: MakeEvent, organiser_token: str) -> None:
    await make_event(slug="kk", capacity=1)
    await make_event(slug="other", capacity=1)
    person = (await add(client, organiser_token, slug="other")).json()

    response = await client.patch(
        f"/api/v1/events/kk/people/{person['id']}", json={"note": "x"}, headers=auth(organiser_token)
    )

    assert (response.status_code, response.json()["code"]) == (404, "registration_not_found")
