"""Calendar speed: feed rendering, and how fast a change of place reaches every attendee's calendar.

An event of --attendees (300; 3,000 for issue 20) with 40 sessions (4 plenary, 36 parallel in 12 slots of 3
rooms; each attendee chooses 3 parallel sessions) on a fresh database, the real server (granian) and the real
worker process (`moteplass worker`), mailing to an aiosmtpd server in this process. The set-up's mails go to it at
full speed; for the measured changes it answers every SMTP command --delay-ms late (a relay across a network).

1. Feeds: the public feed (40 sessions) and personal feeds rendered in-process by the same functions the
   routes call (database queries included), median of many; next to it, the baseline of serialising the
   same items with no database work, and the HTTP round trip through the server.
2. Per run, a plenary moved to another room: plenaries are in the day's programme and the personal feeds, not
   invites of their own (service/programme/invites.py), so this checks every attendee's calendar and sends no
   mail; measured is the time until every attendee's calendar was checked, and the mails it sent (0).
3. Per run, the plenary hall moved: the event's place changes, and every attendee gets the updated invite of
   the event and of each session they have an invite for (REQUEST, SEQUENCE + 1, the new place; four for most
   attendees here): the time until every attendee's calendar update is done; next to it, the baseline of as many
   prepared mails sent from another process on as many connections as the job workers may open
   (scripts/bench/mail.py).

    .venv/bin/python scripts/bench/calendar_invites.py [--attendees 3000] [--runs 3] [--job-workers 1]
        [--delay-ms 50] [--renders 200]
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from mail import baseline, smtp_connections_per_worker  # noqa: E402

from integrations import calendar  # noqa: E402
from service import db  # noqa: E402
from service.accounts.domain import add_user  # noqa: E402
from service.cli import server_command  # noqa: E402
from service.events import queries as event_queries  # noqa: E402
from service.programme import feeds, items, queries  # noqa: E402
from service.registrations import links  # noqa: E402
from service.registrations import queries as registration_queries  # noqa: E402
from service.settings import Secret, Settings  # noqa: E402
from tests.dbutil import admin_url, build_template, clone, drop  # noqa: E402
from tests.smtp import SmtpServer, free_port  # noqa: E402

SETUP_CONCURRENCY = 8  # registrations posted at once while setting up
SECRET = "bench-" + uuid.uuid4().hex


def oslo(day: datetime, hour: int, minute: int = 0) -> str:
    return day.replace(hour=hour, minute=minute).strftime("%Y-%m-%dT%H:%M:00+02:00")


async def build_event(http: httpx.AsyncClient, token: str, slug: str, attendees: int) -> str:
    """The event, its 40 sessions and the registrations; returns the id of the plenary that moves."""
    day = (datetime.now(UTC) + timedelta(days=200)).replace(month=6, day=10)
    auth = {"Authorization": f"Bearer {token}"}
    created = await http.post(
        "/api/v1/events",
        headers=auth,
        json={
            "slug": slug,
            "kind": "conference",
            "title": {"nb": "Kunnskapskommunekonferansen", "en": "The Knowledge Municipality Conference"},
            "venue": "Alrek helseklynge",
            "capacity": attendees,
            "status": "published",
            "starts_at": oslo(day, 8),
            "ends_at": oslo(day, 20),
        },
    )
    assert created.status_code == 201, created.text
    plenaries = []
    for n, hour in enumerate((8, 12, 16, 19)):
        body = {
            "kind": "plenary",
            "title": {"nb": f"Plenum {n + 1}: åpning og pårørende"},
            "room": "Auditoriet",
            "starts_at": oslo(day, hour),
            "ends_at": oslo(day, hour, 45),
        }
        plenaries.append((await http.post(f"/api/v1/events/{slug}/sessions", headers=auth, json=body)).json()["id"])
    slots: list[list[str]] = []
    for slot in range(12):
        hour, minute = 9 + slot // 4 * 4 + (slot % 4) // 2, (slot % 2) * 30
        ids = []
        for room in range(3):
            body = {
                "kind": "parallel",
                "title": {"nb": f"Parallell {slot + 1}{'ABC'[room]}"},
                "room": f"Rom {room + 1}",
                "starts_at": oslo(day, hour, minute),
                "ends_at": oslo(day, hour, minute + 25),
            }
            response = await http.post(f"/api/v1/events/{slug}/sessions", headers=auth, json=body)
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        slots.append(ids)
    numbers = iter(range(attendees))

    async def register() -> None:
        for n in numbers:
            chosen = [slots[(n + k * 4) % 12][n % 3] for k in range(3)]
            response = await http.post(
                f"/api/v1/events/{slug}/registrations",
                json={
                    "name": f"Deltakar {n}",
                    "email": f"d{n}@example.no",
                    "accept_privacy": True,
                    "language": ("nb", "nn", "en")[n % 3],
                    "sessions": chosen,
                },
            )
            assert response.status_code == 201, response.text
            assert response.json()["status"] == "confirmed", response.text

    await asyncio.gather(*(register() for _ in range(SETUP_CONCURRENCY)))
    moved: str = plenaries[0]
    return moved


# Jobs due now and not done (later ones, e.g. reminders before the event, are not the set-up's).
DUE_JOBS = "SELECT count(*) FROM jobs WHERE done_at IS NULL AND dead_at IS NULL AND run_after <= now()"


async def wait_for_jobs(url: str, limit_seconds: float = 1800) -> None:
    conn = await db.connect(url)
    try:
        deadline = time.monotonic() + limit_seconds
        while time.monotonic() < deadline:
            if not await conn.fetchval(DUE_JOBS):
                return
            await asyncio.sleep(0.2)
        raise RuntimeError("the worker did not finish the initial invites")
    finally:
        await conn.close()


async def render_times(url: str, settings: Settings, slug: str, renders: int) -> dict[str, float]:
    """Median milliseconds: public feed, personal feed, and the serialisation-only baseline of the public one."""
    conn = await db.connect(url)
    try:
        registrations = await conn.fetch("SELECT id FROM registrations ORDER BY queue_seq LIMIT 50")
        codes = []
        for row in registrations:
            registration = await registration_queries.registration_by_id(conn, row["id"])
            assert registration is not None
            codes.append(links.agenda_url(settings, registration).rsplit("/", 1)[1].removesuffix(".ics"))
        event = await event_queries.event_by_slug(conn, slug)
        assert event is not None
        sessions = await queries.sessions_of_event(conn, event.id)
        prepared = [items.session_item(settings, event, s, "nb", uid=f"s{s.id}@x", sequence=0) for s in sessions]

        async def timed(action: Any) -> float:
            start = time.perf_counter()
            await action()
            return (time.perf_counter() - start) * 1000

        async def serialise_only() -> None:
            calendar.feed(prepared, uid="f@x", name="bench", stamp=datetime.now(UTC))

        public = [await timed(lambda: feeds.public_feed(conn, settings, slug, language="nb")) for _ in range(renders)]
        personal = [
            await timed(lambda i=i: feeds.personal_feed(conn, settings, codes[i % len(codes)])) for i in range(renders)
        ]
        baseline = [await timed(serialise_only) for _ in range(renders)]
        return {
            "public": statistics.median(public),
            "personal": statistics.median(personal),
            "serialise": statistics.median(baseline),
            "sessions": len(sessions),
        }
    finally:
        await conn.close()


async def http_times(http: httpx.AsyncClient, slug: str, agenda_path: str, renders: int) -> tuple[float, float]:
    public, personal = [], []
    for _ in range(renders):
        start = time.perf_counter()
        assert (await http.get(f"/events/{slug}/calendar.ics")).status_code == 200
        public.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        assert (await http.get(agenda_path)).status_code == 200
        personal.append((time.perf_counter() - start) * 1000)
    return statistics.median(public), statistics.median(personal)


def calendar_text(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            return payload.decode().replace("\r\n ", "") if isinstance(payload, bytes) else ""
    return ""


def updated_invites(smtp: SmtpServer, since: int, place: str, seen: dict[int, str], sequence: int) -> set[str]:
    """Recipients of an updated REQUEST (SEQUENCE `sequence`) naming the new place, among mails since `since`."""
    with smtp.sink._lock:
        received = list(enumerate(smtp.sink.messages[since:], start=since))
    for index, message in received:
        if index not in seen:
            seen[index] = calendar_text(message.raw)
    return {
        message.rcpt_tos[0]
        for index, message in received
        if "METHOD:REQUEST" in seen[index] and f"SEQUENCE:{sequence}\r\n" in seen[index] and place in seen[index]
    }


async def calendar_update_done(url: str, kind: str, key: str, limit_seconds: float = 1800) -> int:
    """Wait until the fan-out job `key` and every calendar sync of its update are done; how many syncs."""
    conn = await db.connect(url)
    try:
        deadline = time.monotonic() + limit_seconds
        while time.monotonic() < deadline:
            row = await conn.fetchrow(
                """SELECT (SELECT done_at IS NOT NULL FROM jobs WHERE dedupe_key = $1) AS fanned_out,
                          count(*) FILTER (WHERE done_at IS NULL) AS pending, count(*) AS syncs
                     FROM jobs WHERE kind = 'calendar.sync' AND payload ->> 'update' = $2""",
                f"calendar.fanout:{key}",
                key,
            )
            if row["fanned_out"] and not row["pending"]:
                return int(row["syncs"])
            await asyncio.sleep(0.1)
        raise RuntimeError(f"the {kind} calendar update was not done after {limit_seconds} s")
    finally:
        await conn.close()


async def plenary_moved(
    http: httpx.AsyncClient, token: str, url: str, session_id: str, smtp: SmtpServer, run: int
) -> tuple[float, int, int]:
    """Move the plenary; (seconds until every attendee's calendar was checked, calendars checked, mails sent)."""
    since = len(smtp.sink.messages)
    start = time.perf_counter()
    response = await http.patch(
        f"/api/v1/sessions/{session_id}", json={"room": f"Sal {run}"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    conn = await db.connect(url)
    try:  # the update's revision: the session's SEQUENCE after the change (the API does not show it)
        revision = await conn.fetchval("SELECT sequence FROM sessions WHERE id = $1", uuid.UUID(session_id))
    finally:
        await conn.close()
    syncs = await calendar_update_done(url, "plenary", f"session:{session_id}:{revision}")
    return time.perf_counter() - start, syncs, len(smtp.sink.messages) - since


async def hall_moved(
    http: httpx.AsyncClient, token: str, url: str, slug: str, smtp: SmtpServer, run: int, attendees: int
) -> tuple[float, int]:
    """Move the event to another hall: (seconds until every attendee's calendar update is done, mails it sent).
    Each attendee gets the updated invite of the event and of each session they have one for (their place is
    the event's), so the mails are several per attendee."""
    place = f"Store sal {run}"
    since = len(smtp.sink.messages)
    seen: dict[int, str] = {}
    start = time.perf_counter()
    response = await http.patch(
        f"/api/v1/events/{slug}", json={"venue": place}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    conn = await db.connect(url)
    try:  # the update's revision: the event's calendar SEQUENCE after the change
        event_id, revision = await conn.fetchrow("SELECT id, calendar_sequence FROM events WHERE slug = $1", slug)
    finally:
        await conn.close()
    await calendar_update_done(url, "hall", f"event:{event_id}:{revision}")
    seconds = time.perf_counter() - start
    updated = len(updated_invites(smtp, since, place, seen, run))
    assert updated == attendees, f"{updated} of {attendees} updated event invites"
    return seconds, len(smtp.sink.messages) - since


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attendees", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="web workers")
    parser.add_argument("--job-workers", type=int, default=1)
    parser.add_argument("--delay-ms", type=int, default=50, help="the relay's delay per answer while measuring")
    args = parser.parse_args()
    attendees = args.attendees
    connections = args.job_workers * smtp_connections_per_worker()

    server = admin_url()
    template, name = f"mp_bench_tpl_{os.getpid()}", f"mp_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(build_template(server, template))
    url = asyncio.run(clone(server, template, name))
    smtp = SmtpServer()
    smtp.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "BASE_URL": base,
        "SMTP_URL": smtp.url,
        "JOB_POLL_SECONDS": "0.1",
        "PUBLIC_RATE_LIMIT": "0",  # thousands of registrations from 127.0.0.1 in a few seconds
    }
    settings = Settings(database_url=url, secret_key=Secret(SECRET), base_url=base, smtp_url=smtp.url)
    processes = [
        subprocess.Popen(
            server_command("127.0.0.1", port, args.workers),
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    processes += [
        subprocess.Popen(
            [sys.executable, "-m", "service.cli", "worker"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(args.job_workers)
    ]

    async def run() -> None:
        conn = await db.connect(url)
        token = (await add_user(conn, email="bench@bergen.kommune.no", role="admin")).token
        await conn.close()
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            for _ in range(100):
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
            started = time.perf_counter()
            plenary = await build_event(http, token, "bench", attendees)
            await wait_for_jobs(url)
            print(
                f"set-up: {attendees} attendees, {len(smtp.sink.messages)} mails (confirmations and invites) sent in "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )
            renders = await render_times(url, settings, "bench", args.renders)
            conn = await db.connect(url)
            registration = await registration_queries.registration_by_id(
                conn, await conn.fetchval("SELECT id FROM registrations LIMIT 1")
            )
            await conn.close()
            assert registration is not None
            agenda_path = links.agenda_url(settings, registration).removeprefix(base)
            http_public, http_personal = await http_times(http, "bench", agenda_path, args.renders)
            print(
                f"feeds (median of {args.renders}): public ({renders['sessions']:.0f} sessions) "
                f"{renders['public']:.2f} ms, personal {renders['personal']:.2f} ms; "
                f"serialising the public items alone {renders['serialise']:.2f} ms "
                f"(public/serialise {renders['public'] / renders['serialise']:.2f}); "
                f"over HTTP: public {http_public:.2f} ms, personal {http_personal:.2f} ms",
                flush=True,
            )
            smtp.reply_delay = args.delay_ms / 1000
            plenaries, halls, baselines = [], [], []
            for n in range(1, args.runs + 1):
                seconds, checked, mails = await plenary_moved(http, token, url, plenary, smtp, n)
                plenaries.append(seconds)
                hall_seconds, invites = await hall_moved(http, token, url, "bench", smtp, n, attendees)
                halls.append(hall_seconds)
                baselines.append(await asyncio.to_thread(baseline, smtp, invites, connections))
                print(
                    f"run {n}: plenary moved → {checked} calendars checked in {seconds:.2f} s, {mails} mails; "
                    f"hall moved → {attendees} attendees' calendars, {invites} updated invites (the event's and "
                    f"the sessions') accepted in {hall_seconds:.2f} s ({invites / hall_seconds:.0f}/s); baseline: "
                    f"{invites} prepared mails on {connections} connections in {baselines[-1]:.2f} s "
                    f"({invites / baselines[-1]:.0f}/s)",
                    flush=True,
                )
            hall, base_seconds = statistics.median(halls), statistics.median(baselines)
            print()
            print(
                f"median of {args.runs} runs ({args.job_workers} job worker process(es), {connections} SMTP "
                f"connections at most, each command answered after {args.delay_ms} ms):"
            )
            print(
                f"  plenary moved: every attendee's calendar checked in {statistics.median(plenaries):.2f} s "
                "(no invite mails: plenaries are in the programme and the feeds)"
            )
            print(
                f"  hall moved: {attendees} attendees' calendars, {invites} updated invites accepted in {hall:.2f} s "
                f"({invites / hall:.0f}/s)"
            )
            print(f"  baseline, {invites} prepared mails: {base_seconds:.2f} s; ratio {hall / base_seconds:.2f}")
            print(
                f"  public feed render {renders['public']:.2f} ms (target < 20), "
                f"personal feed render {renders['personal']:.2f} ms (target < 5)"
            )

    try:
        asyncio.run(run())
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        smtp.stop()
        asyncio.run(drop(server, name))
        asyncio.run(drop(server, template))


if __name__ == "__main__":
    main()
