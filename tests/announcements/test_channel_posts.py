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


async def test_a_channel_gets_what_moteplass_writes_in_the_language_chosen_for_it(
    world: PrizeWorld, conn: asyncpg.Connection, clock: Clock, run_jobs: RunJobs, slack_fake: SlackFake
) -> None:
    headers = auth(world.organiser)
    answer = await world.client.put(
        "/api/v1/events/kk/slack-channel", json={"channel_id": CHANNEL, "language": "en"}, headers=headers
    )
    assert answer.json() == {"event": "kk", "channel_id": CHANNEL, "language": "en"}
    await run_jobs()
    await world.nominate()
    clock.advance(seconds=60)
    await make_due(conn, "slack.watch")
    await run_jobs()
    nomination = (await world.nominate(nominee_name="Polyfon", title="Kunnskapsklyngen"))["id"]
    # Switched to nynorsk before the winner is published: the post goes out in the channel's language then.
    await world.client.put(
        "/api/v1/events/kk/slack-channel", json={"channel_id": CHANNEL, "language": "nn"}, headers=headers
    )
    await world.client.post(f"/api/v1/calls/{world.call_id}/lock", headers=headers)
    await world.client.post(f"/api/v1/nominations/{nomination}/decision", json={"status": "winner"}, headers=headers)
    await world.client.post(f"/api/v1/calls/{world.call_id}/publish", headers=headers)
    await run_jobs()

    sent = posts(slack_fake)
    assert sent[0].startswith("News about ")
    assert "1 new nomination for " in sent[0]
    assert [text.split("\n")[0] for text in sent[1:] if "2027" in text.split("\n")[0]] == [
        "Forsknings- og innovasjonsprisen 2027 går til Polyfon"
    ]
    entries = await conn.fetch("SELECT action, data FROM audit_log WHERE action LIKE 'event.slack%' ORDER BY id")
    assert [(e["action"], e["data"]["language"]) for e in entries] == [
        ("event.slack_channel_set", "en"),
        ("event.slack_channel_set", "nn"),
    ]


async def test_a_channel_language_outside_the_three_is_refused_and_changes_nothing(
    client: Client, make_event: MakeEvent, organiser_token: str, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    answer = await client.put(
        "/api/v1/events/kk/slack-channel", json={"channel_id": CHANNEL, "language": "sv"}, headers=auth(organiser_token)
    )
    assert (answer.status_code, answer.headers["content-type"]) == (422, "application/problem+json")
    assert await conn.fetchval("SELECT count(*) FROM event_slack_channels") == 0


async def test_removing_the_channel_is_logged_once(
    client: Client, make_event: MakeEvent, organiser_token: str, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    headers = auth(organiser_token)
    await client.put("/api/v1/events/kk/slack-channel", json={"channel_id": CHANNEL}, headers=headers)
    for _ in range(2):
        assert (await client.delete("/api/v1/events/kk/slack-channel", headers=headers)).status_code == 204
    removed = await conn.fetch("SELECT data FROM audit_log WHERE action = 'event.slack_channel_removed'")
    assert [r["data"] for r in removed] == [{"channel_id": CHANNEL}]
