"""/metrics: the token, requests by route template (the scan lane too), what the database holds, mails, and
the multiprocess mode of `moteplass serve` with several web workers; /readyz and missing migrations."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from integrations import qr
from integrations.mail import Mail, SmtpMailer
from service.app import create_app
from service.jobs import enqueue
from service.metrics import exposition
from service.settings import PROJECT_ROOT, Secret, Settings
from service.worker import CountedMailer
from tests.conftest import SECRET, Client, MakeEvent, auth
from tests.smtp import SmtpServer, free_port

TOKEN = "scrape-token-0123456789"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}
KARI = {"name": "Kari Nordmann", "email": "kari@example.no", "accept_privacy": True}


@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=Secret(SECRET),
        smtp_url=smtp.url,
        base_url="http://testserver.local",
        metrics_token=Secret(TOKEN),
    )


def value(text: str, name: str, **labels: str) -> float:
    """The sample `name` with these labels in an exposition, 0 when it is not there."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


async def scrape(client: AsyncTestClient[Any]) -> str:
    response = await client.get("/metrics", headers=SCRAPER)
    assert response.status_code == 200, response.text
    return response.text


async def test_metrics_without_metrics_token_setting_are_not_found(database_url: str, smtp: SmtpServer) -> None:
    plain = Settings(database_url=database_url, secret_key=Secret(SECRET), smtp_url=smtp.url)

    async with AsyncTestClient(app=create_app(plain)) as client:
        answer = await client.get("/metrics", headers=SCRAPER)

    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


async def test_metrics_without_or_with_a_wrong_token_are_refused(client: Client) -> None:
    missing = await client.get("/metrics")
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer scrape-token-9876543210"})

    assert [(a.status_code, a.json()["code"]) for a in (missing, wrong)] == [
        (401, "unauthorized"),
        (401, "unauthorized"),
    ]


async def test_requests_are_counted_by_route_template_never_by_the_secret_path(
    client: Client, make_event: MakeEvent
) -> None:
    await make_event(slug="kk")
    kari = (await client.post("/api/v1/events/kk/registrations", json=KARI)).json()
    ticket_path = kari["ticket_url"].removeprefix("http://testserver.local")
    before = await scrape(client)

    await client.get(ticket_path, headers={"accept": "text/html"})
    await client.get("/no/such/page/T1SECRET")
    after = await scrape(client)

    name = "moteplass_http_request_duration_seconds_count"
    counted = {
        route: value(after, name, route=route, status=status) - value(before, name, route=route, status=status)
        for route, status in (("/t/{code}", "200"), ("unmatched", "404"))
    }
    assert counted == {"/t/{code}": 1.0, "unmatched": 1.0}
    assert (ticket_path.rsplit("/", 1)[1] in after, "T1SECRET" in after) == (False, False)


