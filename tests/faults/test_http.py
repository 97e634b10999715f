"""The web server around bad clients and a shutdown: unreadable bodies are 400, a client that hangs up is an
INFO line (not a 500), a stalled body is cut off with 408, and SIGTERM under load loses no accepted request."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from service import db
from service.settings import PROJECT_ROOT
from tests.conftest import SECRET
from tests.faults.conftest import LiveApp, open_event, registration_load, start_server, stop_server
from tests.smtp import free_port


def raw_request(url: str, head: bytes, body: bytes, *, hang_up: bool, wait: float = 0.0) -> bytes:
    """Send a request's head and part of its body by hand; hang up, or wait for the answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head + body)
        if hang_up:
            return b""
        sock.settimeout(wait + 5)
        return sock.recv(65536)


def post_head(path: str, length: int) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


async def test_bad_bodies_hang_ups_and_stalls_never_answer_or_log_500(
    database_url: str, organiser_token: str, tmp_path: Path
) -> None:
    app = start_server(database_url, tmp_path, BODY_TIMEOUT="1", LOG_LEVEL="INFO")
    try:
        await open_event(app, organiser_token)
        path = "/api/v1/events/fault-2027/registrations"
        async with httpx.AsyncClient(base_url=app.url, timeout=10) as client:
            headers = {"content-type": "application/json"}
            utf8 = await client.post(path, content=b'{"name": "\xff\xfe"}', headers=headers)
            deep = await client.post(path, content=b"[" * 100_000 + b"]" * 100_000, headers=headers)
            scan = await client.post("/api/v1/checkins", content=b'{"code": "\xff"}', headers=headers)
        await asyncio.to_thread(raw_request, app.url, post_head(path, 100), b'{"name": "Ka', hang_up=True)
        stalled = await asyncio.to_thread(raw_request, app.url, post_head(path, 100), b'{"name"', hang_up=False, wait=1)
        await asyncio.sleep(0.5)
        log = app.log_text()
    finally:
        stop_server(app)

    assert (utf8.status_code, utf8.json()["code"]) == (400, "malformed_request")
    assert (deep.status_code, deep.json()["code"]) == (400, "malformed_request")
    assert scan.status_code in (400, 401)  # unreadable, or no door token: never a 500
    assert stalled.startswith(b"HTTP/1.1 408"), stalled[:200]
    assert "client went away" in log
    assert '"level": "error"' not in log, log[-3000:]


async def test_sigterm_under_load_loses_no_accepted_request(
    database_url: str, organiser_token: str, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "BASE_URL": url,
        "PORT": str(port),
        "PUBLIC_RATE_LIMIT": "0",
        "SHUTDOWN_DRAIN_SECONDS": "1",
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        serve = subprocess.Popen(  # noqa: ASYNC220 - started once, before any load
            [sys.executable, "-m", "service.cli", "serve"], cwd=PROJECT_ROOT, env=env, stdout=output, stderr=output
        )
    app = LiveApp(url, serve, log)
    try:
        await _wait_healthy(url)
        await open_event(app, organiser_token)
        load = asyncio.ensure_future(registration_load(url, "fault-2027", clients=8, seconds=4))
        await asyncio.sleep(1.0)
        serve.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.3)
        async with httpx.AsyncClient(timeout=5) as client:
            draining = (await client.get(f"{url}/readyz")).status_code
        outcomes = await load
        code = await asyncio.to_thread(serve.wait, 30)
    finally:
        stop_server(app)

    conn = await db.connect(database_url)
    try:
        stored = {r["id"] for r in await conn.fetch("SELECT id::text FROM registrations")}
    finally:
        await conn.close()
    answered = {o.registration_id for o in outcomes if o.status == 201}
    statuses = {o.status for o in outcomes}
    assert draining == 503
    assert code == 0
    assert statuses <= {201, None}, statuses  # answered, or refused before it was accepted
    assert answered == stored  # every registration stored was answered 201, and the other way round


async def _wait_healthy(url: str) -> None:
    async with httpx.AsyncClient(timeout=1) as client:
        for _ in range(300):
            try:
                if (await client.get(f"{url}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the server did not start")
