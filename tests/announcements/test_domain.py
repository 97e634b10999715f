"""The announcement domain as the console calls it: create, preview the count, schedule or send, cancel.
Confirming is once only, also when two presses race; recipients are fixed once; erased people are skipped."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from integrations.mail import SmtpMailer
from service import db
from service.accounts.domain import add_user
from service.announcements import domain
from service.announcements.markup import to_html, to_text
from service.announcements.schemas import AnnouncementIn, LocalizedBody
from service.errors import Forbidden, Invalid, InvalidState
from service.jobcontext import JobContext
from service.jobs import Worker
from service.settings import Settings
from service.types import LocalizedLine
from service.worker import handlers
from tests.announcements.conftest import confirmed_announcement, make_due, organiser
from tests.conftest import Client, Clock, MakeEvent, RunJobs, auth
from tests.smtp import SmtpServer


def draft_in(**overrides: Any) -> AnnouncementIn:
    values = {"audience": "confirmed", "subject": LocalizedLine(nb="Hei"), "body": LocalizedBody(nb="Velkommen")}
    return AnnouncementIn(**{**values, **overrides})


async def event_with(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str, *emails: str
) -> tuple[UUID, Any]:
    event = await make_event(slug="kk", capacity=2)
    for email in emails:
        await client.post(
            "/api/v1/events/kk/registrations", json={"name": email, "email": email, "accept_privacy": True}
        )
    return UUID(event["id"]), await organiser(conn, organiser_token)


async def test_preview_counts_each_audience(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str
) -> None:
    event_id, _ = await event_with(client, conn, make_event, organiser_token, "a@x.no", "b@x.no", "c@x.no")

    counts = [await domain.count_recipients(conn, event_id, audience) for audience in ("confirmed", "waitlisted")]

    assert counts == [2, 1]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"audience": "everyone"}, "invalid_audience", "audience"),
        ({"audience_ref": "s1"}, "invalid_audience", "audience_ref"),
    ],
)
async def test_create_refuses_bad_audiences(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    overrides: dict[str, Any],
    code: str,
    field: str,
) -> None:
    event_id, kari = await event_with(client, conn, make_event, organiser_token)

    with pytest.raises(Invalid) as raised:
        await domain.create_announcement(conn, event_id, data=draft_in(**overrides), actor=kari, now=clock())

    assert (raised.value.code, raised.value.field) == (code, field)
    assert await conn.fetchval("SELECT count(*) FROM announcements") == 0


async def test_create_refuses_a_time_in_the_past(
    client: Client, conn: asyncpg.Connection, clock: Clock, make_event: MakeEvent, organiser_token: str
) -> None:
    event_id, kari = await event_with(client, conn, make_event, organiser_token)

    with pytest.raises(Invalid) as raised:
        await domain.create_announcement(
            conn, event_id, data=draft_in(send_at=clock() - timedelta(minutes=1)), actor=kari, now=clock()
        )

    assert raised.value.code == "send_at_in_past"


async def test_organiser_of_another_event_may_not_announce(
    client: Client, conn: asyncpg.Connection, clock: Clock, make_event: MakeEvent, organiser_token: str
) -> None:
    event_id, _ = await event_with(client, conn, make_event, organiser_token)
    stranger = await organiser(conn, (await add_user(conn, email="per@example.no", role="organiser")).token)

    with pytest.raises(Forbidden):
        await domain.create_announcement(conn, event_id, data=draft_in(), actor=stranger, now=clock())


async def test_two_confirmations_racing_send_once(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    database_url: str,
    run_jobs: RunJobs,
    smtp: SmtpServer,
) -> None:
    event_id, kari = await event_with(client, conn, make_event, organiser_token, "a@x.no", "b@x.no")
    await run_jobs()
    smtp.sink.messages.clear()
    draft = await domain.create_announcement(conn, event_id, data=draft_in(), actor=kari, now=clock())
    connections = [await db.connect(database_url) for _ in range(4)]

    try:
        results = await asyncio.gather(
            *(domain.confirm_announcement(c, draft.id, actor=kari, now=clock()) for c in connections)
        )
    finally:
        for c in connections:
            await c.close()
    await run_jobs()
    await run_jobs()

    assert sorted(first for _, first in results) == [False, False, False, True]
    assert await conn.fetchval("SELECT count(*) FROM jobs WHERE kind = 'announcement.send'") == 1
    assert sorted(m.rcpt_tos[0] for m in smtp.sink.messages) == ["a@x.no", "b@x.no"]
    assert tuple(await conn.fetchrow("SELECT status, recipients, mails_sent, mails_failed FROM announcements")) == (
        "sent",
        2,
        2,
        0,
    )


async def test_scheduled_announcement_waits_for_its_time_and_can_be_cancelled(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    smtp: SmtpServer,
) -> None:
    event_id, kari = await event_with(client, conn, make_event, organiser_token, "a@x.no")
    await run_jobs()
    smtp.sink.messages.clear()
    later = clock() + timedelta(hours=2)
    first = await domain.create_announcement(conn, event_id, data=draft_in(send_at=later), actor=kari, now=clock())
    second = await domain.create_announcement(conn, event_id, data=draft_in(send_at=later), actor=kari, now=clock())
    await domain.confirm_announcement(conn, first.id, actor=kari, now=clock())
    await domain.confirm_announcement(conn, second.id, actor=kari, now=clock())

    waited = await run_jobs()
    cancelled = await domain.cancel_announcement(conn, second.id, actor=kari)
    await make_due(conn, "announcement.send")
    await run_jobs()
    await run_jobs()

    assert (waited, cancelled.status) == (0, "cancelled")
    assert [m.message["Subject"] for m in smtp.sink.messages] == ["Hei"]
    with pytest.raises(InvalidState):
        await domain.cancel_announcement(conn, first.id, actor=kari)


async def test_erased_and_cancelled_recipients_are_skipped_and_counted(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    smtp: SmtpServer,
) -> None:
    _event_id, kari = await event_with(client, conn, make_event, organiser_token, "a@x.no", "b@x.no")
    await run_jobs()
    smtp.sink.messages.clear()
    announcement = await confirmed_announcement(conn, "kk", kari, clock())
    fixed = await domain.start_sending(conn, announcement.id, now=clock())
    again = await domain.start_sending(conn, announcement.id, now=clock())

    await conn.execute("DELETE FROM registrations WHERE email = 'a@x.no'")
    b_id = await conn.fetchval("SELECT id FROM registrations WHERE email = 'b@x.no'")
    await client.post(f"/api/v1/registrations/{b_id}/cancel", headers=auth(organiser_token))
    await make_due(conn, "announcement.mail")
    await run_jobs()

    row = await conn.fetchrow(
        "SELECT status, recipients, mails_sent, mails_skipped FROM announcements WHERE id = $1", announcement.id
    )
    assert (fixed, again, tuple(row)) == (2, None, ("sent", 2, 0, 2))
    assert [m.message["Subject"] for m in smtp.sink.messages if m.message["Subject"] == "Hei"] == []


async def test_a_confirmation_goes_out_before_an_announcement_queued_earlier(
    client: Client,
    conn: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    smtp: SmtpServer,
) -> None:
    event = await make_event(slug="kk", capacity=20)
    for n in range(8):
        await client.post(
            "/api/v1/events/kk/registrations", json={"name": f"P{n}", "email": f"p{n}@x.no", "accept_privacy": True}
        )
    await run_jobs()
    kari = await organiser(conn, organiser_token)
    await confirmed_announcement(conn, "kk", kari, clock(), subject="Kunngjøring")
    mailer = SmtpMailer(settings.smtp_url or "", settings.mail_from)
    context = JobContext(pool=pool, settings=settings, mailer=mailer, clock=clock)
    worker = Worker(pool, handlers(), context, batch_size=1)
    while not await conn.fetchval("SELECT count(*) FROM jobs WHERE kind = 'announcement.mail'"):
        assert await worker.run_once()  # up to the announcement's fan-out: eight mail jobs queued
    smtp.sink.messages.clear()

    newcomer = {"name": "Ny", "email": "ny@x.no", "accept_privacy": True}
    await client.post("/api/v1/events/kk/registrations", json=newcomer)
    while await worker.run_once():
        pass
    await mailer.close()

    received = [(m.rcpt_tos[0], m.message["Subject"]) for m in smtp.sink.messages]
    announcement = [to for to, subject in received if subject == "Kunngjøring"]
    assert received[0][0] == "ny@x.no"
    assert sorted(announcement) == [f"p{n}@x.no" for n in range(8)]
    assert await conn.fetchval("SELECT count(*) FROM registrations WHERE event_id = $1", UUID(event["id"])) == 9


def test_slack_markdown_becomes_text_and_safe_html() -> None:
    source = "Hei *alle* _sammen_ ~ikke~ `kode`\n<https://alrek.no/kart|Kart> <script>x</script>\n\nNytt avsnitt"

    assert (
        to_text(source)
        == "Hei *alle* _sammen_ ~ikke~ `kode`\nKart (https://alrek.no/kart) <script>x</script>\n\nNytt avsnitt"
    )
    assert str(to_html(source)) == (
        "<p>Hei <strong>alle</strong> <em>sammen</em> <s>ikke</s> <code>kode</code><br>\n"
        '<a href="https://alrek.no/kart">Kart</a> &lt;script&gt;x&lt;/script&gt;</p>\n<p>Nytt avsnitt</p>'
    )
    assert str(to_html("<javascript:alert(1)|klikk>")) == "<p>&lt;javascript:alert(1)|klikk&gt;</p>"


async def test_mail_claimed_by_another_worker_is_not_sent_twice(
    client: Client,
    conn: asyncpg.Connection,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    smtp: SmtpServer,
) -> None:
    _, kari = await event_with(client, conn, make_event, organiser_token, "a@x.no")
    await run_jobs()
    smtp.sink.messages.clear()
    announcement = await confirmed_announcement(conn, "kk", kari, clock())
    await domain.start_sending(conn, announcement.id, now=clock())
    # Another worker holds the same job (its lease ran out) and is talking to the SMTP server right now.
    await conn.execute("UPDATE announcement_recipients SET status = 'sending', claimed_at = $1", clock())

    await run_jobs()
    postponed = await conn.fetchrow("SELECT attempts, done_at FROM jobs WHERE kind = 'announcement.mail'")
    clock.advance(minutes=6)  # that worker died: its claim is stale
    await make_due(conn, "announcement.mail")
    await run_jobs()

    assert tuple(postponed) == (0, None)
    assert [m.rcpt_tos for m in smtp.sink.messages] == [["a@x.no"]]
    assert await conn.fetchval("SELECT status FROM announcement_recipients") == "sent"