async def test_door_scans_and_registrations_answered_by_the_fast_lanes_are_counted(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    name = "moteplass_http_request_duration_seconds_count"
    registered = {"route": "/api/v1/events/{slug}/registrations", "method": "POST", "status": "201"}
    before_registered = value(await scrape(client), name, **registered)
    kari = (await client.post("/api/v1/events/kk/registrations", json=KARI)).json()
    assert value(await scrape(client), name, **registered) - before_registered == 1.0
    door = (
        await client.post("/api/v1/events/kk/doors", json={"name": "Inngang"}, headers=auth(organiser_token))
    ).json()
    token = (await client.post("/api/v1/doors/pair", json={"code": door["pairing_url"].split("#pair=")[1]})).json()[
        "token"
    ]
    code = qr.sign(SECRET.encode(), "ticket", UUID(kari["id"]), 1)
    labels = {"route": "/api/v1/checkins", "method": "POST", "status": "200"}
    before = value(await scrape(client), name, **labels)

    for nonce in ("n1", "n2"):
        await client.post("/api/v1/checkins", json={"code": code, "nonce": nonce}, headers=auth(token))

    assert value(await scrape(client), name, **labels) - before == 2.0


async def test_jobs_registrations_and_checkins_are_read_from_the_database(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", capacity=1)
    await client.post("/api/v1/events/kk/registrations", json=KARI)
    await client.post("/api/v1/events/kk/registrations", json={**KARI, "email": "ola@example.no"})
    await conn.execute("DELETE FROM jobs")
    dead = await enqueue(conn, "mail.send", {"to": "a@example.no"})
    await enqueue(conn, "mail.send", {"to": "b@example.no"})
    await conn.execute("UPDATE jobs SET dead_at = now(), attempts = max_attempts WHERE id = $1", dead)

    text = await scrape(client)

    assert {
        "confirmed": value(text, "moteplass_registrations", event="kk", status="confirmed"),
        "waitlisted": value(text, "moteplass_registrations", event="kk", status="waitlisted"),
        "ready": value(text, "moteplass_jobs", kind="mail.send", state="ready"),
        "dead": value(text, "moteplass_jobs", kind="mail.send", state="dead"),
        "dead in all": value(text, "moteplass_jobs_dead"),
        "checked in": value(text, "moteplass_checkins", event="kk"),
    } == {"confirmed": 1.0, "waitlisted": 1.0, "ready": 1.0, "dead": 1.0, "dead in all": 1.0, "checked in": 0.0}
    assert value(text, "moteplass_jobs_oldest_age_seconds", kind="mail.send", state="ready") >= 0.0


async def test_mails_sent_and_failed_are_counted(smtp: SmtpServer) -> None:
    before = [value(own_metrics(), "moteplass_mails_total", outcome=o) for o in ("sent", "failed")]
    good = CountedMailer(SmtpMailer(smtp.url, "no-reply@moteplass.local", timeout=5))
    down = CountedMailer(SmtpMailer(f"smtp://127.0.0.1:{free_port()}", "no-reply@moteplass.local", timeout=2))

    await good.send(Mail(to="a@example.no", subject="Hei", text="Hei"))
    with pytest.raises(OSError, match=r"127\.0\.0\.1"):
        await down.send(Mail(to="b@example.no", subject="Hei", text="Hei"))
    await good.close()

    after = [value(own_metrics(), "moteplass_mails_total", outcome=o) for o in ("sent", "failed")]
    assert [a - b for a, b in zip(after, before, strict=True)] == [1.0, 1.0]


def own_metrics() -> str:
    """This process's own metrics (the job worker's view), without the database part."""
    return exposition([]).decode()


async def test_readyz_fails_while_a_migration_is_missing(client: Client, conn: asyncpg.Connection) -> None:
    ready = await client.get("/readyz")
    await conn.execute("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)")

    missing = await client.get("/readyz")

    assert [(ready.status_code, ready.json()), (missing.status_code, missing.json())] == [
        (200, {"status": "ok"}),
        (503, {"status": "migrations_pending"}),
    ]


@pytest.mark.slow
def test_serve_with_two_workers_sums_their_requests_and_removes_its_metrics_directory(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "BASE_URL": base,
        "METRICS_TOKEN": TOKEN,
        "LOG_LEVEL": "WARNING",
        "TMPDIR": str(tmp_path),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT)
    try:
        wait_ready(f"{base}/readyz")
        during = os.listdir(tmp_path)
        for _ in range(20):  # new connections each: granian spreads them over both workers
            urllib.request.urlopen(f"{base}/healthz", timeout=5).close()
        request = urllib.request.Request(f"{base}/metrics", headers=SCRAPER)
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
    finally:
        server.terminate()
        code = server.wait(timeout=20)

    healthz = value(text, "moteplass_http_request_duration_seconds_count", route="/healthz", status="200")
    assert (healthz, len(during), os.listdir(tmp_path), code) == (20.0, 1, [], 0)


def wait_ready(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered 200")
