"""One-off posts to an event's channel from other domains: workshop groups published, a prize winner."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.announcements.conftest import CHANNEL, make_due
from tests.conftest import Client, Clock, MakeEvent, RunJobs, auth
from tests.nominations.conftest import PrizeWorld, world  # noqa: F401 - the prize world fixture
from tests.slackfake import SlackFake


def posts(slack_fake: SlackFake) -> list[Any]:
    return [c.body["text"] for c in slack_fake.called("chat.postMessage", channel=CHANNEL)]


async def test_publishing_workshop_groups_posts_a_summary_once(
    client: Client, make_event: MakeEvent, organiser_token: str, run_jobs: RunJobs, slack_fake: SlackFake
) -> None:
    await make_event(slug="kk", kind="workshop", capacity=10)
    headers = auth(organiser_token)
    await client.put("/api/v1/events/kk/slack-channel", json={"channel_id": CHANNEL}, headers=headers)
    for key, name in (("patient", "Pasient"), ("student", "Student")):
        await client.post(
            "/api/v1/events/kk/groups", json={"key": key, "name": {"nb": name}, "capacity": 5}, headers=headers
        )
    for n in range(3):
        await client.post(
            "/api/v1/events/kk/registrations",
            json={"name": f"P{n}", "email": f"p{n}@x.no", "accept_privacy": True, "perspectives": ["patient"]},
        )
    await client.post("/api/v1/events/kk/groups/assign", headers=headers)

    await client.post("/api/v1/events/kk/groups/publish", headers=headers)
    await run_jobs()
    await client.post("/api/v1/events/kk/groups/publish", headers=headers)
    await run_jobs()

    summaries = [text for text in posts(slack_fake) if text.startswith("Gruppene")]
    assert (
        summaries[0]
        == "Gruppene for Kunnskapskommunekonferansen 2027 er publisert\nPasient: 3 deltakere\nStudent: 0 deltakere"
    )


async def test_publishing_the_winner_posts_to_the_awarding_events_channel(
    world: PrizeWorld,
    organiser_token: str,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
) -> None:
    headers = auth(world.organiser)
    await world.client.put("/api/v1/events/kk/slack-channel", json={"channel_id": CHANNEL}, headers=headers)
    nomination = (await world.nominate())["id"]
    await world.client.post(f"/api/v1/calls/{world.call_id}/lock", headers=headers)
    await world.client.post(f"/api/v1/nominations/{nomination}/decision", json={"status": "winner"}, headers=headers)

    await world.client.post(f"/api/v1/calls/{world.call_id}/publish", headers=headers)
    await run_jobs()

    assert [text for text in posts(slack_fake) if "går til" in text] == [
        "Forsknings- og innovasjonsprisen 2027 går til GAMUT\n"
        "Universitetet i Bergen\n"
        "Musikkterapi i kommunale tjenester"
    ]


async def test_new_nominations_reach_the_awarding_events_channel_batched(
    world: PrizeWorld,
    conn: asyncpg.Connection,
    clock: Clock,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
) -> None:
    headers = auth(world.organiser)
    await world.client.put("/api/v1/events/kk/slack-channel", json={"channel_id": CHANNEL}, headers=headers)
    await run_jobs()
    await world.nominate()
    await world.nominate(nominee_name="Polyfon", title="Kunnskapsklyngen")

    clock.advance(seconds=60)
    await make_due(conn, "slack.watch")
    await run_jobs()
    await world.nominate(nominee_name="Alrek", title="Helseklyngen")
    clock.advance(seconds=60)
    await make_due(conn, "slack.watch")
    await run_jobs()

    title = "Nytt om Kunnskapskommunekonferansen 2027"
    assert posts(slack_fake) == [
        f"{title}\n2 nye nominasjoner til Forsknings- og innovasjonsprisen",
        f"{title}\n1 ny nominasjon til Forsknings- og innovasjonsprisen",
    ]
