"""The real server (granian, as in production) on loopback, and Debian's Chromium driven by Playwright.

Everything here is synchronous and module-scoped: one database, one server and one browser per test module.
Test data is created through the server's own HTTP API (async code cannot run while the browser is open).
The server runs on the real clock, so events are placed relative to now.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from service import db
from service.accounts.domain import add_user
from service.cli import server_command
from tests import dbutil
from tests.conftest import SECRET
from tests.smtp import SmtpServer, free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = PROJECT_ROOT / "service" / "web" / "static" / "vendor" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
STARTUP_SECONDS = 30
# Screenshots the tests take of what a person sees, for a reviewer to look at: under build/ (not committed);
# SCREENSHOT_DIR moves them to a folder CI keeps.
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or PROJECT_ROOT / "build" / "screenshots")


@dataclass(frozen=True)
class LiveServer:
    url: str
    organiser_token: str
    database_url: str = ""
    smtp_url: str = ""

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.organiser_token}", **kwargs.pop("headers", {})}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=10, **kwargs)

    def create_event(self, **body: Any) -> dict[str, Any]:
        response = self.api("POST", "/api/v1/events", json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


async def _add_organiser(url: str) -> str:
    conn = await db.connect(url)
    try:
        return (await add_user(conn, email="kari@bergen.kommune.no", role="organiser", name="Kari Organiser")).token
    finally:
        await conn.close()


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the server did not answer /healthz within {STARTUP_SECONDS}s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def live_server(server_url: str, template_db: str) -> Iterator[LiveServer]:
    name = f"mp_b_{uuid.uuid4().hex[:16]}"
    database_url = asyncio.run(dbutil.clone(server_url, template_db, name))
    smtp = SmtpServer()
    smtp.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "SMTP_URL": smtp.url,
        "BASE_URL": url,
        "LOG_LEVEL": "WARNING",
    }
    command = server_command("127.0.0.1", port)
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "server.log"
        with log.open("wb") as output:
            process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_until_healthy(url, process, log)
            yield LiveServer(
                url=url,
                organiser_token=asyncio.run(_add_organiser(database_url)),
                database_url=database_url,
                smtp_url=smtp.url,
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            smtp.stop()
            asyncio.run(dbutil.drop(server_url, name))


@pytest.fixture(scope="module")
def browser(live_server: LiveServer) -> Iterator[Browser]:
    """Chromium. While Playwright's sync API runs, its event loop counts as running in this thread, so
    `asyncio.run` (the live server's database set-up and clean-up) must happen outside its lifetime:
    hence the dependency on live_server, which is set up before and torn down after the browser."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make system-deps` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def axe_source() -> Path:
    if not AXE.exists():
        pytest.fail(f"{AXE.relative_to(PROJECT_ROOT)} is missing: run `make static`")
    return AXE


def in_days(days: int, hour: int) -> str:
    """An ISO moment `days` from today at `hour`:00 in Norway's summer offset (good enough for test data)."""
    day = (datetime.now(UTC) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00:00+02:00"


def screenshot(page: Any, name: str) -> Path:
    """Save the whole page as SCREENSHOTS/<name>.png (name: area-step-language-viewport) and return the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
