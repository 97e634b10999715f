"""The report in Slack of an announcement sent from Slack shows its progress: posted once when the sending takes
more than a few seconds, updated in place (chat.update) only when the figures change, made final by the report
with the final counts, and no longer looked at once the mails are done."""

from __future__ import annotations

import asyncpg

from service.announcements.notify import progress_text
from service.progress import Progress
from tests.announcements.conftest import CHANNEL, KARI, confirmed_announcement, make_due, organiser
from tests.conftest import Client, Clock, MakeEvent, RunJobs, auth
from tests.slackfake import SlackFake
from tests.smtp import SmtpServer


async def step(conn: asyncpg.Connection, run_jobs: RunJobs, *kinds: str) -> None:
    """Let the waiting jobs of these kinds run now, and run them (and what they queue)."""
    for kind in kinds:
        await make_due(conn, kind)
    await run_jobs()


async def test_report_from_slack_is_updated_in_place_until_the_final_counts(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    slack_fake: SlackFake,
) -> None:
    await make_event(slug="kk", capacity=5)
    for name in ("a", "b", "c"):
        body = {"name": name.upper(), "email": f"{name}@example.no", "accept_privacy": True}
        assert (await client.post("/api/v1/events/kk/registrations", json=body)).status_code == 201
    await client.put("/api/v1/events/kk/slack-channel", json={"channel_id": CHANNEL}, headers=auth(organiser_token))
    await run_jobs()
    kari = await organiser(conn, organiser_token)
    smtp.sink.deferred = {"b@example.no", "c@example.no"}

    await confirmed_announcement(conn, "kk", kari, clock(), subject="Husk navneskilt", report_to={"slack_user": KARI})
    await run_jobs()  # a's mail goes out; b's and c's wait for the relay
    await step(conn, run_jobs, "announcement.progress")  # the first look, a few seconds in: the report is posted
    await step(conn, run_jobs, "announcement.progress")  # nothing changed: no update
    updates_while_unchanged = len(slack_fake.called("chat.update"))
    smtp.sink.deferred = {"c@example.no"}
    await step(conn, run_jobs, "announcement.mail")
    await step(conn, run_jobs, "announcement.progress")
    smtp.sink.deferred = set()
    await step(conn, run_jobs, "announcement.mail")  # the last mail: the report makes the message final
    await step(conn, run_jobs, "announcement.progress")  # the look after the end writes the final figures again

    [posted] = slack_fake.called("chat.postMessage", channel=KARI)
    updates = slack_fake.called("chat.update")
    final = "Kunngjøringen «Husk navneskilt»:\n3 e-poster sendt\n0 e-poster feilet\nLagt ut i arrangementets kanal."
    assert posted.body["text"] == "Kunngjøringen «Husk navneskilt»:\nSender: 1 av 3 sendt, 0 feilet"
    assert updates_while_unchanged == 0
    assert [u.body["text"] for u in updates] == [
        "Kunngjøringen «Husk navneskilt»:\nSender: 2 av 3 sendt, 0 feilet",
        final,
        final,
    ]
    stored = await conn.fetchrow(
        "SELECT channel_id, ts FROM slack_messages WHERE effect_key LIKE 'announcement.report:%'"
    )
    assert {(u.body["channel"], u.body["ts"]) for u in updates} == {(stored["channel_id"], stored["ts"])}
    assert (
        await conn.fetchval("SELECT count(*) FROM jobs WHERE kind = 'announcement.progress' AND done_at IS NULL") == 0
    )


async def test_a_quick_sending_gets_only_the_report(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    slack_fake: SlackFake,
) -> None:
    await make_event(slug="kk", capacity=5)
    body = {"name": "A", "email": "a@example.no", "accept_privacy": True}
    assert (await client.post("/api/v1/events/kk/registrations", json=body)).status_code == 201
    await run_jobs()
    kari = await organiser(conn, organiser_token)

    await confirmed_announcement(conn, "kk", kari, clock(), subject="Husk navneskilt", report_to={"slack_user": KARI})
    await run_jobs()
    await step(conn, run_jobs, "announcement.progress")  # the first look finds the mails done: nothing to show

    assert [c.body["text"] for c in slack_fake.called("chat.postMessage", channel=KARI)] == [
        "Kunngjøringen «Husk navneskilt»:\n1 e-post sendt\n0 e-poster feilet"
    ]
    assert slack_fake.called("chat.update") == []


def test_the_report_before_the_recipients_are_fixed_says_so_not_zero_of_zero() -> None:
    waiting = Progress(total=None, sent=0, failed=0, skipped=0, pending=0)
    going = Progress(total=20, sent=5, failed=1, skipped=0, pending=14)

    assert progress_text("nb", "Hei", waiting) == "Kunngjøringen «Hei»:\nGjør klar til sending …"
    assert progress_text("en", "Hi", going) == "Announcement “Hi”:\nSending: 5 of 20 sent, 1 failed"
