"""Batched notifications in an event's channel: milestones, the waiting list starting, a digest of
cancellations; one message per look, nothing when nothing happened."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from service.slack.watch import milestones_between
from tests.announcements.conftest import CHANNEL, make_due
from tests.conftest import Client, Clock, MakeEvent, RunJobs, auth
from tests.slackfake import SlackFake


@pytest.mark.parametrize(
    ("before", "now", "capacity", "expected"),
    [
        (0, 100, 300, ["n:50", "n:100"]),
        (230, 275, 300, ["n:250", "share:80", "share:90"]),
        (295, 300, 300, ["n:300", "full"]),
        (10, 10, 300, []),
        (0, 3, 0, []),
    ],
)
def test_milestones_between(before: int, now: int, capacity: int, expected: list[Any]) -> None:
    assert milestones_between(before, now, capacity) == expected


async def look(conn: asyncpg.Connection, clock: Clock, run_jobs: RunJobs, slack_fake: SlackFake) -> list[Any]:
    clock.advance(seconds=60)
    await make_due(conn, "slack.watch")
    await run_jobs()
    return [c.body["text"] for c in slack_fake.called("chat.postMessage", channel=CHANNEL)]


async def test_channel_gets_one_batched_message_per_look(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
) -> None:
    await make_event(slug="kk", capacity=10)
    await client.put("/api/v1/events/kk/slack-channel", json={"channel_id": CHANNEL}, headers=auth(organiser_token))
    await run_jobs()
    for n in range(11):
        await client.post(
            "/api/v1/events/kk/registrations", json={"name": f"P{n}", "email": f"p{n}@x.no", "accept_privacy": True}
        )

    first = await look(conn, clock, run_jobs, slack_fake)
    for email in ("p0@x.no", "p1@x.no"):
        registration = await conn.fetchval("SELECT id FROM registrations WHERE email = $1", email)
        await client.post(f"/api/v1/registrations/{registration}/cancel", headers=auth(organiser_token))
    second = await look(conn, clock, run_jobs, slack_fake)
    quiet = await look(conn, clock, run_jobs, slack_fake)

    title = "Nytt om Kunnskapskommunekonferansen 2027"
    assert first == [
        f"{title}\n80 % av plassene er tatt\n90 % av plassene er tatt\nArrangementet er fullt (10 plasser)\n"
        "Ventelisten har startet: 1 person"
    ]
    assert second == [*first, f"{title}\n2 avmeldinger siden forrige melding"]
    assert quiet == second
    blocks = slack_fake.called("chat.postMessage", channel=CHANNEL)[0].body["blocks"]
    assert blocks[-1]["elements"][0]["text"] == "<http://testserver.local/events/kk|Åpne arrangementssiden>"


async def test_removed_channel_stops_the_watch(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
) -> None:
    await make_event(slug="kk", capacity=10)
    await client.put("/api/v1/events/kk/slack-channel", json={"channel_id": CHANNEL}, headers=auth(organiser_token))
    await run_jobs()

    removed = await client.delete("/api/v1/events/kk/slack-channel", headers=auth(organiser_token))
    await client.post("/api/v1/events/kk/registrations", json={"name": "P", "email": "p@x.no", "accept_privacy": True})
    posts = await look(conn, clock, run_jobs, slack_fake)

    assert (removed.status_code, posts) == (204, [])
    assert await conn.fetchval("SELECT count(*) FROM jobs WHERE kind = 'slack.watch' AND done_at IS NULL") == 0


async def test_channel_id_must_look_like_a_slack_channel(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")

    response = await client.put(
        "/api/v1/events/kk/slack-channel", json={"channel_id": "#general"}, headers=auth(organiser_token)
    )

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "channel_id")
