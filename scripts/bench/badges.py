"""The badges PDF for 1,000 confirmed people, over HTTP against the real server (target: under 10 s).

A fresh database (a clone of the template built from migrations/), the real server (granian, one worker) in
another process, and the data made through the API as an organiser would: one event, 1,000 registrations with
Norwegian names (æøå), organisations and roles. Then `GET /api/v1/events/{slug}/badges.pdf` is timed --runs times
(default 3) and the median printed, with each run, the PDF's pages and size, a baseline (`GET /healthz`) and the
load average. The first run is the coldest: a web process keeps the QR layout of the last 1,024 ticket codes it
drew (integrations/qr), so later runs of the same sheet skip the mask choice.

    .venv/bin/python scripts/bench/badges.py [--people 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchlib import wait_http  # noqa: E402

from service import db  # noqa: E402
from service.accounts.domain import add_user  # noqa: E402
from service.cli import server_command  # noqa: E402
from tests.dbutil import admin_url, build_template, clone, drop  # noqa: E402
from tests.smtp import free_port  # noqa: E402

SLUG = "bench-badges"
TARGET_SECONDS = 10.0
FIRST = ["Åse", "Bjørn", "Cecilie", "Dag", "Eirin", "Frode", "Guri", "Håkon", "Ingrid", "Jon", "Kari", "Øystein"]
LAST = ["Ødegård", "Berg", "Dahl", "Æsøy", "Haugland-Kristiansen", "Lie", "Nilsen", "Solheim", "Tveit", "Vik"]
ORGANISATIONS = ["Bergen kommune", "Universitetet i Bergen", "Helse Bergen, Haukeland universitetssjukehus"]
ROLES = ["researcher", "student", "municipal_employee", "user_representative", "other"]


async def organiser_token(url: str) -> str:
    conn = await db.connect(url)
    try:
        return (await add_user(conn, email="bench@bergen.kommune.no", role="organiser")).token
    finally:
        await conn.close()


def make_data(base: str, token: str, people: int) -> None:
    """The event and its registrations, through the API."""
    with httpx.Client(base_url=base, timeout=30) as client:
        event = {
            "slug": SLUG,
            "kind": "conference",
            "title": {"nb": "Kunnskapskommunekonferansen 2027"},
            "starts_at": "2030-06-10T09:00:00+02:00",
            "ends_at": "2030-06-10T16:00:00+02:00",
            "capacity": people,
            "status": "published",
        }
        created = client.post("/api/v1/events", json=event, headers={"Authorization": f"Bearer {token}"})
        assert created.status_code == 201, created.text
        for n in range(people):
            body = {
                "name": f"{FIRST[n % 12]} {LAST[(n // 12) % 10]} {n}",
                "email": f"p{n}@example.no",
                "accept_privacy": True,
                "organisation": ORGANISATIONS[n % 3],
                "role": ROLES[n % 5],
            }
            answer = client.post(f"/api/v1/events/{SLUG}/registrations", json=body)
            assert answer.status_code == 201, answer.text
            assert answer.json()["status"] == "confirmed", answer.text


def pages_of(pdf: bytes) -> str:
    """The page count as poppler's pdfinfo reads it (`make system-deps` installs it), or "?" without it."""
    if shutil.which("pdfinfo") is None:
        return "?"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True, check=True).stdout
    return next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))


def timed(client: httpx.Client, path: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(path)
    return time.perf_counter() - started, response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    server = admin_url()
    template = f"mp_bbench_tpl_{os.getpid()}"
    name = f"mp_bbench_{uuid.uuid4().hex[:8]}"
    asyncio.run(build_template(server, template))
    url = asyncio.run(clone(server, template, name))
    token = asyncio.run(organiser_token(url))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "BASE_URL": base,
        "PUBLIC_RATE_LIMIT": "0",  # 1,000 registrations from one address in a minute
        "EMAIL_RATE_LIMIT": "0",
    }
    env.pop("LOG_LEVEL", None)  # the default level: the request log line production writes is part of the cost
    process = subprocess.Popen(
        server_command("127.0.0.1", port, 1), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    seconds: list[float] = []
    try:
        wait_http(f"{base}/readyz")
        started = time.perf_counter()
        make_data(base, token, args.people)
        print(f"{args.people} registrations through the API in {time.perf_counter() - started:.1f} s", flush=True)
        client = httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {token}"})
        baseline = statistics.median(timed(client, "/healthz")[0] for _ in range(20))
        for run in range(1, args.runs + 1):
            elapsed, response = timed(client, f"/api/v1/events/{SLUG}/badges.pdf")
            assert response.status_code == 200, response.text
            seconds.append(elapsed)
            size = len(response.content) / 1e6
            print(f"run {run}: {elapsed:.2f} s, {size:.2f} MB, {pages_of(response.content)} pages", flush=True)
    finally:
        process.terminate()
        process.wait(timeout=20)
        asyncio.run(drop(server, name))
        asyncio.run(drop(server, template))
    print()
    median = statistics.median(seconds)
    print(f"badges.pdf for {args.people} people: median of {args.runs} runs {median:.2f} s ", end="")
    print(f"(first {seconds[0]:.2f} s; target < {TARGET_SECONDS:.0f} s)")
    print(f"baseline GET /healthz median {baseline * 1000:.1f} ms; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
