"""The smaller holes of the security review, each tried as an attack that must fail: the door's name search
reads out no guest list and leaves a trace, a subgroup's announcement stays off the public page, and ticket
images are kept out of shared caches."""

from __future__ import annotations

import asyncpg

from tests.announcements.conftest import confirmed_announcement, organiser
from tests.checkin.conftest import NewDoor, Register, new_door, register  # noqa: F401 - fixtures used below
from tests.conftest import Client, Clock, MakeEvent, auth
from tests.nominations.conftest import PrizeWorld, world  # noqa: F401 - the prize world fixture


async def test_door_search_finds_only_confirmed_attendees_of_its_event(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register
) -> None:
    await make_event(slug="kk", capacity=2)
    await make_event(slug="alrek-intro", kind="workshop")
    await register("Kari Nordmann", "kari@example.no")
    cancelled = await register("Karl Avmeldt", "karl@example.no")
    await register("Karen Seated", "karen@example.no")
    await register("Karianne Venteliste", "karianne@example.no")
    await register("Kari Annen", "kari2@example.no", slug="alrek-intro")
    await client.delete("/api/v1/registrations/self", headers=auth(cancelled["manage_url"].rsplit("/", 1)[1]))
    _, token = await new_door()

    hits = (await client.get("/api/v1/door/search?q=kar", headers=auth(token))).json()

    assert [h["attendee"]["name"] for h in hits] == ["Karen Seated", "Kari Nordmann"]


async def test_door_search_gives_at_most_five(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register
) -> None:
    await make_event(slug="kk")
    for n in range(8):
        await register(f"Hansen {n}", f"h{n}@example.no")
    _, token = await new_door()

    hits = (await client.get("/api/v1/door/search?q=hansen", headers=auth(token))).json()

    assert [h["attendee"]["name"] for h in hits] == [f"Hansen {n}" for n in range(5)]


async def test_door_search_with_a_short_prefix_is_422(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register
) -> None:
    await make_event(slug="kk")
    await register("Kari Nordmann", "kari@example.no")
    _, token = await new_door()

    answers = [await client.get(f"/api/v1/door/search?q={q}", headers=auth(token)) for q in ("ka", "%20k%20")]

    assert [(a.status_code, a.headers["content-type"]) for a in answers] == [(422, "application/problem+json")] * 2
    assert answers[1].json()["code"] == "search_too_short"


async def test_door_search_is_written_to_the_audit_log_with_the_door(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, new_door: NewDoor, register: Register
) -> None:
    event = await make_event(slug="kk")
    await register("Kari Nordmann", "kari@example.no")
    door, token = await new_door()

    await client.get("/api/v1/door/search?q=%20Nordm", headers=auth(token))
    await client.get("/api/v1/door/search?q=zzz", headers=auth(token))
    rows = await conn.fetch(
        "SELECT actor, event_id::text, data FROM audit_log WHERE action = 'door.searched' ORDER BY id"
    )

    door_data = {"door_id": door["id"], "door": "Hovudinngang"}
    assert [tuple(r) for r in rows] == [
        (f"door:{door['id']}", event["id"], {**door_data, "q": "Nordm", "hits": 1}),
        (f"door:{door['id']}", event["id"], {**door_data, "q": "zzz", "hits": 0}),
    ]


async def test_subgroup_announcement_is_not_on_the_public_page(
    client: Client, conn: asyncpg.Connection, clock: Clock, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    kari = await organiser(conn, organiser_token)
    await confirmed_announcement(conn, "kk", kari, clock(), subject="Til alle", body="Velkommen alle")
    await confirmed_announcement(
        conn, "kk", kari, clock(), subject="Venteliste", body="Hemmelig", audience="waitlisted"
    )
    await confirmed_announcement(conn, "kk", kari, clock(), subject="Innsjekket", body="Kode", audience="checked_in")
    await conn.execute("UPDATE announcements SET status = 'sent', sent_at = $1", clock())

    page = await client.get("/events/kk", headers={"accept": "text/html"})

    texts = ("Til alle", "Velkommen alle", "Venteliste", "Hemmelig", "Innsjekket", "Kode")
    shown = [text for text in texts if text in page.text]
    assert (page.status_code, shown) == (200, ["Til alle", "Velkommen alle"])


async def test_ticket_and_personal_pages_are_kept_out_of_shared_caches(client: Client, make_event: MakeEvent) -> None:
    await make_event(slug="kk")
    created = (
        await client.post(
            "/api/v1/events/kk/registrations",
            json={"name": "Kari Nordmann", "email": "kari@example.no", "accept_privacy": True},
        )
    ).json()
    ticket = created["ticket_url"].removeprefix("http://testserver.local")
    manage = created["manage_url"].removeprefix("http://testserver.local")
    secret = manage.rsplit("/", 1)[1]

    answers = {
        "ticket.png": await client.get(ticket + ".png"),
        "ticket.svg": await client.get(ticket + ".svg"),
        "ticket": await client.get(ticket),
        "manage": await client.get(manage),
        "self": await client.get("/api/v1/registrations/self", headers=auth(secret)),
        "export": await client.get(f"/api/v1/registrations/self/export?secret={secret}"),
    }

    assert {name: (a.status_code, a.headers.get("cache-control")) for name, a in answers.items()} == {
        "ticket.png": (200, "private, max-age=86400"),
        "ticket.svg": (200, "private, max-age=86400"),
        "ticket": (200, "private, no-cache"),
        "manage": (200, "no-store"),
        "self": (200, "no-store"),
        "export": (200, "no-store"),
    }


async def test_nominators_page_and_api_are_not_stored_by_caches(world: PrizeWorld) -> None:
    secret = (await world.nominate())["manage_url"].rsplit("/", 1)[1]

    page = await world.client.get(f"/nominations/{secret}", headers={"accept": "text/html"})
    own = await world.client.get("/api/v1/nominations/self", headers=auth(secret))

    assert [(a.status_code, a.headers.get("cache-control")) for a in (page, own)] == [(200, "no-store")] * 2
