"""The reminder fan-out for 2,000 attendees: from the due time to every mail queued and to every mail accepted by
a real SMTP server (aiosmtpd on loopback), with real `moteplass worker` processes on the real clock.

A fresh database from migrations/; one event with 2,000 confirmed registrations (made with the same domain function
the API calls; their confirmation mails are marked done so only reminders are measured, and their ticket QR images
are not rendered yet, so each reminder renders its own, as for attendees who never opened their ticket). The event
is then moved so that its one-day reminder falls due a few seconds later (the move reschedules it, as an organiser's
change would), and the clock is read at the due time, when the fan-out job runs and claims 2,000 deliveries, and
when the SMTP server has accepted 2,000 reminders. Target: all reminders sent within 5 minutes.

    .venv/bin/python scripts/bench/reminders.py [--attendees 2000] [--job-workers 1] [--concurrency 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from service import db  # noqa: E402
from service.accounts.domain import add_user  # noqa: E402
from service.accounts.schemas import Principal  # noqa: E402
from service.events import domain as events  # noqa: E402
from service.events.schemas import EventIn, EventPatch  # noqa: E402
from service.hooks import EVENT_CHANGE_HOOKS, EVENT_CREATE_HOOKS  # noqa: E402
from service.registrations.domain import register_attendee  # noqa: E402
from service.registrations.schemas import RegistrationIn  # noqa: E402
from tests import dbutil  # noqa: E402
from tests.conftest import SECRET  # noqa: E402
from tests.smtp import SmtpServer  # noqa: E402


def start_worker(database_url: str, smtp_url: str, concurrency: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMTP_URL": smtp_url,
        "SECRET_KEY": SECRET,
        "BASE_URL": "http://bench.local",
        "JOB_POLL_SECONDS": "0.1",
        "WORKER_CONCURRENCY": str(concurrency),
    }
    env.pop("LOG_LEVEL", None)  # the default level: the job log lines production writes are part of the cost
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def prepare(database_url: str, attendees: int, lead_seconds: float) -> tuple[datetime, float]:
    """The event and its attendees; returns the reminder's due time and how long registering took."""
    conn = await db.connect(database_url)
    try:
        user = await add_user(conn, email="bench@bergen.kommune.no", role="organiser")
        actor = Principal(user_id=user.user_id, email="bench@bergen.kommune.no", role="organiser")
        now = datetime.now(UTC)
        far = now + timedelta(days=30)
        body = msgspec.convert(
            {
                "slug": "bench-reminders",
                "kind": "conference",
                "title": {"nb": "Påminningsmåling", "nn": "Påminningsmåling", "en": "Reminder benchmark"},
                "starts_at": far.isoformat(),
                "ends_at": (far + timedelta(hours=7)).isoformat(),
                "capacity": attendees,
                "venue": "Alrek helseklynge",
                "address": "Årstadveien 17, Bergen",
                "registration_opens_at": (now - timedelta(days=1)).isoformat(),
                "status": "published",
            },
            EventIn,
        )
        await events.create_event(conn, body, actor=actor, now=now, hooks=EVENT_CREATE_HOOKS)
        started = time.perf_counter()
        for n in range(attendees):
            data = RegistrationIn(name=f"Deltakar {n}", email=f"p{n}@example.no", accept_privacy=True, language="nn")
            await register_attendee(conn, "bench-reminders", data=data, now=datetime.now(UTC))
        registering = time.perf_counter() - started
        await conn.execute("UPDATE jobs SET done_at = now() WHERE done_at IS NULL AND kind LIKE 'registration.%'")
        starts = datetime.now(UTC) + timedelta(days=1, seconds=lead_seconds)
        patch = EventPatch(starts_at=starts, ends_at=starts + timedelta(hours=7))
        await events.update_event(
            conn, "bench-reminders", patch, actor=actor, now=datetime.now(UTC), hooks=EVENT_CHANGE_HOOKS
        )
        # The move also queued calendar updates for everyone: not part of what is measured here.
        await conn.execute("UPDATE jobs SET done_at = now() WHERE done_at IS NULL AND kind LIKE 'calendar.%'")
        return starts - timedelta(days=1), registering
    finally:
        await conn.close()


async def fan_out_done(database_url: str) -> datetime | None:
    conn = await db.connect(database_url)
    try:
        done: datetime | None = await conn.fetchval(
            "SELECT done_at FROM jobs WHERE kind = 'event.reminder' AND result ? 'claimed' AND done_at IS NOT NULL"
        )
        return done
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attendees", type=int, default=2000)
    parser.add_argument("--job-workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--lead", type=float, default=8.0, help="seconds from the event's move to the due time")
    args = parser.parse_args()
    server = dbutil.admin_url()
    template = f"mp_bench_tpl_{dbutil.migrations_digest()}_{os.getpid()}"
    name = f"mp_bench_reminders_{os.getpid()}"
    smtp = SmtpServer()
    workers: list[subprocess.Popen[bytes]] = []
    asyncio.run(dbutil.build_template(server, template))
    database_url = asyncio.run(dbutil.clone(server, template, name))
    try:
        smtp.start()
        due, registering = asyncio.run(prepare(database_url, args.attendees, args.lead))
        workers = [start_worker(database_url, smtp.url, args.concurrency) for _ in range(args.job_workers)]
        deadline = time.monotonic() + 600
        while len(smtp.sink.mails) < args.attendees and time.monotonic() < deadline:
            time.sleep(0.05)
        all_sent = datetime.now(UTC)
        queued = asyncio.run(fan_out_done(database_url))
        sent = len(smtp.sink.mails)
        print(f"registered {args.attendees} in {registering:.1f} s (setup, not measured)")
        print(f"job workers {args.job_workers} x concurrency {args.concurrency}; load average {os.getloadavg()[0]:.2f}")
        if queued is not None:
            queued_after = (queued - due).total_seconds()
            print(f"BENCH reminders: due -> {args.attendees} mails queued (fan-out committed) {queued_after:.2f} s")
        sent_after = (all_sent - due).total_seconds()
        print(f"BENCH reminders: due -> {sent} mails accepted by SMTP {sent_after:.1f} s (target < 300 s)")
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)
        smtp.stop()
        asyncio.run(dbutil.drop(server, name))
        asyncio.run(dbutil.drop(server, template))


if __name__ == "__main__":
    main()
