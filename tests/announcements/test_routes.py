"""The Slack routes: only signed, fresh, first-seen requests get in (401 and nothing changes otherwise);
organisers get help, stats and the modal in their language; anyone else a polite refusal and nothing more."""

from __future__ import annotations

import asyncpg
import pytest

from service.accounts.domain import add_user
from service.settings import Settings
from tests.announcements.conftest import KARI, TEAM, command_body, compose_payload, interaction_body, signed
from tests.conftest import Client, Clock, MakeEvent, RunJobs, auth
from tests.slackfake import SlackFake


async def counts(conn: asyncpg.Connection) -> tuple[int, ...]:
    return tuple(
        await conn.fetchrow(
            "SELECT (SELECT count(*) FROM jobs) AS jobs, (SELECT count(*) FROM announcements) AS announcements"
        )
    )


@pytest.mark.parametrize("case", ["wrong signature", "stale timestamp", "missing header", "other secret"])
async def test_badly_signed_command_is_refused_and_changes_nothing(
    client: Client, conn: asyncpg.Connection, clock: Clock, case: str
) -> None:
    body = command_body("announce")
    headers = {
        "wrong signature": {**signed(body, clock), "X-Slack-Signature": "v0=" + "ab" * 32},
        "stale timestamp": signed(body, clock, at=clock().timestamp() - 301),
        "missing header": {k: v for k, v in signed(body, clock).items() if k != "X-Slack-Request-Timestamp"},
        "other secret": signed(body, clock, secret="not-the-secret"),
    }[case]

    response = await client.post("/slack/commands", content=body, headers=headers)

    assert (response.status_code, response.headers["content-type"]) == (401, "application/problem+json")
    assert response.json()["code"] == "invalid_slack_signature"
    assert await counts(conn) == (0, 0)


async def test_replayed_request_is_refused(client: Client, conn: asyncpg.Connection, clock: Clock) -> None:
    body = command_body("help")
    headers = signed(body, clock)

    first = await client.post("/slack/commands", content=body, headers=headers)
    clock.advance(seconds=30)
    replay = await client.post("/slack/commands", content=body, headers=headers)

    assert (first.status_code, replay.status_code) == (200, 401)
    assert await counts(conn) == (1, 0)


async def test_badly_signed_interaction_is_refused(client: Client, conn: asyncpg.Connection, clock: Clock) -> None:
    body = interaction_body(compose_payload("kk", subject_nb="Hei", body_nb="Hei"))

    response = await client.post(
        "/slack/interactions", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert response.status_code == 401
    assert await counts(conn) == (0, 0)


async def test_without_slack_settings_slack_routes_refuse(
    client: Client, conn: asyncpg.Connection, clock: Clock, settings: Settings
) -> None:
    client.app.state.settings = settings.__class__(
        **{**{f: getattr(settings, f) for f in settings.__struct_fields__}, "slack_signing_secret": None}
    )
    body = command_body("help")

    response = await client.post("/slack/commands", content=body, headers=signed(body, clock))

    assert (response.status_code, response.json()["code"]) == (401, "slack_off")


@pytest.mark.parametrize("who", ["stranger", "jury"])
async def test_non_organiser_gets_a_polite_refusal_and_nothing_happens(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
    make_event: MakeEvent,
    who: str,
) -> None:
    await make_event(slug="kk")
    await add_user(conn, email="jury@example.no", role="jury")
    slack_fake.users.update({"U0STRANGER": "per@example.no", "U0JURY": "jury@example.no"})
    user = {"stranger": "U0STRANGER", "jury": "U0JURY"}[who]
    body = command_body("announce", user=user, response_url=slack_fake.response_url("r1"))

    ack = await client.post("/slack/commands", content=body, headers=signed(body, clock))
    await run_jobs()
    submitted = await client.post(
        "/slack/interactions",
        content=(b := interaction_body(compose_payload("kk", user=user, subject_nb="Hei", body_nb="Hei"))),
        headers=signed(b, clock),
    )

    assert (ack.status_code, ack.content) == (200, b"")
    [refusal] = slack_fake.called("respond/r1")
    assert refusal.body["text"].startswith("Beklager, /moteplass er for arrangørene av arrangementer i Møteplass.")
    assert refusal.body["response_type"] == "ephemeral"
    assert slack_fake.called("views.open") == []
    assert submitted.json()["view"]["blocks"][0]["text"]["text"].startswith("Beklager")
    assert await conn.fetchval("SELECT count(*) FROM announcements") == 0
    assert await conn.fetchval("SELECT count(*) FROM slack_user_links") == 0


async def test_help_and_stats_answer_in_the_organisers_language(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
    make_event: MakeEvent,
    organiser_token: str,
) -> None:
    await make_event(slug="kk", capacity=2)
    await conn.execute("UPDATE users SET language = 'nn' WHERE email = 'kari@bergen.kommune.no'")
    for n in range(3):
        await client.post(
            "/api/v1/events/kk/registrations",
            json={"name": f"P{n}", "email": f"p{n}@example.no", "accept_privacy": True},
        )
    registration = await conn.fetchval("SELECT id FROM registrations WHERE email = 'p0@example.no'")
    cancelled = await client.post(f"/api/v1/registrations/{registration}/cancel", headers=auth(organiser_token))
    assert cancelled.status_code == 200

    for text, url in (("help", "h"), ("stats kk", "s")):
        body = command_body(text, response_url=slack_fake.response_url(url), trigger=f"trig-{url}")
        await client.post("/slack/commands", content=body, headers=signed(body, clock))
    await run_jobs()

    [help_answer] = slack_fake.called("respond/h")
    assert help_answer.body["text"].splitlines()[1] == (
        "`/moteplass announce` – skriv ei kunngjering til deltakarane på eit arrangement"
    )
    [stats] = slack_fake.called("respond/s")
    fields = [f["text"] for f in stats.body["blocks"][1]["fields"]]
    assert fields == [
        "*Påmeld*\n2 / 2",
        "*Ledige plassar*\n0",
        "*Venteliste*\n0",
        "*Avmeldingar i dag*\n1",
        "*Sjekka inn*\n0",
    ]
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM slack_user_links WHERE team_id = $1 AND slack_user_id = $2", TEAM, KARI
        )
        == 1
    )
