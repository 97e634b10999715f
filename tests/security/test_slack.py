"""Slack, checked at the fake Slack Web API on loopback: text people wrote reaches Slack as written, never as
markup (a nominator's `<!channel>` in the winner post, a mention in an announcement), and a deactivated
organiser's slash commands and modal submissions are refused."""

from __future__ import annotations

from typing import Any

import asyncpg

from service.console.users import disable_user
from tests.announcements.conftest import (  # noqa: F401 - fixtures: Slack on loopback
    CHANNEL,
    KARI,
    command_body,
    compose_payload,
    confirmed_announcement,
    interaction_body,
    organiser,
    run_jobs,
    settings,
    signed,
    slack_client,
    slack_fake,
    sleeps,
)
from tests.conftest import Client, Clock, MakeEvent, RunJobs, auth
from tests.nominations.conftest import PrizeWorld, world  # noqa: F401 - the prize world fixture
from tests.slackfake import SlackFake


def channel_posts(slack_fake: SlackFake) -> list[dict[str, Any]]:
    return [call.body for call in slack_fake.called("chat.postMessage", channel=CHANNEL)]


async def test_winner_post_escapes_what_the_nominator_wrote(
    world: PrizeWorld, run_jobs: RunJobs, slack_fake: SlackFake
) -> None:
    headers = auth(world.organiser)
    await world.client.put("/api/v1/events/kk/slack-channel", json={"channel_id": CHANNEL}, headers=headers)
    nomination = await world.nominate(
        nominee_name="<!channel> GAMUT", nominee_organisation="UiB & <@U0BOSS>", title="<https://evil.example|Les>"
    )
    await world.client.post(f"/api/v1/calls/{world.call_id}/lock", headers=headers)
    await world.client.post(
        f"/api/v1/nominations/{nomination['id']}/decision", json={"status": "winner"}, headers=headers
    )

    await world.client.post(f"/api/v1/calls/{world.call_id}/publish", headers=headers)
    await run_jobs()

    [post] = [body for body in channel_posts(slack_fake) if "går til" in body["text"]]
    assert post["text"] == (
        "Forsknings- og innovasjonsprisen 2027 går til &lt;!channel&gt; GAMUT\n"
        "UiB &amp; &lt;@U0BOSS&gt;\n"
        "&lt;https://evil.example|Les&gt;"
    )
    assert post["blocks"][1]["text"]["text"] == ("• UiB &amp; &lt;@U0BOSS&gt;\n• &lt;https://evil.example|Les&gt;")
    assert post["blocks"][0]["text"] == {
        "type": "plain_text",
        "text": "Forsknings- og innovasjonsprisen 2027 går til <!channel> GAMUT",
    }


async def test_announcement_in_the_channel_keeps_links_but_no_mentions(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
) -> None:
    await make_event(slug="kk")
    await client.put("/api/v1/events/kk/slack-channel", json={"channel_id": CHANNEL}, headers=auth(organiser_token))
    kari = await organiser(conn, organiser_token)
    await confirmed_announcement(
        conn,
        "kk",
        kari,
        clock(),
        subject="<!here> Rom & tid",
        body="<!channel> Se <https://alrek.no/kart?a=1&b=2|kartet> *nå* <@U0BOSS>",
        report_to={"slack_user": KARI, "team": "T0MOTEPLASS"},
    )

    await run_jobs()
    await run_jobs()

    [post] = [body for body in channel_posts(slack_fake) if body["text"].startswith("&lt;!here&gt;")]
    assert post["text"] == "&lt;!here&gt; Rom &amp; tid"
    assert post["blocks"][1]["text"]["text"] == (
        "&lt;!channel&gt; Se <https://alrek.no/kart?a=1&amp;b=2|kartet> *nå* &lt;@U0BOSS&gt;"
    )
    [report] = slack_fake.called("chat.postMessage", channel=KARI)
    assert report.body["blocks"][0]["text"]["text"].startswith("Kunngjøringen «&lt;!here&gt; Rom &amp; tid»:\n")


async def test_deactivated_organisers_slack_commands_are_refused(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
) -> None:
    await make_event(slug="kk")
    before = command_body("stats", response_url=slack_fake.response_url("r1"))
    await client.post("/slack/commands", content=before, headers=signed(before, clock))
    await run_jobs()  # answered, and the Slack user linked to the organiser
    await disable_user(conn, "kari@bergen.kommune.no", actor="cli", now=clock())

    after = command_body("announce", trigger="trig-2", response_url=slack_fake.response_url("r2"))
    await client.post("/slack/commands", content=after, headers=signed(after, clock))
    await run_jobs()
    modal = interaction_body(compose_payload("kk", user=KARI, subject_nb="Hei", body_nb="Hei"))
    submitted = await client.post("/slack/interactions", content=modal, headers=signed(modal, clock))

    [stats] = slack_fake.called("respond/r1")
    [refusal] = slack_fake.called("respond/r2")
    assert stats.body["text"] == "Kunnskapskommunekonferansen 2027"
    assert refusal.body["text"].startswith("Beklager, /moteplass er for arrangørene av arrangementer i Møteplass.")
    assert slack_fake.called("views.open") == []
    assert submitted.json()["view"]["blocks"][0]["text"]["text"].startswith("Beklager")
    assert await conn.fetchval("SELECT count(*) FROM announcements") == 0
