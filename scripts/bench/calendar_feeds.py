"""Calendar feed speed: p50/p95 of the public and personal feeds from the real server, and render time per VEVENT.

The event of `calendar_invites.py` (40 sessions, 300 attendees who chose 3 parallel sessions each) on a fresh
database and the real server (granian, one worker); no job worker, so no invite is sent. Then:

1. Render time per VEVENT, in this process: one invite (one VEVENT), and the public feed's 40 sessions written
   with a new DTSTAMP each time (so nothing rendered before can be reused), divided by 40.
2. Feeds over HTTP, one request at a time after a warm-up that fetched each feed twice (a subscribed feed is
   fetched again and again; its first rendering is the render time above): the public feed (40 sessions + the
   event) and the personal feeds of 50 attendees in turn; p50, p95 and p99 of the whole round trip. Next to them
   `GET /healthz`, the same round trip with no feed work, which shows what the machine's load adds.

    .venv/bin/python scripts/bench/calendar_feeds.py [--requests 500] [--renders 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import wait_http  # noqa: E402
from calendar_invites import build_event  # noqa: E402

from integrations import calendar  # noqa: E402
from service import db  # noqa: E402
from service.accounts.domain import add_user  # noqa: E402
from service.cli import server_command  # noqa: E402
from service.events import queries as event_queries  # noqa: E402
from service.programme import items, queries  # noqa: E402
from service.registrations import links  # noqa: E402
from service.registrations import queries as registration_queries  # noqa: E402
from service.settings import Secret, Settings  # noqa: E402
from tests.dbutil import admin_url, build_template, clone, drop  # noqa: E402
from tests.smtp import free_port  # noqa: E402

SECRET = "bench-" + uuid.uuid4().hex
PERSONAL_FEEDS = 50


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def figures(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):.2f} ms, p95 {percentile(values, 0.95):.2f} ms, "
        f"p99 {percentile(values, 0.99):.2f} ms"
    )


async def render_times(url: str, settings: Settings, slug: str, renders: int) -> tuple[float, float, int]:
    """Milliseconds per VEVENT (median): an invite, and a feed of the public sessions; the number of sessions."""
    conn = await db.connect(url)
    try:
        event = await event_queries.event_by_slug(conn, slug)
        assert event is not None
        sessions = await queries.sessions_of_event(conn, event.id)
    finally:
        await conn.close()
    prepared = [items.session_item(settings, event, s, "nb", uid=f"s{s.id}@x", sequence=0) for s in sessions]
    organizer, attendee = calendar.Person("no-reply@x.no", "Arrangør"), calendar.Person("kari@x.no", "Kari Nordmann")
    start = datetime.now(UTC)
    invite_ms, feed_ms = [], []
    for n in range(renders):
        began = time.perf_counter()
        calendar.invite("REQUEST", prepared[n % len(prepared)], organizer=organizer, attendee=attendee, stamp=start)
        invite_ms.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        calendar.feed(prepared, uid="f@x", name="bench", stamp=start + timedelta(seconds=n))
        feed_ms.append((time.perf_counter() - began) * 1000 / len(prepared))
    return statistics.median(invite_ms), statistics.median(feed_ms), len(prepared)


async def agenda_paths(url: str, settings: Settings, base: str) -> list[str]:
    conn = await db.connect(url)
    try:
        paths = []
        for row in await conn.fetch("SELECT id FROM registrations ORDER BY queue_seq LIMIT $1", PERSONAL_FEEDS):
            registration = await registration_queries.registration_by_id(conn, row["id"])
            assert registration is not None
            paths.append(links.agenda_url(settings, registration).removeprefix(base))
        return paths
    finally:
        await conn.close()


async def http_times(http: httpx.AsyncClient, paths: list[str], requests: int) -> list[float]:
    for path in paths * 2:  # warm-up: pools filled, statements planned, each feed's version rendered once
        assert (await http.get(path)).status_code == 200
    times = []
    for n in range(requests):
        began = time.perf_counter()
        response = await http.get(paths[n % len(paths)])
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.text
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--renders", type=int, default=200)
    args = parser.parse_args()

    server = admin_url()
    template, name = f"mp_bench_tpl_{os.getpid()}", f"mp_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(build_template(server, template))
    url = asyncio.run(clone(server, template, name))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The default log level (the request log line production writes); no per-address limit on the set-up's 300
    # registrations from 127.0.0.1.
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "BASE_URL": base, "PUBLIC_RATE_LIMIT": "0"}
    settings = Settings(database_url=url, secret_key=Secret(SECRET), base_url=base)
    process = subprocess.Popen(
        server_command("127.0.0.1", port, 1), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    async def run() -> None:
        conn = await db.connect(url)
        token = (await add_user(conn, email="bench@bergen.kommune.no", role="admin")).token
        await conn.close()
        wait_http(f"{base}/readyz")
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            await build_event(http, token, "bench")
            invite_ms, vevent_ms, sessions = await render_times(url, settings, "bench", args.renders)
            public = await http_times(http, ["/events/bench/calendar.ics"], args.requests)
            personal = await http_times(http, await agenda_paths(url, settings, base), args.requests)
            health = await http_times(http, ["/healthz"], args.requests)
        print(f"render per VEVENT (median of {args.renders}): invite {invite_ms:.3f} ms, feed {vevent_ms:.3f} ms")
        print(f"public feed over HTTP ({sessions} sessions, {args.requests} requests): {figures(public)} (p95 < 20)")
        print(f"personal feeds over HTTP ({PERSONAL_FEEDS} attendees in turn): {figures(personal)} (p95 < 5)")
        print(f"baseline GET /healthz over HTTP: {figures(health)}")
        print("load average (1, 5, 15 min): " + ", ".join(f"{load:.1f}" for load in os.getloadavg()))

    try:
        asyncio.run(run())
    finally:
        process.terminate()
        process.wait(timeout=20)
        asyncio.run(drop(server, name))
        asyncio.run(drop(server, template))


if __name__ == "__main__":
    main()
