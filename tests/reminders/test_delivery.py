"""Reminders through the real worker code and a real SMTP server on loopback, with the clock injected."""

from __future__ import annotations

import io
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import asyncpg
import zxingcpp
from PIL import Image

from integrations.mail import SmtpMailer
from service.jobcontext import JobContext
from service.jobs import Worker
from service.worker import handlers
from tests.conftest import Client, MakeEvent, RunJobs, auth
from tests.reminders.conftest import DUE, STARTS, make_due, run_again
from tests.smtp import SmtpServer


def reminders_in(messages: list[EmailMessage]) -> list[EmailMessage]:
    return [m for m in messages if str(m["Message-ID"]).startswith("<reminder-")]


def qr_of(message: EmailMessage) -> list[str]:
    """What the QR images attached to the mail decode to (zxing, as the door scanner's library)."""
    images = [part for part in message.walk() if part.get_content_type() == "image/png"]
    return [
        found.text
        for part in images
        for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(bytes(part.get_payload(decode=True)))))
    ]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def test_reminder_due_in_a_minute_arrives_once_with_qr_and_manage_link(
    event: Any, register: Any, conn: asyncpg.Connection, run_jobs: RunJobs, smtp: SmtpServer, clock: Any
) -> None:
    kari = await register("Kari Nordmann", "kari@example.no", language="nn")
    await run_jobs()
    scheduled = await conn.fetch("SELECT run_after FROM jobs WHERE kind = 'event.reminder' ORDER BY run_after")

    clock.advance(minutes=1)
    await make_due(conn)
    await run_jobs()

    mails = reminders_in(smtp.sink.to("kari@example.no"))
    assert [r["run_after"] for r in scheduled] == [DUE]  # the seven-day reminder's time had passed: not queued
    assert [m["Subject"] for m in mails] == ["Påminning: Kunnskapskommunekonferansen 2027"]
    assert qr_of(mails[0]) == [kari["ticket_url"].rsplit("/", 1)[1]]
    text = text_of(mails[0])
    assert kari["manage_url"] in text
    assert "Haukelandsveien 28, Bergen" in text
    assert "https://www.openstreetmap.org/search?query=Alrek+helseklynge%2C+Haukelandsveien+28%2C+Bergen" in text
    assert "calendar.google.com" in text
    assert "/agenda/" in text


async def test_reminder_worker_restart_and_clock_moves_do_not_send_twice(
    event: Any,
    register: Any,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
    pool: Any,
    settings: Any,
) -> None:
    await register("Kari Nordmann", "kari@example.no")
    await register("Ola Nordmann", "ola@example.no")
    await run_jobs()
    clock.advance(minutes=1)
    await make_due(conn)
    await run_jobs()
    sent = len(reminders_in([m.message for m in smtp.sink.mails]))

    await run_again(conn)  # a restarted worker finds the fan-out not marked done
    mailer = SmtpMailer(settings.smtp_url or "", settings.mail_from)
    restarted = Worker(pool, handlers(), JobContext(pool=pool, settings=settings, mailer=mailer, clock=clock))
    while await restarted.run_once():
        pass
    clock.advance(hours=-3)  # the clock jumps back before the due time: the fan-out waits instead
    await run_again(conn)
    early = await restarted.run_once()
    postponed = await conn.fetchval(
        "SELECT run_after > now() + interval '2 hours' FROM jobs WHERE kind = 'event.reminder'"
    )
    clock.advance(hours=5)  # and forward again, past the due time
    await run_again(conn)
    while await restarted.run_once():
        pass
    await mailer.close()

    assert sent == 2
    assert (early, postponed) == (1, True)
    assert len(reminders_in([m.message for m in smtp.sink.mails])) == 2
    assert await conn.fetchval("SELECT count(*) FROM reminder_deliveries") == 2


async def test_reminder_not_sent_late_to_who_registered_after_its_time(
    event: Any, register: Any, conn: asyncpg.Connection, run_jobs: RunJobs, smtp: SmtpServer, clock: Any
) -> None:
    await register("Kari Nordmann", "kari@example.no")
    clock.advance(minutes=1, seconds=30)  # the reminder is due, but the worker has not got to it yet
    await register("Sen Registrert", "late@example.no")

    await make_due(conn)
    await run_jobs()

    assert len(reminders_in(smtp.sink.to("kari@example.no"))) == 1
    assert reminders_in(smtp.sink.to("late@example.no")) == []
    assert len(smtp.sink.to("late@example.no")) == 1  # their confirmation only


