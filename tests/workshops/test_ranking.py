"""Changing one's ranked perspectives after signing up (issue 22 item 9): the domain function, the self-service
API and the manage page's form, which all refuse once registration has closed or the groups are published."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from service.errors import Invalid, InvalidState
from service.workshops.domain import change_ranking
from tests.conftest import T0, Client, Clock, auth
from tests.web.html import Page
from tests.workshops.conftest import MakeWorkshop, person

CLOSED = datetime.fromisoformat("2027-06-02T09:00:00+02:00")


async def signed_up(client: Client, *perspectives: str, email: str = "kari@example.no") -> dict[str, Any]:
    response = await client.post("/api/v1/events/ws/registrations", json=person(email, perspectives=list(perspectives)))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def secret(created: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {created['manage_url'].rsplit('/', 1)[1]}"}


def manage_path(created: dict[str, Any]) -> str:
    return str(created["manage_url"]).replace("http://testserver.local", "")


def selected(html: str) -> dict[str, str]:
    """Each rank select's chosen option (its text; "" for none), by the select's name."""
    found = {}
    for name, options in re.findall(r'<select[^>]* name="(rank_\d+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.findall(r"<option [^>]*selected[^>]*>([^<]*)</option>", options)
        found[name] = chosen[0] if chosen else ""
    return found


async def ranking_in_db(conn: asyncpg.Connection, registration_id: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT g.key FROM group_preferences p JOIN workshop_groups g ON g.id = p.group_id"
        " WHERE p.registration_id = $1 ORDER BY p.rank",
        UUID(registration_id),
    )
    return [row["key"] for row in rows]


async def test_change_ranking_replaces_it_and_the_placement_keeps_its_group_with_the_new_rank(
    client: Client, conn: asyncpg.Connection, make_workshop: MakeWorkshop, organiser_token: str
) -> None:
    await make_workshop("ws")
    created = await signed_up(client, "patient", "employee")
    await client.post("/api/v1/events/ws/groups/assign", headers=auth(organiser_token))

    ranking = await change_ranking(conn, UUID(created["id"]), ["employee", "patient"], actor="attendee", now=T0)

    assert ranking == ["employee", "patient"]
    assert await ranking_in_db(conn, created["id"]) == ["employee", "patient"]
    placement = await conn.fetchrow(
        "SELECT g.key, x.choice FROM group_placements x JOIN workshop_groups g ON g.id = x.group_id"
        " WHERE x.registration_id = $1",
        UUID(created["id"]),
    )
    assert (placement["key"], placement["choice"]) == ("patient", 2)
    audit = await conn.fetchrow("SELECT actor, action, data FROM audit_log WHERE action = 'workshops.ranking_changed'")
    assert dict(audit) == {
        "actor": "attendee",
        "action": "workshops.ranking_changed",
        "data": {"registration_id": created["id"], "ranking": ["employee", "patient"]},
    }


@pytest.mark.parametrize(
    ("keys", "code"),
    [([], "perspectives_required"), (["nobody"], "unknown_group"), (["patient", "patient"], "duplicate_perspective")],
)
async def test_change_ranking_refuses_bad_rankings_and_keeps_the_old_one(
    client: Client, conn: asyncpg.Connection, make_workshop: MakeWorkshop, keys: list[str], code: str
) -> None:
    await make_workshop("ws")
    created = await signed_up(client, "patient")

    with pytest.raises(Invalid) as refused:
        await change_ranking(conn, UUID(created["id"]), keys, actor="attendee", now=T0)

    assert refused.value.code == code
    assert await ranking_in_db(conn, created["id"]) == ["patient"]


async def test_change_ranking_refuses_after_registration_closed(
    client: Client, conn: asyncpg.Connection, make_workshop: MakeWorkshop
) -> None:
    await make_workshop("ws")
    created = await signed_up(client, "patient")

    with pytest.raises(InvalidState) as refused:
        await change_ranking(conn, UUID(created["id"]), ["employee"], actor="attendee", now=CLOSED)

    assert refused.value.code == "registration_closed"
    assert await ranking_in_db(conn, created["id"]) == ["patient"]


async def test_change_ranking_refuses_once_the_groups_are_published(
    client: Client, conn: asyncpg.Connection, make_workshop: MakeWorkshop, organiser_token: str
) -> None:
    await make_workshop("ws")
    created = await signed_up(client, "patient")
    await client.post("/api/v1/events/ws/groups/assign", headers=auth(organiser_token))
    await client.post("/api/v1/events/ws/groups/publish", headers=auth(organiser_token))

    with pytest.raises(InvalidState) as refused:
        await change_ranking(conn, UUID(created["id"]), ["employee"], actor="attendee", now=T0)

    assert refused.value.code == "groups_published"
    assert await ranking_in_db(conn, created["id"]) == ["patient"]


async def test_change_ranking_refuses_a_cancelled_registration(
    client: Client, conn: asyncpg.Connection, make_workshop: MakeWorkshop
) -> None:
    await make_workshop("ws")
    created = await signed_up(client, "patient")
    await client.delete("/api/v1/registrations/self", headers=secret(created))

    with pytest.raises(InvalidState) as refused:
        await change_ranking(conn, UUID(created["id"]), ["employee"], actor="attendee", now=T0)

    assert refused.value.code == "already_cancelled"


async def test_api_reads_and_changes_the_ranking_with_the_manage_code(
    client: Client, make_workshop: MakeWorkshop
) -> None:
    await make_workshop("ws")
    created = await signed_up(client, "patient")

    before = await client.get("/api/v1/registrations/self/perspectives", headers=secret(created))
    changed = await client.put(
        "/api/v1/registrations/self/perspectives",
        json={"perspectives": ["next-of-kin", "patient"]},
        headers=secret(created),
    )
    after = await client.get("/api/v1/registrations/self/perspectives", headers=secret(created))

    assert (before.status_code, before.json()) == (200, {"perspectives": ["patient"]})
    assert (changed.status_code, changed.json()) == (200, {"perspectives": ["next-of-kin", "patient"]})
    assert after.json() == {"perspectives": ["next-of-kin", "patient"]}


async def test_api_answers_problems_for_bad_rankings_and_unknown_codes(
    client: Client, make_workshop: MakeWorkshop, clock: Clock
) -> None:
    await make_workshop("ws")
    created = await signed_up(client, "patient")

    unknown = await client.put(
        "/api/v1/registrations/self/perspectives", json={"perspectives": ["nobody"]}, headers=secret(created)
    )
    empty = await client.put(
        "/api/v1/registrations/self/perspectives", json={"perspectives": []}, headers=secret(created)
    )
    forged = await client.put(
        "/api/v1/registrations/self/perspectives",
        json={"perspectives": ["patient"]},
        headers={"Authorization": "Bearer M1forged"},
    )
    clock.now = CLOSED
    closed = await client.put(
        "/api/v1/registrations/self/perspectives", json={"perspectives": ["employee"]}, headers=secret(created)
    )

    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_group")
    assert empty.status_code == 422
    assert empty.headers["content-type"].startswith("application/problem+json")
    assert forged.status_code == 404
    assert (closed.status_code, closed.json()["code"]) == (409, "registration_closed")
    again = await client.get("/api/v1/registrations/self/perspectives", headers=secret(created))
    assert again.json() == {"perspectives": ["patient"]}


async def test_manage_page_shows_the_ranking_with_descriptions_and_a_form_to_change_it(
    client: Client, make_workshop: MakeWorkshop
) -> None:
    await make_workshop("ws")
    created = await signed_up(client, "next-of-kin", "patient")

    html = (await client.get(manage_path(created) + "?lang=nb")).text

    assert Page(html).one("#ranking").text == "Pårørende: Se det som pårørende. Pasient: Se det fra pasientens side."
    assert selected(html) == {"rank_1": "Pårørende", "rank_2": "Pasient", "rank_3": ""}


async def test_manage_page_form_changes_the_ranking(
    client: Client, conn: asyncpg.Connection, make_workshop: MakeWorkshop
) -> None:
    await make_workshop("ws")
    created = await signed_up(client, "patient")
    code = manage_path(created).split("/r/", 1)[1]

    response = await client.post(
        f"/r/{code}/perspectives?lang=nn",
        data={"rank_1": "employee", "rank_2": "", "rank_3": "patient"},
        follow_redirects=False,
    )
    page = Page((await client.get(f"/r/{code}?notice=perspectives&lang=nn")).text)

    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/r/{code}?notice=perspectives&lang=nn#perspectives",
    )
    assert await ranking_in_db(conn, created["id"]) == ["employee", "patient"]
    assert page.texts("div.ds-alert") == ["Rangeringa di er lagra."]
    assert page.one("#ranking").text == "Tilsett: Se det som ansatt. Pasient: Se det fra pasientens side."


async def test_manage_page_form_shows_a_refusal_with_the_choices_kept(
    client: Client, conn: asyncpg.Connection, make_workshop: MakeWorkshop
) -> None:
    await make_workshop("ws")
    created = await signed_up(client, "patient")
    code = manage_path(created).split("/r/", 1)[1]

    response = await client.post(
        f"/r/{code}/perspectives?lang=en", data={"rank_1": "employee", "rank_2": "employee", "rank_3": ""}
    )

    page = Page(response.text)
    assert response.status_code == 422
    assert page.one("#error-summary").text == (
        "Please correct the following Perspectives: Choose each perspective only once."
    )
    assert page.one("#perspectives-error").text == "Choose each perspective only once."
    assert selected(response.text) == {"rank_1": "Employee", "rank_2": "Employee", "rank_3": ""}
    assert await ranking_in_db(conn, created["id"]) == ["patient"]


async def test_manage_page_offers_no_form_once_the_groups_are_published(
    client: Client, make_workshop: MakeWorkshop, organiser_token: str
) -> None:
    await make_workshop("ws")
    created = await signed_up(client, "patient")
    code = manage_path(created).split("/r/", 1)[1]
    await client.post("/api/v1/events/ws/groups/assign", headers=auth(organiser_token))
    await client.post("/api/v1/events/ws/groups/publish", headers=auth(organiser_token))

    html = (await client.get(f"/r/{code}?lang=en")).text
    refused = await client.post(f"/r/{code}/perspectives?lang=en", data={"rank_1": "employee"})

    assert f'action="/r/{code}/perspectives' not in html
    assert selected(html) == {}
    assert Page(html).one("#ranking").text == "Patient: Se det fra pasientens side."
    assert refused.status_code == 422
    assert Page(refused.text).one("#error-summary").text == (
        "Please correct the following Perspectives: The groups are published, so your ranking can no longer be "
        "changed here. Write to the organisers if you need another group."
    )
