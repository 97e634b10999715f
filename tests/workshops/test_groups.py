"""Groups, placement, hand moves, locks, late registrants, publishing and group lists, through the API."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any
from uuid import UUID

import asyncpg

from service.workshops.queries import group_of
from tests.conftest import Client, MakeEvent, RunJobs, auth
from tests.smtp import SmtpServer, body_of
from tests.workshops.conftest import MakeWorkshop, person


async def register(client: Client, slug: str, email: str, *perspectives: str, role: str | None = None) -> str:
    body = person(email, perspectives=list(perspectives), role=role) if perspectives else person(email, role=role)
    response = await client.post(f"/api/v1/events/{slug}/registrations", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def placed(body: dict[str, Any]) -> dict[str, tuple[str, int | None, bool]]:
    return {p["email"]: (g["group"]["key"], p["choice"], p["locked"]) for g in body["groups"] for p in g["members"]}


async def test_add_group_refuses_duplicates_reserved_keys_and_conferences(
    client: Client, organiser_token: str, make_workshop: MakeWorkshop, make_event: MakeEvent
) -> None:
    await make_workshop("ws")
    await make_event(slug="kk")
    group = {"key": "patient", "name": {"nb": "Pasient"}, "capacity": 5}

    duplicate = await client.post("/api/v1/events/ws/groups", json=group, headers=auth(organiser_token))
    reserved = await client.post(
        "/api/v1/events/ws/groups", json={**group, "key": "assign"}, headers=auth(organiser_token)
    )
    conference = await client.post("/api/v1/events/kk/groups", json=group, headers=auth(organiser_token))
    listed = await client.get("/api/v1/events/ws/groups")

    assert [(r.status_code, r.json()["code"]) for r in (duplicate, reserved, conference)] == [
        (409, "group_key_taken"),
        (422, "reserved_group_key"),
        (409, "not_a_workshop"),
    ]
    assert [(g["key"], g["name"]["en"], g["capacity"], g["members"]) for g in listed.json()] == [
        ("patient", "Patient", 2, 0),
        ("next-of-kin", "Next of kin", 2, 0),
        ("employee", "Employee", 2, 0),
    ]


async def test_assign_places_by_choice_and_background_and_explains(
    client: Client, organiser_token: str, make_workshop: MakeWorkshop
) -> None:
    await make_workshop("ws", groups=(2, 2, 2))
    await register(client, "ws", "a@example.no", "patient", role="student")
    await register(client, "ws", "b@example.no", "patient", role="student")
    await register(client, "ws", "c@example.no", "patient", "employee", role="student")
    await register(client, "ws", "d@example.no", "employee", role="researcher")

    response = await client.post("/api/v1/events/ws/groups/assign", headers=auth(organiser_token))

    body = response.json()
    assert response.status_code == 200, response.text
    assert placed(body) == {
        "a@example.no": ("patient", 1, False),
        "b@example.no": ("patient", 1, False),
        "c@example.no": ("employee", 2, False),
        "d@example.no": ("employee", 1, False),
    }
    assert body["choices"] == {"1": 3, "2": 1}
    assert body["unplaced"] == []


async def test_assign_with_too_few_seats_says_so_and_changes_nothing(
    client: Client, conn: asyncpg.Connection, organiser_token: str, make_workshop: MakeWorkshop
) -> None:
    await make_workshop("ws", groups=(1, 1))
    for email in ("a@example.no", "b@example.no", "c@example.no"):
        await register(client, "ws", email, "patient")

    response = await client.post("/api/v1/events/ws/groups/assign", headers=auth(organiser_token))

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["detail"]) == (
        "not_enough_group_seats",
        "3 confirmed participants but the groups have 2 seats; raise a group's capacity or add a group",
    )
    assert await conn.fetchval("SELECT count(*) FROM group_placements") == 0
    assert await conn.fetchval("SELECT count(*) FROM group_rounds") == 0


async def test_moved_and_locked_placements_survive_assigning_again(
    client: Client, organiser_token: str, make_workshop: MakeWorkshop
) -> None:
    await make_workshop("ws", groups=(2, 2, 2))
    a = await register(client, "ws", "a@example.no", "patient")
    await register(client, "ws", "b@example.no", "patient")
    await client.post("/api/v1/events/ws/groups/assign", headers=auth(organiser_token))

    moved = await client.patch(
        f"/api/v1/events/ws/groups/placements/{a}", json={"group": "next-of-kin"}, headers=auth(organiser_token)
    )
    again = await client.post("/api/v1/events/ws/groups/assign", headers=auth(organiser_token))
    unlocked = await client.patch(
        f"/api/v1/events/ws/groups/placements/{a}", json={"locked": False}, headers=auth(organiser_token)
    )
    third = await client.post("/api/v1/events/ws/groups/assign", headers=auth(organiser_token))

    assert placed(moved.json())["a@example.no"] == ("next-of-kin", None, True)
    assert placed(again.json()) == {"a@example.no": ("next-of-kin", None, True), "b@example.no": ("patient", 1, False)}
    assert placed(unlocked.json())["a@example.no"] == ("next-of-kin", None, False)
    assert placed(third.json()) == {"a@example.no": ("patient", 1, False), "b@example.no": ("patient", 1, False)}


async def test_move_into_a_full_group_or_unknown_group_is_refused(
    client: Client, organiser_token: str, make_workshop: MakeWorkshop
) -> None:
    await make_workshop("ws", groups=(1, 1))
    a = await register(client, "ws", "a@example.no", "patient")
    await register(client, "ws", "b@example.no", "next-of-kin")
    await client.post("/api/v1/events/ws/groups/assign", headers=auth(organiser_token))

    full = await client.patch(
        f"/api/v1/events/ws/groups/placements/{a}", json={"group": "next-of-kin"}, headers=auth(organiser_token)
    )
    unknown = await client.patch(
        f"/api/v1/events/ws/groups/placements/{a}", json={"group": "supplier"}, headers=auth(organiser_token)
    )

    assert [(r.status_code, r.json()["code"]) for r in (full, unknown)] == [
        (409, "group_full"),
        (404, "group_not_found"),
    ]


async def test_late_registrant_goes_to_best_group_with_room(
    client: Client, conn: asyncpg.Connection, organiser_token: str, make_workshop: MakeWorkshop
) -> None:
    await make_workshop("ws", groups=(1, 2, 2))
    await register(client, "ws", "a@example.no", "patient")
    await client.post("/api/v1/events/ws/groups/assign", headers=auth(organiser_token))

    late = await register(client, "ws", "late@example.no", "patient", "employee")
    no_ranking = await register(client, "ws", "plain@example.no")

    lists = (await client.get("/api/v1/events/ws/groups/lists", headers=auth(organiser_token))).json()
    assert placed(lists) == {
        "a@example.no": ("patient", 1, False),
        "late@example.no": ("employee", 2, False),
        "plain@example.no": ("next-of-kin", None, False),
    }
    assert (await group_of(conn, UUID(late))).key == "employee"  # type: ignore[union-attr]
    assert (await group_of(conn, UUID(no_ranking))).published is False  # type: ignore[union-attr]


async def test_promoted_from_waiting_list_gets_a_group(
    client: Client, conn: asyncpg.Connection, organiser_token: str, make_workshop: MakeWorkshop
) -> None:
    await make_workshop("ws", capacity=1, groups=(1, 1))
    first = await register(client, "ws", "a@example.no", "patient")
    waiting = await register(client, "ws", "b@example.no", "next-of-kin")
    await client.post("/api/v1/events/ws/groups/assign", headers=auth(organiser_token))

    await client.post(f"/api/v1/registrations/{first}/cancel", headers=auth(organiser_token))

    badge = await group_of(conn, UUID(waiting))
    assert (badge.key if badge else None) == "next-of-kin"
    assert await group_of(conn, UUID(first)) is None


async def test_concurrent_late_registrants_never_overfill_a_group(
    pool: asyncpg.Pool, client: Client, organiser_token: str, make_workshop: MakeWorkshop
) -> None:
    await make_workshop("ws", groups=(1, 5, 5))
    await client.post("/api/v1/events/ws/groups/assign", headers=auth(organiser_token))

    results = await asyncio.gather(
        *(register(client, "ws", f"p{i}@example.no", "patient", "employee") for i in range(6))
    )

    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT g.key, count(*) AS n FROM group_placements x JOIN workshop_groups g ON g.id = x.group_id "
            "GROUP BY g.key ORDER BY g.key"
        )
    assert len(results) == 6
    assert {r["key"]: r["n"] for r in rows} == {"employee": 5, "patient": 1}


async def test_publish_mails_each_their_group_in_their_language_once(
    client: Client, organiser_token: str, make_workshop: MakeWorkshop, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_workshop("ws", groups=(2, 2))
    await register(client, "ws", "a@example.no", "patient")
    body = person("b@example.no", perspectives=["next-of-kin"], language="nn")
    await client.post("/api/v1/events/ws/registrations", json=body)
    await client.post("/api/v1/events/ws/groups/assign", headers=auth(organiser_token))
    await run_jobs()
    smtp.sink.messages.clear()

    first = await client.post("/api/v1/events/ws/groups/publish", headers=auth(organiser_token))
    await run_jobs()
    again = await client.post("/api/v1/events/ws/groups/publish", headers=auth(organiser_token))
    await run_jobs()

    assert (first.json()["mails"], again.json()["mails"]) == (2, 0)
    subjects = sorted((m.rcpt_tos[0], m.message["Subject"]) for m in smtp.sink.messages)
    assert subjects == [
        ("a@example.no", "Gruppen din på Kunnskapskommunekonferansen 2027: Pasient"),
        ("b@example.no", "Gruppa di på Kunnskapskommunekonferansen 2027: Pårørande"),
    ]
    [nynorsk] = smtp.sink.to("b@example.no")
    assert "Se det som pårørende." in body_of(nynorsk, "plain")


async def test_publish_before_assign_is_refused(
    client: Client, organiser_token: str, make_workshop: MakeWorkshop
) -> None:
    await make_workshop("ws")

    response = await client.post("/api/v1/events/ws/groups/publish", headers=auth(organiser_token))

    assert (response.status_code, response.json()["code"]) == (409, "not_assigned")


async def test_group_lists_export_as_csv(client: Client, organiser_token: str, make_workshop: MakeWorkshop) -> None:
    await make_workshop("ws", groups=(2, 2))
    body = person("a@example.no", perspectives=["patient"], role="student", organisation="=HYPERLINK()")
    await client.post("/api/v1/events/ws/registrations", json={**body, "accessibility": "Rullestol"})
    await client.post("/api/v1/events/ws/groups/assign", headers=auth(organiser_token))

    response = await client.get("/api/v1/events/ws/groups/lists?format=csv", headers=auth(organiser_token))

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["group", "name", "email", "organisation", "background", "accessibility", "choice", "locked"],
        ["patient", "A", "a@example.no", "'=HYPERLINK()", "student", "Rullestol", "1", "False"],
    ]


async def test_change_group_capacity_below_members_is_refused(
    client: Client, organiser_token: str, make_workshop: MakeWorkshop
) -> None:
    await make_workshop("ws", groups=(2, 2))
    await register(client, "ws", "a@example.no", "patient")
    await register(client, "ws", "b@example.no", "patient")
    await client.post("/api/v1/events/ws/groups/assign", headers=auth(organiser_token))

    smaller = await client.patch(
        "/api/v1/events/ws/groups/patient", json={"capacity": 1}, headers=auth(organiser_token)
    )
    remove = await client.delete("/api/v1/events/ws/groups/patient", headers=auth(organiser_token))
    renamed = await client.patch(
        "/api/v1/events/ws/groups/next-of-kin", json={"name": {"nb": "Pårørende"}}, headers=auth(organiser_token)
    )

    assert [(r.status_code, r.json()["code"]) for r in (smaller, remove)] == [
        (409, "group_capacity_below_members"),
        (409, "group_has_members"),
    ]
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == {"nb": "Pårørende"}
