"""Calendar speed: feed rendering, and how fast a room change reaches every attendee's calendar.

A 300-attendee event with 40 sessions (4 plenary, 36 parallel in 12 slots of 3 rooms; each attendee
chooses 3 parallel sessions) on a fresh database, the real server (granian) and the real worker process
(`moteplass worker`), mailing to an aiosmtpd server in this process.

1. Feeds: the public feed (40 sessions) and personal feeds rendered in-process by the same functions the
   routes call (database queries included), median of many; next to it, the baseline of serialising the
   same items with no database work, and the HTTP round trip through the server.
2. After moving one plenary session to another room: the time until the SMTP server has accepted all 300
   updated invites (REQUEST, SEQUENCE + 1); next to it, the baseline of sending 300 prepared mails from here.

    .venv/bin/python scripts/bench/calendar_invites.py [--runs 3] [--renders 200] [--job-workers 1]
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
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

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

ATTENDEES = 300
SECRET = "bench-" + uuid.uuid4().hex


def oslo(day: datetime, hour: int, minute: int = 0) -> str:
    return day.replace(hour=hour, minute=minute).strftime("%Y-%m-%dT%H:%M:00+02:00")


async def build_event(http: httpx.AsyncClient, token: str, slug: str) -> tuple[str, list[str]]:
    """The event, its 40 sessions and 300 registrations; returns the moved plenary's id and manage codes."""
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
            "capacity": ATTENDEES,
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
    manage_codes = []
    for n in range(ATTENDEES):
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
        manage_codes.append(response.json()["manage_url"].rsplit("/", 1)[1])
    return plenaries[0], manage_codes


async def wait_for_jobs(url: str, limit_seconds: float = 300) -> None:
    conn = await db.connect(url)
    try:
        deadline = time.monotonic() + limit_seconds
        while time.monotonic() < deadline:
            if not await conn.fetchval("SELECT count(*) FROM jobs WHERE done_at IS NULL AND dead_at IS NULL"):
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


def updated_invites(smtp: SmtpServer, since: int, room: str, seen: dict[int, str], sequence: int) -> set[str]:
    """Recipients of an updated REQUEST (SEQUENCE `sequence`) naming the new room, among mails since `since`."""
    with smtp.sink._lock:
        received = list(enumerate(smtp.sink.messages[since:], start=since))
    for index, message in received:
        if index not in seen:
            seen[index] = calendar_text(message.raw)
    return {
        message.rcpt_tos[0]
        for index, message in received
        if "METHOD:REQUEST" in seen[index] and f"SEQUENCE:{sequence}\r\n" in seen[index] and room in seen[index]
    }


async def room_change(http: httpx.AsyncClient, token: str, session_id: str, smtp: SmtpServer, run: int) -> float:
    room = f"Store sal {run}"
    since = len(smtp.sink.messages)
    seen: dict[int, str] = {}
    start = time.perf_counter()
    response = await http.patch(
        f"/api/v1/sessions/{session_id}", json={"room": room}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    while len(updated_invites(smtp, since, room, seen, run)) < ATTENDEES:
        if time.perf_counter() - start > 300:
            raise RuntimeError(f"only {len(updated_invites(smtp, since, room, seen, run))} updated invites after 300 s")
        await asyncio.sleep(0.05)
    return time.perf_counter() - start


async def smtp_baseline(smtp: SmtpServer) -> float:
    """Seconds to send 300 small prepared mails, one connection each, from this process."""
    start = time.perf_counter()
    for n in range(ATTENDEES):
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "bench@x.no", f"baseline{n}@example.no", "baseline"
        message.set_content("baseline")
        await aiosmtplib.send(message, hostname="127.0.0.1", port=smtp.port)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="web workers")
    parser.add_argument("--job-workers", type=int, default=1)
    args = parser.parse_args()

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
        "PUBLIC_RATE_LIMIT": "0",  # 300 registrations from 127.0.0.1 in a few seconds
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
        subprocess.Popen([sys.executable, "-m", "service.cli", "worker"], env=env, cwd=ROOT)
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
            plenary, _codes = await build_event(http, token, "bench")
            await wait_for_jobs(url)
            print(
                f"set-up: {ATTENDEES} attendees, {len(smtp.sink.messages)} invites sent in "
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
            changes, baselines = [], []
            for n in range(1, args.runs + 1):
                changes.append(await room_change(http, token, plenary, smtp, n))
                baselines.append(await smtp_baseline(smtp))
                print(
                    f"run {n}: room change → {ATTENDEES} updated invites accepted in {changes[-1]:.2f} s; "
                    f"baseline: {ATTENDEES} prepared mails sent directly in {baselines[-1]:.2f} s",
                    flush=True,
                )
            print()
            print(f"median of {args.runs} runs ({args.job_workers} job worker process(es)):")
            print(
                f"  room change to all {ATTENDEES} updated invites accepted: {statistics.median(changes):.2f} s "
                f"(target < 30 s)"
            )
            print(
                f"  baseline, {ATTENDEES} prepared mails: {statistics.median(baselines):.2f} s; "
                f"ratio {statistics.median(changes) / statistics.median(baselines):.2f}"
            )
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
