"""Prizes in the console: create a prize and a call (criteria, jury), set the jury, the results table, lock
scoring, shortlist, reject with a reason, choose the winner, publish, CSV links; bad input shows the form
again (or the refusal on the call's page) and changes nothing."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.conftest import Client
from tests.console.conftest import HTML, PostForm, add_console_user
from tests.nominations.conftest import (
    PrizeWorld,
    world,  # noqa: F401 - the prize world fixture
)
from tests.web.html import Page

PRIZE = {"slug": "kvalitetsprisen", "name_nb": "Kvalitetsprisen", "name_nn": "", "name_en": "The Quality Prize"}
CALL = {
    "year": "2028",
    "opens_at": "2028-02-01T09:00",
    "closes_at": "2028-04-01T12:00",
    "scoring_closes_at": "2028-05-01T12:00",
    "criteria": "Nyskaping | 2\nOverføringsverdi | 1,5",
    "jury": "jury@example.no",
    "event": "",
}


async def test_create_a_prize_and_a_call(signed_in: Client, post_form: PostForm, conn: asyncpg.Connection) -> None:
    await add_console_user(conn, "jury@example.no", "jury")

    created = await post_form("/console/prizes", "/console/prizes", PRIZE)
    called = await post_form("/console/prizes/kvalitetsprisen", "/console/prizes/kvalitetsprisen/calls", CALL)
    call_id = await conn.fetchval("SELECT id FROM prize_calls")
    listed = Page((await signed_in.get("/console/prizes", headers=HTML)).text)

    assert (created.status_code, created.headers["location"]) == (303, "/console/prizes/kvalitetsprisen")
    assert (called.status_code, called.headers["location"]) == (303, f"/console/calls/{call_id}")
    assert tuple(await conn.fetchrow("SELECT slug, name FROM prizes")) == (
        "kvalitetsprisen",
        {"nb": "Kvalitetsprisen", "en": "The Quality Prize"},
    )
    criteria = await conn.fetch("SELECT name, weight::float8 FROM prize_criteria ORDER BY position")
    assert [tuple(row) for row in criteria] == [({"nb": "Nyskaping"}, 2.0), ({"nb": "Overføringsverdi"}, 1.5)]
    assert await conn.fetchval("SELECT array_agg(u.email) FROM prize_jurors j JOIN users u ON u.id = j.user_id") == [
        "jury@example.no"
    ]
    assert listed.texts("a.prize-link") == ["Kvalitetsprisen"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"slug": ""}, "slug", "Fyll ut dette."),
        ({"slug": "Ikke Gyldig"}, "slug", "Sjekk hva du skrev her."),
        ({"name_nb": ""}, "name_nb", "Fyll ut dette."),
    ],
)
async def test_bad_prize_input_shows_the_form_again(
    signed_in: Client, post_form: PostForm, conn: asyncpg.Connection, change: dict[str, Any], field: str, message: str
) -> None:
    response = await post_form("/console/prizes", "/console/prizes", {**PRIZE, **change})

    page = Page(response.text)
    assert response.status_code == 422
    assert page.one(f"#{field}-error").text == message
    assert page.one("#name_en").attrs["value"] == "The Quality Prize"
    assert await conn.fetchval("SELECT count(*) FROM prizes") == 0


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"year": "neste"}, "year", "Skriv et helt tall, 0 eller mer."),
        ({"closes_at": "2028-01-01T12:00"}, "closes_at", "Dette må være etter tidspunktet før."),
        (
            {"criteria": "Nyskaping"},
            "criteria",
            "Skriv ett kriterium per linje: navnet, en loddrett strek og vekten, for eksempel Effekt | 2.",
        ),
        ({"criteria": ""}, "criteria", "Fyll ut dette."),
        ({"jury": "ukjent@example.no"}, "jury", "Denne personen har ingen jurykonto"),
    ],
)
async def test_bad_call_input_shows_the_form_again(
    signed_in: Client, post_form: PostForm, conn: asyncpg.Connection, change: dict[str, Any], field: str, message: str
) -> None:
    await post_form("/console/prizes", "/console/prizes", PRIZE)
    await add_console_user(conn, "jury@example.no", "jury")

    response = await post_form(
        "/console/prizes/kvalitetsprisen", "/console/prizes/kvalitetsprisen/calls", {**CALL, **change}
    )

    page = Page(response.text)
    assert response.status_code == 422
    assert page.one(f"#{field}-error").text == message
    assert await conn.fetchval("SELECT count(*) FROM prize_calls") == 0


async def test_results_decisions_lock_and_publish(signed_in: Client, post_form: PostForm, world: PrizeWorld) -> None:
    call = f"/console/calls/{world.call_id}"
    first = await world.nominate()
    second = await world.nominate(nominee_name="Polyfon", nominee_email="polyfon@hvl.no", title="Klyngen")
    for juror, values in ((0, [5, 4, 4, 3]), (1, [4, 4, 5, 5])):
        assert (await world.score(juror, first["id"], values)).status_code == 200
    assert (await world.score(0, second["id"], [3, 3, 3, 3])).status_code == 200

    early_winner = await post_form(call, f"{call}/decision/{first['id']}", {"status": "winner"})
    no_reason = await post_form(call, f"{call}/decision/{second['id']}", {"status": "rejected", "reason": ""})
    locked = await post_form(call, f"{call}/lock", {})
    winner = await post_form(call, f"{call}/decision/{first['id']}", {"status": "winner"})
    rejected = await post_form(call, f"{call}/decision/{second['id']}", {"status": "rejected", "reason": "Utenfor"})
    page = Page((await signed_in.get(call, headers=HTML)).text)
    published = await post_form(call, f"{call}/publish", {})

    assert [r.headers["location"] for r in (early_winner, no_reason, locked, winner, rejected, published)] == [
        f"{call}?error=scoring_not_locked",
        f"{call}?error=reason_required",
        f"{call}?notice=locked",
        f"{call}?notice=decided",
        f"{call}?notice=decided",
        f"{call}?notice=published",
    ]
    assert page.texts("th.nominee") == [
        "GAMUT, Universitetet i Bergen Musikkterapi i kommunale tjenester",
        "Polyfon, Universitetet i Bergen Klyngen",
    ]
    decided = [cell.text for cell in page.all("td") if "decision" not in cell.attrs.get("class", "")]
    assert decided == [
        *("Vinner", "4,31", "2", "0,06", "0", "1", "0,50", "1"),
        *("Avvist", "3,00", "1", "0,00", "0", "2", "−1,00", "2"),
    ]
    assert [a.attrs["href"] for a in page.all("a") if "csv" in a.text.lower()] == [
        f"/api/v1/calls/{world.call_id}/nominations?format=csv",
        f"/api/v1/calls/{world.call_id}/results?format=csv",
        f"/api/v1/calls/{world.call_id}/scores",
    ]


async def test_set_the_jury(
    signed_in: Client, post_form: PostForm, world: PrizeWorld, conn: asyncpg.Connection
) -> None:
    call = f"/console/calls/{world.call_id}"

    saved = await post_form(call, f"{call}/jury", {"jury": "ola@hvl.no\ningrid@uib.no"})
    refused = await post_form(call, f"{call}/jury", {"jury": "ukjent@example.no"})
    page = Page((await signed_in.get(refused.headers["location"], headers=HTML)).text)

    assert saved.headers["location"] == f"{call}?notice=jury"
    assert refused.headers["location"] == f"{call}?error=not_a_juror"
    assert page.one("#problem").text == "Denne personen har ingen jurykonto"
    assert page.one("#jury").text == "ingrid@uib.no ola@hvl.no"


async def test_the_prizes_audit_log_holds_every_decision_of_organisers_and_jury_and_every_download(
    signed_in: Client, post_form: PostForm, world: PrizeWorld, conn: asyncpg.Connection
) -> None:
    call = f"/console/calls/{world.call_id}"
    first = await world.nominate()
    second = await world.nominate(nominee_name="Polyfon", nominee_email="polyfon@hvl.no", title="Klyngen")
    assert (await world.score(0, first["id"], [5, 4, 4, 3])).status_code == 200
    conflict = await world.client.post(
        f"/api/v1/nominations/{second['id']}/conflict", json={"reason": "Kollega"}, headers=world.juror(1)
    )
    assert conflict.status_code in (200, 204), conflict.text
    await post_form(call, f"{call}/jury", {"jury": "ola@hvl.no\ningrid@uib.no"})
    await post_form(call, f"{call}/decision/{second['id']}", {"status": "shortlisted"})
    await post_form(call, f"{call}/lock", {})
    await post_form(call, f"{call}/decision/{first['id']}", {"status": "winner"})
    await post_form(call, f"{call}/publish", {})
    for export in ("nominations?format=csv", "results?format=csv", "scores"):
        assert (await signed_in.get(f"/api/v1/calls/{world.call_id}/{export}")).status_code == 200

    actions = [r["action"] for r in await conn.fetch("SELECT action FROM audit_log ORDER BY id")]
    assert [a for a in actions if a.startswith(("prize.", "jury."))][-10:] == [
        "jury.scored",
        "jury.conflict_declared",
        "prize.jury_changed",
        "prize.nomination_shortlisted",
        "prize.scoring_locked",
        "prize.nomination_winner",
        "prize.published",
        "prize.exported",
        "prize.exported",
        "prize.exported",
    ]
    # No nominee's or nominator's name or address is copied into the log (the purge could not reach it).
    logged = str([dict(r) for r in await conn.fetch("SELECT data FROM audit_log")])
    assert "GAMUT" not in logged
    assert "Polyfon" not in logged
    assert "polyfon@hvl.no" not in logged

    shown = await signed_in.get("/console/prizes/forskningsprisen/audit", headers=HTML)
    assert shown.status_code == 200, shown.text[:3000]
    page = Page(shown.text)
    rows = page.all("tr")[1:]  # under the header row
    assert "Liste lastet ned" in rows[0].text
    assert "scores" in rows[0].text
    assert any("Vinner publisert" in row.text and "#1" in row.text for row in rows)
    assert any("Et jurymedlem meldte seg inhabil" in row.text for row in rows)
    assert any("Juryen endret" in row.text and "removed: ['siri@bergen.kommune.no']" in row.text for row in rows)
