"""Nominating: the window, bad input, grouping of duplicates, the confirmation e-mail with its manage link,
withdrawing through it, the nominee's notice, and retries with an Idempotency-Key."""

from __future__ import annotations

import re

import asyncpg

from tests.conftest import Clock, RunJobs, auth
from tests.nominations.conftest import PrizeWorld, call_body, nomination_body
from tests.smtp import SmtpServer, body_of

URL = "/api/v1/prizes/forskningsprisen/nominations"


def secret_of(created: dict[str, str]) -> str:
    return created["manage_url"].rsplit("/", 1)[1]


async def test_nominating_before_and_after_the_window_is_refused_with_the_window(
    world: PrizeWorld, clock: Clock
) -> None:
    window = {"opens_at": "2027-02-01T08:00:00+00:00", "closes_at": "2027-04-01T10:00:00+00:00"}
    clock.now = clock.now.replace(month=1)
    early = await world.client.post(URL, json=nomination_body())
    clock.now = clock.now.replace(month=5)
    late = await world.client.post(URL, json=nomination_body())

    assert (early.status_code, early.json()["code"], early.json()["extra"]) == (409, "nominations_not_open", window)
    assert (late.status_code, late.json()["code"], late.json()["extra"]) == (409, "nominations_closed", window)


async def test_nominating_for_an_unknown_prize_is_not_found(world: PrizeWorld) -> None:
    response = await world.client.post("/api/v1/prizes/no-such-prize/nominations", json=nomination_body())

    assert (response.status_code, response.json()["code"]) == (404, "prize_not_found")


async def test_bad_nominations_are_422_naming_the_field_and_store_nothing(
    world: PrizeWorld, conn: asyncpg.Connection
) -> None:
    cases = {
        "justification": nomination_body(justification="For kort."),
        "nominator_email": nomination_body(nominator_email="ikke-en-adresse"),
        "nominee_kind": nomination_body(nominee_kind="company"),
        "links[0]": nomination_body(links=["javascript:alert(1)"]),
        "title": nomination_body(title="x" * 201),
        "surprise": {**nomination_body(), "surprise": 1},
    }

    answers = {field: await world.client.post(URL, json=body) for field, body in cases.items()}

    assert {f: (r.status_code, r.json()["errors"][0]["field"]) for f, r in answers.items()} == {
        f: (422, f) for f in cases
    }
    assert await conn.fetchval("SELECT count(*) FROM nominations") == 0


async def test_duplicate_nominations_are_grouped_not_refused(world: PrizeWorld) -> None:
    first = await world.nominate(nominee_name="GAMUT", nominee_organisation="Universitetet i Bergen")
    second = await world.nominate(
        nominee_name="  Gamut ", nominee_organisation="universitetet i  bergen", nominator_email="per@hvl.no"
    )
    other = await world.nominate(nominee_name="Polyfon", nominee_organisation="Universitetet i Bergen")

    listing = await world.client.get(f"/api/v1/calls/{world.call_id}/nominations", headers=auth(world.organiser))

    groups = [
        (n["nomination"]["id"], n["nomination"]["group_size"], n["nomination"]["group_position"])
        for n in listing.json()
    ]
    assert groups == [(first["id"], 2, 1), (second["id"], 2, 2), (other["id"], 1, 1)]


async def test_nominator_gets_a_mail_whose_link_shows_and_withdraws_the_nomination(
    world: PrizeWorld, smtp: SmtpServer, run_jobs: RunJobs, conn: asyncpg.Connection
) -> None:
    created = await world.nominate()

    await run_jobs()
    [mail] = smtp.sink.to("beate@bergen.kommune.no")
    link = re.search(r"http://testserver\.local/nominations/(N1[\w-]+)", body_of(mail, "plain"))
    assert link is not None
    assert link.group(1) == secret_of(created)
    seen = await world.client.get("/api/v1/nominations/self", headers=auth(link.group(1)))
    gone = await world.client.delete(f"/api/v1/nominations/self?secret={link.group(1)}")
    again = await world.client.delete("/api/v1/nominations/self", headers=auth(link.group(1)))

    assert mail["Subject"] == "Takk for nominasjonen: Forsknings- og innovasjonsprisen"
    assert (seen.status_code, seen.json()["title"], seen.json()["can_withdraw"]) == (
        200,
        "Musikkterapi i kommunale tjenester",
        True,
    )
    assert (gone.status_code, gone.json()["status"], gone.json()["can_withdraw"]) == (200, "withdrawn", False)
    assert (again.status_code, again.json()["code"]) == (409, "already_withdrawn")
    # Only the hash is stored, and the sent job no longer carries the secret.
    assert await conn.fetchval("SELECT count(*) FROM jobs WHERE payload ? 'secret'") == 0
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM nominations WHERE secret_hash = sha256($1::text::bytea)", link.group(1)
        )
        == 1
    )


async def test_withdrawing_after_the_call_closed_is_refused(world: PrizeWorld, clock: Clock) -> None:
    created = await world.nominate()
    clock.now = clock.now.replace(month=4, day=2)

    response = await world.client.delete("/api/v1/nominations/self", headers=auth(secret_of(created)))

    assert (response.status_code, response.json()["code"]) == (409, "withdrawal_closed")


async def test_unknown_or_forged_links_are_not_found(world: PrizeWorld) -> None:
    answers = [
        (await world.client.get("/api/v1/nominations/self", headers=auth(secret))).status_code
        for secret in ("N1" + "x" * 43, "garbage", "")
    ]

    assert answers == [404, 404, 404]


async def test_nominee_is_told_once_per_call_when_the_organiser_chose_it(
    world: PrizeWorld, smtp: SmtpServer, run_jobs: RunJobs
) -> None:
    created = await world.client.post(
        "/api/v1/prizes/forskningsprisen/calls",
        json=call_body(
            year=2026,
            opens_at="2026-01-01T00:00:00Z",
            closes_at="2026-02-01T00:00:00Z",
            scoring_closes_at="2026-03-01T00:00:00Z",
            notify_nominees=True,
        ),
        headers=auth(world.organiser),
    )
    await world.client.post(
        "/api/v1/prizes", json={"slug": "varslet", "name": {"nb": "Varslingsprisen"}}, headers=auth(world.organiser)
    )
    await world.client.post(
        "/api/v1/prizes/varslet/calls", json=call_body(notify_nominees=True), headers=auth(world.organiser)
    )
    for nominator in ("a@example.no", "b@example.no"):
        response = await world.client.post(
            "/api/v1/prizes/varslet/nominations", json=nomination_body(nominator_email=nominator)
        )
        assert response.status_code == 201
    await world.nominate(nominee_email="silent@uib.no")

    await run_jobs()

    assert created.status_code == 201
    assert [m["Subject"] for m in smtp.sink.to("gamut@uib.no")] == ["Du er nominert: Varslingsprisen"]
    assert smtp.sink.to("silent@uib.no") == []


async def test_a_retried_nomination_with_the_same_key_is_stored_once(
    world: PrizeWorld, conn: asyncpg.Connection
) -> None:
    headers = {"Idempotency-Key": "nominasjon-1"}

    first = await world.client.post(URL, json=nomination_body(), headers=headers)
    second = await world.client.post(URL, json=nomination_body(), headers=headers)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert await conn.fetchval("SELECT count(*) FROM nominations") == 1