async def test_reminder_tells_waitlisted_their_number(
    make_event: MakeEvent, register: Any, conn: asyncpg.Connection, run_jobs: RunJobs, smtp: SmtpServer, clock: Any
) -> None:
    await make_event(
        slug="kk",
        capacity=1,
        starts_at=STARTS.isoformat(),
        ends_at=(STARTS + timedelta(hours=7)).isoformat(),
        registration_opens_at=(DUE - timedelta(days=30)).isoformat(),
        registration_closes_at=(STARTS - timedelta(hours=1)).isoformat(),
    )
    await register("Kari Nordmann", "kari@example.no")
    await register("Ola Venter", "ola@example.no", language="en")
    await register("Per Venter", "per@example.no")
    await run_jobs()

    clock.advance(minutes=1)
    await make_due(conn)
    await run_jobs()

    ola = reminders_in(smtp.sink.to("ola@example.no"))
    per = reminders_in(smtp.sink.to("per@example.no"))
    assert [m["Subject"] for m in ola] == ["Still on the waiting list: The Knowledge Municipality Conference 2027"]
    assert "as number 1." in text_of(ola[0])
    assert "som nummer 2." in text_of(per[0])
    assert [p.get_content_type() for p in ola[0].walk() if p.get_content_type() == "image/png"] == []


async def test_reminder_cancelled_event_sends_none(
    event: Any,
    register: Any,
    client: Client,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
    organiser_token: Any,
) -> None:
    await register("Kari Nordmann", "kari@example.no")
    await run_jobs()
    cancelled = await client.patch("/api/v1/events/kk", json={"status": "cancelled"}, headers=auth(organiser_token))
    await run_jobs()

    clock.advance(minutes=1)
    await make_due(conn)
    await run_jobs()

    assert cancelled.status_code == 200
    assert reminders_in([m.message for m in smtp.sink.mails]) == []
    assert await conn.fetchval("SELECT result->>'skipped' FROM jobs WHERE kind = 'event.reminder'") == "event cancelled"


async def test_reminder_follows_a_moved_event_and_is_sent_once(
    event: Any,
    register: Any,
    client: Client,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
    organiser_token: Any,
) -> None:
    await register("Kari Nordmann", "kari@example.no")
    later = STARTS + timedelta(hours=2)
    moved = await client.patch(
        "/api/v1/events/kk",
        json={"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=5)).isoformat()},
        headers=auth(organiser_token),
    )
    await run_jobs()
    due_times = await conn.fetch("SELECT run_after FROM jobs WHERE kind = 'event.reminder' ORDER BY run_after")

    clock.advance(hours=2, minutes=1)
    await make_due(conn)
    await run_jobs()

    results = await conn.fetch("SELECT result FROM jobs WHERE kind = 'event.reminder' ORDER BY run_after")
    assert moved.status_code == 200
    assert [r["run_after"] for r in due_times] == [DUE, DUE + timedelta(hours=2)]
    assert [r["result"] for r in results] == [{"skipped": "event moved"}, {"claimed": 1, "queued": 1}]
    assert len(reminders_in(smtp.sink.to("kari@example.no"))) == 1


async def test_reminder_turned_off_and_on_again_is_not_sent_twice(
    event: Any,
    register: Any,
    client: Client,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
    organiser_headers: Any,
) -> None:
    await register("Kari Nordmann", "kari@example.no")
    clock.advance(minutes=1)
    await make_due(conn)
    await run_jobs()

    await client.put("/api/v1/events/kk/reminders", json=[], headers=organiser_headers)
    clock.advance(seconds=-30)  # before the due time again, so turning it on schedules it
    await client.put("/api/v1/events/kk/reminders", json=[{"before": "P1D"}], headers=organiser_headers)
    clock.advance(minutes=1)
    await make_due(conn)
    await run_jobs()

    results = await conn.fetch("SELECT result FROM jobs WHERE kind = 'event.reminder' ORDER BY id")
    assert [r["result"] for r in results] == [{"claimed": 1, "queued": 1}, {"claimed": 0, "queued": 0}]
    assert len(reminders_in(smtp.sink.to("kari@example.no"))) == 1
