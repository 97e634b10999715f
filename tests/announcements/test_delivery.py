"""Delivery to Slack through the job queue: 429 with Retry-After, 500s until the job is dead, time-outs,
one message per second per channel, and a retried job that never posts twice."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.announcements.conftest import CHANNEL, KARI, confirmed_announcement, make_due, organiser
from tests.conftest import Client, Clock, MakeEvent, RunJobs, auth
from tests.slackfake import SlackFake


async def setup_event(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str, run_jobs: RunJobs
) -> Any:
    await make_event(slug="kk", capacity=5)
    await client.post(
        "/api/v1/events/kk/registrations", json={"name": "A", "email": "a@example.no", "accept_privacy": True}
    )
    await client.put("/api/v1/events/kk/slack-channel", json={"channel_id": CHANNEL}, headers=auth(organiser_token))
    await run_jobs()
    return await organiser(conn, organiser_token)


async def job_states(conn: asyncpg.Connection, kind: str) -> list[tuple[Any, ...]]:
    rows = await conn.fetch(
        "SELECT attempts, done_at IS NOT NULL AS done, dead_at IS NOT NULL AS dead FROM jobs WHERE kind = $1", kind
    )
    return [tuple(r) for r in rows]


async def test_rate_limited_post_with_short_retry_after_is_retried_once_after_waiting(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
    sleeps: list[float],
) -> None:
    kari = await setup_event(client, conn, make_event, organiser_token, run_jobs)
    slack_fake.fail("chat.postMessage", 429, retry_after="1", channel=CHANNEL)
    await confirmed_announcement(conn, "kk", kari, clock())

    await run_jobs()

    assert len(slack_fake.called("chat.postMessage", channel=CHANNEL)) == 2
    assert sleeps == [1.0]
    assert await conn.fetchval("SELECT count(*) FROM slack_messages WHERE channel_id = $1", CHANNEL) == 1
    assert await job_states(conn, "announcement.post") == [(1, True, False)]


async def test_fractional_retry_after_is_honoured_not_a_crash(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
    sleeps: list[float],
) -> None:
    kari = await setup_event(client, conn, make_event, organiser_token, run_jobs)
    slack_fake.fail("chat.postMessage", 429, retry_after="0.5", channel=CHANNEL)
    await confirmed_announcement(conn, "kk", kari, clock())

    await run_jobs()

    assert (sleeps, len(slack_fake.called("chat.postMessage", channel=CHANNEL))) == ([0.5], 2)


async def test_long_retry_after_reschedules_the_job_instead_of_sleeping(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
    sleeps: list[float],
) -> None:
    kari = await setup_event(client, conn, make_event, organiser_token, run_jobs)
    slack_fake.fail("chat.postMessage", 429, retry_after="30", channel=CHANNEL)
    await confirmed_announcement(conn, "kk", kari, clock())

    await run_jobs()
    waiting = await conn.fetchrow(
        "SELECT attempts, extract(epoch FROM run_after - now())::int AS wait FROM jobs WHERE kind = 'announcement.post'"
    )
    clock.advance(seconds=30)
    await make_due(conn, "announcement.post")
    await run_jobs()

    assert sleeps == []
    assert waiting["attempts"] == 0
    assert 28 <= waiting["wait"] <= 30
    assert len(slack_fake.called("chat.postMessage", channel=CHANNEL)) == 2
    assert await job_states(conn, "announcement.post") == [(1, True, False)]


async def test_post_failing_with_500_five_times_goes_dead_and_is_reported(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
) -> None:
    kari = await setup_event(client, conn, make_event, organiser_token, run_jobs)
    slack_fake.fail("chat.postMessage", 500, times=5, channel=CHANNEL)
    await confirmed_announcement(conn, "kk", kari, clock(), subject="Husk navneskilt", report_to={"slack_user": KARI})

    for _ in range(5):
        await run_jobs()
        clock.advance(seconds=10)  # the backoff between attempts
        await make_due(conn, "announcement.post")
    await make_due(conn, "slack.watch")
    await run_jobs()

    assert await job_states(conn, "announcement.post") == [(5, False, True)]
    assert await conn.fetchval("SELECT channel_posted FROM announcements") is False
    to_kari = [c.body["text"] for c in slack_fake.called("chat.postMessage", channel=KARI)]
    assert to_kari == [
        "Kunngjøringen «Husk navneskilt»:\n1 e-post sendt\n0 e-poster feilet",
        "Kunngjøringen «Husk navneskilt»:\nInnlegget i arrangementets kanal feilet.",
    ]
    in_channel = [c.body["text"] for c in slack_fake.called("chat.postMessage", channel=CHANNEL)]
    assert in_channel[-1] == "Nytt om Kunnskapskommunekonferansen 2027\n1 jobb feilet for godt (announcement.post)"
    assert len(in_channel) == 6


async def test_timed_out_post_is_retried_by_the_queue(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
) -> None:
    kari = await setup_event(client, conn, make_event, organiser_token, run_jobs)
    slack_fake.stall("chat.postMessage", 3.5)
    await confirmed_announcement(conn, "kk", kari, clock())

    await run_jobs()
    failed = await conn.fetchrow("SELECT attempts, last_error FROM jobs WHERE kind = 'announcement.post'")
    await make_due(conn, "announcement.post")
    await run_jobs()

    assert failed["attempts"] == 1
    assert "SlackError" in failed["last_error"]
    assert await job_states(conn, "announcement.post") == [(2, True, False)]


async def test_messages_to_one_channel_are_paced_one_per_second(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
    sleeps: list[float],
) -> None:
    kari = await setup_event(client, conn, make_event, organiser_token, run_jobs)
    await confirmed_announcement(conn, "kk", kari, clock(), subject="Første")
    await confirmed_announcement(conn, "kk", kari, clock(), subject="Andre")

    await run_jobs()

    assert sorted(c.body["text"] for c in slack_fake.called("chat.postMessage", channel=CHANNEL)) == ["Andre", "Første"]
    assert sleeps == [1.0]


async def test_retried_post_job_does_not_post_again(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
) -> None:
    kari = await setup_event(client, conn, make_event, organiser_token, run_jobs)
    await confirmed_announcement(conn, "kk", kari, clock())
    await run_jobs()

    # As if the worker died after posting but before marking the job done.
    await conn.execute("UPDATE jobs SET done_at = NULL, run_after = now() WHERE kind = 'announcement.post'")
    await run_jobs()

    assert len(slack_fake.called("chat.postMessage", channel=CHANNEL)) == 1
