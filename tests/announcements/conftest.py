"""Slack on loopback for the announcement tests: the fake Web API, settings with Slack, signed requests, and
a job runner whose context has slack-sdk's client pointed at the fake (its waits recorded, never slept)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import asyncpg
import pytest

from integrations.mail import SmtpMailer
from integrations.slack import RequestVerifier, SlackClient
from service.accounts.domain import authenticate
from service.announcements import domain
from service.announcements.schemas import AnnouncementIn, LocalizedBody
from service.jobcontext import JobContext
from service.jobs import Worker
from service.settings import Secret, Settings
from service.types import LocalizedLine
from service.worker import handlers
from tests.conftest import SECRET, T0, Clock
from tests.slackfake import SlackFake
from tests.smtp import SmtpServer

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
TEAM = "T0MOTEPLASS"
KARI = "U0KARI"  # the Slack user of kari@bergen.kommune.no, the organiser_token fixture's user
CHANNEL = "C0EVENT"


@pytest.fixture
def slack_fake() -> Iterator[SlackFake]:
    fake = SlackFake(users={KARI: "Kari@Bergen.Kommune.no"})
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def settings(database_url: str, smtp: SmtpServer, slack_fake: SlackFake) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=Secret(SECRET),
        smtp_url=smtp.url,
        base_url="http://testserver.local",
        job_lease_seconds=5,
        slack_bot_token=Secret("xoxb-test-token"),
        slack_signing_secret=Secret(SIGNING_SECRET),
        slack_api_url=slack_fake.api_url,
    )


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def slack_client(slack_fake: SlackFake, sleeps: list[float]) -> SlackClient:
    async def sleep(seconds: float) -> None:
        sleeps.append(round(seconds, 3))

    return SlackClient("xoxb-test-token", base_url=slack_fake.api_url, timeout=2, sleep=sleep)


@pytest.fixture
async def run_jobs(
    pool: asyncpg.Pool, settings: Settings, clock: Clock, slack_client: SlackClient
) -> AsyncIterator[Callable[[], Awaitable[int]]]:
    """Every ready job, with the real worker code, real SMTP and slack-sdk against the fake Slack."""
    mailer = SmtpMailer(settings.smtp_url or "", settings.mail_from)
    context = JobContext(pool=pool, settings=settings, mailer=mailer, clock=clock, slack=slack_client)
    worker = Worker(pool, handlers(), context, lease_seconds=5)

    async def run() -> int:
        total = 0
        while claimed := await worker.run_once():
            total += claimed
        return total

    yield run
    await mailer.close()


def signed(body: bytes, clock: Clock, *, secret: str = SIGNING_SECRET, at: float | None = None) -> dict[str, str]:
    timestamp = int(clock().timestamp() if at is None else at)
    signature = RequestVerifier(secret, clock).sign(body, timestamp)
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def command_body(text: str, *, user: str = KARI, trigger: str = "trig-1", response_url: str = "") -> bytes:
    return urlencode(
        {
            "token": "legacy",
            "team_id": TEAM,
            "channel_id": "C0ORGANISERS",
            "user_id": user,
            "command": "/moteplass",
            "text": text,
            "response_url": response_url,
            "trigger_id": trigger,
        }
    ).encode()


def interaction_body(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def field(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def choice(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def compose_payload(
    slug: str,
    *,
    audience: str = "confirmed",
    send_at: int | None = None,
    view_id: str = "V0COMPOSE",
    user: str = KARI,
    **texts: str | None,
) -> dict[str, Any]:
    """A view_submission of the announce modal as Slack sends it."""
    values: dict[str, Any] = {
        "event": {"event": choice(slug)},
        "audience": {"audience": choice(audience)},
        "when": {"when": {"type": "radio_buttons", "selected_option": {"value": "later" if send_at else "now"}}},
        "send_at": {"send_at": {"type": "datetimepicker", "selected_date_time": send_at}},
    }
    for language in ("nb", "nn", "en"):
        for part in ("subject", "body"):
            key = f"{part}_{language}"
            values[key] = {key: field(texts.get(key))}
    return {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": user, "team_id": TEAM},
        "trigger_id": f"trig-{time.monotonic_ns()}",
        "view": {"id": view_id, "callback_id": "announce_compose", "state": {"values": values}, "private_metadata": ""},
    }


def confirm_payload(announcement_id: str, *, user: str = KARI) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": user, "team_id": TEAM},
        "trigger_id": f"trig-{time.monotonic_ns()}",
        "view": {
            "id": "V0COMPOSE",
            "callback_id": "announce_confirm",
            "private_metadata": announcement_id,
            "state": {"values": {}},
        },
    }


async def organiser(conn: asyncpg.Connection, token: str) -> Any:
    return await authenticate(conn, f"Bearer {token}", now=T0)


async def confirmed_announcement(
    conn: asyncpg.Connection,
    slug: str,
    actor: Any,
    now: Any,
    *,
    subject: str = "Velkommen",
    body: str = "Hei alle",
    report_to: dict[str, str] | None = None,
    audience: str = "confirmed",
) -> Any:
    """An announcement created and confirmed the way the console would (no Slack modal)."""
    event_id = await conn.fetchval("SELECT id FROM events WHERE slug = $1", slug)
    data = AnnouncementIn(audience=audience, subject=LocalizedLine(nb=subject), body=LocalizedBody(nb=body))
    draft = await domain.create_announcement(conn, event_id, data=data, actor=actor, now=now, report_to=report_to)
    announcement, _ = await domain.confirm_announcement(conn, draft.id, actor=actor, now=now)
    return announcement


async def make_due(conn: asyncpg.Connection, kind: str) -> None:
    """Let the waiting jobs of a kind run now (instead of sleeping through their backoff)."""
    await conn.execute(
        "UPDATE jobs SET run_after = now() WHERE kind = $1 AND done_at IS NULL AND dead_at IS NULL", kind
    )
