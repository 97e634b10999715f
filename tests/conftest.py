"""Shared fixtures: a real PostgreSQL (a fresh clone of the migrated template per test), the app, a real
SMTP server on loopback, users and events, and a job runner using the real worker code."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from integrations.mail import SmtpMailer
from service import db
from service.accounts.domain import add_user
from service.app import create_app
from service.jobcontext import JobContext
from service.jobs import Worker
from service.settings import Secret, Settings
from service.worker import handlers
from tests import dbutil
from tests.smtp import SmtpServer

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
SECRET = "test-secret-key-not-for-production-0123456789"

# The types of the shared fixtures, for the tests' annotations.
Client = AsyncTestClient[Any]
MakeEvent = Callable[..., Awaitable[dict[str, Any]]]
RunJobs = Callable[[], Awaitable[int]]


@pytest.fixture(scope="session")
def server_url() -> str:
    return dbutil.admin_url()


@pytest.fixture(scope="session")
def template_db(server_url: str) -> Iterator[str]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"mp_tpl_{dbutil.migrations_digest()}_{worker}_{os.getpid()}"
    asyncio.run(dbutil.build_template(server_url, name))
    yield name
    asyncio.run(dbutil.drop(server_url, name))


@pytest.fixture
async def database_url(server_url: str, template_db: str) -> AsyncIterator[str]:
    name = f"mp_t_{uuid.uuid4().hex[:16]}"
    url = await dbutil.clone(server_url, template_db, name)
    yield url
    await dbutil.drop(server_url, name)


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await db.connect(database_url)
    yield connection
    await connection.close()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=Secret(SECRET),
        smtp_url=smtp.url,
        base_url="http://testserver.local",
        job_lease_seconds=5,
    )


class Clock:
    """The time the app and the worker see; tests move it instead of sleeping."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client(settings: Settings, clock: Clock) -> AsyncIterator[Client]:
    app = create_app(settings, clock=clock)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    connection_pool = await db.create_pool(database_url, size=5)
    yield connection_pool
    await connection_pool.close()


@pytest.fixture
async def run_jobs(pool: asyncpg.Pool, settings: Settings, clock: Clock) -> AsyncIterator[RunJobs]:
    """Run every ready job with the real worker code and real SMTP; returns how many ran."""
    mailer = SmtpMailer(settings.smtp_url or "", settings.mail_from)
    context = JobContext(pool=pool, settings=settings, mailer=mailer, clock=clock)
    worker = Worker(pool, handlers(), context, lease_seconds=5)

    async def run() -> int:
        total = 0
        while claimed := await worker.run_once():
            total += claimed
        return total

    yield run
    await mailer.close()


@pytest.fixture
async def admin_token(conn: asyncpg.Connection) -> str:
    return (await add_user(conn, email="admin@bergen.kommune.no", role="admin")).token


@pytest.fixture
async def organiser_token(conn: asyncpg.Connection) -> str:
    return (await add_user(conn, email="kari@bergen.kommune.no", role="organiser", name="Kari Organiser")).token


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def event_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "slug": "kk-konferansen-2027",
        "kind": "conference",
        "title": {
            "nb": "Kunnskapskommunekonferansen 2027",
            "nn": "Kunnskapskommunekonferansen 2027",
            "en": "The Knowledge Municipality Conference 2027",
        },
        "venue": "Alrek helseklynge",
        "starts_at": "2027-06-10T09:00:00+02:00",
        "ends_at": "2027-06-10T16:00:00+02:00",
        "capacity": 300,
        "registration_opens_at": "2027-02-01T09:00:00+01:00",
        "registration_closes_at": "2027-06-01T23:59:00+02:00",
        "status": "published",
    }
    body.update(overrides)
    return body


@pytest.fixture
def make_event(client: Client, organiser_token: str) -> MakeEvent:
    async def make(**overrides: Any) -> dict[str, Any]:
        response = await client.post("/api/v1/events", json=event_body(**overrides), headers=auth(organiser_token))
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    return make
