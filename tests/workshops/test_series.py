"""Signing up for a whole series at once, with ranked perspectives, and cancelling one date or all."""

from __future__ import annotations

import asyncpg

from tests.conftest import Client, RunJobs, auth
from tests.smtp import SmtpServer
from tests.workshops.conftest import person


async def counts(conn: asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT e.slug, count(r.id) AS n FROM events e LEFT JOIN registrations r ON r.event_id = e.id "
        "GROUP BY e.slug ORDER BY e.slug"
    )
    return {r["slug"]: r["n"] for r in rows}


async def test_series_registration_when_second_date_full_waitlists_that_date_only(
    client: Client, conn: asyncpg.Connection, intro: tuple[str, str]
) -> None:
    first = await client.post(
        "/api/v1/series/intro/registrations", json=person("a@example.no", perspectives=["patient"])
    )

    second = await client.post(
        "/api/v1/series/intro/registrations", json=person("kari@example.no", perspectives=["employee", "patient"])
    )

    assert first.status_code == 201, first.text
    assert second.status_code == 201, second.text
    body = second.json()
    assert [(r["event"], r["status"], r["waitlist_position"]) for r in body["registrations"]] == [
        ("intro-juni", "confirmed", None),
        ("intro-september", "waitlisted", 1),
    ]
    assert body["already_registered"] == []
    assert body["registrations"][0]["ticket_url"].startswith("http://testserver.local/t/")
    assert body["registrations"][1]["ticket_url"] is None
    rankings = await conn.fetch(
        "SELECT e.slug, g.key, p.rank FROM group_preferences p JOIN registrations r ON r.id = p.registration_id "
        "JOIN events e ON e.id = r.event_id JOIN workshop_groups g ON g.id = p.group_id "
        "WHERE r.email = 'kari@example.no' ORDER BY e.slug, p.rank"
    )
    assert [tuple(r) for r in rankings] == [
        ("intro-juni", "employee", 1),
        ("intro-juni", "patient", 2),
        ("intro-september", "employee", 1),
        ("intro-september", "patient", 2),
    ]


async def test_series_registration_with_unknown_group_changes_nothing(
    client: Client, conn: asyncpg.Connection, intro: tuple[str, str]
) -> None:
    response = await client.post(
        "/api/v1/series/intro/registrations", json=person("kari@example.no", perspectives=["patient", "supplier"])
    )

    assert response.status_code == 422
    assert (response.json()["code"], response.json()["errors"][0]["field"]) == ("unknown_group", "perspectives[1]")
    assert await counts(conn) == {"intro-juni": 0, "intro-september": 0}


async def test_series_registration_with_empty_or_missing_ranking_is_refused(
    client: Client, conn: asyncpg.Connection, intro: tuple[str, str]
) -> None:
    empty = await client.post("/api/v1/series/intro/registrations", json=person("a@example.no", perspectives=[]))
    missing = await client.post("/api/v1/series/intro/registrations", json=person("a@example.no"))

    assert (empty.status_code, empty.json()["errors"][0]["field"]) == (422, "perspectives")
    assert (missing.status_code, missing.json()["code"]) == (422, "perspectives_required")
    assert await counts(conn) == {"intro-juni": 0, "intro-september": 0}


async def test_series_registration_twice_is_refused_and_mails_the_links(
    client: Client, conn: asyncpg.Connection, intro: tuple[str, str], run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    body = person("kari@example.no", perspectives=["patient"])
    await client.post("/api/v1/series/intro/registrations", json=body)
    await run_jobs()
    smtp.sink.messages.clear()

    again = await client.post("/api/v1/series/intro/registrations", json=body)
    await run_jobs()

    assert (again.status_code, again.json()["code"]) == (409, "already_registered")
    assert sorted(m["Subject"] for m in smtp.sink.to("kari@example.no")) == [
        "Påmeldingen din til Kunnskapskommunekonferansen 2027",
        "Påmeldingen din til Kunnskapskommunekonferansen 2027",
    ]


async def test_series_registration_for_chosen_dates_and_idempotency(
    client: Client, conn: asyncpg.Connection, intro: tuple[str, str]
) -> None:
    body = person("kari@example.no", perspectives=["patient"], events=["intro-september"])
    headers = {"Idempotency-Key": "series-1"}

    first = await client.post("/api/v1/series/intro/registrations", json=body, headers=headers)
    replay = await client.post("/api/v1/series/intro/registrations", json=body, headers=headers)

    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert [r["event"] for r in first.json()["registrations"]] == ["intro-september"]
    assert await counts(conn) == {"intro-juni": 0, "intro-september": 1}


async def test_series_unknown_series_and_unknown_date(client: Client, intro: tuple[str, str]) -> None:
    unknown = await client.post("/api/v1/series/nope/registrations", json=person("a@example.no"))
    date = await client.post(
        "/api/v1/series/intro/registrations", json=person("a@example.no", perspectives=["patient"], events=["kk"])
    )

    assert (unknown.status_code, unknown.json()["code"]) == (404, "series_not_found")
    assert (date.status_code, date.json()["code"]) == (422, "unknown_date")


async def test_series_dates_lists_each_workshop_with_its_groups(client: Client, intro: tuple[str, str]) -> None:
    response = await client.get("/api/v1/series/intro")

    body = response.json()
    assert [(d["slug"], d["remaining"], [g["key"] for g in d["groups"]]) for d in body["dates"]] == [
        ("intro-juni", 20, ["patient", "next-of-kin", "employee"]),
        ("intro-september", 1, ["patient", "next-of-kin", "employee"]),
    ]


async def test_cancel_one_date_or_the_whole_series_from_the_manage_link(client: Client, intro: tuple[str, str]) -> None:
    created = await client.post(
        "/api/v1/series/intro/registrations", json=person("kari@example.no", perspectives=["patient"])
    )
    june, september = created.json()["registrations"]
    june_code = june["manage_url"].rsplit("/", 1)[1]
    september_code = september["manage_url"].rsplit("/", 1)[1]

    one = await client.delete("/api/v1/registrations/self", headers=auth(september_code))
    rest = await client.delete("/api/v1/registrations/self/series", headers=auth(june_code))
    nothing = await client.delete("/api/v1/registrations/self/series", headers=auth(june_code))

    assert one.json()["status"] == "cancelled"
    assert rest.json() == {"cancelled": ["intro-juni"]}
    assert nothing.json() == {"cancelled": []}


async def test_single_registration_with_perspectives_stores_them_and_refuses_unknown(
    client: Client, conn: asyncpg.Connection, intro: tuple[str, str]
) -> None:
    good = await client.post(
        "/api/v1/events/intro-juni/registrations", json=person("a@example.no", perspectives=["next-of-kin"])
    )
    bad = await client.post(
        "/api/v1/events/intro-juni/registrations", json=person("b@example.no", perspectives=["supplier"])
    )

    assert good.status_code == 201
    assert (bad.status_code, bad.json()["code"]) == (422, "unknown_group")
    assert await conn.fetchval("SELECT count(*) FROM group_preferences") == 1
    assert await counts(conn) == {"intro-juni": 1, "intro-september": 0}
